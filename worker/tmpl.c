/* tmpl: split a stage command template into argv (see tmpl.h). */
#include "tmpl.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

/* Expand the placeholder at *pp ("{name}..."), advancing *pp past it. */
static int
tmpl_var(const char **pp, const struct tmpl_var *vars, size_t nvars,
    struct buf *b, char *err, size_t errlen)
{
	const char *p = *pp + 1, *end = strchr(p, '}');
	size_t i, n;

	if (*p == '{') {
		buf_add(b, "{", 1);
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
	buf_add(b, vars[i].value, strlen(vars[i].value));
	*pp = end + 1;
	return 0;
}

char **
tmpl_argv(const char *tmpl, const struct tmpl_var *vars, size_t nvars,
    char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	char **argv = NULL;
	size_t argc = 0;
	const char *p = tmpl;
	int inword;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		buf_reset(&b);
		buf_add(&b, "", 0);	/* an empty word ('') is a word */
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
				buf_add(&b, p + 1, (size_t)(q - p - 1));
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
						buf_add(&b, p + 1, 1);
						p += 2;
					} else if (*p == '{') {
						if (tmpl_var(&p, vars, nvars,
						    &b, err, errlen) != 0)
							goto fail;
					} else
						buf_add(&b, p++, 1);
				}
				p++;
				break;
			case '\\':
				if (p[1] == '\0') {
					util_fmt(err, errlen,
					    "a lone backslash at the end");
					goto fail;
				}
				buf_add(&b, p + 1, 1);
				p += 2;
				break;
			case '{':
				if (tmpl_var(&p, vars, nvars, &b, err,
				    errlen) != 0)
					goto fail;
				break;
			default:
				buf_add(&b, p++, 1);
			}
		}
		argv = util_xreallocarray(argv, argc + 2, sizeof(*argv));
		argv[argc++] = util_xstrdup(b.p);
		argv[argc] = NULL;
	}
	buf_free(&b);
	if (argc == 0) {
		util_fmt(err, errlen, "empty command");
		tmpl_free(argv);
		return NULL;
	}
	return argv;
fail:
	buf_free(&b);
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
