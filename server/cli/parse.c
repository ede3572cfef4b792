/* parse: the commands' options, cli_parse_ex() and cli_parse(), on
 * opt_parse() (common/opt.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "opt.h"
#include "util.h"

/* One cli_parse_ex() call. */
struct cli_parse_ctx {
	const struct cli_opt *opts;
	const char **pos;
};

/* The positional: the one the command takes, or an error. */
static int
cli_parse_pos(struct cli_parse_ctx *c, char *value)
{
	if (c->pos == NULL || *c->pos != NULL) {
		fprintf(stderr, "dataoptim: unexpected argument %s\n", value);
		return -1;
	}
	*c->pos = value;
	return 0;
}

/* opt_parser.on_arg: option i's value (or the positional) to its place. */
static int
cli_parse_arg(void *ctx, int i, char *value)
{
	struct cli_parse_ctx *c = ctx;
	const struct cli_opt *o;

	if (i < 0)
		return cli_parse_pos(c, value);
	o = &c->opts[i];
	if (o->val != NULL)
		*o->val = value;
	else if (o->flag != NULL)
		*o->flag = 1;
	else if (o->each(o->ctx, value) != 0)
		return -1;
	return 0;
}

/* opt_parser.on_fault: told, and the parse stops. */
static int
cli_parse_fault(void *ctx, enum opt_fault f, int i, const char *text)
{
	struct cli_parse_ctx *c = ctx;

	switch (f) {
	case OPT_UNKNOWN:
		fprintf(stderr, "dataoptim: unknown option %s\n", text);
		break;
	case OPT_NOVALUE:
		fprintf(stderr, "dataoptim: %s needs a value\n",
		    c->opts[i].name);
		break;
	case OPT_UNWANTED:
		fprintf(stderr, "dataoptim: %s takes no value\n",
		    c->opts[i].name);
		break;
	}
	return -1;
}

int
cli_parse_ex(int argc, char **argv, const struct cli_opt *opts,
    size_t nopts, const char **pos)
{
	struct opt *table = util_xcalloc(nopts, sizeof(*table));
	struct cli_parse_ctx c = { opts, pos };
	const struct opt_parser p = { table, nopts, cli_parse_arg,
	    cli_parse_fault, &c };
	size_t k;
	int rc;

	for (k = 0; k < nopts; k++) {
		table[k].name = opts[k].name;
		table[k].has_value = opts[k].flag == NULL;
		if (opts[k].val != NULL)
			*opts[k].val = NULL;
		if (opts[k].flag != NULL)
			*opts[k].flag = 0;
	}
	if (pos != NULL)
		*pos = NULL;
	rc = opt_parse(&p, argc, argv);
	free(table);
	return rc == 0 ? 0 : -1;
}

int
cli_parse(int argc, char **argv, const char *const *opts, const char **vals,
    const char *const *flags, int *flagv, const char **pos)
{
	size_t nv = 0, nf = 0, k;
	struct cli_opt *t;
	int rc;

	while (opts != NULL && opts[nv] != NULL)
		nv++;
	while (flags != NULL && flags[nf] != NULL)
		nf++;
	t = util_xcalloc(nv + nf, sizeof(*t));
	for (k = 0; k < nv; k++) {
		t[k].name = opts[k];
		t[k].val = &vals[k];
	}
	for (k = 0; k < nf; k++) {
		t[nv + k].name = flags[k];
		t[nv + k].flag = &flagv[k];
	}
	rc = cli_parse_ex(argc, argv, t, nv + nf, pos);
	free(t);
	return rc;
}
