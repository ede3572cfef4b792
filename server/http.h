/*
 * http: the HTTP front of dataoptimd on libmicrohttpd.
 *
 * http_start() runs the daemon with an internal thread pool (epoll), the
 * connection, per-IP, timeout and header-memory limits of the config.
 * Each request gets one struct http_req, made when its request line
 * arrives and freed in MHD's completion callback (which also writes the
 * access-log line and counts the request in the metrics).
 *
 * The dispatcher matches the route table (route.h), authenticates
 * (Bearer token or session cookie), checks the route's role and the CSRF
 * token of cookie requests that change state, the text of a JSON body and
 * its fields against the route's field table (field.h), and only then
 * runs the handler.  Handlers answer through the http_reply_*() helpers; every
 * error goes out through http_reply_error() as
 * {"error": {"code", "message", "details": [...]}}.
 */
#ifndef DO_HTTP_H
#define DO_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct http_req;
struct http_server;
struct srv;
struct db;
struct db_principal;

/*
 * Bind and listen on listen_at ("ADDR:PORT", "[V6]:PORT", "*:PORT").
 * Called before the database is opened, so that a second server on a
 * port in use stops before it touches any state.  Returns the socket, or
 * -1 with a message in err; *in_use is then 1 when another program holds
 * the address (no SO_REUSEPORT: two servers never share a port).
 */
int http_listen(const char *listen_at, int *in_use, char *err, size_t errlen);

/* Start serving on lsock (from http_listen(), which this takes over and
 * closes on failure too).  NULL with a message in err on failure.  srv is
 * kept. */
struct http_server *http_start(struct srv *srv, int lsock, char *err,
    size_t errlen);

/* Stop accepting connections, wait up to grace seconds for the requests
 * in flight, then stop the daemon and free hs.  NULL is ignored. */
void http_stop(struct http_server *hs, int grace);

/* The port actually bound (useful with port 0). */
unsigned http_port(const struct http_server *hs);

/* ---- for handlers ---- */

struct srv *http_req_srv(struct http_req *req);
/* The request's database connection (held until the handler returns). */
struct db *http_req_db(struct http_req *req);
/* For a ROUTE_LAZY_DB handler: take the connection now (then
 * http_req_db() has it).  0, or -1 after a 503 reply. */
int http_req_take_db(struct http_req *req);
const char *http_req_method(const struct http_req *req);
/* The decoded path. */
const char *http_req_path(const struct http_req *req);
/* The raw request target as received (path and query, not decoded). */
const char *http_req_uri(const struct http_req *req);
/* Route parameter i ({} in the pattern), or "" . */
const char *http_req_param(const struct http_req *req, int i);
/* A query argument or header (case-insensitive), or NULL. */
const char *http_req_query(struct http_req *req, const char *name);
/* The integer query argument name into *out: def when absent or empty;
 * 0, or -1 when it is not an integer within [lo, hi]. */
int http_req_int_query(struct http_req *req, const char *name, int64_t def,
    int64_t lo, int64_t hi, int64_t *out);
const char *http_req_header(struct http_req *req, const char *name);
const char *http_req_cookie(struct http_req *req, const char *name);
/* The client's address as text into buf (an IPv6 address cut to its
 * /64 network, which one host commonly holds whole), or "" if unknown.
 * Returns buf. */
char *http_req_client_ip(struct http_req *req, char *buf, size_t len);
/* The authenticated principal, or NULL. */
const struct db_principal *http_req_who(const struct http_req *req);
/* The team whose submissions and jobs the caller may see: its own, or
 * -1 (any) for an organizer. */
int64_t http_req_scope(const struct http_req *req);
/* 1 if the request was authenticated by the session cookie. */
int http_req_via_session(const struct http_req *req);
/* The parsed JSON body (routes with a JSON body), borrowed; NULL when
 * there was none.  On a route with a field table it is an object that
 * passed field_check(). */
json_t *http_req_json(const struct http_req *req);
/* The declared body length, or -1 when none was declared. */
int64_t http_req_content_length(struct http_req *req);

/*
 * A cookie request whose CSRF token may come in a form field: the route
 * (with HTTP_R_FORM_CSRF) is let through without the X-CSRF-Token header
 * and its handler must call this with the field's value: 0 when the token
 * matches (or was not needed), -1 after replying 403.
 */
int http_req_csrf_check(struct http_req *req, const char *field);

/*
 * A streaming body: the route's begin function sets fn, which gets each
 * chunk of the body; it returns 0, or -1 after setting an error reply
 * (the connection is then answered at once, or closed).  ctx is freed
 * with ctx_free when the request ends.
 */
typedef int http_body_fn(struct http_req *req, const char *data, size_t len);
void http_req_set_body(struct http_req *req, http_body_fn *fn, void *ctx,
    void (*ctx_free)(void *));
void *http_req_ctx(const struct http_req *req);

/*
 * A multipart/form-data (or urlencoded) body parser: fn gets each piece of
 * each field (key, the file name if the field is a file, the offset of
 * data within the field) and returns 0 to go on, -1 to stop.
 * http_form_new() returns NULL when the request is not a form.
 */
struct http_form;
typedef int http_form_fn(void *cls, const char *key, const char *filename,
    uint64_t off, const char *data, size_t size);
struct http_form *http_form_new(struct http_req *req, http_form_fn *fn,
    void *cls);
/* Feed body bytes; 0, or -1 if the form is malformed or fn stopped.  A
 * part without a name (no Content-Disposition name) never reaches fn: it
 * stops the form, and http_form_unnamed() is then 1. */
int http_form_feed(struct http_form *f, const char *data, size_t len);
int http_form_unnamed(const struct http_form *f);
/* Free.  NULL is ignored. */
void http_form_free(struct http_form *f);

/*
 * Check text that came from the client (a form field, a header-borne
 * name): valid UTF-8, at most max bytes, no control character (newline
 * and tab allowed in multi-line fields: description, reason, note,
 * message; secrets are only bounded).  Query arguments and the strings of
 * JSON bodies are checked this way before any handler runs.  0, or -1
 * after replying 400 "<what> <name> <why>".
 */
int http_check_text(struct http_req *req, const char *what, const char *name,
    const char *s, size_t n, size_t max);

/* The team name to show in the access log (defaults to the principal's). */
void http_req_log_team(struct http_req *req, const char *team);

/*
 * Replies.  Each sets the response of req (replacing none: the first one
 * wins) and returns 0, so that a handler can end with
 * "return http_reply_...(...)".
 */
/* body is stolen. */
int http_reply_json(struct http_req *req, unsigned status, json_t *body);
/* The text http_reply_json() sends for body (not stolen): malloc'd, *len
 * bytes and a NUL; NULL if it cannot be encoded. */
char *http_json_text(json_t *body, size_t *len);
/* rewrite every real number of the JSON text s (len bytes,
 * NUL-terminated) in place to its shortest form that reads back as the
 * same double (jansson writes 17 digits: 0.1 as 0.10000000000000001);
 * returns the new length.  http_json_text() does it already. */
size_t http_json_shorten(char *s, size_t len);
/* Send text (malloc'd, taken) of len bytes made by http_json_text(). */
int http_reply_json_text(struct http_req *req, unsigned status, char *text,
    size_t len);
/* details (stolen, may be NULL for []) */
int http_reply_error(struct http_req *req, unsigned status, const char *code,
    const char *message, json_t *details);
/* Same, with extra members (stolen, may be NULL) merged into "error". */
int http_reply_error_ex(struct http_req *req, unsigned status,
    const char *code, const char *message, json_t *details, json_t *extra);
/* 429 too_many_attempts with message, "retry_after": wait (seconds) and
 * the Retry-After header: a throttle's refusal.  Returns 0. */
int http_reply_too_many(struct http_req *req, int64_t wait,
    const char *message);
/* data of len bytes, copied. */
int http_reply_data(struct http_req *req, unsigned status, const char *ctype,
    const void *data, size_t len);
/* data (malloc'd, taken: freed by the response) of len bytes. */
int http_reply_take(struct http_req *req, unsigned status, const char *ctype,
    char *data, size_t len);
/* The whole file fd (taken: closed by the response) of size bytes. */
int http_reply_fd(struct http_req *req, unsigned status, const char *ctype,
    int fd, uint64_t size);
int http_reply_empty(struct http_req *req, unsigned status);
/* 1 if a reply was set. */
int http_replied(const struct http_req *req);

/* Add a header to the reply set (after http_reply_*). */
void http_header(struct http_req *req, const char *name, const char *value);

#endif
