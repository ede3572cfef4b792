/*
 * client: the participant CLI's HTTP client for dataoptimd's REST API
 * (server/API.md), on one libcurl easy handle: a base URL, a Bearer
 * token (or a web session's cookie and CSRF token), connect timeout 10 s,
 * an answer slower than 1 byte/s for 60 s aborted, and one not whole
 * CLIENT_ANSWER_S seconds (DATAOPTIM_ANSWER_TIMEOUT sets them, 1 to
 * 86400) after its request's last byte went (an upload's time not
 * counted), so that a server that drips its answer cannot hold the CLI;
 * no redirects followed (a token never goes elsewhere), answers of at
 * most 16 MiB parsed with jansson.
 *
 * Errors are told once, here, as one line on stderr:
 *   dataoptim: <server message> (HTTP 4xx <error code>)
 * followed by the error's details (a 422's validator findings), or
 *   dataoptim: cannot reach <URL>: <curl's reason>
 * and turned into the CLI's exit status (below).
 */
#ifndef DO_CLIENT_H
#define DO_CLIENT_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>

/* Exit statuses of the participant commands, on top of cli.h's
 * CLI_OK (0), CLI_INVALID (1: the server refused, a local validation
 * failed) and CLI_ERROR (2: usage, a local file that cannot be read). */
#define CLI_AUTH 3		/* not logged in, token refused (401, 403) */
#define CLI_NET 4		/* server unreachable, 5xx, bad answer */
#define CLI_JOB_FAILED 5	/* --wait: the job failed or was cancelled */
#define CLI_INTERRUPTED 130	/* --wait: stopped by SIGINT */

#define CLIENT_ANSWER_S 300	/* the longest wait for a whole answer */

struct client;

/*
 * A client for the server at base ("http://host:port", a trailing '/'
 * ignored) with a Bearer token (NULL: none).  Both are copied.  NULL with
 * a message printed when base is not an http:// or https:// URL, the
 * token is not 1 to 4096 printable ASCII characters (it goes into a
 * header), DATAOPTIM_ANSWER_TIMEOUT is set but not 1 to 86400, or curl
 * cannot start.
 */
struct client *client_new(const char *base, const char *token);

/* client_free(NULL) does nothing. */
void client_free(struct client *c);

/*
 * From now on send the web session's cookie (do_session=cookie) and, on
 * every request, X-CSRF-Token: csrf, instead of the Bearer token (both
 * copied; NULL ends the session mode).
 */
void client_session(struct client *c, const char *cookie, const char *csrf);

/*
 * A request aborts (CLI_INTERRUPTED, nothing printed) as soon as *flag
 * is not 0 (a SIGINT handler sets it).  The flag is kept; NULL: never.
 */
void client_abort_on(struct client *c, volatile sig_atomic_t *flag);

/*
 * --json: a failure also prints a JSON object to stdout (besides its
 * line on stderr), the server's error answer as it came, or for a
 * failure without one {"error": {"code": "unreachable" | "bad_answer" |
 * "interrupted", "message"}}, so that a script reads JSON either way.
 */
void client_json_errors(struct client *c, int on);

/* Draw an upload progress bar on stderr while a request's body goes
 * (on: 1), when stderr is a terminal. */
void client_progress(struct client *c, int on);

/* One part of a multipart/form-data body: a text field (value) or a file
 * (file: its path, streamed from disk). */
struct client_part {
	const char *name;
	const char *value;
	const char *file;
};

struct client_req {
	const char *method;	/* "GET", "POST", "DELETE" */
	const char *path;	/* "/api/v1/me" (escaped already) */
	json_t *json;		/* a JSON body, or NULL (borrowed) */
	const struct client_part *parts; /* a multipart body, or NULL */
	size_t nparts;
	const char *const *headers; /* more "Name: value", NULL-terminated */
	int quiet;		/* on failure print nothing (see client_error) */
};

/*
 * Send the request and read the answer.  Returns CLI_OK for a 2xx answer,
 * with its JSON in *out (a new reference; JSON null for an empty body)
 * when out is not NULL; else the exit status for the failure (CLI_INVALID
 * for another 4xx or 3xx, CLI_AUTH for 401 and 403, CLI_NET for 5xx, a
 * network failure or an answer that is not JSON, CLI_INTERRUPTED) after
 * printing it unless quiet.
 */
int client_do(struct client *c, const struct client_req *r, json_t **out);

/* GET path: client_do() with a GET request. */
int client_get(struct client *c, const char *path, json_t **out);

/*
 * Tell that the last answer, a 2xx, is not what the API answers (what:
 * what it lacks, "no \"job\" object"), as a failure is told: its line on
 * stderr ("GET URL: HTTP 200 with no \"job\" object (is this a dataoptim
 * server?)") and with client_json_errors() a "bad_answer" error object
 * on stdout.  Returns CLI_NET.
 */
int client_bad_answer(struct client *c, const char *what);

/* The last answer's HTTP status (0: none arrived). */
long client_status(const struct client *c);

/* Tell the last failure as a request that is not quiet does: its line
 * on stderr, and with client_json_errors() its JSON on stdout. */
void client_report(struct client *c);

/* The last failure's line, without "dataoptim: " ("" after a success). */
const char *client_error(const struct client *c);

/* The last failure's error code ("not_found"), "" if none. */
const char *client_error_code(const struct client *c);

/* The value of the do_session cookie the last answer set, or NULL. */
const char *client_cookie(const struct client *c);

/* Whether the last answer had "Idempotent-Replayed: true". */
int client_replayed(const struct client *c);

/* The base URL (no trailing '/'). */
const char *client_base(const struct client *c);

/* s escaped for a URL path segment or query value (a new string the
 * caller frees). */
char *client_escape(struct client *c, const char *s);

#endif
