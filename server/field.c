/* field: the field tables of JSON request bodies (see field.h). */
#include "field.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* Append to the NUL-terminated text in buf (bufsz bytes), cut to fit. */
static void
field_cat(char *buf, size_t bufsz, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= bufsz)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, bufsz - n, fmt, ap);
	va_end(ap);
}

/* The words of a FIELD_T_ENUM as "a, b or c". */
static void
field_cat_words(char *buf, size_t bufsz, const char *const *w)
{
	size_t i;

	for (i = 0; w[i] != NULL; i++)
		field_cat(buf, bufsz, "%s%s", i == 0 ? "" : w[i + 1] == NULL ?
		    " or " : ", ", w[i]);
}

/* What f must be, in words, appended to buf: "an integer from 0 to 9". */
static void
field_cat_expect(char *buf, size_t bufsz, const struct field *f)
{
	long long lo = (long long)f->min, hi = (long long)f->max;

	switch (f->type) {
	case FIELD_T_STRING:
		field_cat(buf, bufsz, "a string");
		if (hi > 0 && lo > 0)
			field_cat(buf, bufsz, " of %lld to %lld bytes", lo, hi);
		else if (hi > 0)
			field_cat(buf, bufsz, " of at most %lld bytes", hi);
		else if (lo > 0)
			field_cat(buf, bufsz, " of at least %lld bytes", lo);
		if (f->rule != NULL)
			field_cat(buf, bufsz, " %s", f->rule);
		break;
	case FIELD_T_INT:
		if (f->min == INT64_MIN && f->max == INT64_MAX)
			field_cat(buf, bufsz, "an integer");
		else
			field_cat(buf, bufsz, "an integer from %lld to %lld",
			    lo, hi);
		break;
	case FIELD_T_NUMBER:
		field_cat(buf, bufsz, "a number from %lld to %lld", lo, hi);
		break;
	case FIELD_T_BOOL:
		field_cat(buf, bufsz, "true or false");
		break;
	case FIELD_T_ENUM:
		field_cat_words(buf, bufsz, f->values);
		break;
	case FIELD_T_TIME:
		field_cat(buf, bufsz, "a UTC time YYYY-MM-DDTHH:MM:SSZ or a "
		    "date YYYY-MM-DD");
		break;
	case FIELD_T_OBJECT:
		field_cat(buf, bufsz, "an object");
		break;
	}
	if ((f->flags & FIELD_EMPTY) && (f->flags & FIELD_NULL))
		field_cat(buf, bufsz, ", \"\" or null");
	else if (f->flags & FIELD_EMPTY)
		field_cat(buf, bufsz, " or \"\"");
	else if (f->flags & FIELD_NULL)
		field_cat(buf, bufsz, " or null");
}

/* 1 if s is one of the NULL-terminated words. */
static int
field_is_word(const char *const *words, const char *s)
{
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], s) == 0)
			return 1;
	return 0;
}

/* 1 if the value v (not NULL) is what f allows. */
static int
field_value_ok(const struct field *f, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	double d = json_number_value(v);
	int64_t t;

	if (json_is_null(v))
		return (f->flags & FIELD_NULL) != 0;
	switch (f->type) {
	case FIELD_T_STRING:
		if (s == NULL)
			return 0;
		if (n == 0 && (f->flags & FIELD_EMPTY))
			return 1;
		return n >= (size_t)f->min && (f->max == 0 ||
		    n <= (size_t)f->max) && (f->test == NULL || f->test(s));
	case FIELD_T_INT:
		return json_is_integer(v) && json_integer_value(v) >= f->min &&
		    json_integer_value(v) <= f->max;
	case FIELD_T_NUMBER:
		return json_is_number(v) && d >= (double)f->min &&
		    d <= (double)f->max;
	case FIELD_T_BOOL:
		return json_is_boolean(v);
	case FIELD_T_ENUM:
		return s != NULL && field_is_word(f->values, s);
	case FIELD_T_TIME:
		return s != NULL && field_time_parse(s, &t) == 0 && t > 0;
	case FIELD_T_OBJECT:
		return json_is_object(v);
	}
	return 0;
}

static const struct field *
field_find(const struct field_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return &t->fields[i];
	return NULL;
}

/* The message for a member the strict table t does not know. */
static void
field_unknown(const struct field_table *t, const char *key, char *msg,
    size_t msgsz)
{
	char q[80];
	size_t i;

	util_fmt(msg, msgsz, "field '%s' is not known here (known: ",
	    util_quote(q, sizeof(q), key, strlen(key)));
	for (i = 0; i < t->nfields; i++)
		field_cat(msg, msgsz, "%s%s", i ? ", " : "", t->fields[i].name);
	field_cat(msg, msgsz, ")");
}

int
field_check(const struct field_table *t, const json_t *body, char *msg,
    size_t msgsz)
{
	const struct field *f;
	const char *key;
	json_t *v;
	size_t i;

	if (body != NULL && !json_is_object(body)) {
		util_fmt(msg, msgsz, "the body must be a JSON object");
		return -1;
	}
	if (t->strict && body != NULL) {
		json_object_foreach((json_t *)body, key, v)
			if (field_find(t, key) == NULL) {
				field_unknown(t, key, msg, msgsz);
				return -1;
			}
	}
	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		v = json_object_get(body, f->name);
		if (v != NULL ? field_value_ok(f, v) :
		    !(f->flags & FIELD_REQUIRED))
			continue;
		util_fmt(msg, msgsz, v != NULL ? "field '%s': must be " :
		    "field '%s' is required: ", f->name);
		field_cat_expect(msg, msgsz, f);
		return -1;
	}
	return 0;
}

int
field_time_parse(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL &&
	    *end == '\0') {
		*out = (int64_t)timegm(&tm);
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) != NULL && *end == '\0') {
		*out = (int64_t)timegm(&tm);
		return 0;
	}
	return -1;
}

/* ---- getters ---- */

int
field_has(const json_t *body, const char *name)
{
	return json_object_get(body, name) != NULL;
}

const char *
field_str(const json_t *body, const char *name)
{
	return json_string_value(json_object_get(body, name));
}

int64_t
field_int(const json_t *body, const char *name, int64_t def)
{
	json_t *v = json_object_get(body, name);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

double
field_number(const json_t *body, const char *name, double def)
{
	json_t *v = json_object_get(body, name);

	return json_is_number(v) ? json_number_value(v) : def;
}

int
field_bool(const json_t *body, const char *name, int def)
{
	json_t *v = json_object_get(body, name);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

int64_t
field_time(const json_t *body, const char *name)
{
	const char *s = field_str(body, name);
	int64_t t;

	return s != NULL && field_time_parse(s, &t) == 0 ? t : 0;
}
