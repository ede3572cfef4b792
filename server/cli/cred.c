/* cred: the participant CLI's credentials file and option precedence. */
#include "cred.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

void
cred_clear(struct cred *c)
{
	free(c->server);
	free(c->token);
	c->server = c->token = NULL;
}

/* The blanks around a line's key and value. */
static int
cred_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* One "key = value" line (s, n bytes, no newline) into c; -1 with err. */
static int
cred_line(const char *s, size_t n, const char *name, size_t lineno,
    struct cred *c, char *err, size_t errlen)
{
	const char *eq, *k = s, *v;
	size_t kn, vn, i;
	char **slot;

	while (n > 0 && cred_blank(*k))
		k++, n--;
	while (n > 0 && cred_blank(k[n - 1]))
		n--;
	if (n == 0 || k[0] == '#')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x20 && k[i] != '\t') {
			util_fmt(err, errlen, "%s:%zu: control character",
			    name, lineno);
			return -1;
		}
	if ((eq = memchr(k, '=', n)) == NULL) {
		util_fmt(err, errlen, "%s:%zu: expected key = value", name,
		    lineno);
		return -1;
	}
	kn = (size_t)(eq - k);
	while (kn > 0 && cred_blank(k[kn - 1]))
		kn--;
	v = eq + 1;
	vn = n - (size_t)(v - k);
	while (vn > 0 && cred_blank(*v))
		v++, vn--;
	if (kn == 6 && memcmp(k, "server", 6) == 0)
		slot = &c->server;
	else if (kn == 5 && memcmp(k, "token", 5) == 0)
		slot = &c->token;
	else {
		char q[64];

		util_fmt(err, errlen, "%s:%zu: unknown key \"%s\" (known: "
		    "server, token)", name, lineno, util_quote(q, sizeof(q), k,
		    kn));
		return -1;
	}
	if (*slot != NULL) {
		util_fmt(err, errlen, "%s:%zu: %s given twice", name, lineno,
		    slot == &c->server ? "server" : "token");
		return -1;
	}
	if (vn == 0 || vn > CRED_MAX_VALUE) {
		util_fmt(err, errlen, "%s:%zu: %s must be 1 to %d bytes",
		    name, lineno, slot == &c->server ? "server" : "token",
		    CRED_MAX_VALUE);
		return -1;
	}
	*slot = util_xmalloc(vn + 1);
	memcpy(*slot, v, vn);
	(*slot)[vn] = '\0';
	return 0;
}

int
cred_parse(const char *text, size_t n, const char *name, struct cred *c,
    char *err, size_t errlen)
{
	size_t off = 0, lineno = 0;

	if (memchr(text, '\0', n) != NULL) {
		util_fmt(err, errlen, "%s: holds a NUL byte", name);
		return -1;
	}
	while (off < n) {
		const char *nl = memchr(text + off, '\n', n - off);
		size_t len = nl ? (size_t)(nl - (text + off)) : n - off;

		lineno++;
		if (cred_line(text + off, len, name, lineno, c, err,
		    errlen) != 0) {
			cred_clear(c);
			return -1;
		}
		off += len + (nl != NULL);
	}
	return 0;
}

/* The directory of the file: $XDG_CONFIG_HOME/dataoptim or
 * ~/.config/dataoptim; *base gets the part above it. */
static char *
cred_dir(char **base, char *err, size_t errlen)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	struct buf b = BUF_INIT;

	if (x != NULL && x[0] == '/')
		buf_adds(&b, x);
	else if (h != NULL && h[0] == '/')
		buf_printf(&b, "%s/.config", h);
	else {
		util_fmt(err, errlen, "cannot find the credentials file: "
		    "neither XDG_CONFIG_HOME nor HOME is an absolute path");
		return NULL;
	}
	if (base != NULL)
		*base = util_xstrdup(b.p);
	buf_adds(&b, "/dataoptim");
	return buf_steal(&b, NULL);
}

char *
cred_path(char *err, size_t errlen)
{
	char *d = cred_dir(NULL, err, errlen), *p;
	struct buf b = BUF_INIT;

	if (d == NULL)
		return NULL;
	buf_printf(&b, "%s/credentials", d);
	free(d);
	p = buf_steal(&b, NULL);
	return p;
}

int
cred_load(struct cred *c, char *err, size_t errlen)
{
	char *path = cred_path(err, errlen), *text = NULL;
	struct stat st;
	ssize_t got;
	size_t len = 0;
	int fd = -1, rc = -1;

	if (path == NULL)
		return -1;
	/* O_NONBLOCK: a FIFO in its place must not hang the open (it is
	 * refused below as not a regular file) */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			rc = 0;
		else
			util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		util_fmt(err, errlen, "%s: not a regular file of yours; not "
		    "used", path);
		goto out;
	}
	if (st.st_mode & 077) {
		util_fmt(err, errlen, "%s: group or others may access it "
		    "(mode %04o); not used: run chmod 600 %s or log in again",
		    path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_size > CRED_MAX_FILE) {
		util_fmt(err, errlen, "%s: over %d bytes", path, CRED_MAX_FILE);
		goto out;
	}
	text = util_xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		got = read(fd, text + len, (size_t)st.st_size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			util_fmt(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	rc = cred_parse(text, len, path, c, err, errlen) == 0 ? 1 : -1;
out:
	if (fd >= 0)
		close(fd);
	free(text);
	free(path);
	return rc;
}

/* mkdir with mode 0700 unless it exists; -1 with err. */
static int
cred_mkdir(const char *d, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(d, 0700) == 0)
		return 0;
	if (errno == EEXIST && stat(d, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	util_fmt(err, errlen, "cannot make the directory %s: %s", d,
	    errno == EEXIST ? "a file is in the way" : strerror(errno));
	return -1;
}

int
cred_save(const struct cred *c, char **path_out, char *err, size_t errlen)
{
	char *base = NULL, *dir = cred_dir(&base, err, errlen), *path = NULL;
	struct buf tmp = BUF_INIT, text = BUF_INIT;
	int fd = -1, rc = -1;
	size_t off = 0;

	if (dir == NULL)
		return -1;
	if (cred_mkdir(base, err, errlen) != 0 ||
	    cred_mkdir(dir, err, errlen) != 0)
		goto out;
	if (chmod(dir, 0700) != 0) {
		util_fmt(err, errlen, "chmod 700 %s: %s", dir, strerror(errno));
		goto out;
	}
	buf_printf(&text, "# dataoptim credentials, written by dataoptim "
	    "login (keep it private)\nserver = %s\n", c->server);
	if (c->token != NULL)
		buf_printf(&text, "token = %s\n", c->token);
	path = util_xmalloc(strlen(dir) + sizeof("/credentials"));
	strcpy(path, dir);
	strcat(path, "/credentials");
	buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	unlink(tmp.p);
	fd = open(tmp.p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		util_fmt(err, errlen, "%s: %s", tmp.p, strerror(errno));
		goto out;
	}
	while (off < text.len) {
		ssize_t w = write(fd, text.p + off, text.len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			util_fmt(err, errlen, "%s: %s", tmp.p, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
		util_fmt(err, errlen, "%s: %s", tmp.p, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		util_fmt(err, errlen, "%s: %s", tmp.p, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.p, path) != 0) {
		util_fmt(err, errlen, "rename to %s: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
	if (path_out != NULL) {
		*path_out = path;
		path = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0 && tmp.p != NULL)
		unlink(tmp.p);
	buf_free(&tmp);
	buf_free(&text);
	free(path);
	free(dir);
	free(base);
	return rc;
}

/* Two server URLs name the same server (a trailing '/' aside). */
static int
cred_same_server(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	while (na > 0 && a[na - 1] == '/')
		na--;
	while (nb > 0 && b[nb - 1] == '/')
		nb--;
	return na == nb && strncmp(a, b, na) == 0;
}

int
cred_resolve(const char *server_opt, const char *token_opt,
    struct cred *out, char *err, size_t errlen)
{
	const char *es = getenv("DATAOPTIM_SERVER");
	const char *et = getenv("DATAOPTIM_TOKEN");
	const char *server = server_opt ? server_opt : es && *es ? es : NULL;
	const char *token = token_opt ? token_opt : et && *et ? et : NULL;
	struct cred f = { NULL, NULL };

	if (server == NULL || token == NULL) {
		if (cred_load(&f, err, errlen) < 0)
			return -1;
		if (server == NULL)
			server = f.server;
		if (token == NULL && f.token != NULL && server != NULL &&
		    f.server != NULL && cred_same_server(server, f.server))
			token = f.token;
	}
	out->server = server ? util_xstrdup(server) : NULL;
	out->token = token ? util_xstrdup(token) : NULL;
	cred_clear(&f);
	return 0;
}
