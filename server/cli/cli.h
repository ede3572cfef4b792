/*
 * cli: the dataoptim command-line tool.  Each command is a function in the
 * table of main.c; it gets the arguments after its name and returns the
 * process exit status: 0 success, 1 a negative answer (an invalid
 * submission), 2 usage or I/O error.
 */
#ifndef DO_CLI_H
#define DO_CLI_H

#include <stddef.h>

#define CLI_OK 0
#define CLI_INVALID 1
#define CLI_ERROR 2

/* A command: argc/argv start at the first argument after its words. */
typedef int cli_cmd_fn(int argc, char **argv);

/* pool synth|build|stats (cmd_pool.c) */
cli_cmd_fn cli_pool_synth, cli_pool_build, cli_pool_stats;
/* validate, materialize (cmd_validate.c) */
cli_cmd_fn cli_validate, cli_materialize;
/* migrate, team add, user add, token create|revoke, track add (cmd_db.c) */
cli_cmd_fn cli_migrate, cli_team_add, cli_user_add, cli_token_create,
    cli_token_revoke, cli_track_add;
/* score, proxy train|eval (cmd_score.c) */
cli_cmd_fn cli_score, cli_proxy_train, cli_proxy_eval;

/*
 * A command's option for cli_parse_ex(), made with one of the macros
 * below: exactly one of val, flag and each is set.
 *   CLI_VALUE("--pool", &v)    takes a value: *v is the last one given
 *                              (a pointer into argv), NULL if none;
 *   CLI_FLAG("--json", &f)     takes none: *f is 1 if given, else 0;
 *   CLI_EACH("--metric", fn, ctx)  takes a value and may be repeated:
 *                              fn(ctx, value) for each one in command-line
 *                              order (value points into argv, which fn
 *                              may cut in place); it returns 0, or -1
 *                              after telling what is wrong (the parse
 *                              stops).
 */
typedef int cli_each_fn(void *ctx, char *value);

struct cli_opt {
	const char *name;	/* "--pool" */
	const char **val;
	int *flag;
	cli_each_fn *each;
	void *ctx;		/* for each */
};
#define CLI_VALUE(name, v)	{ name, v, NULL, NULL, NULL }
#define CLI_FLAG(name, f)	{ name, NULL, f, NULL, NULL }
#define CLI_EACH(name, fn, ctx)	{ name, NULL, NULL, fn, ctx }

/*
 * Parse a command's arguments (argc strings from argv[0], after the
 * command's words) against opts (nopts entries), with getopt_long(3)
 * (common/opt.h): "--opt value" or "--opt=value", options before or after
 * the one positional, "--" before a positional that starts with '-'.  The
 * positional, if the command takes one (pos != NULL), goes to *pos (NULL
 * if none).  Prints "dataoptim: MESSAGE" and returns -1 on an unknown or
 * incomplete option, a second positional or one not allowed, or when an
 * each callback fails; 0 otherwise.  Keeps no pointer to opts.
 */
int cli_parse_ex(int argc, char **argv, const struct cli_opt *opts,
    size_t nopts, const char **pos);

/*
 * cli_parse_ex() for a command without repeated options: opts is a
 * NULL-terminated list of the names of options taking a value ("--pool"),
 * whose values land in vals[i] (NULL if absent); flags, likewise, those of
 * the options taking none: flagv[j] is 1 if flags[j] is given, else 0.
 * Either list may be NULL.  pos and the result as for cli_parse_ex().
 */
int cli_parse(int argc, char **argv, const char *const *opts,
    const char **vals, const char *const *flags, int *flagv,
    const char **pos);

/* the participant CLI (client.h has its exit statuses 3, 4, 5
 * and 130).  login, logout (cmd_login.c); submit (cmd_submit.c); status,
 * submissions, cancel, leaderboard (cmd_client.c). */
#include <stdint.h>
#include <stdio.h>
cli_cmd_fn cli_login, cli_logout, cli_submit, cli_status, cli_submissions,
    cli_cancel, cli_leaderboard;

/*
 * The check of `dataoptim validate`, for it and for submit --pool: open
 * the pool index pool_path (NULL: none, byod only), validate file as kind
 * ("standard" or "byod") with a budget (0: none) and, for byod, max_bytes
 * (0: none) and an allowed image root (NULL: none), and print the report
 * to fp (the JSON object of vresult_to_json() with "kind" when json is
 * set, else vresult_print()'s text); with quiet_ok nothing is printed for
 * a file without errors.  Returns CLI_OK (valid, warnings or not),
 * CLI_INVALID (at least one error) or CLI_ERROR (after printing why the
 * pool or the file cannot be read).
 */
int cli_validate_run(const char *pool_path, const char *kind,
    uint64_t budget, uint64_t max_bytes, const char *image_root,
    const char *file, int json, int quiet_ok, FILE *fp);

#endif
