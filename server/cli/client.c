/* client: the participant CLI's libcurl client (see client.h). */
#include "client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "table.h"
#include "util.h"

#define CLIENT_MAX_ANSWER (16u << 20)

struct client {
	CURL *curl;
	char *base;		/* no trailing '/' */
	char *token;		/* Bearer token, or NULL */
	char *url;		/* the last request's URL, or NULL */
	char method[16];	/* ... and its method */
	char *cookie;		/* session mode: do_session value */
	char *csrf;		/* session mode: CSRF token */
	volatile sig_atomic_t *abort_flag;
	int progress;		/* draw an upload bar on stderr */
	int json_errors;	/* failures also as JSON on stdout */
	uint64_t answer_ns;	/* the longest wait for a whole answer */
	json_t *fail;		/* the last failure's error answer, or NULL */
	int fail_rc;		/* the last failure's exit status */
	/* the last answer */
	struct buf body;
	long status;
	int replayed;		/* Idempotent-Replayed: true */
	int too_big;		/* the body passed CLIENT_MAX_ANSWER */
	int too_slow;		/* not whole within answer_ns */
	uint64_t sent_at;	/* when its last byte went (ns), or 0 */
	curl_off_t ul_seen;	/* how much of it had gone then */
	char *set_cookie;	/* do_session from Set-Cookie */
	char err[1024];
	char code[64];
	/* the progress bar */
	uint64_t bar_at;	/* when it was last drawn (ns) */
	int bar_drawn;
};

static int client_curl_ready;

struct client *
client_new(const char *base, const char *token)
{
	const char *limit = getenv("DATAOPTIM_ANSWER_TIMEOUT");
	long answer_s = CLIENT_ANSWER_S;
	struct client *c;
	size_t n;

	if (base == NULL || (strncmp(base, "http://", 7) != 0 &&
	    strncmp(base, "https://", 8) != 0)) {
		fprintf(stderr, "dataoptim: the server must be an http:// or "
		    "https:// URL, got '%s'\n", base ? base : "");
		return NULL;
	}
	if (token != NULL) {
		size_t i, tn = strlen(token);

		for (i = 0; i < tn; i++)
			if (token[i] <= 0x20 || token[i] >= 0x7f)
				break;
		if (tn == 0 || tn > 4096 || i < tn) {
			fprintf(stderr, "dataoptim: the token must be 1 to "
			    "4096 printable ASCII characters (no blanks)\n");
			return NULL;
		}
	}
	if (limit != NULL && *limit != '\0') {
		char *end;

		answer_s = strtol(limit, &end, 10);
		if (*end != '\0' || answer_s < 1 || answer_s > 86400) {
			fprintf(stderr, "dataoptim: DATAOPTIM_ANSWER_TIMEOUT must "
			    "be 1 to 86400 seconds\n");
			return NULL;
		}
	}
	if (!client_curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
			fprintf(stderr, "dataoptim: libcurl does not start\n");
			return NULL;
		}
		client_curl_ready = 1;
	}
	c = util_xcalloc(1, sizeof(*c));
	if ((c->curl = curl_easy_init()) == NULL) {
		free(c);
		fprintf(stderr, "dataoptim: libcurl does not start\n");
		return NULL;
	}
	c->base = util_xstrdup(base);
	n = strlen(c->base);
	while (n > 0 && c->base[n - 1] == '/')
		c->base[--n] = '\0';
	c->token = token ? util_xstrdup(token) : NULL;
	c->answer_ns = (uint64_t)answer_s * 1000000000u;
	return c;
}

void
client_free(struct client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	free(c->base);
	free(c->token);
	free(c->url);
	free(c->cookie);
	free(c->csrf);
	free(c->set_cookie);
	buf_free(&c->body);
	json_decref(c->fail);
	free(c);
}

void
client_session(struct client *c, const char *cookie, const char *csrf)
{
	free(c->cookie);
	free(c->csrf);
	c->cookie = cookie ? util_xstrdup(cookie) : NULL;
	c->csrf = csrf ? util_xstrdup(csrf) : NULL;
}

void
client_abort_on(struct client *c, volatile sig_atomic_t *flag)
{
	c->abort_flag = flag;
}

void
client_json_errors(struct client *c, int on)
{
	c->json_errors = on;
}

void
client_progress(struct client *c, int on)
{
	c->progress = on && isatty(STDERR_FILENO);
}

long
client_status(const struct client *c)
{
	return c->status;
}

const char *
client_error(const struct client *c)
{
	return c->err;
}

const char *
client_error_code(const struct client *c)
{
	return c->code;
}

const char *
client_cookie(const struct client *c)
{
	return c->set_cookie;
}

int
client_replayed(const struct client *c)
{
	return c->replayed;
}

const char *
client_base(const struct client *c)
{
	return c->base;
}

char *
client_escape(struct client *c, const char *s)
{
	char *e = curl_easy_escape(c->curl, s, 0), *r;

	if (e == NULL)
		util_oom();
	r = util_xstrdup(e);
	curl_free(e);
	return r;
}

static size_t
client_on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct client *c = ctx;

	if (c->body.len + n > CLIENT_MAX_ANSWER) {
		c->too_big = 1;
		return 0;		/* curl aborts the transfer */
	}
	buf_add(&c->body, p, n);
	return size * n;
}

/* The headers the CLI reads: Idempotent-Replayed, Set-Cookie. */
static size_t
client_on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct client *c = ctx;
	size_t len = n;

	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (len >= 21 && strncasecmp(p, "Idempotent-Replayed:", 20) == 0) {
		const char *v = p + 20;

		while (*v == ' ')
			v++;
		c->replayed = strncasecmp(v, "true", 4) == 0;
	} else if (len > 11 && strncasecmp(p, "Set-Cookie:", 11) == 0) {
		const char *v = p + 11, *end = p + len, *semi;

		while (v < end && *v == ' ')
			v++;
		if ((size_t)(end - v) > 11 && strncmp(v, "do_session=",
		    11) == 0) {
			v += 11;
			semi = memchr(v, ';', (size_t)(end - v));
			if (semi == NULL)
				semi = end;
			free(c->set_cookie);
			c->set_cookie = util_xmalloc((size_t)(semi - v) + 1);
			memcpy(c->set_cookie, v, (size_t)(semi - v));
			c->set_cookie[semi - v] = '\0';
		}
	}
	return size * n;
}

/* Human sizes for the progress bar. */
static void
client_size(char *out, size_t outlen, curl_off_t n)
{
	if (n >= 1024 * 1024)
		util_fmt(out, outlen, "%.1f MiB", (double)n / (1024 * 1024));
	else if (n >= 1024)
		util_fmt(out, outlen, "%.1f KiB", (double)n / 1024);
	else
		util_fmt(out, outlen, "%ld B", (long)n);
}

static int
client_on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct client *c = ctx;
	uint64_t now;
	char a[32], b[32], bar[41];
	int pct, k;

	(void)dltotal;
	(void)dlnow;
	if (c->abort_flag != NULL && *c->abort_flag)
		return 1;
	now = util_now_ns();
	/* curl calls this about once a second even while nothing comes;
	 * the answer's time runs from the request's last byte (a body of
	 * unknown size, from a pipe, is all sent when no more goes) */
	if (c->sent_at == 0 || ulnow != c->ul_seen) {
		c->sent_at = now;
		c->ul_seen = ulnow;
	} else if ((ultotal <= 0 || ulnow >= ultotal) &&
	    now - c->sent_at > c->answer_ns) {
		c->too_slow = 1;
		return 1;
	}
	if (!c->progress || ultotal <= 0)
		return 0;
	if (c->bar_drawn && ulnow < ultotal && now - c->bar_at < 100000000u)
		return 0;
	c->bar_at = now;
	c->bar_drawn = 1;
	pct = (int)(ulnow * 100 / ultotal);
	for (k = 0; k < 40; k++)
		bar[k] = k < pct * 40 / 100 ? '#' : ' ';
	bar[40] = '\0';
	client_size(a, sizeof(a), ulnow);
	client_size(b, sizeof(b), ultotal);
	fprintf(stderr, "\rupload %3d%% [%s] %s / %s  ", pct, bar, a, b);
	return 0;
}

/* Server text s (NULL: nothing) appended to out made safe for a
 * terminal (table_cell(): no escape sequence, newline or C1 control). */
static void
client_add_safe(struct buf *out, const char *s)
{
	char *t;

	if (s == NULL)
		return;
	t = table_cell(s, 0);
	buf_adds(out, t);
	free(t);
}

/* One detail of an error answer, as a line under it. */
static void
client_detail(const json_t *d, struct buf *out)
{
	const char *msg = json_string_value(json_object_get(d, "message"));
	const json_t *line = json_object_get(d, "line");
	const json_t *item = json_object_get(d, "item");
	const char *path = json_string_value(json_object_get(d, "path"));

	buf_adds(out, "\n  ");
	if (json_is_integer(line))
		buf_printf(out, "line %lld: ", (long long)json_integer_value(
		    line));
	else if (json_is_integer(item)) {
		buf_printf(out, "item %lld%s", (long long)
		    json_integer_value(item), path ? " " : "");
		client_add_safe(out, path);
		buf_adds(out, ": ");
	}
	if (msg != NULL)
		client_add_safe(out, msg);
	else if (json_is_string(d))
		client_add_safe(out, json_string_value(d));
	else {
		char *s = json_dumps(d, JSON_COMPACT);

		client_add_safe(out, s ? s : "?");
		free(s);
	}
}

/* The failure's line (and details) from an error answer; its status. */
static int
client_http_error(struct client *c, const char *method, const char *path,
    json_t *o)
{
	json_t *e = json_object_get(o, "error"), *det, *d;
	const char *msg = json_string_value(json_object_get(e, "message"));
	const char *code = json_string_value(json_object_get(e, "code"));
	struct buf line = BUF_INIT;
	json_int_t total;
	size_t i;
	char *safe;

	util_fmt(c->code, sizeof(c->code), "%s", code ? code : "");
	if (msg != NULL) {
		client_add_safe(&line, msg);
		buf_printf(&line, " (HTTP %ld%s", c->status, code ? " " : "");
		client_add_safe(&line, code);
		buf_adds(&line, ")");
	} else
		buf_printf(&line, "%s %s%s: HTTP %ld", method, c->base, path,
		    c->status);
	if (c->status >= 300 && c->status <= 399) {
		char *to = NULL;

		curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &to);
		buf_adds(&line, ", redirected to ");
		client_add_safe(&line, to ? to : "(no Location)");
		buf_adds(&line, ": not followed (a token goes only to the "
		    "server given: give --server the URL the server wants)");
	}
	det = json_object_get(e, "details");
	json_array_foreach(det, i, d)
		client_detail(d, &line);
	total = json_integer_value(json_object_get(e, "n_errors"));
	if (total > (json_int_t)json_array_size(det) && json_array_size(det))
		buf_printf(&line, "\n  ... %lld errors in all",
		    (long long)total);
	safe = util_utf8_repair(line.p, line.len);
	util_fmt(c->err, sizeof(c->err), "%s", safe);
	free(safe);
	buf_free(&line);
	if (c->status == 401 || c->status == 403)
		return CLI_AUTH;
	if (c->status >= 500)
		return CLI_NET;
	return CLI_INVALID;
}

/* With --json, the failure as JSON on stdout: the server's error answer
 * o, or one made of the failure's line. */
static void
client_json_failure(struct client *c)
{
	json_t *e = NULL, *o = c->fail;
	int rc = c->fail_rc;

	if (!c->json_errors)
		return;
	if (json_is_object(o) && json_is_object(json_object_get(o, "error")))
		e = json_incref(o);
	else {
		char *safe = util_utf8_repair(c->err, strlen(c->err));

		e = json_pack("{s:{s:s, s:s, s:o?}}", "error", "code",
		    rc == CLI_INTERRUPTED ? "interrupted" : c->status == 0 ?
		    "unreachable" : "bad_answer", "message", safe, "status",
		    c->status ? json_integer(c->status) : NULL);
		free(safe);
	}
	json_dumpf(e, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(e);
}

void
client_report(struct client *c)
{
	if (c->err[0] == '\0')
		return;
	fprintf(stderr, "dataoptim: %s\n", c->err);
	client_json_failure(c);
}

/* Add the parts to a new MIME body; NULL with c->err set. */
static curl_mime *
client_mime(struct client *c, const struct client_req *r)
{
	curl_mime *m = curl_mime_init(c->curl);
	size_t i;

	if (m == NULL)
		util_oom();
	for (i = 0; i < r->nparts; i++) {
		curl_mimepart *p = curl_mime_addpart(m);
		const struct client_part *cp = &r->parts[i];

		if (p == NULL)
			util_oom();
		curl_mime_name(p, cp->name);
		if (cp->file != NULL) {
			if (curl_mime_filedata(p, cp->file) != CURLE_OK) {
				util_fmt(c->err, sizeof(c->err), "cannot read "
				    "%s", cp->file);
				curl_mime_free(m);
				return NULL;
			}
		} else
			curl_mime_data(p, cp->value ? cp->value : "",
			    CURL_ZERO_TERMINATED);
	}
	return m;
}

int
client_do(struct client *c, const struct client_req *r, json_t **out)
{
	struct curl_slist *h = NULL;
	curl_mime *mime = NULL;
	char *url = NULL, *jbody = NULL, hdr[512];
	struct buf cookie = BUF_INIT;
	json_error_t je;
	json_t *o = NULL;
	CURLcode cc;
	size_t i;
	int rc = CLI_NET;

	if (out != NULL)
		*out = NULL;
	buf_reset(&c->body);
	c->status = 0;
	c->replayed = 0;
	c->too_big = 0;
	c->too_slow = 0;
	c->sent_at = 0;
	c->ul_seen = 0;
	c->err[0] = c->code[0] = '\0';
	json_decref(c->fail);
	c->fail = NULL;
	c->bar_drawn = 0;
	free(c->set_cookie);
	c->set_cookie = NULL;
	curl_easy_reset(c->curl);
	url = util_xmalloc(strlen(c->base) + strlen(r->path) + 1);
	strcpy(url, c->base);
	strcat(url, r->path);
	free(c->url);
	c->url = util_xstrdup(url);
	util_fmt(c->method, sizeof(c->method), "%s", r->method);
	if (c->cookie != NULL) {
		buf_printf(&cookie, "do_session=%s", c->cookie);
		curl_easy_setopt(c->curl, CURLOPT_COOKIE, cookie.p);
		if (c->csrf != NULL) {
			util_fmt(hdr, sizeof(hdr), "X-CSRF-Token: %s", c->csrf);
			h = curl_slist_append(h, hdr);
		}
	} else if (c->token != NULL) {
		struct buf a = BUF_INIT;

		buf_printf(&a, "Authorization: Bearer %s", c->token);
		h = curl_slist_append(h, a.p);
		buf_free(&a);
	}
	for (i = 0; r->headers != NULL && r->headers[i] != NULL; i++)
		h = curl_slist_append(h, r->headers[i]);
	if (r->json != NULL) {
		if ((jbody = json_dumps(r->json, JSON_COMPACT)) == NULL)
			util_oom();
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, jbody);
	} else if (r->parts != NULL) {
		if ((mime = client_mime(c, r)) == NULL) {
			rc = CLI_ERROR;
			goto fail;
		}
		curl_easy_setopt(c->curl, CURLOPT_MIMEPOST, mime);
	} else if (strcmp(r->method, "POST") == 0)
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, "");
	h = curl_slist_append(h, "Accept: application/json");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, r->method);
	if (strcmp(r->method, "GET") == 0)
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "dataoptim-cli");
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, client_on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, client_on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION,
	    client_on_progress);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
	cc = curl_easy_perform(c->curl);
	if (c->bar_drawn)
		fputc('\n', stderr);
	if (cc == CURLE_ABORTED_BY_CALLBACK && c->too_slow) {
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
		util_fmt(c->err, sizeof(c->err), "%s %s: no whole answer in "
		    "%llu s (DATAOPTIM_ANSWER_TIMEOUT)", r->method, url,
		    (unsigned long long)(c->answer_ns / 1000000000u));
		goto fail;
	}
	if (cc == CURLE_ABORTED_BY_CALLBACK) {
		rc = CLI_INTERRUPTED;
		util_fmt(c->err, sizeof(c->err), "interrupted");
		json_decref(c->fail);
		c->fail = NULL;
		c->fail_rc = rc;
		if (!r->quiet)
			client_json_failure(c);
		goto out;
	}
	if (cc != CURLE_OK) {
		if (c->too_big)
			util_fmt(c->err, sizeof(c->err), "%s %s: the answer is "
			    "over %u bytes", r->method, url, CLIENT_MAX_ANSWER);
		else
			util_fmt(c->err, sizeof(c->err), "cannot reach %s: %s",
			    url, curl_easy_strerror(cc));
		goto fail;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
	if (c->body.len == 0)
		o = json_null();
	else if ((o = json_loadb(c->body.p, c->body.len, 0, &je)) == NULL) {
		util_fmt(c->err, sizeof(c->err), "%s %s: HTTP %ld with an "
		    "answer that is not JSON (is this a dataoptim server?)",
		    r->method, url, c->status);
		rc = c->status == 401 || c->status == 403 ? CLI_AUTH : CLI_NET;
		goto fail;
	}
	if (c->status < 200 || c->status > 299) {
		rc = client_http_error(c, r->method, r->path, o);
		goto fail;
	}
	rc = CLI_OK;
	if (out != NULL) {
		*out = o;
		o = NULL;
	}
	goto out;
fail:
	json_decref(c->fail);
	c->fail = json_incref(o);
	c->fail_rc = rc;
	if (!r->quiet)
		client_report(c);
out:
	json_decref(o);
	curl_mime_free(mime);
	curl_slist_free_all(h);
	free(jbody);
	free(url);
	buf_free(&cookie);
	return rc;
}

int
client_bad_answer(struct client *c, const char *what)
{
	util_fmt(c->err, sizeof(c->err), "%s %s: HTTP %ld with %s (is this a "
	    "dataoptim server?)", c->method, c->url ? c->url : c->base,
	    c->status, what);
	c->code[0] = '\0';
	json_decref(c->fail);
	c->fail = NULL;
	c->fail_rc = CLI_NET;
	client_report(c);
	return CLI_NET;
}

int
client_get(struct client *c, const char *path, json_t **out)
{
	struct client_req r;

	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.path = path;
	return client_do(c, &r, out);
}
