/* wkfs: blocking file-system helpers for the thread pool (see wkfs.h). */
#include "wkfs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int
wkfs_mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int
wkfs_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 &&
	    errno != ENOENT)
		return -1;
	return 0;
}

int
wkfs_rmtree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	return nftw(path, wkfs_rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int
wkfs_write_file(const char *path, const char *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < n) {
		ssize_t w = write(fd, data + off, n - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	return close(fd);
}

/* 1 if one of the '|'-separated patterns of alt (n bytes) matches in dir. */
static int
wkfs_match(const char *dir, const char *alt, size_t n)
{
	char pat[PATH_MAX];
	size_t i = 0;

	while (i < n) {
		size_t k = i;
		glob_t g;
		int rc;

		while (k < n && alt[k] != '|')
			k++;
		if (k > i) {
			util_fmt(pat, sizeof(pat), "%s/%.*s", dir, (int)(k - i),
			    alt + i);
			memset(&g, 0, sizeof(g));
			rc = glob(pat, 0, NULL, &g);
			globfree(&g);
			if (rc == 0)
				return 1;
		}
		i = k + 1;
	}
	return 0;
}

int
wkfs_required(const char *dir, const char *req, char *missing,
    size_t missinglen)
{
	const char *p = req;
	size_t used = 0;
	int ok = 1;

	if (missinglen > 0)
		missing[0] = '\0';
	for (;;) {
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " \t,");
		if (!wkfs_match(dir, p, n)) {
			ok = 0;
			if (used + n + 3 < missinglen) {
				used += (size_t)snprintf(missing + used,
				    missinglen - used, "%s%.*s",
				    used ? ", " : "", (int)n, p);
			}
		}
		p += n;
	}
	return ok ? 0 : -1;
}
