/*
 * dataoptim-worker: claims DataOptim jobs from dataoptimd and runs them.
 *
 *   dataoptim-worker [--config FILE] [--server URL] [--token TOKEN]
 *                    [--work-dir DIR] [--name NAME] [--pool POOL.idx]
 *                    [--val VAL.json] [--set SECTION.KEY=VALUE]...
 *                    [--print-config]
 *
 * Flags override the file.  With no backend configured the worker runs
 * the proxy backend (dataoptim proxy train / eval from its own bin
 * directory), so the flags alone make a working worker.
 */
#include <curl/curl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "shim.h"
#include "util.h"
#include "wk.h"
#include "wkcfg.h"

static void
usage(FILE *fp)
{
	fputs("usage: dataoptim-worker [--config FILE] [--server URL] "
	    "[--token TOKEN]\n"
	    "                        [--work-dir DIR] [--name NAME] "
	    "[--pool POOL.idx]\n"
	    "                        [--val VAL.json] "
	    "[--set SECTION.KEY=VALUE]... [--print-config]\n", fp);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *flag, *key;
	} flags[] = {
		{ "--server", "server" }, { "--token", "token" },
		{ "--token-file", "token_file" }, { "--work-dir", "work_dir" },
		{ "--name", "name" }, { "--pool", "pool" }, { "--val", "val" },
	};
	struct wkcfg *cfg = wkcfg_new();
	struct wk *w = NULL;
	const char *config = NULL;
	char err[600], exe[PATH_MAX], exe_path[PATH_MAX], bin_dir[PATH_MAX];
	int i, print = 0, rc = 1;
	ssize_t n;
	size_t k;

	if (argc > 1 && strcmp(argv[1], SHIM_FLAG) == 0) {
		wkcfg_free(cfg);
		return shim_main(argc, argv);
	}
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
	if (config != NULL && wkcfg_load(cfg, config, err, sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim-worker: %s\n", err);
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
			fprintf(stderr, "dataoptim-worker: %s: missing value "
			    "or unknown flag\n", a);
			usage(stderr);
			goto out;
		}
		if (strcmp(a, "--config") == 0) {
			i++;
			continue;
		}
		if (strcmp(a, "--set") == 0) {
			char buf[2048], *eq, *dot;

			util_fmt(buf, sizeof(buf), "%s", argv[++i]);
			eq = strchr(buf, '=');
			dot = strchr(buf, '.');
			if (eq == NULL || dot == NULL || dot > eq) {
				fprintf(stderr, "dataoptim-worker: --set "
				    "SECTION.KEY=VALUE\n");
				goto out;
			}
			*eq = *dot = '\0';
			if (wkcfg_set(cfg, buf, dot + 1, eq + 1, err,
			    sizeof(err)) != 0) {
				fprintf(stderr, "dataoptim-worker: %s\n", err);
				goto out;
			}
			continue;
		}
		for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
			if (strcmp(a, flags[k].flag) == 0)
				break;
		if (k == sizeof(flags) / sizeof(flags[0])) {
			fprintf(stderr, "dataoptim-worker: unknown flag %s\n", a);
			usage(stderr);
			goto out;
		}
		if (wkcfg_set(cfg, "worker", flags[k].key, argv[++i], err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "dataoptim-worker: %s\n", err);
			goto out;
		}
	}
	/* {bin_dir}: where this program is, for the proxy's dataoptim */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		fprintf(stderr, "dataoptim-worker: cannot find my own path\n");
		goto out;
	}
	exe[n] = '\0';
	util_fmt(exe_path, sizeof(exe_path), "%s", exe);
	util_fmt(bin_dir, sizeof(bin_dir), "%s", dirname(exe));
	if (wkcfg_finish(cfg, bin_dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim-worker: %s\n", err);
		goto out;
	}
	if (print) {
		wkcfg_dump(cfg, stdout);
		rc = 0;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "dataoptim-worker: curl_global_init failed\n");
		goto out;
	}
	w = wk_new(uv_default_loop(), cfg, exe_path, bin_dir, err,
	    sizeof(err));
	cfg = NULL;		/* the worker owns it, even on failure */
	if (w == NULL) {
		fprintf(stderr, "dataoptim-worker: %s\n", err);
		curl_global_cleanup();
		goto out;
	}
	wk_start(w);
	uv_run(uv_default_loop(), UV_RUN_DEFAULT);
	wk_free(w);
	uv_loop_close(uv_default_loop());
	curl_global_cleanup();
	rc = 0;
out:
	wkcfg_free(cfg);
	return rc;
}
