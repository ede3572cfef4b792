/*
 * tmpl: stage command templates.  A template is split into words without
 * a shell: words are separated by blanks; '...' quotes literally; "..."
 * quotes with \" and \\ as the only escapes; outside quotes a backslash
 * takes the next character literally.  A placeholder {name} (in or out of
 * quotes) is replaced by its value, which is never split, globbed or
 * interpreted further, so a path with spaces or quotes stays one word;
 * "{{" is a literal '{'.  An unknown placeholder, an unterminated quote or
 * an empty template is an error.
 */
#ifndef DO_TMPL_H
#define DO_TMPL_H

#include <stddef.h>

struct tmpl_var {
	const char *name;	/* without braces: "data_json" */
	const char *value;
};

/*
 * Expand tmpl with vars[0..nvars) into a NULL-terminated argv (the caller
 * frees it with tmpl_free()).  Returns NULL with a message in err.
 */
char **tmpl_argv(const char *tmpl, const struct tmpl_var *vars,
    size_t nvars, char *err, size_t errlen);

/* Free an argv from tmpl_argv().  NULL is ignored. */
void tmpl_free(char **argv);

/* 1 if every placeholder in tmpl is one of vars[0..nvars), else 0 with
 * the first unknown one named in err (for checking a config at start). */
int tmpl_check(const char *tmpl, const struct tmpl_var *vars, size_t nvars,
    char *err, size_t errlen);

#endif
