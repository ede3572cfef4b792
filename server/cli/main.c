/*
 * dataoptim: organizer and participant tools.  A table maps command words
 * to their functions; usage is printed from the same table.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct cli_command {
	const char *word1;	/* "pool" */
	const char *word2;	/* "build", or NULL for one-word commands */
	cli_cmd_fn *fn;
	const char *usage;
};

static const struct cli_command cli_commands[] = {
	{ "pool", "synth", cli_pool_synth,
	  "--out DIR [--scale S] [--seed N]   write a synthetic pool" },
	{ "pool", "build", cli_pool_build,
	  "--data DIR --out POOL.idx          index a pool directory" },
	{ "pool", "stats", cli_pool_stats,
	  "POOL.idx [--verify]                counts per dataset, images" },
	{ "validate", NULL, cli_validate,
	  "--pool POOL.idx --kind standard|byod [--budget N] [--json] FILE" },
	{ "materialize", NULL, cli_materialize,
	  "--pool POOL.idx --ids FILE --out OUT.json" },
	{ "migrate", NULL, cli_migrate,
	  "[--db PATH | --config FILE]       apply pending migrations" },
	{ "team", "add", cli_team_add,
	  "NAME [--baseline] [--db PATH]     add a team" },
	{ "user", "add", cli_user_add,
	  "--team NAME --email E [--admin] [--db PATH]  (password on stdin, "
	  "else generated)" },
	{ "token", "create", cli_token_create,
	  "--email E [--role worker] [--label L] [--db PATH]  print a new "
	  "API token once" },
	{ "token", "revoke", cli_token_revoke,
	  "TOKEN | --id N [--db PATH]       revoke an API token" },
	{ "track", "add", cli_track_add,
	  "--slug S --kind standard|byod --budget N [--per-day N] [--total N] "
	  "[--opens T] [--closes T] [--metric TASK] [--title T] [--teams-lock T] [--db PATH]" },
	{ "score", NULL, cli_score,
	  "--val VAL.json --results DIR [--metric TASK=vqa|choice|exact ...]" },
	{ "proxy", "train", cli_proxy_train,
	  "--data TRAIN.json --out MODEL_DIR  train the proxy (BM25) model" },
	{ "proxy", "eval", cli_proxy_eval,
	  "--model MODEL_DIR --val VAL.json --result-dir DIR" },
	/* the participant's commands, on the server's REST API
	 * (each also takes --server URL, --token T and --json) */
	{ "login", NULL, cli_login,
	  "[--server URL] [--token T | --token - | --email E]  store a token" },
	{ "logout", NULL, cli_logout,
	  "                                  revoke and forget the token" },
	{ "submit", NULL, cli_submit,
	  "--track T --method NAME [--description D] [--url U] "
	  "[--pool POOL.idx] [--wait] FILE" },
	{ "status", NULL, cli_status,
	  "[ID]                             a submission or job (default: "
	  "the latest)" },
	{ "submissions", NULL, cli_submissions,
	  "[--track T] [--limit N] [--offset N]  your team's submissions" },
	{ "cancel", NULL, cli_cancel,
	  "ID                               cancel a submission's job" },
	{ "leaderboard", NULL, cli_leaderboard,
	  "--track T [--split public|private]  the ranking" },
};

static void
cli_usage(FILE *fp)
{
	size_t i;

	fputs("usage: dataoptim COMMAND [ARGS]\n", fp);
	for (i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++) {
		const struct cli_command *c = &cli_commands[i];

		fprintf(fp, "  dataoptim %s%s%s %s\n", c->word1,
		    c->word2 ? " " : "", c->word2 ? c->word2 : "", c->usage);
	}
	/* the exit statuses (cli.h, client.h) */
	fputs("participant commands: --server URL (or DATAOPTIM_SERVER), "
	    "--token T (or\n  DATAOPTIM_TOKEN) override the credentials file "
	    "that login writes\n  ($XDG_CONFIG_HOME/dataoptim/credentials, "
	    "~/.config/dataoptim/credentials)\n"
	    "  and --json prints the server's JSON instead of text; an answer "
	    "not whole\n  after DATAOPTIM_ANSWER_TIMEOUT seconds (300) is "
	    "given up (exit 4)\n"
	    "exit status: 0 ok; 1 refused by the server or invalid file "
	    "(validation failed);\n  2 usage or a local file that cannot be "
	    "read; 3 not logged in or token refused\n  (HTTP 401/403); 4 server "
	    "unreachable, HTTP 5xx or an answer that is not the\n  API's; 5 "
	    "submit --wait: the job failed or was cancelled; 130 submit "
	    "--wait\n  interrupted (Ctrl-C: the job goes on)\n", fp);
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		cli_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_ERROR : CLI_OK;
	}
	for (i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++) {
		const struct cli_command *c = &cli_commands[i];

		if (strcmp(argv[1], c->word1) != 0)
			continue;
		if (c->word2 == NULL)
			return c->fn(argc - 2, argv + 2);
		if (argc >= 3 && strcmp(argv[2], c->word2) == 0)
			return c->fn(argc - 3, argv + 3);
	}
	fprintf(stderr, "dataoptim: unknown command '%s'\n", argv[1]);
	cli_usage(stderr);
	return CLI_ERROR;
}
