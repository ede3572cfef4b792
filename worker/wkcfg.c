/* wkcfg: the worker's configuration table (see wkcfg.h). */
#include "wkcfg.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slurm.h"
#include "util.h"

#define K_INT(s, n, f, lo, hi, d) \
	CONF_KEY_INT(struct wkcfg, s, n, f, lo, hi, d)
#define K_STR(s, n, f, d) CONF_KEY_STR(struct wkcfg, s, n, f, d)
#define K_PATH(s, n, f, d) CONF_KEY_PATH(struct wkcfg, s, n, f, d)

static const struct conf_key wkcfg_keys[] = {
	K_STR("worker", "server", server, "http://127.0.0.1:8080"),
	CONF_KEY_SECRET(struct wkcfg, "worker", "token", token, ""),
	K_PATH("worker", "token_file", token_file, ""),
	K_STR("worker", "name", name, ""),
	K_PATH("worker", "work_dir", work_dir, "work"),
	K_PATH("worker", "pool", pool, ""),
	K_PATH("worker", "val", val, ""),
	K_PATH("worker", "image_folder", image_folder, ""),
	K_STR("worker", "backend", backend, "proxy"),
	K_STR("worker", "metrics", metrics, ""),
	K_INT("worker", "keep_failed", keep_failed, 0, 365 * 86400, "259200"),
	K_INT("worker", "claim_min_ms", claim_min_ms, 10, 3600000, "1000"),
	K_INT("worker", "claim_max_ms", claim_max_ms, 10, 3600000, "30000"),
	K_INT("worker", "retry_min_ms", retry_min_ms, 10, 3600000, "1000"),
	K_INT("worker", "retry_max_ms", retry_max_ms, 10, 3600000, "60000"),
	K_INT("worker", "http_timeout", http_timeout, 1, 3600, "30"),
	K_INT("worker", "heartbeat", heartbeat, 0, 3600, "0"),
	K_INT("worker", "kill_grace", kill_grace, 0, 3600, "30"),
	K_INT("worker", "nan_steps", nan_steps, 0, 1000000, "20"),
	K_STR("train", "command", train_command, ""),
	K_INT("train", "timeout", train_timeout, 1, 30 * 86400, "86400"),
	K_STR("train", "required", train_required, ""),
	K_STR("evaluate", "command", eval_command, ""),
	K_INT("evaluate", "timeout", eval_timeout, 1, 30 * 86400, "21600"),
	K_STR("evaluate", "required", eval_required, ""),
	K_STR("executor", "kind", executor, "local"),
	K_INT("executor", "max_jobs", max_jobs, 0, 1024, "0"),
	K_PATH("slurm", "bin_dir", slurm_bin, ""),
	K_STR("slurm", "partition", partition, ""),
	K_STR("slurm", "account", account, ""),
	K_STR("slurm", "qos", qos, ""),
	K_STR("slurm", "gpus", gpus, ""),
	K_STR("slurm", "gres", gres, ""),
	K_STR("slurm", "constraint", constraint, ""),
	K_STR("slurm", "mem", mem, ""),
	K_INT("slurm", "cpus_per_task", cpus_per_task, 0, 100000, "0"),
	K_STR("slurm", "extra", slurm_extra, ""),
	K_INT("slurm", "poll_ms", poll_ms, 100, 3600000, "5000"),
	K_INT("slurm", "timeout", slurm_timeout, 1, 3600, "60"),
	CONF_KEY_BOOL(struct wkcfg, "slurm", "probe", probe, "true"),
	K_STR("stage.train", "where", train_where, ""),
	K_STR("stage.train", "extra", train_extra, ""),
	K_STR("stage.evaluate", "where", eval_where, ""),
	K_STR("stage.evaluate", "extra", eval_extra, ""),
	CONF_KEY_VARS(struct wkcfg, "env", env),
};

const struct conf_table wkcfg_table = CONF_TABLE(wkcfg_keys);

/* The proxy backend: the project's own CLI next to the worker. */
#define WKCFG_PROXY_TRAIN \
	"{bin_dir}/dataoptim proxy train --data {data_json} --out {output_dir}"
#define WKCFG_PROXY_EVAL \
	"{bin_dir}/dataoptim proxy eval --model {output_dir} " \
	"--val {val_json} --result-dir {result_dir}"
#define WKCFG_PROXY_REQUIRED "config.json trainer_state.json proxy_model.bin"

struct wkcfg *
wkcfg_new(void)
{
	struct wkcfg *c = util_xcalloc(1, sizeof(*c));

	conf_defaults(&wkcfg_table, c);
	return c;
}

void
wkcfg_free(struct wkcfg *c)
{
	conf_free(&wkcfg_table, c);
	free(c);
}

static void
wkcfg_default(char **sp, const char *value)
{
	if ((*sp)[0] == '\0') {
		free(*sp);
		*sp = util_xstrdup(value);
	}
}

/* A [slurm] value goes into a "#SBATCH --key=value" line: one token. */
static int
wkcfg_token(const char *key, const char *v, char *err, size_t errlen)
{
	if (strcspn(v, " \t\r\n'\"\\") != strlen(v)) {
		util_fmt(err, errlen, "slurm.%s: one word without blanks or "
		    "quotes, not '%.80s'", key, v);
		return -1;
	}
	return 0;
}

/* stage.NAME.where into *on (1: a batch job).  0, or -1 with a message. */
static int
wkcfg_where(const char *stage, const char *v, int slurm, int *on,
    char *err, size_t errlen)
{
	if (v[0] == '\0' || strcmp(v, "slurm") == 0 ||
	    strcmp(v, "local") == 0) {
		*on = slurm && strcmp(v, "local") != 0;
		if (!slurm && strcmp(v, "slurm") == 0) {
			util_fmt(err, errlen, "stage.%s.where = slurm needs "
			    "executor.kind = slurm", stage);
			return -1;
		}
		return 0;
	}
	util_fmt(err, errlen, "stage.%s.where: local or slurm, not '%.40s'",
	    stage, v);
	return -1;
}

/* [executor], [slurm] and the stages' where. */
static int
wkcfg_executor(struct wkcfg *c, char *err, size_t errlen)
{
	const struct {
		const char *key;
		const char *v;
	} tok[] = {
		{ "partition", c->partition }, { "account", c->account },
		{ "qos", c->qos }, { "gpus", c->gpus }, { "gres", c->gres },
		{ "constraint", c->constraint }, { "mem", c->mem },
	};
	int slurm = strcmp(c->executor, "slurm") == 0;
	char e[256];
	size_t i;

	if (!slurm && strcmp(c->executor, "local") != 0) {
		util_fmt(err, errlen, "executor.kind: local or slurm, not "
		    "'%.40s'", c->executor);
		return -1;
	}
	for (i = 0; i < sizeof(tok) / sizeof(tok[0]); i++)
		if (wkcfg_token(tok[i].key, tok[i].v, err, errlen) != 0)
			return -1;
	if (slurm_extra_check(c->slurm_extra, e, sizeof(e)) != 0 ||
	    slurm_extra_check(c->train_extra, e, sizeof(e)) != 0 ||
	    slurm_extra_check(c->eval_extra, e, sizeof(e)) != 0) {
		util_fmt(err, errlen, "slurm.extra / stage.*.extra: %s", e);
		return -1;
	}
	if (wkcfg_where("train", c->train_where, slurm, &c->train_slurm, err,
	    errlen) != 0 || wkcfg_where("evaluate", c->eval_where, slurm,
	    &c->eval_slurm, err, errlen) != 0)
		return -1;
	/* the work dir goes into #SBATCH lines and the script */
	if (slurm && strcspn(c->work_dir, " \t\r\n'\"\\") !=
	    strlen(c->work_dir)) {
		util_fmt(err, errlen, "worker.work_dir: with executor.kind = "
		    "slurm it must not hold blanks or quotes");
		return -1;
	}
	if (c->max_jobs == 0)
		c->max_jobs = slurm ? 8 : 1;
	return 0;
}

int
wkcfg_finish(struct wkcfg *c, const char *bin_dir, char *err, size_t errlen)
{
	(void)bin_dir;
	if (c->token[0] == '\0' && c->token_file[0] != '\0') {
		char e[256], *t;
		size_t n;

		t = util_read_small(c->token_file, 4096, &n, e, sizeof(e));
		if (t == NULL) {
			util_fmt(err, errlen, "worker.token_file: %s", e);
			return -1;
		}
		while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r' ||
		    t[n - 1] == ' '))
			t[--n] = '\0';
		free(c->token);
		c->token = t;
	}
	if (c->token[0] == '\0') {
		util_fmt(err, errlen, "no worker token: give --token, "
		    "worker.token or worker.token_file");
		return -1;
	}
	if (strchr(c->token, '\n') != NULL || strchr(c->token, '\r') != NULL) {
		util_fmt(err, errlen, "the worker token holds a line break");
		return -1;
	}
	if (c->val[0] == '\0') {
		util_fmt(err, errlen, "no validation set: give --val VAL.json "
		    "or worker.val");
		return -1;
	}
	if (c->name[0] == '\0') {
		char host[256] = "worker";

		(void)gethostname(host, sizeof(host) - 1);
		host[sizeof(host) - 1] = '\0';
		free(c->name);
		c->name = util_xstrdup(host);
	}
	if (strcmp(c->backend, "proxy") == 0) {
		wkcfg_default(&c->train_command, WKCFG_PROXY_TRAIN);
		wkcfg_default(&c->eval_command, WKCFG_PROXY_EVAL);
		if (strcmp(c->train_command, WKCFG_PROXY_TRAIN) == 0)
			wkcfg_default(&c->train_required,
			    WKCFG_PROXY_REQUIRED);
	}
	if (c->train_command[0] == '\0' || c->eval_command[0] == '\0') {
		util_fmt(err, errlen, "backend '%s' needs train.command and "
		    "evaluate.command", c->backend);
		return -1;
	}
	if (wkcfg_executor(c, err, errlen) != 0)
		return -1;
	if (c->claim_max_ms < c->claim_min_ms)
		c->claim_max_ms = c->claim_min_ms;
	if (c->retry_max_ms < c->retry_min_ms)
		c->retry_max_ms = c->retry_min_ms;
	return 0;
}

void
wkcfg_dump(const struct wkcfg *c, FILE *fp)
{
	conf_print(&wkcfg_table, c, fp);
}

void
wkcfg_slurm_opts(const struct wkcfg *c, struct slurm_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->bin_dir = c->slurm_bin;
	o->partition = c->partition;
	o->account = c->account;
	o->qos = c->qos;
	o->gpus = c->gpus;
	o->gres = c->gres;
	o->constraint = c->constraint;
	o->mem = c->mem;
	o->cpus_per_task = c->cpus_per_task;
	o->extra = c->slurm_extra;
	o->poll_ms = (uint64_t)c->poll_ms;
	o->cmd_timeout_ms = (uint64_t)c->slurm_timeout * 1000;
}
