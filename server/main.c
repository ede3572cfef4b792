/*
 * dataoptimd: the DataOptim competition server.
 *
 *   dataoptimd [--config FILE] [--listen ADDR:PORT] [--db PATH]
 *              [--state-dir DIR] [--pool POOL.idx] [--static-dir DIR]
 *              [--set SECTION.KEY=VALUE]... [--print-config]
 *
 * Flags override the file.  SIGTERM / SIGINT: stop accepting, let the
 * requests in flight finish (server.shutdown_grace seconds), close the
 * database.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "http.h"
#include "srv.h"
#include "util.h"

static void
usage(FILE *fp)
{
	fputs("usage: dataoptimd [--config FILE] [--listen ADDR:PORT] "
	    "[--db PATH]\n"
	    "                  [--state-dir DIR] [--pool POOL.idx] "
	    "[--static-dir DIR]\n"
	    "                  [--set SECTION.KEY=VALUE]... [--print-config]\n",
	    fp);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *flag, *section, *key;
	} flags[] = {
		{ "--listen", "server", "listen" },
		{ "--db", "storage", "db" },
		{ "--state-dir", "storage", "state_dir" },
		{ "--pool", "storage", "pool" },
		{ "--static-dir", "server", "static_dir" },
	};
	struct cfg *cfg = cfg_new();
	struct srv *srv = NULL;
	struct http_server *hs = NULL;
	const char *config = NULL;
	char err[512];
	sigset_t set;
	int i, sig, print = 0, rc = 1;
	size_t k;

	/* the config file first, then every flag over it */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
	if (config != NULL && cfg_load(cfg, config, err, sizeof(err)) != 0) {
		fprintf(stderr, "dataoptimd: %s\n", err);
		goto out;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		if (strcmp(a, "--print-config") == 0) {
			print = 1;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "dataoptimd: %s: missing value or "
			    "unknown flag\n", a);
			usage(stderr);
			goto out;
		}
		if (strcmp(a, "--config") == 0) {
			i++;
			continue;
		}
		if (strcmp(a, "--set") == 0) {
			char buf[512], *eq, *dot;

			util_fmt(buf, sizeof(buf), "%s", argv[++i]);
			eq = strchr(buf, '=');
			dot = strchr(buf, '.');
			if (eq == NULL || dot == NULL || dot > eq) {
				fprintf(stderr, "dataoptimd: --set "
				    "SECTION.KEY=VALUE\n");
				goto out;
			}
			*eq = *dot = '\0';
			if (cfg_set(cfg, buf, dot + 1, eq + 1, err,
			    sizeof(err)) != 0) {
				fprintf(stderr, "dataoptimd: %s\n", err);
				goto out;
			}
			continue;
		}
		for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
			if (strcmp(a, flags[k].flag) == 0)
				break;
		if (k == sizeof(flags) / sizeof(flags[0])) {
			fprintf(stderr, "dataoptimd: unknown flag %s\n", a);
			usage(stderr);
			goto out;
		}
		if (cfg_set(cfg, flags[k].section, flags[k].key, argv[++i],
		    err, sizeof(err)) != 0) {
			fprintf(stderr, "dataoptimd: %s\n", err);
			goto out;
		}
	}
	if (print) {
		cfg_dump(cfg, stdout);
		rc = 0;
		goto out;
	}
	/* Block the stop signals in every thread; main waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	srv = srv_open(cfg, err, sizeof(err));
	cfg = NULL;		/* srv owns it, even on failure */
	if (srv == NULL) {
		fprintf(stderr, "dataoptimd: %s\n", err);
		goto out;
	}
	if (srv_maint_start(srv) != 0)
		goto out;
	hs = http_start(srv, err, sizeof(err));
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
