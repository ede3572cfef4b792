#include "upload.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define UPLOAD_BUF (256 * 1024)

struct upload {
	int fd;			/* -1 once closed */
	char path[PATH_MAX];
	uint64_t max, size;
	EVP_MD_CTX *md;
	unsigned char *buf;	/* write buffer of UPLOAD_BUF bytes */
	size_t used;
	int committed;
	int over;
	int err;		/* sticky: UPLOAD_FULL or -1 */
};

struct upload *
upload_new(const char *dir, uint64_t max, char *err, size_t errlen)
{
	struct upload *up = util_xcalloc(1, sizeof(*up));

	up->fd = -1;
	up->max = max;
	util_fmt(up->path, sizeof(up->path), "%s/upload-XXXXXX", dir);
	up->fd = mkostemp(up->path, O_CLOEXEC);
	if (up->fd < 0) {
		util_fmt(err, errlen, "temporary file in %s: %s", dir,
		    strerror(errno));
		up->path[0] = '\0';
		goto fail;
	}
	up->md = EVP_MD_CTX_new();
	if (up->md == NULL || EVP_DigestInit_ex(up->md, EVP_sha256(), NULL)
	    != 1) {
		util_fmt(err, errlen, "sha256 init failed");
		goto fail;
	}
	up->buf = util_xmalloc(UPLOAD_BUF);
	return up;
fail:
	upload_free(up);
	return NULL;
}

/* An I/O error: told once; the disk being full is its own answer. */
static int
upload_fail(struct upload *up, const char *what)
{
	int full = errno == ENOSPC || errno == EDQUOT;

	fprintf(stderr, "dataoptimd: %s %s: %s\n", what, up->path,
	    strerror(errno));
	up->err = full ? UPLOAD_FULL : -1;
	if (full && up->fd >= 0)
		(void)ftruncate(up->fd, 0);	/* give the space back now */
	return up->err;
}

static int
upload_flush(struct upload *up)
{
	size_t off = 0;

	while (off < up->used) {
		ssize_t n = write(up->fd, up->buf + off, up->used - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return upload_fail(up, "write");
		}
		off += (size_t)n;
	}
	up->used = 0;
	return 0;
}

int
upload_write(struct upload *up, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (up->over)
		return UPLOAD_OVER;
	if (up->err)
		return up->err;
	if (up->size + len > up->max) {
		up->over = 1;
		return UPLOAD_OVER;
	}
	up->size += len;
	EVP_DigestUpdate(up->md, p, len);
	while (len > 0) {
		size_t n = UPLOAD_BUF - up->used;

		if (n > len)
			n = len;
		memcpy(up->buf + up->used, p, n);
		up->used += n;
		p += n;
		len -= n;
		if (up->used == UPLOAD_BUF && upload_flush(up) != 0)
			return up->err;
	}
	return 0;
}

int
upload_finish(struct upload *up, char sha256[65], uint64_t *size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (up->err)
		return up->err;
	if (upload_flush(up) != 0)
		return up->err;
	if (fsync(up->fd) != 0)
		return upload_fail(up, "fsync");
	close(up->fd);
	up->fd = -1;
	EVP_DigestFinal_ex(up->md, md, &mdlen);
	util_hex(md, mdlen, sha256);
	*size = up->size;
	return 0;
}

const char *
upload_path(const struct upload *up)
{
	return up->path;
}

uint64_t
upload_size(const struct upload *up)
{
	return up->size;
}

int
upload_commit(struct upload *up, const char *dest)
{
	char dir[PATH_MAX];
	int dfd;

	if (rename(up->path, dest) != 0) {
		fprintf(stderr, "dataoptimd: rename %s to %s: %s\n", up->path,
		    dest, strerror(errno));
		return -1;
	}
	up->committed = 1;
	util_fmt(dir, sizeof(dir), "%s", dest);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

void
upload_free(struct upload *up)
{
	if (up == NULL)
		return;
	if (up->fd >= 0)
		close(up->fd);
	if (!up->committed && up->path[0] != '\0')
		unlink(up->path);
	EVP_MD_CTX_free(up->md);
	free(up->buf);
	free(up);
}
