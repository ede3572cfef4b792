/* opt: a command line on getopt_long(3), in order (see opt.h). */
#include "opt.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* getopt_long's code for option k of a table with a long name: past every
 * letter, so it never reads as one. */
#define OPT__LONG 256

/*
 * The table as getopt_long sees it: longs (nopts + 1 entries, zeroed) gets
 * the long names, shorts (2 * nopts + 3 bytes) the optstring.  "-" hands
 * positionals over in place (no permutation, whatever POSIXLY_CORRECT
 * says), ":" tells a missing value (':') from an unknown option ('?').
 */
static void
opt__getopt_table(const struct opt_parser *p, struct option *longs,
    char *shorts)
{
	size_t k, nl = 0, ns = 0;

	shorts[ns++] = '-';
	shorts[ns++] = ':';
	for (k = 0; k < p->nopts; k++) {
		const struct opt *o = &p->opts[k];

		if (o->name[1] != '-') {
			shorts[ns++] = o->name[1];
			if (o->has_value)
				shorts[ns++] = ':';
			continue;
		}
		longs[nl].name = o->name + 2;
		longs[nl].has_arg = o->has_value ? required_argument :
		    no_argument;
		longs[nl].val = OPT__LONG + (int)k;
		nl++;
	}
	shorts[ns] = '\0';
}

/*
 * Whether text ("--pool", "--pool=P"), which getopt_long took for the long
 * option name, names it whole and not by an abbreviation ("--po"): what
 * it matched is a prefix of name, so it is all of it if text starts so.
 */
static int
opt__whole(const char *text, const char *name)
{
	return strncmp(text, name, strlen(name)) == 0;
}

/* The table index of getopt_long's code for the argument text, or -1. */
static int
opt__index(const struct opt_parser *p, int code, const char *text)
{
	size_t k;

	if (code >= OPT__LONG) {
		k = (size_t)(code - OPT__LONG);
		return k < p->nopts && opt__whole(text, p->opts[k].name) ?
		    (int)k : -1;
	}
	for (k = 0; code > 0 && k < p->nopts; k++)
		if (p->opts[k].name[1] == code && p->opts[k].name[2] == '\0')
			return (int)k;
	return -1;
}

/* Hand what getopt_long returned (c, for the argument text) over. */
static int
opt__one(const struct opt_parser *p, int c, const char *text)
{
	int i;

	if (c == 1)
		return p->on_arg(p->ctx, -1, optarg);
	if (c == '?' || c == ':') {
		if ((i = opt__index(p, optopt, text)) < 0)
			return p->on_fault(p->ctx, OPT_UNKNOWN, -1, text);
		return p->on_fault(p->ctx, c == ':' ? OPT_NOVALUE :
		    OPT_UNWANTED, i, text);
	}
	if ((i = opt__index(p, c, text)) < 0)
		return p->on_fault(p->ctx, OPT_UNKNOWN, -1, text);
	return p->on_arg(p->ctx, i, p->opts[i].has_value ? optarg : NULL);
}

int
opt_parse(const struct opt_parser *p, int argc, char *const *argv)
{
	static char prog[] = "opt";	/* getopt_long skips argv[0] */
	struct option *longs = util_xcalloc(p->nopts + 1, sizeof(*longs));
	char *shorts = util_xmalloc(2 * p->nopts + 3);
	char **av = util_xcalloc((size_t)argc + 2, sizeof(*av));
	int at, c, i, rc = 0;

	opt__getopt_table(p, longs, shorts);
	av[0] = prog;
	for (i = 0; i < argc; i++)
		av[i + 1] = argv[i];
	optind = 0;		/* glibc: every part of its state afresh */
	opterr = 0;		/* the callbacks tell */
	while (rc == 0) {
		/* the argument this call reads (a cluster "-hx" stays one) */
		at = optind > 0 ? optind : 1;
		if ((c = getopt_long(argc + 1, av, shorts, longs, NULL)) == -1)
			break;
		rc = opt__one(p, c, av[at]);
	}
	/* what follows "--": positionals */
	for (i = optind; rc == 0 && i <= argc; i++)
		rc = p->on_arg(p->ctx, -1, av[i]);
	free(av);
	free(shorts);
	free(longs);
	return rc;
}
