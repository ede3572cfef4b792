/*
 * opt: a command line parsed with getopt_long(3), against a table of the
 * options a program knows, every argument handed over in command-line
 * order.
 *
 * An option is a long name ("--pool") or one letter ("-h"); one that takes
 * a value accepts it as the next argument ("--pool P") or after '='
 * ("--pool=P").  Long names are matched whole: getopt_long's unambiguous
 * abbreviations ("--po") are refused as unknown options, so adding an
 * option never changes what an existing command line means.  Arguments
 * that are no option (positionals) are handed over where they stand, so
 * options may come before and after them; "--" ends the options and every
 * argument after it is a positional.  Nothing is permuted: argv is left as
 * it was.  A value may start with '-' ("--budget -3").
 *
 * opt_parse() uses getopt_long's global state (optind, optarg ...) and
 * starts it afresh on each call, so it can be called any number of times
 * in a process, but not from two threads at once nor from its own
 * callbacks.
 */
#ifndef DO_OPT_H
#define DO_OPT_H

#include <stddef.h>

/* One option of a table. */
struct opt {
	const char *name;	/* "--pool", or "-h" */
	int has_value;		/* 1: it takes a value */
};

/* What is wrong with an argument. */
enum opt_fault {
	OPT_UNKNOWN,		/* no option of the table, or abbreviated */
	OPT_NOVALUE,		/* an option that takes a value ends argv */
	OPT_UNWANTED		/* "--flag=value" for one that takes none */
};

struct opt_parser {
	const struct opt *opts;
	size_t nopts;
	/*
	 * Called for option i of the table with its value (NULL for an
	 * option that takes none), or with i = -1 for a positional (value
	 * the argument).  value points into argv (writable where argv's
	 * strings are: a caller may cut it in place).  Returns 0 to go on,
	 * or a non-zero value that stops the parse.
	 */
	int (*on_arg)(void *ctx, int i, char *value);
	/*
	 * Called for a bad argument: text is the argument as written, i the
	 * option's index (-1 for OPT_UNKNOWN).  Returns 0 to skip it and go
	 * on, or a non-zero value that stops the parse.
	 */
	int (*on_fault)(void *ctx, enum opt_fault f, int i, const char *text);
	void *ctx;		/* handed to both */
};

/*
 * Parse argc arguments of argv (argv[0] is the first argument, not the
 * program's name) against p->opts.  Returns 0 after the last argument, or
 * the first non-zero value a callback returned.  Keeps no pointer to argv.
 */
int opt_parse(const struct opt_parser *p, int argc, char *const *argv);

#endif
