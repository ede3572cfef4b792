/* tmpl: split a stage command template into argv (see tmpl.h). */
#include "tmpl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct tmpl_buf {
	char *s;
	size_t len, cap;
};

static void
tmpl_put(struct tmpl_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = 2 * (b->len + n) + 64;
		b->s = util_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Expand the placeholder at *pp ("{name}..."), advancing *pp past it. */
static int
tmpl_var(const char **pp, const struct tmpl_var *vars, size_t nvars,
    struct tmpl_buf *b, char *err, size_t errlen)
{
	const char *p = *pp + 1, *end = strchr(p, '}');
	size_t i, n;

	if (*p == '{') {
		tmpl_put(b, "{", 1);
		*pp = p + 1;
		return 0;
	}
	if (end == NULL) {
		util_fmt(err, errlen, "unterminated placeholder '%.40s'",
		    *pp);
		return -1;
	}
	n = (size_t)(end - p);
	for (i = 0; i < nvars; i++)
		if (strlen(vars[i].name) == n &&
		    memcmp(vars[i].name, p, n) == 0)
			break;
	if (i == nvars) {
		util_fmt(err, errlen, "unknown placeholder {%.*s}", (int)n,
		    p);
		return -1;
	}
	tmpl_put(b, vars[i].value, strlen(vars[i].value));
	*pp = end + 1;
	return 0;
}

char **
tmpl_argv(const char *tmpl, const struct tmpl_var *vars, size_t nvars,
    char *err, size_t errlen)
{
	struct tmpl_buf b = { NULL, 0, 0 };
	char **argv = NULL;
	size_t argc = 0;
	const char *p = tmpl;
	int inword;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		b.len = 0;
		tmpl_put(&b, "", 0);
		inword = 1;
		while (inword && *p != '\0') {
			switch (*p) {
			case ' ': case '\t': case '\n': case '\r':
				inword = 0;
				break;
			case '\'': {
				const char *q = strchr(p + 1, '\'');

				if (q == NULL) {
					util_fmt(err, errlen,
					    "unterminated ' quote");
					goto fail;
				}
				tmpl_put(&b, p + 1, (size_t)(q - p - 1));
				p = q + 1;
				break;
			}
			case '"':
				p++;
				while (*p != '"') {
					if (*p == '\0') {
						util_fmt(err, errlen,
						    "unterminated \" quote");
						goto fail;
					}
					if (*p == '\\' && (p[1] == '"' ||
					    p[1] == '\\')) {
						tmpl_put(&b, p + 1, 1);
						p += 2;
					} else if (*p == '{') {
						if (tmpl_var(&p, vars, nvars,
						    &b, err, errlen) != 0)
							goto fail;
					} else
						tmpl_put(&b, p++, 1);
				}
				p++;
				break;
			case '\\':
				if (p[1] == '\0') {
					util_fmt(err, errlen,
					    "a lone backslash at the end");
					goto fail;
				}
				tmpl_put(&b, p + 1, 1);
				p += 2;
				break;
			case '{':
				if (tmpl_var(&p, vars, nvars, &b, err,
				    errlen) != 0)
					goto fail;
				break;
			default:
				tmpl_put(&b, p++, 1);
			}
		}
		argv = util_xrealloc(argv, (argc + 2) * sizeof(*argv));
		argv[argc++] = util_xstrdup(b.s);
		argv[argc] = NULL;
	}
	free(b.s);
	if (argc == 0) {
		util_fmt(err, errlen, "empty command");
		tmpl_free(argv);
		return NULL;
	}
	return argv;
fail:
	free(b.s);
	if (argv != NULL)
		tmpl_free(argv);
	return NULL;
}

void
tmpl_free(char **argv)
{
	size_t i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

int
tmpl_check(const char *tmpl, const struct tmpl_var *vars, size_t nvars,
    char *err, size_t errlen)
{
	char **argv = tmpl_argv(tmpl, vars, nvars, err, errlen);

	if (argv == NULL)
		return 0;
	tmpl_free(argv);
	return 1;
}
