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

#include "conf.h"
#include "shim.h"
#include "util.h"
#include "wk.h"
#include "wkcfg.h"

static const struct conf_flag flags[] = {
	{ "--server", "worker", "server" },
	{ "--token", "worker", "token" },
	{ "--token-file", "worker", "token_file" },
	{ "--work-dir", "worker", "work_dir" },
	{ "--name", "worker", "name" },
	{ "--pool", "worker", "pool" },
	{ "--val", "worker", "val" },
};

static const struct conf_cmdline cmdline = {
	"dataoptim-worker",
	"usage: dataoptim-worker [--config FILE] [--server URL] "
	"[--token TOKEN]\n"
	"                        [--work-dir DIR] [--name NAME] "
	"[--pool POOL.idx]\n"
	"                        [--val VAL.json] "
	"[--set SECTION.KEY=VALUE]... [--print-config]\n",
	flags, sizeof(flags) / sizeof(flags[0])
};

int
main(int argc, char **argv)
{
	struct wkcfg *cfg;
	struct wk *w = NULL;
	char err[600], exe[PATH_MAX], exe_path[PATH_MAX], bin_dir[PATH_MAX];
	int args, rc = 1;
	ssize_t n;

	if (argc > 1 && strcmp(argv[1], SHIM_FLAG) == 0)
		return shim_main(argc, argv);
	cfg = wkcfg_new();
	args = conf_args(&wkcfg_table, cfg, &cmdline, argc, argv);
	if (args != CONF_ARGS_RUN && args != CONF_ARGS_PRINT) {
		rc = args == CONF_ARGS_ERROR;
		goto out;
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
	if (args == CONF_ARGS_PRINT) {
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
	rc = wk_failed(w);
	wk_free(w);
	uv_loop_close(uv_default_loop());
	curl_global_cleanup();
out:
	wkcfg_free(cfg);
	return rc;
}
