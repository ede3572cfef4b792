/*
 * conf: a program's configuration as one table of keys.
 *
 * A program keeps its settings in a struct of its own and describes each
 * field in a static table of struct conf_key: INI section and name, type,
 * offset of the field, bounds and default.  conf_defaults() fills the
 * struct from the table, conf_load() reads an INI file (libinih),
 * conf_set() applies one value, conf_print() writes every key back INI
 * style and conf_free() releases what the struct holds.  conf_args() is
 * the command line every program shares: --config FILE, flags mapped to
 * keys, --set SECTION.KEY=VALUE, --print-config and --help.
 *
 * Every value is checked against the table, and a key the table does not
 * know in one of the program's own sections is refused, so a mistyped
 * option is told at start.  A section no key of the table names belongs
 * to another program sharing the file and is skipped.
 */
#ifndef DO_CONF_H
#define DO_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum conf_type {
	CONF_INT,	/* int64_t within [min, max] */
	CONF_BOOL,	/* int64_t 0 or 1: true/yes/on/1, false/no/off/0 */
	CONF_STR,	/* char *, owned by the struct */
	CONF_SECRET,	/* the same, printed as "(set)" or "" */
	CONF_PATH,	/* char *, a file or directory: stored absolute
			   (util_abspath: against the working directory
			   when set), so a program that changes directory
			   or hands it to a child still finds it */
	CONF_VARS	/* struct conf_vars: every name of its section */
};

/* A section of free names ([env]): "NAME=VALUE" strings, each name once,
 * in the order first set.  Its section holds no other key.  The strings
 * and the array belong to the struct holding it (conf_free()). */
struct conf_vars {
	char **kv;
	size_t n;
};

struct conf_key {
	const char *section;
	const char *name;	/* NULL for CONF_VARS */
	enum conf_type type;
	size_t off;		/* of the field in the program's struct */
	int64_t min, max;	/* bounds (CONF_INT) */
	const char *def;	/* default as it would be written, or NULL */
};

/* The offset of field f of struct type T, which must be of type ty (a
 * mismatch does not compile). */
#define CONF_OFF(T, f, ty) _Generic(((T *)0)->f, ty: offsetof(T, f))

/* Table entries for field f of T: key n of section s, default d. */
#define CONF_KEY_INT(T, s, n, f, lo, hi, d) \
	{ s, n, CONF_INT, CONF_OFF(T, f, int64_t), lo, hi, d }
#define CONF_KEY_BOOL(T, s, n, f, d) \
	{ s, n, CONF_BOOL, CONF_OFF(T, f, int64_t), 0, 1, d }
#define CONF_KEY_STR(T, s, n, f, d) \
	{ s, n, CONF_STR, CONF_OFF(T, f, char *), 0, 0, d }
#define CONF_KEY_PATH(T, s, n, f, d) \
	{ s, n, CONF_PATH, CONF_OFF(T, f, char *), 0, 0, d }
#define CONF_KEY_SECRET(T, s, n, f, d) \
	{ s, n, CONF_SECRET, CONF_OFF(T, f, char *), 0, 0, d }
#define CONF_KEY_VARS(T, s, f) \
	{ s, NULL, CONF_VARS, CONF_OFF(T, f, struct conf_vars), 0, 0, NULL }

/* A table: its keys, in the order conf_print() writes them (the keys of
 * one section together). */
struct conf_table {
	const struct conf_key *keys;
	size_t nkeys;
};
#define CONF_TABLE(keys) { keys, sizeof(keys) / sizeof((keys)[0]) }

/*
 * Set every key of t in obj (a zero-filled struct of the table's type) to
 * its default.  The strings set belong to obj; release them with
 * conf_free().  Aborts if a default does not pass its own key's check (a
 * programming error).
 */
void conf_defaults(const struct conf_table *t, void *obj);

/*
 * Release the strings and [env]-like sections obj holds for the keys of
 * t, and zero those fields; obj itself stays the caller's.  NULL is
 * ignored.
 */
void conf_free(const struct conf_table *t, void *obj);

/*
 * Set key name of section to value (copied), checked against t.  A NULL
 * section takes the first key of that name.  Returns 0, or -1 with a
 * message in err naming the key and, for a number, the allowed range;
 * obj is unchanged then.
 */
int conf_set(const struct conf_table *t, void *obj, const char *section,
    const char *name, const char *value, char *err, size_t errlen);

/*
 * Read the INI file at path into obj: every key of the table's sections
 * goes through conf_set(); other sections are skipped.  Returns 0, or -1
 * with "PATH:LINE: message" (or "PATH: cannot open: reason") in err; the
 * keys before the bad line are set then.
 */
int conf_load(const struct conf_table *t, void *obj, const char *path,
    char *err, size_t errlen);

/* Write every key of t with its value in obj to fp, INI style: a
 * [section] line where the section changes, then "name = value" lines. */
void conf_print(const struct conf_table *t, const void *obj, FILE *fp);

/* A command-line flag that sets one key: "--listen" -> server.listen. */
struct conf_flag {
	const char *flag;
	const char *section;
	const char *key;
};

/* A program's command line. */
struct conf_cmdline {
	const char *prog;	/* the prefix of its messages: "dataoptimd" */
	const char *usage;	/* printed for --help and after a bad flag */
	const struct conf_flag *flags;
	size_t nflags;
};

enum conf_args_result {
	CONF_ARGS_ERROR = -1,	/* told on stderr: exit 1 */
	CONF_ARGS_RUN = 0,	/* obj is set: go on */
	CONF_ARGS_PRINT = 1,	/* --print-config was given (obj is set) */
	CONF_ARGS_HELP = 2	/* usage was written on stdout: exit 0 */
};

/*
 * Apply argv (argc strings, argv[0] the program) to obj: the file of the
 * last --config FILE first, then every flag in command-line order over it
 * (a flag of cl->flags or --set SECTION.KEY=VALUE, each taking one value,
 * "--flag VALUE" or "--flag=VALUE", and each may be repeated: the last
 * value of a key wins).  --help or -h writes the usage on stdout and ends
 * the parse.  The line is read with opt_parse() (common/opt.h): flags are
 * spelled out in full and the programs take no positional argument.
 * Errors are written to stderr once, as "PROG: message", with the usage
 * after a flag that is unknown, lacks its value or is given one it does
 * not take, and after an argument that is no flag.  Keeps no pointer to
 * argv.  Returns one of enum conf_args_result.
 */
int conf_args(const struct conf_table *t, void *obj,
    const struct conf_cmdline *cl, int argc, char **argv);

#endif
