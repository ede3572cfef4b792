/*
 * field: the JSON body of a route as one table of fields, checked before
 * the handler runs, the way common/conf.h's key table checks a
 * configuration.
 *
 * A route (route.h) names a struct field_table; the dispatcher (http.c)
 * runs field_check() on the parsed body and answers 400 with its message
 * when a field is missing, of the wrong type, out of bounds or not one of
 * the allowed words.  The handler then reads the fields with the getters
 * below, without checks of its own, and keeps only the rules a table
 * cannot say (one field depending on another, on the configuration or on
 * the database).
 *
 * Members a table does not name are ignored, unless the table is strict.
 * The text checks of http_check_text() (UTF-8, control characters) run
 * before, on every string of the body.
 */
#ifndef DO_FIELD_H
#define DO_FIELD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum field_type {
	FIELD_T_STRING,	/* a string of min..max bytes (max 0: no bound
			   of its own), which test() accepts if set */
	FIELD_T_INT,	/* an integer within [min, max] */
	FIELD_T_NUMBER,	/* a number (integer or real) within [min, max] */
	FIELD_T_BOOL,	/* true or false */
	FIELD_T_ENUM,	/* a string, one of values */
	FIELD_T_TIME,	/* "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" (UTC),
			   after 1970-01-01 (field_time_parse()) */
	FIELD_T_OBJECT	/* an object (its members are the handler's) */
};

#define FIELD_REQUIRED 1	/* the member must be there */
#define FIELD_NULL 2		/* null is allowed too (it clears) */
#define FIELD_EMPTY 4		/* a string: "" is allowed too, whatever
				   min and test say (it clears) */

struct field {
	const char *name;
	enum field_type type;
	int flags;		/* FIELD_REQUIRED | FIELD_NULL | FIELD_EMPTY */
	int64_t min, max;	/* a string's length, a number's value */
	const char *const *values;	/* FIELD_T_ENUM: NULL-terminated */
	int (*test)(const char *s);	/* FIELD_T_STRING: 1 if s is good */
	const char *rule;	/* what test() wants, in words that follow
				   "a string of N bytes" */
};

/* Table entries.  An integer without bounds: FIELD_INT(n, fl, INT64_MIN,
 * INT64_MAX). */
#define FIELD_STRING(n, fl, lo, hi) \
	{ n, FIELD_T_STRING, fl, lo, hi, NULL, NULL, NULL }
#define FIELD_STRING_RULE(n, fl, lo, hi, test, rule) \
	{ n, FIELD_T_STRING, fl, lo, hi, NULL, test, rule }
#define FIELD_INT(n, fl, lo, hi) \
	{ n, FIELD_T_INT, fl, lo, hi, NULL, NULL, NULL }
#define FIELD_NUMBER(n, fl, lo, hi) \
	{ n, FIELD_T_NUMBER, fl, lo, hi, NULL, NULL, NULL }
#define FIELD_BOOL(n, fl) \
	{ n, FIELD_T_BOOL, fl, 0, 0, NULL, NULL, NULL }
#define FIELD_ENUM(n, fl, words) \
	{ n, FIELD_T_ENUM, fl, 0, 0, words, NULL, NULL }
#define FIELD_TIME(n, fl) \
	{ n, FIELD_T_TIME, fl, 0, 0, NULL, NULL, NULL }
#define FIELD_OBJECT(n, fl) \
	{ n, FIELD_T_OBJECT, fl, 0, 0, NULL, NULL, NULL }

struct field_table {
	const struct field *fields;
	size_t nfields;
	int strict;		/* 1: a member not in fields is refused */
};
#define FIELD_TABLE(fields, strict) \
	{ fields, sizeof(fields) / sizeof((fields)[0]), strict }

/*
 * Check body (a parsed JSON body, borrowed; NULL when the request had
 * none, which counts as {}) against t: it is an object, every required
 * field is there, every field of t that is there has its type, bounds and
 * allowed values, and with t->strict no other member is.  Returns 0, or
 * -1 with the first problem in msg, naming the field and what it must
 * be: "field 'budget': must be an integer from 1 to 2147483647", "field
 * 'reason' is required: a string of 1 to 2000 bytes", "field 'bogus' is
 * not known here (known: ...)", "the body must be a JSON object".
 */
int field_check(const struct field_table *t, const json_t *body, char *msg,
    size_t msgsz);

/*
 * "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" (00:00:00Z) as UNIX seconds into
 * *out: 0, or -1 when s is neither.
 */
int field_time_parse(const char *s, int64_t *out);

/*
 * Getters for a body that passed field_check() (body may be NULL).  Each
 * answers the member name of body, or what is given for a member that
 * is absent or null.
 */
int field_has(const json_t *body, const char *name);	/* null counts */
const char *field_str(const json_t *body, const char *name);	/* NULL */
int64_t field_int(const json_t *body, const char *name, int64_t def);
double field_number(const json_t *body, const char *name, double def);
int field_bool(const json_t *body, const char *name, int def);
/* A FIELD_T_TIME member as UNIX seconds; 0 when absent or null. */
int64_t field_time(const json_t *body, const char *name);

#endif
