/*
 * route: the route table of dataoptimd.  One static table of {method,
 * pattern, role, flags, body, begin, handler, name}; route_match() finds
 * the entry for a request.  A pattern is a path whose "{}" segments match
 * one non-empty segment (captured as parameters) and whose final "*"
 * matches the rest of the path.  A route that takes a JSON body names the
 * table of its fields (field.h), which the dispatcher checks before the
 * handler runs.
 */
#ifndef DO_ROUTE_H
#define DO_ROUTE_H

#include <stddef.h>

struct http_req;
struct field_table;

enum route_role {
	ROLE_PUBLIC,		/* anyone */
	ROLE_ANY,		/* any authenticated principal */
	ROLE_USER,		/* a participant or an organizer */
	ROLE_WORKER,		/* a worker token only */
	ROLE_ADMIN		/* an organizer */
};

#define ROUTE_JSON_BODY 1	/* read a JSON body (at most 1 MiB) */
#define ROUTE_STREAM_BODY 2	/* begin() sets a streaming body sink */
#define ROUTE_OPT_AUTH 4	/* public, but look the caller up if any */
#define ROUTE_FORM_CSRF 8	/* CSRF token may come in a form field */
#define ROUTE_OFFLOAD 16	/* run the handler on a work thread (it
				   blocks: validation, fsync, argon2) */
#define ROUTE_IDLE_POLL 32	/* a 204 answer (nothing to do) is left out
				   of the access log unless
				   server.log_idle_polls */
#define ROUTE_LAZY_DB 64	/* the handler may answer from memory: it
				   takes the database with
				   http_req_take_db() when it needs it */

#define ROUTE_MAX_PARAMS 2
#define ROUTE_PARAM_LEN 96

/* Handlers return 0 after setting a reply (http_reply_*). */
typedef int route_fn(struct http_req *req);

struct route {
	const char *method;	/* "GET" also matches HEAD */
	const char *pattern;
	enum route_role role;
	int flags;
	const struct field_table *body;	/* the JSON body's fields (with
					   ROUTE_JSON_BODY), or NULL: the
					   handler ignores the body */
	route_fn *begin;	/* headers in, before the body; may be NULL */
	route_fn *handler;	/* the whole request in */
	const char *name;	/* for metrics */
};

extern const struct route route_table[];
extern const size_t route_count;

/*
 * The route for method and path, its parameters copied into params.
 * NULL when none matches; then *wrong_method is 1 if the path matched
 * with another method (answer 405).
 */
const struct route *route_match(const char *method, const char *path,
    char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_LEN], int *wrong_method);

#endif
