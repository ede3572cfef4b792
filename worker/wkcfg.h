/*
 * wkcfg: the worker's configuration.  One table (wkcfg.c, read by
 * common/conf.c) lists every key with its INI section, type, bounds and
 * default; conf_args() applies the file and the flags, each value checked
 * against the table.  The worker's sections are [worker], [train],
 * [evaluate] and [env] (every key of [env] is an environment variable for
 * the stage commands); the server's sections may share the file and are
 * skipped.  [executor], [slurm] and [stage.train] / [stage.evaluate]
 * choose where the train and evaluate stages run (slurm.h).
 *
 * Without a backend (worker.backend = proxy and no train/evaluate
 * command) the proxy backend's commands are used: `dataoptim proxy train`
 * and `dataoptim proxy eval` from the worker's own bin directory.
 */
#ifndef DO_WKCFG_H
#define DO_WKCFG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"

struct slurm_opts;

struct wkcfg {
	/* [worker] */
	char *server;		/* base URL of dataoptimd */
	char *token;		/* worker token, or ... */
	char *token_file;	/* ... a file holding it */
	char *name;		/* reported on claim; default: the host name */
	char *work_dir;		/* jobs/ and pending/ live here */
	char *pool;		/* pool index for standard submissions */
	char *val;		/* validation set (val.json) */
	char *image_folder;	/* {image_folder}: the pool's images */
	char *backend;		/* label sent with results: proxy, llava */
	char *metrics;		/* "task=metric,..." scorer overrides */
	int64_t keep_failed;	/* seconds a failed attempt's dir is kept */
	int64_t claim_min_ms;	/* backoff while the queue is empty */
	int64_t claim_max_ms;
	int64_t retry_min_ms;	/* backoff while the server is unreachable */
	int64_t retry_max_ms;
	int64_t http_timeout;	/* seconds per API request */
	int64_t heartbeat;	/* seconds between heartbeats; 0: lease / 3 */
	int64_t kill_grace;	/* seconds from SIGTERM to SIGKILL */
	int64_t nan_steps;	/* train steps in a row with a NaN or infinite
				   loss that stop the run; 0: never */
	/* [train] and [evaluate] */
	char *train_command;	/* template (tmpl.h); empty: the backend's */
	int64_t train_timeout;	/* seconds */
	char *train_required;	/* files that must exist in {output_dir} */
	char *eval_command;
	int64_t eval_timeout;
	char *eval_required;	/* files that must exist in {result_dir} */
	/* [executor] */
	char *executor;		/* local | slurm */
	int64_t max_jobs;	/* jobs at once; 0: 1 (local), 8 (slurm) */
	/* [slurm]: the #SBATCH options of every batch job (slurm.h) */
	char *slurm_bin;	/* sbatch, scontrol, scancel; "": PATH */
	char *partition, *account, *qos;
	char *gpus, *gres, *constraint, *mem;
	int64_t cpus_per_task;	/* 0: unset */
	char *slurm_extra;	/* more options, ';'-separated */
	int64_t poll_ms;	/* scontrol every poll_ms */
	int64_t slurm_timeout;	/* seconds for one sbatch/scontrol/scancel */
	int64_t probe;		/* 1: a probe job checks the shared work
				   dir at start */
	/* [stage.train], [stage.evaluate] */
	char *train_where, *eval_where;	/* local | slurm; "": slurm with
					   executor slurm */
	char *train_extra, *eval_extra;	/* the stage's own #SBATCH options */
	/* [env] */
	struct conf_vars env;	/* "K=V" strings */
	/* set by wkcfg_finish() */
	int train_slurm, eval_slurm;	/* the stage runs as a batch job */
};

/* The table of every key above, for conf_args(). */
extern const struct conf_table wkcfg_table;

/* A configuration holding every default, owned by the caller (free it
 * with wkcfg_free()).  Never NULL. */
struct wkcfg *wkcfg_new(void);

/* Free c and everything it holds.  NULL is ignored. */
void wkcfg_free(struct wkcfg *c);

/*
 * Check the configuration as a whole and fill in what depends on other
 * keys (the proxy backend's commands from bin_dir, the token from
 * token_file, the name from the host name).  0, or -1 with a message.
 */
int wkcfg_finish(struct wkcfg *c, const char *bin_dir, char *err,
    size_t errlen);

/* The [slurm] section as slurm.h's options (borrowing c's strings). */
void wkcfg_slurm_opts(const struct wkcfg *c, struct slurm_opts *o);

/* Print every key with its current value, INI style (the token hidden). */
void wkcfg_dump(const struct wkcfg *c, FILE *fp);

#endif
