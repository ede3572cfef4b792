/*
 * static: the web pages and their assets from the static directory.
 * Only plain files under it are served: a request path with any percent
 * escape, a "." or ".." segment, an empty segment or a backslash is
 * refused, and the file is opened one component at a time with
 * O_NOFOLLOW, so no symbolic link is followed.  Everything refused
 * answers 404.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "http.h"
#include "srv.h"
#include "util.h"

static const struct {
	const char *ext;
	const char *type;
} static_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".woff2", "font/woff2" },
	{ ".map", "application/json" },
};

static const char *
static_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot != NULL)
		for (i = 0; i < sizeof(static_types) / sizeof(static_types[0]);
		    i++)
			if (strcmp(dot, static_types[i].ext) == 0)
				return static_types[i].type;
	return "application/octet-stream";
}

static int
static_404(struct http_req *req)
{
	return http_reply_error(req, 404, "not_found", "no such file", NULL);
}

/* Open rel (segments checked) under root without following links. */
static int
static_open(const char *root, const char *rel)
{
	char buf[PATH_MAX];
	char *seg, *next;
	int dfd, fd;

	if (strlen(rel) >= sizeof(buf))
		return -1;
	util_fmt(buf, sizeof(buf), "%s", rel);
	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	seg = buf;
	for (;;) {
		next = strchr(seg, '/');
		if (next != NULL)
			*next = '\0';
		if (seg[0] == '\0' || seg[0] == '.') {	/* "", ".", "..", hidden */
			close(dfd);
			return -1;
		}
		fd = openat(dfd, seg, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    (next ? O_DIRECTORY : 0));
		close(dfd);
		if (fd < 0)
			return -1;
		if (next == NULL)
			return fd;
		dfd = fd;
		seg = next + 1;
	}
}

static int
static_serve(struct http_req *req, const char *rel, int page)
{
	struct srv *srv = http_req_srv(req);
	const char *inm = http_req_header(req, "If-None-Match");
	char etag[64];
	struct stat st;
	int fd;

	fd = static_open(srv->static_dir, rel);
	if (fd < 0)
		return static_404(req);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return static_404(req);
	}
	util_fmt(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)st.st_mtime, (unsigned long long)st.st_size);
	if (inm != NULL && strstr(inm, etag) != NULL) {
		close(fd);
		http_reply_empty(req, 304);
	} else
		http_reply_fd(req, 200, static_type(rel), fd,
		    (uint64_t)st.st_size);
	http_header(req, "ETag", etag);
	/* pages always revalidate; assets may be reused for a minute */
	http_header(req, "Cache-Control", page ? "no-cache" :
	    "public, max-age=60");
	if (page) {
		http_header(req, "Content-Security-Policy", "default-src 'self'; "
		    "img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
		    "frame-ancestors 'none'; base-uri 'none'; "
		    "form-action 'self'");
		http_header(req, "X-Frame-Options", "DENY");
		http_header(req, "Referrer-Policy", "same-origin");
	}
	return 0;
}

int
static_page(struct http_req *req)
{
	const char *p = http_req_path(req);
	char rel[64];

	if (strcmp(p, "/") == 0)
		return static_serve(req, "index.html", 1);
	util_fmt(rel, sizeof(rel), "%s.html", p + 1);
	return static_serve(req, rel, 1);
}

int
static_file(struct http_req *req)
{
	const char *raw = http_req_uri(req);
	size_t n = strcspn(raw, "?#");

	/* Judge the raw path, before any decoding: no escapes at all (so
	 * no %2e%2e, no %2f), no backslash, no dot segments. */
	if (strncmp(raw, "/static/", 8) != 0 || memchr(raw, '%', n) ||
	    memchr(raw, '\\', n) || strstr(raw, "/.") != NULL ||
	    strstr(raw, "//") != NULL)
		return static_404(req);
	if (strstr(http_req_path(req), "/.") || strchr(http_req_path(req),
	    '\\'))
		return static_404(req);
	return static_serve(req, http_req_path(req) + 8, 0);
}

/* the HTML 404 page */
int
static_not_found(struct http_req *req)
{
	static const char fallback[] = "404 Not Found: there is no page "
	    "here. The leaderboard is at /\n";
	struct srv *srv = http_req_srv(req);
	struct stat st;
	int fd;

	fd = static_open(srv->static_dir, "404.html");
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		http_reply_fd(req, 404, "text/html; charset=utf-8", fd,
		    (uint64_t)st.st_size);
		http_header(req, "Cache-Control", "no-cache");
		http_header(req, "Content-Security-Policy", "default-src "
		    "'self'; img-src 'self' data:; style-src 'self' "
		    "'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; "
		    "form-action 'self'");
		http_header(req, "X-Frame-Options", "DENY");
		return 0;
	}
	if (fd >= 0)
		close(fd);
	return http_reply_data(req, 404, "text/plain; charset=utf-8",
	    fallback, sizeof(fallback) - 1);
}
