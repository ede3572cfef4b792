/*
 * dataoptimd: the DataOptim competition server.
 *
 *   dataoptimd [--config FILE] [--listen ADDR:PORT] [--db PATH]
 *              [--state-dir DIR] [--pool POOL.idx] [--static-dir DIR]
 *              [--set SECTION.KEY=VALUE]... [--print-config]
 *
 * Flags override the file.  Exit status: 0 after a clean stop, 2 when the
 * listen address is in use, 1 on any other failure.  SIGTERM / SIGINT:
 * stop accepting, let the requests in flight finish
 * (server.shutdown_grace seconds), close the database.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cfg.h"
#include "conf.h"
#include "http.h"
#include "srv.h"

static const struct conf_flag flags[] = {
	{ "--listen", "server", "listen" },
	{ "--db", "storage", "db" },
	{ "--state-dir", "storage", "state_dir" },
	{ "--pool", "storage", "pool" },
	{ "--static-dir", "server", "static_dir" },
};

static const struct conf_cmdline cmdline = {
	"dataoptimd",
	"usage: dataoptimd [--config FILE] [--listen ADDR:PORT] [--db PATH]\n"
	"                  [--state-dir DIR] [--pool POOL.idx] "
	"[--static-dir DIR]\n"
	"                  [--set SECTION.KEY=VALUE]... [--print-config]\n",
	flags, sizeof(flags) / sizeof(flags[0])
};

int
main(int argc, char **argv)
{
	struct cfg *cfg = cfg_new();
	struct srv *srv = NULL;
	struct http_server *hs = NULL;
	char err[512];
	sigset_t set;
	int sig, args, lsock, in_use, rc = 1;

	args = conf_args(&cfg_table, cfg, &cmdline, argc, argv);
	if (args == CONF_ARGS_PRINT)
		cfg_dump(cfg, stdout);
	if (args != CONF_ARGS_RUN) {
		rc = args == CONF_ARGS_ERROR;
		goto out;
	}
	/* Block the stop signals in every thread; main waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* the port first: a second server stops before opening the state */
	lsock = http_listen(cfg->listen, &in_use, err, sizeof(err));
	if (lsock < 0) {
		fprintf(stderr, "dataoptimd: %s\n", err);
		rc = in_use ? 2 : 1;
		goto out;
	}
	srv = srv_open(cfg, err, sizeof(err));
	cfg = NULL;		/* srv owns it, even on failure */
	if (srv == NULL) {
		fprintf(stderr, "dataoptimd: %s\n", err);
		close(lsock);
		goto out;
	}
	if (srv_maint_start(srv) != 0) {
		close(lsock);
		goto out;
	}
	hs = http_start(srv, lsock, err, sizeof(err));
	if (hs == NULL) {
		fprintf(stderr, "dataoptimd: %s\n", err);
		goto out;
	}
	fprintf(stderr, "dataoptimd: listening on port %u (%s), schema "
	    "version %d, pool %s\n", http_port(hs), srv->cfg->listen,
	    srv->schema_version, srv->pool ? srv->cfg->pool : "(none)");
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT)
			break;
	}
	fprintf(stderr, "dataoptimd: %s: stopping (grace %lld s)\n",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT",
	    (long long)srv->cfg->shutdown_grace);
	http_stop(hs, (int)srv->cfg->shutdown_grace);
	hs = NULL;
	rc = 0;
out:
	http_stop(hs, 0);
	if (rc == 0 && srv != NULL)
		fprintf(stderr, "dataoptimd: stopped\n");
	srv_close(srv);
	cfg_free(cfg);
	return rc;
}
