#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api.h"	/* api_account_token_refused */
#include "auth.h"
#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "field.h"
#include "guard.h"
#include "metrics.h"
#include "pcache.h"
#include "route.h"
#include "srv.h"
#include "util.h"

#define HTTP_JSON_MAX (1024 * 1024)	/* largest JSON request body */

/*
 * The work queue: handlers that block (validation of a large upload,
 * fsync, argon2) run on these threads while their connection is
 * suspended, so MHD's threads keep answering everyone else.
 */
struct http_work {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct http_req *head, *tail;	/* queued requests (next_work) */
	pthread_t *th;
	int nth;
	int stopping;		/* answer what is left with 503, then exit */
};

struct http_server {
	struct MHD_Daemon *d;
	struct srv *srv;
	struct guard *guard;	/* owned: deadlines, per-address limits */
	atomic_int inflight;	/* requests begun and not completed */
	unsigned port;
	struct http_work work;
};

enum http_phase { PH_NEW, PH_BODY, PH_DONE };

/* Everything about one request; freed in http_completed(). */
struct http_req {
	struct http_server *hs;
	struct MHD_Connection *conn;
	char *uri;		/* raw request target (owned) */
	const char *method;	/* MHD's, valid for the request */
	const char *path;	/* decoded path (MHD's) */
	enum http_phase phase;
	const struct route *route;	/* NULL: none matched */
	size_t route_idx;	/* for metrics: route_count + 1 if none */
	char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_LEN];
	struct db_principal who;	/* valid if has_who */
	int has_who;
	int via_session;	/* authenticated by the session cookie */
	int csrf_pending;	/* the handler must check a form field */
	struct buf body;	/* the JSON body (owned) */
	uint64_t body_seen;	/* body bytes received so far */
	json_t *json;		/* parsed JSON body (owned) */
	http_body_fn *body_fn;	/* streaming body sink, or NULL */
	void *ctx;		/* the route's per-request state */
	void (*ctx_free)(void *);
	struct db *db;		/* held while begin/handler run */
	struct MHD_Response *resp;	/* reply set, not yet queued */
	unsigned status;	/* the reply's status, 0 if none */
	uint64_t bytes;		/* the reply's body size */
	int queued;		/* reply handed to MHD */
	char log_team[128];	/* for the access log */
	uint64_t t0;		/* util_now_ns() at the request line */
	uint64_t t_in;		/* ... when the whole request was in; 0 */
	int suspended;		/* waiting for a work thread */
	struct guard_conn *gc;	/* the connection's guard entry */
	char client[48];	/* the client address key, counted in the
				   guard while client_counted */
	int client_counted;
	struct http_req *next_work;	/* work queue link */
};

/* ---- accessors ---- */

struct srv *
http_req_srv(struct http_req *req)
{
	return req->hs->srv;
}

struct db *
http_req_db(struct http_req *req)
{
	return req->db;
}

const char *
http_req_method(const struct http_req *req)
{
	return req->method;
}

const char *
http_req_path(const struct http_req *req)
{
	return req->path;
}

const char *
http_req_uri(const struct http_req *req)
{
	return req->uri;
}

const char *
http_req_param(const struct http_req *req, int i)
{
	if (i < 0 || i >= ROUTE_MAX_PARAMS)
		return "";
	return req->params[i];
}

const char *
http_req_query(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

int
http_req_int_query(struct http_req *req, const char *name, int64_t def,
    int64_t lo, int64_t hi, int64_t *out)
{
	const char *v = http_req_query(req, name);
	char *end;
	long long n;

	*out = def;
	if (v == NULL || v[0] == '\0')
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

const char *
http_req_header(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_req_cookie(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

/* The TCP peer's exact address text and its key (IPv6: its /64). */
static void
http_peer(struct MHD_Connection *conn, char *exact, size_t exactlen,
    char *key, size_t keylen)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	exact[0] = key[0] = '\0';
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	guard_addr_key(sa, key, keylen);
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, exact, (socklen_t)exactlen);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_addr, exact, (socklen_t)exactlen);
}

char *
http_req_client_ip(struct http_req *req, char *buf, size_t len)
{
	char exact[64], key[48];

	http_peer(req->conn, exact, sizeof(exact), key, sizeof(key));
	return guard_client_key(exact, key, http_req_header(req,
	    "X-Forwarded-For"), req->hs->srv->cfg->trusted_proxies, buf, len);
}

const struct db_principal *
http_req_who(const struct http_req *req)
{
	return req->has_who ? &req->who : NULL;
}

int64_t
http_req_scope(const struct http_req *req)
{
	const struct db_principal *who = http_req_who(req);

	return who->role == WHO_ADMIN ? -1 : who->team_id;
}

int
http_req_via_session(const struct http_req *req)
{
	return req->via_session;
}

json_t *
http_req_json(const struct http_req *req)
{
	return req->json;
}

int64_t
http_req_content_length(struct http_req *req)
{
	const char *v = http_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	long long n;

	if (v == NULL)
		return -1;
	n = strtoll(v, &end, 10);
	if (end == v || *end != '\0' || n < 0)
		return -1;
	return n;
}

void
http_req_set_body(struct http_req *req, http_body_fn *fn, void *ctx,
    void (*ctx_free)(void *))
{
	req->body_fn = fn;
	req->ctx = ctx;
	req->ctx_free = ctx_free;
}

void *
http_req_ctx(const struct http_req *req)
{
	return req->ctx;
}

void
http_req_log_team(struct http_req *req, const char *team)
{
	util_fmt(req->log_team, sizeof(req->log_team), "%s", team);
}

int
http_replied(const struct http_req *req)
{
	return req->resp != NULL || req->queued;
}

/* ---- forms ---- */

struct http_form {
	struct MHD_PostProcessor *pp;
	http_form_fn *fn;
	void *cls;
	int unnamed;		/* a part had no Content-Disposition name */
};

static enum MHD_Result
http_form_iter(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct http_form *f = cls;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (key == NULL) {	/* a part without a name */
		f->unnamed = 1;
		return MHD_NO;
	}
	return f->fn(f->cls, key, filename, off, data, size) == 0 ?
	    MHD_YES : MHD_NO;
}

struct http_form *
http_form_new(struct http_req *req, http_form_fn *fn, void *cls)
{
	struct http_form *f = util_xcalloc(1, sizeof(*f));

	f->fn = fn;
	f->cls = cls;
	f->pp = MHD_create_post_processor(req->conn, 64 * 1024,
	    http_form_iter, f);
	if (f->pp == NULL) {
		free(f);
		return NULL;
	}
	return f;
}

int
http_form_feed(struct http_form *f, const char *data, size_t len)
{
	return MHD_post_process(f->pp, data, len) == MHD_YES ? 0 : -1;
}

int
http_form_unnamed(const struct http_form *f)
{
	return f->unnamed;
}

void
http_form_free(struct http_form *f)
{
	if (f == NULL)
		return;
	MHD_destroy_post_processor(f->pp);
	free(f);
}

/* ---- replies ---- */

static void
http_set(struct http_req *req, unsigned status, struct MHD_Response *r,
    uint64_t bytes)
{
	if (r == NULL) {
		fprintf(stderr, "dataoptimd: cannot create a response\n");
		return;
	}
	if (req->resp != NULL || req->queued) {
		MHD_destroy_response(r);	/* the first reply wins */
		return;
	}
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	req->resp = r;
	req->status = status;
	req->bytes = bytes;
}

void
http_header(struct http_req *req, const char *name, const char *value)
{
	if (req->resp != NULL)
		MHD_add_response_header(req->resp, name, value);
}

int
http_reply_take(struct http_req *req, unsigned status, const char *ctype,
    char *data, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data,
	    MHD_RESPMEM_MUST_FREE);

	if (r == NULL)
		free(data);
	else
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	http_set(req, status, r, len);
	return 0;
}

int
http_reply_data(struct http_req *req, unsigned status, const char *ctype,
    const void *data, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len,
	    (void *)(uintptr_t)data, MHD_RESPMEM_MUST_COPY);

	if (r != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	http_set(req, status, r, len);
	return 0;
}

/* short reals */
/*
 * The shortest text of the real number tok (n bytes, as jansson wrote it
 * with 17 digits) that reads back as the same double, jansson's way (a
 * "." or an exponent always, no "+" nor leading zeros in the exponent),
 * into out (at least 32 bytes); its length, or 0 to keep tok as it is.
 */
static size_t
http_real_shortest(const char *tok, size_t n, char *out)
{
	char in[40], *end, *e;
	double v;
	size_t m;
	int p;

	if (n >= sizeof(in))
		return 0;
	memcpy(in, tok, n);
	in[n] = '\0';
	v = strtod(in, &end);
	if (*end != '\0')
		return 0;
	for (p = 1; p <= 17; p++) {
		snprintf(out, 32, "%.*g", p, v);
		if (strtod(out, NULL) == v)
			break;
	}
	if (p > 17)
		return 0;
	if ((e = strchr(out, 'e')) != NULL) {
		char *d = e + 1, *z;

		if (*d == '+')
			memmove(d, d + 1, strlen(d));
		else if (*d == '-')
			d++;
		for (z = d; *z == '0' && z[1] != '\0'; z++)
			;
		memmove(d, z, strlen(z) + 1);
	} else if (strchr(out, '.') == NULL)
		strcat(out, ".0");
	m = strlen(out);
	return m <= n ? m : 0;
}

/*
 * Rewrite every real number of the JSON text s (outside strings) to its
 * shortest exact form: jansson writes 17 digits, so 0.1 came out as
 * 0.10000000000000001.  In place (never longer); the new length.
 */
size_t
http_json_shorten(char *s, size_t len)
{
	size_t r = 0, w = 0;
	char best[32];

	while (r < len) {
		char c = s[r];

		if (c == '"') {
			s[w++] = s[r++];
			while (r < len && s[r] != '"') {
				if (s[r] == '\\' && r + 1 < len)
					s[w++] = s[r++];
				s[w++] = s[r++];
			}
			if (r < len)
				s[w++] = s[r++];
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t b = r, n, m;

			while (r < len && strchr("+-0123456789.eE", s[r]) != NULL
			    && s[r] != '\0')
				r++;
			n = r - b;
			if (memchr(s + b, '.', n) == NULL &&
			    memchr(s + b, 'e', n) == NULL &&
			    memchr(s + b, 'E', n) == NULL)
				m = 0;	/* an integer */
			else
				m = http_real_shortest(s + b, n, best);
			if (m > 0) {
				memcpy(s + w, best, m);
				w += m;
			} else {
				memmove(s + w, s + b, n);
				w += n;
			}
		} else
			s[w++] = s[r++];
	}
	s[w] = '\0';
	return w;
}

char *
http_json_text(json_t *body, size_t *len)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);

	if (s == NULL)
		return NULL;
	*len = http_json_shorten(s, strlen(s));
	/* one trailing newline makes curl output readable */
	s = util_xrealloc(s, *len + 2);
	s[(*len)++] = '\n';
	s[*len] = '\0';
	return s;
}

int
http_reply_json_text(struct http_req *req, unsigned status, char *text,
    size_t len)
{
	http_reply_take(req, status, "application/json", text, len);
	http_header(req, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return 0;
}

int
http_reply_json(struct http_req *req, unsigned status, json_t *body)
{
	size_t len;
	char *s = http_json_text(body, &len);

	json_decref(body);
	if (s == NULL) {
		fprintf(stderr, "dataoptimd: %s %s: the answer could not be "
		    "built (status %u); answering 500\n", req->method,
		    req->path, status);
		return http_reply_error(req, 500, "internal",
		    "cannot encode the answer", NULL);
	}
	return http_reply_json_text(req, status, s, len);
}

int
http_reply_error_ex(struct http_req *req, unsigned status, const char *code,
    const char *message, json_t *details, json_t *extra)
{
	/* the message may quote what the client sent: never lost to a
	 * failed build (util_json_text repairs invalid UTF-8) */
	json_t *e = json_pack("{s:s, s:o, s:o}", "code", code,
	    "message", util_json_text(message, strlen(message)), "details",
	    details ? details : json_array());

	if (extra != NULL) {
		json_object_update(e, extra);
		json_decref(extra);
	}
	http_reply_json(req, status, json_pack("{s:o}", "error", e));
	if (status == 401)
		http_header(req, "WWW-Authenticate", "Bearer");
	return 0;
}

int
http_reply_error(struct http_req *req, unsigned status, const char *code,
    const char *message, json_t *details)
{
	return http_reply_error_ex(req, status, code, message, details, NULL);
}

int
http_reply_too_many(struct http_req *req, int64_t wait, const char *message)
{
	char ra[32];

	util_fmt(ra, sizeof(ra), "%lld", (long long)wait);
	http_reply_error_ex(req, 429, "too_many_attempts", message, NULL,
	    json_pack("{s:I}", "retry_after", (json_int_t)wait));
	http_header(req, "Retry-After", ra);
	return 0;
}

int
http_reply_fd(struct http_req *req, unsigned status, const char *ctype,
    int fd, uint64_t size)
{
	struct MHD_Response *r = MHD_create_response_from_fd64(size, fd);

	if (r == NULL) {
		close(fd);
		return http_reply_error(req, 500, "internal",
		    "cannot send the file", NULL);
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	http_set(req, status, r, size);
	return 0;
}

int
http_reply_empty(struct http_req *req, unsigned status)
{
	http_set(req, status, MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT), 0);
	http_header(req, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return 0;
}

/* ---- authentication and dispatch ---- */

int
http_req_csrf_check(struct http_req *req, const char *field)
{
	if (!req->csrf_pending)
		return 0;
	if (field != NULL && req->who.csrf[0] != '\0' &&
	    auth_equal(field, req->who.csrf)) {
		req->csrf_pending = 0;
		return 0;
	}
	http_reply_error(req, 403, "csrf", "missing or wrong CSRF token "
	    "(send the X-CSRF-Token header or a csrf_token field)", NULL);
	return -1;
}

int
http_req_take_db(struct http_req *req)
{
	if (req->db == NULL)
		req->db = srv_db_get(req->hs->srv);
	if (req->db == NULL) {
		http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
		return -1;
	}
	return 0;
}

/* Look up the caller.  Returns 0 (found or anonymous) or -1 after a 401
 * for a bad token. */
static int
http_authenticate(struct http_req *req)
{
	const char *authz = http_req_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *cookie;
	char hash[AUTH_HASH_HEX];
	int rc;

	if (authz != NULL) {
		const char *tok;

		if (strncasecmp(authz, "Bearer ", 7) != 0) {
			http_reply_error(req, 401, "unauthorized",
			    "use Authorization: Bearer <token>", NULL);
			return -1;
		}
		tok = authz + 7;
		while (*tok == ' ')
			tok++;
		auth_sha256_hex(tok, strlen(tok), hash);
		if (pcache_get(req->hs->srv->pcache, hash, &req->who)) {
			req->has_who = 1;
			return 0;
		}
		if (http_req_take_db(req) != 0)
			return -1;
		rc = db_auth_token(req->db, hash, &req->who);
		if (rc == DB_OK) {
			pcache_put(req->hs->srv->pcache, hash, &req->who);
			/* its last use (once a minute) */
			db_account_token_seen(req->db, req->who.token_id,
			    srv_now());
		}
		if (rc == DB_NOTFOUND) {
			/* a disabled user or team is told */
			if (!api_account_token_refused(req, hash))
				http_reply_error(req, 401, "unauthorized",
				    "unknown or revoked token", NULL);
			return -1;
		}
		if (rc != DB_OK) {
			http_reply_error(req, 503, "unavailable",
			    "database unavailable", NULL);
			return -1;
		}
		req->has_who = 1;
		return 0;
	}
	cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
	    "do_session");
	if (cookie == NULL)
		return 0;
	if (http_req_take_db(req) != 0)
		return -1;
	auth_sha256_hex(cookie, strlen(cookie), hash);
	rc = db_auth_session(req->db, hash, srv_now(), &req->who);
	if (rc == DB_OK) {
		req->has_who = 1;
		req->via_session = 1;
		/* its last use (once a minute) */
		db_account_session_seen(req->db, hash, srv_now());
	} else if (rc != DB_NOTFOUND) {
		http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
		return -1;
	}
	return 0;	/* an expired session is anonymous */
}

static int
http_safe_method(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS");
}

/* Role and CSRF checks; -1 after an error reply. */
static int
http_authorize(struct http_req *req)
{
	const struct route *rt = req->route;
	enum who_role role = req->who.role;
	const char *tok, *ctype;

	if (rt->role == ROLE_PUBLIC)
		return 0;
	if (!req->has_who) {
		http_reply_error(req, 401, "unauthorized",
		    "log in or send Authorization: Bearer <token>", NULL);
		return -1;
	}
	switch (rt->role) {
	case ROLE_USER:
		if (role == WHO_WORKER)
			goto forbidden;
		break;
	case ROLE_WORKER:
		if (role != WHO_WORKER)
			goto forbidden;
		break;
	case ROLE_ADMIN:
		if (role != WHO_ADMIN)
			goto forbidden;
		break;
	default:
		break;
	}
	if (req->via_session && !http_safe_method(req->method)) {
		tok = http_req_header(req, "X-CSRF-Token");
		if (tok != NULL && req->who.csrf[0] != '\0' &&
		    auth_equal(tok, req->who.csrf))
			return 0;
		ctype = http_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
		if (tok == NULL && (rt->flags & ROUTE_FORM_CSRF) &&
		    ctype != NULL && strncasecmp(ctype,
		    "multipart/form-data", 19) == 0) {
			req->csrf_pending = 1;
			return 0;
		}
		http_reply_error(req, 403, "csrf", "missing or wrong "
		    "X-CSRF-Token header", NULL);
		return -1;
	}
	return 0;
forbidden:
	http_reply_error(req, 403, "forbidden", role == WHO_WORKER ?
	    "worker tokens may use only the worker API" : rt->role ==
	    ROLE_WORKER ? "this endpoint needs a worker token" :
	    "this endpoint is for organizers", NULL);
	return -1;
}

static void
http_drop_db(struct http_req *req)
{
	srv_db_put(req->hs->srv, req->db);
	req->db = NULL;
}

/* ---- text at the edge ---- */

#define HTTP_TEXT_MAX 4096	/* a query argument or a JSON string */
#define HTTP_LONG_TEXT_MAX 16384	/* a multi-line JSON field */

/* Fields whose text may span lines (newline and tab allowed); secrets are
 * only bounded (a password may hold anything printable or not). */
static int
http_field_multiline(const char *name)
{
	static const char *const names[] = { "description", "reason",
	    "note", "message",
	    "overview", "rules",	/* a track's page texts */
	    NULL };
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

static int
http_field_secret(const char *name)
{
	return strstr(name, "password") != NULL ||
	    strstr(name, "secret") != NULL;
}

int
http_check_text(struct http_req *req, const char *what, const char *name,
    const char *s, size_t n, size_t max)
{
	char why[160], msg[400], shown[80];

	if (http_field_secret(name) ? n <= max :
	    util_text_check(s, n, http_field_multiline(name), max, why,
	    sizeof(why)) == 0)
		return 0;
	if (http_field_secret(name))
		util_fmt(why, sizeof(why), "is over %zu bytes", max);
	util_quote(shown, sizeof(shown), name, strlen(name));
	util_fmt(msg, sizeof(msg), "%s %s %s", what, shown, why);
	http_reply_error(req, 400, "bad_request", msg, NULL);
	return -1;
}

/* Every query argument: its name and value are one-line text (a
 * description may span lines), bounded; else 400 naming it. */
static enum MHD_Result
http_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct http_req *req = cls;

	(void)kind;
	if (http_check_text(req, "query argument", "name", key, key_size,
	    256) != 0)
		return MHD_NO;
	return http_check_text(req, "query argument", key, value ? value :
	    "", value ? value_size : 0, HTTP_TEXT_MAX) == 0 ? MHD_YES : MHD_NO;
}

/* A header name or value with a NUL inside.  libmicrohttpd 0.9.75 cuts a
 * header line at a NUL before the application sees it, so this catches
 * only what its API still shows; "Bearer <token>\0junk" reaches us as
 * "Bearer <token>" (a newer libmicrohttpd refuses such lines itself). */
static enum MHD_Result
http_header_nul(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct http_req *req = cls;
	char msg[200], q[80];

	(void)kind;
	if ((value == NULL || memchr(value, '\0', value_size) == NULL) &&
	    memchr(key, '\0', key_size) == NULL)
		return MHD_YES;
	util_fmt(msg, sizeof(msg), "header %s holds a NUL byte",
	    util_quote(q, sizeof(q), key, strlen(key)));
	http_reply_error(req, 400, "bad_request", msg, NULL);
	return MHD_NO;
}

/*
 * The request head before any route code: headers without NULs, a
 * Transfer-Encoding libmicrohttpd can read (only "chunked"; anything else
 * would leave the body's end unknown and the client waiting), query
 * arguments that are text.  0, or -1 after replying.
 */
static int
http_check_head(struct http_req *req)
{
	const char *te = http_req_header(req, "Transfer-Encoding");
	char msg[200], q[80];

	MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND,
	    http_header_nul, req);
	if (req->resp != NULL)
		return -1;
	if (te != NULL && strcasecmp(te, "chunked") != 0) {
		util_fmt(msg, sizeof(msg), "Transfer-Encoding %s is not "
		    "supported (send chunked, or a Content-Length)",
		    util_quote(q, sizeof(q), te, strlen(te)));
		http_reply_error(req, 501, "not_implemented", msg, NULL);
		return -1;
	}
	MHD_get_connection_values_n(req->conn, MHD_GET_ARGUMENT_KIND,
	    http_query_arg, req);
	return req->resp != NULL ? -1 : 0;
}

/* Every string in a JSON body (names, emails, reasons, ...); path is the
 * field's place, "members[2].email".  0, or -1 after replying 400. */
static int
http_check_json(struct http_req *req, const json_t *v, const char *key,
    char *path, size_t pathsz)
{
	size_t len = strlen(path), i;
	const char *k;
	json_t *c;

	if (json_is_string(v))
		return http_check_text(req, "field", path[0] ? path : "body",
		    json_string_value(v), json_string_length(v),
		    key != NULL && http_field_multiline(key) ?
		    HTTP_LONG_TEXT_MAX : HTTP_TEXT_MAX) == 0 ? 0 : -1;
	if (json_is_array(v)) {
		json_array_foreach(v, i, c) {
			util_fmt(path + len, pathsz - len, "[%zu]", i);
			if (http_check_json(req, c, key, path, pathsz) != 0)
				return -1;
		}
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, c) {
			if (http_check_text(req, "field name", "name", k,
			    strlen(k), 256) != 0)
				return -1;
			util_fmt(path + len, pathsz - len, "%s%s",
			    len ? "." : "", k);
			if (http_check_json(req, c, k, path, pathsz) != 0)
				return -1;
		}
	}
	path[len] = '\0';
	return 0;
}

/* The body against the route's field table (field.h); 0, or -1 after
 * replying 400 with the field's problem. */
static int
http_check_fields(struct http_req *req)
{
	char msg[512];

	if (field_check(req->route->body, req->json, msg, sizeof(msg)) == 0)
		return 0;
	http_reply_error(req, 400, "bad_request", msg, NULL);
	return -1;
}

/* Headers are in: route, check the head, authenticate, authorize,
 * begin. */
static void
http_begin(struct http_req *req)
{
	const struct route *rt;
	int wrong = 0;
	int64_t cl;

	rt = route_match(req->method, req->path, req->params, &wrong);
	if (rt == NULL) {
		if (wrong)
			http_reply_error(req, 405, "method_not_allowed",
			    "method not allowed here", NULL);
		/* an HTML 404 page for what is not the API */
		else if (strncmp(req->path, "/api/", 5) != 0 &&
		    (strcmp(req->method, "GET") == 0 ||
		    strcmp(req->method, "HEAD") == 0))
			static_not_found(req);
		else
			http_reply_error(req, 404, "not_found",
			    "no such resource", NULL);
		return;
	}
	req->route = rt;
	req->route_idx = (size_t)(rt - route_table);
	if (http_check_head(req) != 0)
		return;
	if (rt->role != ROLE_PUBLIC || (rt->flags & ROUTE_OPT_AUTH)) {
		if (http_authenticate(req) != 0)
			goto out;
		if (req->has_who)
			http_req_log_team(req, req->who.team[0] ?
			    req->who.team : req->who.email);
	}
	if (http_authorize(req) != 0)
		goto out;
	if (rt->flags & ROUTE_JSON_BODY) {
		cl = http_req_content_length(req);
		if (cl > HTTP_JSON_MAX) {
			http_reply_error(req, 413, "too_large",
			    "request body over 1 MiB", NULL);
			goto out;
		}
	}
	if (rt->begin != NULL) {
		if (http_req_take_db(req) != 0)
			return;
		rt->begin(req);
	}
out:
	http_drop_db(req);
}

static void
http_handle(struct http_req *req)
{
	json_error_t jerr;

	if (req->route->flags & ROUTE_JSON_BODY) {
		if (req->body.len > 0) {
			req->json = json_loadb(req->body.p, req->body.len,
			    JSON_REJECT_DUPLICATES, &jerr);
			if (req->json == NULL) {
				char msg[256];

				util_fmt(msg, sizeof(msg), "malformed JSON "
				    "body: %s", jerr.text);
				http_reply_error(req, 400, "bad_request", msg,
				    NULL);
				return;
			}
		}
		/* workers' bodies carry logs, which hold anything */
		if (req->json != NULL && req->route->role != ROLE_WORKER) {
			char path[512] = "";

			if (http_check_json(req, req->json, NULL, path,
			    sizeof(path)) != 0)
				return;
		}
		if (req->route->body != NULL && http_check_fields(req) != 0)
			return;
	}
	if (!(req->route->flags & ROUTE_LAZY_DB) && http_req_take_db(req) != 0)
		return;
	req->route->handler(req);
	http_drop_db(req);
	/* an organizer changed something: tokens, users or teams may be
	 * among it, so no cached caller outlives it */
	if (req->route->role == ROLE_ADMIN && !http_safe_method(req->method) &&
	    req->status < 400)
		pcache_clear(req->hs->srv->pcache);
	if (!http_replied(req))
		http_reply_error(req, 500, "internal", "no answer", NULL);
}

static enum MHD_Result
http_queue(struct http_req *req)
{
	enum MHD_Result ret;

	if (req->queued)
		return MHD_YES;
	if (req->resp == NULL)
		http_reply_error(req, 500, "internal", "no answer", NULL);
	if (req->resp == NULL)
		return MHD_NO;
	ret = MHD_queue_response(req->conn, req->status, req->resp);
	MHD_destroy_response(req->resp);
	req->resp = NULL;
	req->queued = 1;
	if (ret != MHD_YES)
		req->status = 0;	/* closed without an answer */
	return ret;
}

/*
 * The answer was decided in the middle of the body (a bad form field, a
 * malformed part): libmicrohttpd cannot send it before the body is read,
 * so read the rest and throw it away, and answer at its end.  Past the
 * largest body the server takes (submissions.max_upload_mb) the
 * connection is closed instead.
 */
static enum MHD_Result
http_drain(struct http_req *req)
{
	uint64_t max = (uint64_t)req->hs->srv->cfg->max_upload_mb << 20;

	return req->body_seen <= max ? MHD_YES : http_queue(req);
}

static int
http_body_json(struct http_req *req, const char *data, size_t len)
{
	if (len > HTTP_JSON_MAX - req->body.len) {
		http_reply_error(req, 413, "too_large",
		    "request body over 1 MiB", NULL);
		return -1;
	}
	buf_add(&req->body, data, len);
	return 0;
}

static void
http_work_submit(struct http_req *req)
{
	struct http_work *w = &req->hs->work;

	req->suspended = 1;
	MHD_suspend_connection(req->conn);
	pthread_mutex_lock(&w->mu);
	req->next_work = NULL;
	if (w->tail != NULL)
		w->tail->next_work = req;
	else
		w->head = req;
	w->tail = req;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void *
http_work_main(void *arg)
{
	struct http_work *w = arg;
	struct http_req *req;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		req = w->head;
		if (req == NULL) {	/* stopping and drained */
			pthread_mutex_unlock(&w->mu);
			return NULL;
		}
		w->head = req->next_work;
		if (w->head == NULL)
			w->tail = NULL;
		if (w->stopping)
			http_reply_error(req, 503, "unavailable",
			    "the server is shutting down", NULL);
		pthread_mutex_unlock(&w->mu);
		if (req->resp == NULL)
			http_handle(req);
		req->suspended = 0;
		MHD_resume_connection(req->conn);
	}
}

/* Does a body follow the request head? */
static int
http_has_body(struct http_req *req)
{
	return http_req_content_length(req) > 0 ||
	    http_req_header(req, "Transfer-Encoding") != NULL;
}

/*
 * The per-address limits, when a request head is in: more connections
 * from its peer (unless it is a trusted proxy), or more requests in
 * flight for its client (behind a trusted proxy: the forwarded address),
 * than server.per_ip_connections answer 503 with Retry-After and close
 * the connection.  0 to go on, -1 after replying.
 */
static int
http_over_limits(struct http_req *req)
{
	struct http_server *hs = req->hs;
	const char *trusted = hs->srv->cfg->trusted_proxies;
	int64_t lim = hs->srv->cfg->per_ip_connections;
	char msg[200], exact[64], key[48];

	if (lim <= 0)
		return 0;
	/* a trusted proxy's connections carry many clients: they count
	 * one by one, by their requests in flight */
	http_peer(req->conn, exact, sizeof(exact), key, sizeof(key));
	if (guard_trusted(trusted, exact) ||
	    !guard_peer_over(hs->guard, req->gc)) {
		guard_client_key(exact, key, http_req_header(req,
		    "X-Forwarded-For"), trusted, req->client,
		    sizeof(req->client));
		if (!guard_client_enter(hs->guard, req->client)) {
			req->client_counted = 1;
			return 0;
		}
	}
	util_fmt(msg, sizeof(msg), "too many connections or requests from "
	    "your address at once (at most %lld); retry in a moment",
	    (long long)lim);
	http_reply_error(req, 503, "too_many_connections", msg, NULL);
	http_header(req, "Retry-After", "1");
	http_header(req, "Connection", "close");
	return -1;
}

/* Connections come and go: their guard entries. */
static void
http_notify_conn(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct http_server *hs = cls;
	const union MHD_ConnectionInfo *fd, *peer;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		fd = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		peer = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		*socket_ctx = guard_open(hs->guard, fd ? fd->connect_fd : -1,
		    peer ? peer->client_addr : NULL);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		guard_close(hs->guard, *socket_ctx);
		*socket_ctx = NULL;
	}
}

/* The whole request is in: from now on the server works on it. */
static void
http_request_in(struct http_req *req)
{
	req->t_in = util_now_ns();
	guard_busy(req->hs->guard, req->gc);
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_req *req = *con_cls;

	(void)cls;
	(void)version;
	if (req == NULL)
		return MHD_NO;	/* never: made by http_uri_log() */
	req->conn = conn;
	if (req->queued) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->phase == PH_NEW) {
		req->method = method;
		req->path = url;
		req->phase = PH_BODY;
		guard_head_done(req->hs->guard, req->gc);
		if (http_over_limits(req) != 0)
			return http_queue(req);
		http_begin(req);
		/* A reply queued in this first call makes libmicrohttpd
		 * 0.9.75 close the connection after it (it cannot know the
		 * request is over): only an early answer to a request with
		 * an unread body goes now; the rest is queued in the next
		 * call, once the request is complete, and the connection
		 * stays open for the next request. */
		if (req->resp != NULL)
			return http_has_body(req) ? http_queue(req) : MHD_YES;
		if (!(req->route->flags & (ROUTE_JSON_BODY |
		    ROUTE_STREAM_BODY))) {
			http_request_in(req);
			req->phase = PH_DONE;
			http_handle(req);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		req->body_seen += n;
		guard_body(req->hs->guard, req->gc, n);
		if (req->resp != NULL)
			return http_drain(req);
		if (req->body_fn != NULL)
			(void)req->body_fn(req, upload_data, n);
		else if (req->route->flags & ROUTE_JSON_BODY)
			(void)http_body_json(req, upload_data, n);
		if (req->resp != NULL)
			return http_drain(req);
		return MHD_YES;
	}
	if (req->suspended)
		return MHD_YES;	/* spurious call while the work runs */
	http_request_in(req);
	if (req->phase == PH_BODY && req->resp == NULL &&
	    (req->route->flags & ROUTE_OFFLOAD)) {
		req->phase = PH_DONE;
		http_work_submit(req);
		return MHD_YES;	/* resumed by the work thread */
	}
	req->phase = PH_DONE;
	if (req->resp == NULL)
		http_handle(req);
	return http_queue(req);
}

static void *
http_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *hs = cls;
	struct http_req *req = util_xcalloc(1, sizeof(*req));
	const union MHD_ConnectionInfo *ci;

	req->hs = hs;
	req->conn = conn;
	req->uri = util_xstrdup(uri);
	req->method = "-";
	req->path = req->uri;
	req->route_idx = route_count + 1;
	req->log_team[0] = '-';
	req->t0 = util_now_ns();
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	req->gc = ci != NULL ? ci->socket_context : NULL;
	atomic_fetch_add(&hs->inflight, 1);
	return req;
}

/* Copy s into out for the log: printable ASCII, no spaces. */
static void
http_log_clean(char *out, size_t outsz, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] && s[i] != '?' && i < max && i + 1 < outsz; i++)
		out[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '_';
	out[i] = '\0';
}

static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *hs = cls;
	struct http_req *req = *con_cls;
	uint64_t now, ns, wait;

	(void)conn;
	if (req == NULL)
		return;
	*con_cls = NULL;
	now = util_now_ns();
	ns = now - req->t0;
	wait = req->t_in != 0 ? now - req->t_in : ns;
	if (!req->queued || req->status == 0) {
		req->status = 0;	/* closed without an answer */
		req->bytes = 0;
	}
	if (hs->srv->cfg->access_log && !(req->status == 204 &&
	    req->route != NULL && (req->route->flags & ROUTE_IDLE_POLL) &&
	    !hs->srv->cfg->log_idle_polls)) {
		char line[1024], path[512], team[128], ts[21];

		db_iso_time(srv_now(), ts);
		http_log_clean(path, sizeof(path), req->uri, 400);
		http_log_clean(team, sizeof(team), req->log_team, 100);
		util_fmt(line, sizeof(line), "%s %s %s %u %llu %.2f %.2f %s%s\n",
		    ts, req->method, path, req->status,
		    (unsigned long long)req->bytes, (double)ns / 1e6,
		    (double)wait / 1e6, team,
		    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" :
		    " (aborted)");
		/* one write per line, so lines from threads never mix */
		if (write(2, line, strlen(line)) < 0) {
			/* nothing to do: stderr is gone */
		}
	}
	metrics_request(req->route != NULL ? req->route_idx : route_count + 1,
	    req->status, req->bytes, ns);
	guard_request_done(hs->guard, req->gc);
	if (req->client_counted)
		guard_client_leave(hs->guard, req->client);
	if (req->ctx_free != NULL)
		req->ctx_free(req->ctx);
	if (req->resp != NULL)
		MHD_destroy_response(req->resp);
	if (req->db != NULL)
		srv_db_put(hs->srv, req->db);
	json_decref(req->json);
	buf_free(&req->body);
	free(req->uri);
	free(req);
	atomic_fetch_sub(&hs->inflight, 1);
}

static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "dataoptimd: mhd: %s%s", buf,
	    buf[0] && buf[strlen(buf) - 1] == '\n' ? "" : "\n");
}

/* Parse "ADDR:PORT" or "[V6]:PORT" into ss. */
static int
http_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[128];
	const char *colon;
	char *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':' || (size_t)(rb - s - 1) >=
		    sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != '\0' || port < 0 || port > 65535)
		return -1;
	if (host[0] == '\0' || strcmp(host, "*") == 0)
		util_fmt(host, sizeof(host), "0.0.0.0");
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		*sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		*sl = sizeof(*a);
	}
	return 0;
}

/* Let the work threads finish (what is queued gets 503) and join them. */
static void
http_work_stop(struct http_server *hs)
{
	struct http_work *w = &hs->work;
	int i;

	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->nth; i++)
		pthread_join(w->th[i], NULL);
	free(w->th);
	w->th = NULL;
	w->nth = 0;
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

int
http_listen(const char *listen_at, int *in_use, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	int fd, one = 1;

	*in_use = 0;
	if (http_parse_listen(listen_at, &ss, &sl) != 0) {
		util_fmt(err, errlen, "listen: '%s' is not ADDR:PORT",
		    listen_at);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		util_fmt(err, errlen, "listen %s: socket: %s", listen_at,
		    strerror(errno));
		return -1;
	}
	/* SO_REUSEADDR only: a restart binds over TIME_WAIT connections,
	 * but never beside another listening server (no SO_REUSEPORT) */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
	    listen(fd, 1024) != 0) {
		if (errno == EADDRINUSE) {
			*in_use = 1;
			util_fmt(err, errlen, "%s is already in use (another "
			    "server listens there); choose another address "
			    "with --listen or server.listen", listen_at);
		} else
			util_fmt(err, errlen, "cannot listen on %s: %s",
			    listen_at, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct http_server *
http_start(struct srv *srv, int lsock, char *err, size_t errlen)
{
	struct http_server *hs = util_xcalloc(1, sizeof(*hs));
	const struct cfg *c = srv->cfg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	unsigned per_ip;
	int i;

	hs->srv = srv;
	atomic_init(&hs->inflight, 0);
	pthread_mutex_init(&hs->work.mu, NULL);
	pthread_cond_init(&hs->work.cv, NULL);
	hs->work.th = util_xcalloc((size_t)c->work_threads,
	    sizeof(*hs->work.th));
	for (i = 0; i < (int)c->work_threads; i++) {
		if (pthread_create(&hs->work.th[i], NULL, http_work_main,
		    &hs->work) != 0)
			break;
		hs->work.nth++;
	}
	if (hs->work.nth == 0) {
		util_fmt(err, errlen, "cannot start work threads");
		goto fail;
	}
	if (getsockname(lsock, (struct sockaddr *)&ss, &sl) != 0) {
		util_fmt(err, errlen, "listen socket: %s", strerror(errno));
		goto fail;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	hs->port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	{
		struct guard_limits gl = { c->header_timeout, c->min_body_rate,
		    c->body_rate_window, c->per_ip_connections };

		if ((hs->guard = guard_new(&gl)) == NULL) {
			util_fmt(err, errlen, "cannot start the connection "
			    "guard");
			goto fail;
		}
	}
	/* libmicrohttpd's own per-address limit is a backstop against
	 * floods of idle connections (refused silently at accept); the
	 * guard answers 503 at per_ip_connections.  Behind a trusted proxy
	 * every client has the proxy's address: no backstop then. */
	per_ip = c->trusted_proxies[0] != '\0' ? 0 :
	    (unsigned)c->per_ip_connections * 2;
	hs->d = MHD_start_daemon(flags, 0, NULL, NULL, http_access, hs,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)lsock,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)c->threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
	    MHD_OPTION_NOTIFY_CONNECTION, http_notify_conn, hs,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)c->max_header_bytes,
	    MHD_OPTION_URI_LOG_CALLBACK, http_uri_log, hs,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, hs,
	    MHD_OPTION_END);
	if (hs->d == NULL) {
		util_fmt(err, errlen, "cannot start the HTTP daemon on %s "
		    "(limits out of range?)", c->listen);
		goto fail;
	}
	return hs;
fail:
	close(lsock);
	http_work_stop(hs);
	guard_free(hs->guard);
	free(hs);
	return NULL;
}

unsigned
http_port(const struct http_server *hs)
{
	return hs->port;
}

void
http_stop(struct http_server *hs, int grace)
{
	MHD_socket ls;
	uint64_t deadline;

	if (hs == NULL)
		return;
	ls = MHD_quiesce_daemon(hs->d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	deadline = util_now_ns() + (uint64_t)grace * 1000000000ULL;
	while (atomic_load(&hs->inflight) > 0 && util_now_ns() < deadline) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	if (atomic_load(&hs->inflight) > 0)
		fprintf(stderr, "dataoptimd: %d request(s) still running after "
		    "%d s; closing them\n", atomic_load(&hs->inflight), grace);
	/* every suspended connection is resumed before MHD stops */
	http_work_stop(hs);
	MHD_stop_daemon(hs->d);
	guard_free(hs->guard);
	free(hs);
}
