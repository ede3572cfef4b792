/*
 * remote: what the participant commands (login, submit, status,
 * submissions, cancel, leaderboard) share: their common options
 * (--server, --token, --json), the client they make from them (cred.h's
 * precedence) and their printing of server text, JSON and scores.
 */
#ifndef DO_REMOTE_H
#define DO_REMOTE_H

#include <jansson.h>
#include <stdio.h>

#include "cli.h"

struct client;

struct remote_opts {
	const char *server;	/* --server URL, or NULL */
	const char *token;	/* --token T, or NULL */
	int json;		/* --json */
};

/* The three common options, for a command's cli_opt table. */
#define REMOTE_OPTS(o) \
	CLI_VALUE("--server", &(o)->server), \
	CLI_VALUE("--token", &(o)->token), \
	CLI_FLAG("--json", &(o)->json)

/*
 * A client for the server and token the options, the environment and the
 * credentials file give.  Returns CLI_OK with *out set (the caller frees
 * it with client_free), or after printing why: CLI_ERROR when no server
 * is known or its URL is malformed, CLI_AUTH when need_token and there is
 * no token (or the credentials file is unsafe or malformed).
 */
int remote_connect(const struct remote_opts *o, int need_token,
    struct client **out);

/*
 * The member key of a 2xx answer o when it is of type (JSON_OBJECT,
 * JSON_ARRAY); else NULL after client_bad_answer() told that the answer
 * is not the API's (the command exits CLI_NET).
 */
json_t *remote_want(struct client *c, const json_t *o, const char *key,
    json_type type);

/* Print o to stdout as indented JSON and a newline; remote_json_own()
 * also drops the reference it is given (for a json_pack() result). */
void remote_json(const json_t *o);
void remote_json_own(json_t *o);

/*
 * Print server text s (NULL: "-") to fp made safe for a terminal
 * (table_cell(): no control character, invalid UTF-8 as U+FFFD); with
 * multiline, newlines and tabs are kept.
 */
void remote_text(FILE *fp, const char *s, int multiline);

/* A score (a JSON number) as text into out ("-" when not a number). */
void remote_score(const json_t *v, char *out, size_t outlen);

/* Print a scores object ({"overall": x, task: y, ...}) as a table of
 * task and score, overall first, the tasks sorted; "(no scores)" when
 * empty. */
void remote_scores(FILE *fp, const json_t *scores);

#endif
