/*
 * cli: the dataoptim command-line tool.  Each command is a function in the
 * table of main.c; it gets the arguments after its name and returns the
 * process exit status: 0 success, 1 a negative answer (an invalid
 * submission), 2 usage or I/O error.
 */
#ifndef DO_CLI_H
#define DO_CLI_H

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
 * Option parsing shared by the commands: opts is a NULL-terminated list of
 * long option names ("--pool"); each takes a value unless it is in flags.
 * Values land in vals[i] (NULL if absent), flags set flagv[j] to 1.  The
 * one positional argument, if allowed (pos != NULL), goes to *pos.
 * Prints a message and returns -1 on an unknown or incomplete option.
 */
int cli_parse(int argc, char **argv, const char *const *opts,
    const char **vals, const char *const *flags, int *flagv,
    const char **pos);

#endif
