#include "util.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utf8proc.h>

void
util_oom(void)
{
	fputs("fatal: out of memory\n", stderr);
	abort();
}

void *
util_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		util_oom();
	return p;
}

void *
util_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		util_oom();
	return p;
}

void *
util_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		util_oom();
	return q;
}

void *
util_xreallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		util_oom();
	return util_xrealloc(p, bytes);
}

char *
util_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		util_oom();
	return p;
}

char *
util_fmt(char *buf, size_t bufsz, const char *fmt, ...)
{
	va_list ap;

	if (bufsz == 0)
		return buf;
	va_start(ap, fmt);
	vsnprintf(buf, bufsz, fmt, ap);
	va_end(ap);
	return buf;
}

void
util_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

char *
util_quote(char *dst, size_t dstsz, const char *src, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i, o = 0;

	if (dstsz == 0)
		return dst;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		size_t need = (c < 0x20 || c > 0x7e || c == '\\') ? 4 : 1;

		if (o + need + 4 > dstsz) {
			if (o + 3 < dstsz) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 4) {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = digits[c >> 4];
			dst[o++] = digits[c & 15];
		} else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return dst;
}

uint64_t
util_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct util_afile {
	FILE *fp;
	char *path;
	char *tmp;
};

struct util_afile *
util_afile_open(const char *path, char *err, size_t errlen)
{
	static unsigned seq;
	struct util_afile *af;
	size_t n = strlen(path) + 64;
	int fd;

	af = util_xcalloc(1, sizeof(*af));
	af->path = util_xstrdup(path);
	af->tmp = util_xmalloc(n);
	snprintf(af->tmp, n, "%s.tmp.%ld.%u", path, (long)getpid(), seq++);
	fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		util_fmt(err, errlen, "cannot create %s: %s", af->tmp,
		    strerror(errno));
		goto fail;
	}
	if ((af->fp = fdopen(fd, "w")) == NULL) {
		util_fmt(err, errlen, "fdopen %s: %s", af->tmp, strerror(errno));
		close(fd);
		unlink(af->tmp);
		goto fail;
	}
	setvbuf(af->fp, NULL, _IOFBF, 1 << 20);
	return af;
fail:
	free(af->tmp);
	free(af->path);
	free(af);
	return NULL;
}

FILE *
util_afile_fp(struct util_afile *af)
{
	return af->fp;
}

static void
util_afile_free(struct util_afile *af)
{
	free(af->tmp);
	free(af->path);
	free(af);
}

int
util_afile_commit(struct util_afile *af, char *err, size_t errlen)
{
	char *dir;
	int dfd, rc = -1;

	if (fflush(af->fp) != 0 || ferror(af->fp)) {
		util_fmt(err, errlen, "write %s: %s", af->tmp, strerror(errno));
		goto abort;
	}
	if (fsync(fileno(af->fp)) != 0) {
		util_fmt(err, errlen, "fsync %s: %s", af->tmp, strerror(errno));
		goto abort;
	}
	if (fclose(af->fp) != 0) {
		af->fp = NULL;
		util_fmt(err, errlen, "close %s: %s", af->tmp, strerror(errno));
		goto abort;
	}
	af->fp = NULL;
	if (rename(af->tmp, af->path) != 0) {
		util_fmt(err, errlen, "rename %s to %s: %s", af->tmp, af->path,
		    strerror(errno));
		goto abort;
	}
	dir = util_xstrdup(af->path);
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
	rc = 0;
	util_afile_free(af);
	return rc;
abort:
	util_afile_abort(af);
	return rc;
}

void
util_afile_abort(struct util_afile *af)
{
	if (af == NULL)
		return;
	if (af->fp != NULL)
		fclose(af->fp);
	unlink(af->tmp);
	util_afile_free(af);
}

char *
util_read_small(const char *path, size_t max, size_t *len, char *err,
    size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		util_fmt(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size > max) {
		util_fmt(err, errlen, "%s: larger than %zu bytes", path, max);
		goto fail;
	}
	buf = util_xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			util_fmt(err, errlen, "read %s: %s", path,
			    r < 0 ? strerror(errno) : "file shrank");
			goto fail;
		}
		got += (size_t)r;
	}
	buf[got] = '\0';
	if (len != NULL)
		*len = got;
	close(fd);
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

char *
util_abspath(const char *path)
{
	char cwd[PATH_MAX], *buf, *o;
	const char *p;
	size_t n;

	if (path[0] == '\0')
		return util_xstrdup("");
	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	n = strlen(path) + (path[0] == '/' ? 0 : strlen(cwd) + 1) + 2;
	buf = util_xmalloc(n);
	util_fmt(buf, n, "%s%s%s", path[0] == '/' ? "" : cwd,
	    path[0] == '/' ? "" : "/", path);
	/* fold "//" and "/./" in place; the result never grows */
	for (o = buf, p = buf; *p != '\0';) {
		if (p[0] == '/' && (p[1] == '/' || (p[1] == '.' &&
		    (p[2] == '/' || p[2] == '\0')))) {
			p += p[1] == '/' ? 1 : 2;
			continue;
		}
		*o++ = *p++;
	}
	if (o > buf + 1 && o[-1] == '/')
		o--;
	if (o == buf)
		*o++ = '/';
	*o = '\0';
	return buf;
}

size_t
util_replace_all(char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	char *r = s, *w = s, *hit;

	if (fl == 0 || tl > fl)
		return 0;
	while ((hit = strstr(r, from)) != NULL) {
		memmove(w, r, (size_t)(hit - r));
		w += hit - r;
		memcpy(w, to, tl);
		w += tl;
		r = hit + fl;
		n++;
	}
	memmove(w, r, strlen(r) + 1);
	return n;
}

int
util_text_check(const char *s, size_t n, int multiline, size_t max,
    char *why, size_t whylen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	int l;

	if (n > max) {
		util_fmt(why, whylen, "is over %zu bytes", max);
		return -1;
	}
	while (i < n) {
		l = utf8_seq(u + i, n - i, NULL);
		if (l <= 0) {
			util_fmt(why, whylen, "is not valid UTF-8 at byte %zu",
			    i);
			return -1;
		}
		if ((l == 1 && (u[i] < 0x20 || u[i] == 0x7f) &&
		    !(multiline && (u[i] == '\n' || u[i] == '\t'))) ||
		    (l == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)) {
			util_fmt(why, whylen, "holds a control character "
			    "(U+%04X) at byte %zu%s", l == 1 ? u[i] :
			    u[i + 1], i, multiline ? "; only newline and tab "
			    "are allowed" : "; it must be one line");
			return -1;
		}
		i += (size_t)l;
	}
	return 0;
}

char *
util_utf8_repair(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out = util_xreallocarray(NULL, n + 1, 3), *o = out;
	size_t i = 0;
	int l;

	while (i < n) {
		l = utf8_seq(u + i, n - i, NULL);
		if (l <= 0) {
			memcpy(o, "\xef\xbf\xbd", 3);	/* U+FFFD */
			o += 3;
			i++;
			continue;
		}
		if (!(l == 1 && u[i] == 0)) {
			memcpy(o, s + i, (size_t)l);
			o += l;
		}
		i += (size_t)l;
	}
	*o = '\0';
	return out;
}

json_t *
util_json_text(const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);
	char *fixed;

	if (v != NULL)
		return v;
	fixed = util_utf8_repair(s, n);
	v = json_string(fixed);
	free(fixed);
	return v != NULL ? v : json_string("");
}

const char *
util_list_next(const char **p, size_t *len)
{
	const char *a = *p, *b;
	size_t n;

	if (*a == '\0')
		return NULL;
	n = strcspn(a, ",");
	b = a + n;
	*p = b + (*b == ',');
	while (a < b && (*a == ' ' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	*len = (size_t)(b - a);
	return a;
}

/* 1 for a byte util_fold_name() counts as a blank. */
static int
util_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
util_fold_name(const char *in, char *out, size_t outsz)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)in;
	utf8proc_uint8_t *m = NULL;
	utf8proc_int32_t c;
	utf8proc_ssize_t k;
	size_t n = 0, i;
	int blank = 0;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	/* no control (but blanks) or invisible formatting character */
	while (*p != '\0') {
		if ((k = utf8proc_iterate(p, -1, &c)) <= 0)
			return -1;
		if ((c < 0x20 && !util_blank((unsigned char)c)) ||
		    (c >= 0x7f && c < 0xa0) ||
		    utf8proc_category(c) == UTF8PROC_CATEGORY_CF)
			return -2;
		p += k;
	}
	if (utf8proc_map((const utf8proc_uint8_t *)in, 0, &m,
	    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
	    UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE |
	    UTF8PROC_LUMP) < 0)
		return -1;
	for (i = 0; m[i] != '\0'; i++) {
		if (util_blank(m[i])) {
			blank = n > 0;	/* leading blanks are dropped */
			continue;
		}
		if (n + (size_t)blank + 1 >= outsz) {
			free(m);
			out[0] = '\0';
			return -1;
		}
		if (blank)
			out[n++] = ' ';
		blank = 0;
		out[n++] = (char)m[i];
	}
	free(m);
	out[n] = '\0';
	return (int)n;
}
