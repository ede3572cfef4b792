/*
 * job: one claimed attempt, from the claim to the delivered result (see
 * job.h): the phase table, the start, the pipeline's steps and the end.
 * Heartbeats are in job_beat.c, the result and the hand-back in
 * job_result.c; job_int.h has the layout they share.
 */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "job_int.h"
#include "materialize.h"
#include "pool.h"
#include "preflight.h"
#include "slurm.h"
#include "stage.h"
#include "stdval.h"
#include "tmpl.h"
#include "trainlog.h"
#include "util.h"
#include "vresult.h"
#include "wkcfg.h"
#include "wkfs.h"
#include "wkhttp.h"

#define JOB_DL_TRIES 5		/* download retries before failing */
#define JOB_PF_PARALLEL 4	/* preflight chunks in flight at once */

/* The phases' starts in this file, defined below in pipeline order. */
static void job_adopt_open(struct job *j);
static void job_prepare(struct job *j);
static void job_download(struct job *j);
static void job_materialize(struct job *j);
static void job_preflight(struct job *j);
static void job_run_stage(struct job *j);
static void job_check(struct job *j);
static void job_score(struct job *j);
static void job_drain(struct job *j);
static void job_cleanup(struct job *j);
static void job_close(struct job *j);

/*
 * The pipeline: a claimed job starts at PREPARE and goes down the table
 * phase by phase (a failure on the way goes to SAVE with the error, see
 * job__fail()); a result of an earlier run starts at LOAD.  Every job
 * ends with DRAINING, CLEANUP and CLOSING.
 */
static const struct job_phase_def {
	const char *stage;		/* the stage the server is told from
					   here on; NULL: the last one stays */
	double progress;		/* on entry; < 0: unchanged */
	void (*start)(struct job *);
	enum job_phase next;		/* where it goes when it is done */
} job_phases[] = {
	/* ADOPT goes on to the adopted stage's phase, TRAIN or EVAL */
	[JOB_P_ADOPT] = { NULL, -1, job_adopt_open, JOB_P_TRAIN },
	[JOB_P_PREPARE] = { "materialize", -1, job_prepare, JOB_P_DOWNLOAD },
	[JOB_P_DOWNLOAD] = { "materialize", -1, job_download,
	    JOB_P_MATERIALIZE },
	[JOB_P_MATERIALIZE] = { "materialize", 0.05, job_materialize,
	    JOB_P_PREFLIGHT },
	[JOB_P_PREFLIGHT] = { "preflight", 0.08, job_preflight, JOB_P_TRAIN },
	[JOB_P_TRAIN] = { "train", JOB_TRAIN_P0, job_run_stage,
	    JOB_P_TRAIN_CHECK },
	[JOB_P_TRAIN_CHECK] = { "train", -1, job_check, JOB_P_EVAL },
	[JOB_P_EVAL] = { "evaluate", JOB_TRAIN_P1, job_run_stage,
	    JOB_P_EVAL_CHECK },
	[JOB_P_EVAL_CHECK] = { "evaluate", -1, job_check, JOB_P_SCORE },
	[JOB_P_SCORE] = { "score", 0.95, job_score, JOB_P_SAVE },
	[JOB_P_LOAD] = { NULL, -1, job__result_load, JOB_P_DELIVER },
	[JOB_P_SAVE] = { NULL, -1, job__result_save, JOB_P_FINAL_WAIT },
	[JOB_P_FINAL_WAIT] = { NULL, -1, job__beat_wait, JOB_P_FINAL_BEAT },
	[JOB_P_FINAL_BEAT] = { NULL, -1, job__beat_last, JOB_P_DELIVER },
	[JOB_P_DELIVER] = { NULL, -1, job__result_post, JOB_P_DRAINING },
	[JOB_P_DRAINING] = { NULL, -1, job_drain, JOB_P_CLEANUP },
	[JOB_P_CLEANUP] = { NULL, -1, job_cleanup, JOB_P_CLOSING },
	[JOB_P_CLOSING] = { NULL, -1, job_close, JOB_P_CLOSING },
};

void
job__enter(struct job *j, enum job_phase phase)
{
	const struct job_phase_def *d = &job_phases[phase];

	j->phase = phase;
	if (d->stage != NULL)
		j->stage = d->stage;
	if (d->progress >= 0)
		j->progress = d->progress;
	d->start(j);
}

void
job__next(struct job *j)
{
	job__enter(j, job_phases[j->phase].next);
}

void
job__advance(struct job *j)
{
	if (j->wrc != 0) {
		job__fail(j, "%s", j->werr);
		return;
	}
	job__next(j);
}

unsigned
job__pending(const struct job *j)
{
	return j->ops |
	    (j->proc != NULL || j->sl != NULL ? JOB_OP_STAGE : 0) |
	    (j->http != NULL ? JOB_OP_HTTP : 0) |
	    (j->hb_req != NULL ? JOB_OP_BEAT_SEND : 0);
}

int
job__has_result(const struct job *j)
{
	return j->phase >= JOB_P_LOAD && j->phase < JOB_P_DRAINING;
}

void
job__say(const struct job *j, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "dataoptim-worker: %s: job %s attempt %lld: %s\n",
	    j->env->cfg->name, j->id, (long long)j->attempt, msg);
}

void
job__wlog(struct job *j, const char *fmt, ...)
{
	char msg[4200];
	va_list ap;
	int n;

	if (j->log_fd < 0)
		return;
	memcpy(msg, "[worker] ", 9);
	va_start(ap, fmt);
	n = vsnprintf(msg + 9, sizeof(msg) - 10, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += 9;
	if (n > (int)sizeof(msg) - 2)
		n = (int)sizeof(msg) - 2;
	msg[n++] = '\n';
	if (write(j->log_fd, msg, (size_t)n) < 0)
		return;		/* the log is best effort */
}

/* ---- the thread pool ---- */

static void
job_work_run(uv_work_t *w)
{
	struct job *j = w->data;

	j->work_fn(j);
}

static void
job_work_after(uv_work_t *w, int status)
{
	struct job *j = w->data;

	(void)status;
	j->ops &= ~JOB_OP_WORK;
	if (job__draining(j))
		return;
	j->after_fn(j);
}

void
job__queue(struct job *j, void (*fn)(struct job *), void (*after)(struct job *))
{
	int rc;

	j->work_fn = fn;
	j->after_fn = after;
	j->work.data = j;
	j->wrc = 0;
	j->werr[0] = '\0';
	rc = uv_queue_work(j->env->loop, &j->work, job_work_run,
	    job_work_after);
	if (rc != 0) {		/* never with a valid loop */
		fprintf(stderr, "dataoptim-worker: uv_queue_work: %s\n",
		    uv_strerror(rc));
		abort();
	}
	j->ops |= JOB_OP_WORK;
}

void
job__retry(struct job *j, uv_timer_cb cb)
{
	uv_timer_start(&j->retry_timer, cb, (uint64_t)j->retry_ms, 0);
	j->retry_ms *= 2;
	if (j->retry_ms > j->env->cfg->retry_max_ms)
		j->retry_ms = j->env->cfg->retry_max_ms;
}

/* ---- the start ---- */

static struct job *
job_new(const struct job_env *env, job_done_cb *cb, void *arg)
{
	struct job *j = util_xcalloc(1, sizeof(*j));

	j->env = env;
	j->cb = cb;
	j->arg = arg;
	j->sub_fd = j->log_fd = -1;
	j->size_bytes = -1;
	j->stage = job_phases[JOB_P_PREPARE].stage;
	uv_timer_init(env->loop, &j->hb_timer);
	uv_timer_init(env->loop, &j->retry_timer);
	if (uv_mutex_init(&j->tl_lock) != 0)
		util_oom();
	j->hb_timer.data = j->retry_timer.data = j;
	j->ops = JOB_OP_TIMERS;
	return j;
}

int
job__safe_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/*
 * The submission's size_bytes and sha256 from the claim into *size (-1:
 * none) and sha (lowercase; "": none).  An older server sends neither
 * (or null): its download is then taken as it comes, as before.  0, or
 * -1 when one is there but is not a size or a SHA-256.
 */
static int
job_claim_check(json_t *sub, int64_t *size, char sha[65])
{
	json_t *sz = json_object_get(sub, "size_bytes");
	json_t *sh = json_object_get(sub, "sha256");
	const char *h;
	size_t i;

	*size = -1;
	sha[0] = '\0';
	if (sz != NULL && !json_is_null(sz)) {
		if (!json_is_integer(sz) || json_integer_value(sz) < 0)
			return -1;
		*size = (int64_t)json_integer_value(sz);
	}
	if (sh == NULL || json_is_null(sh))
		return 0;
	if ((h = json_string_value(sh)) == NULL || strlen(h) != 64 ||
	    strspn(h, "0123456789abcdefABCDEF") != 64)
		return -1;
	for (i = 0; i < 64; i++)
		sha[i] = (char)(h[i] >= 'A' && h[i] <= 'F' ? h[i] - 'A' + 'a' :
		    h[i]);
	sha[64] = '\0';
	return 0;
}

/* The claim's fields into a new job (its files' paths too), or NULL. */
static struct job *
job_claim(const struct job_env *env, json_t *claim, job_done_cb *cb,
    void *arg)
{
	const char *wd = env->cfg->work_dir;
	const char *id = NULL, *kind = NULL, *dl = NULL;
	json_int_t attempt = 0, lease = 0, nsamples = 0;
	json_t *sub = NULL, *nan;
	int64_t size = -1;
	char sha[65];
	struct job *j;

	if (json_unpack(claim, "{s:s, s:I, s?I, s:o}", "id", &id, "attempt",
	    &attempt, "lease_seconds", &lease, "submission", &sub) != 0 ||
	    json_unpack(sub, "{s:s, s:s, s?I}", "kind", &kind, "download",
	    &dl, "n_samples", &nsamples) != 0 || !job__safe_name(id) ||
	    attempt < 1 || strlen(dl) >= 200 || dl[0] != '/' ||
	    (strcmp(kind, "standard") != 0 && strcmp(kind, "byod") != 0) ||
	    job_claim_check(sub, &size, sha) != 0)
		return NULL;
	j = job_new(env, cb, arg);
	util_fmt(j->id, sizeof(j->id), "%s", id);
	util_fmt(j->kind, sizeof(j->kind), "%s", kind);
	j->size_bytes = size;
	util_fmt(j->sha256, sizeof(j->sha256), "%s", sha);
	util_fmt(j->download, sizeof(j->download), "%s?attempt=%lld", dl,
	    (long long)attempt);
	j->attempt = attempt;
	j->lease_s = lease > 0 ? lease : 120;
	/* earlier attempts stopped for the loss (an older server: none) */
	nan = json_object_get(json_object_get(claim, "stops"), "nan_loss");
	j->nan_before = json_is_integer(nan) ? json_integer_value(nan) : 0;
	nan = json_object_get(json_object_get(claim, "stops"), "slurm_fault");
	j->slurm_before = json_is_integer(nan) ? json_integer_value(nan) : 0;
	j->n_samples = nsamples > 0 ? (uint64_t)nsamples : 0;
	if (strcmp(kind, "byod") == 0)
		j->wsamples = j->n_samples;
	util_fmt(j->dir, sizeof(j->dir), "%s/jobs/%s-%lld", wd, id,
	    (long long)attempt);
	util_fmt(j->sub, sizeof(j->sub), "%s/submission.%s", j->dir,
	    strcmp(kind, "byod") == 0 ? "json" : "txt");
	util_fmt(j->data, sizeof(j->data), "%s/data.json", j->dir);
	util_fmt(j->out, sizeof(j->out), "%s/model", j->dir);
	util_fmt(j->res, sizeof(j->res), "%s/results", j->dir);
	util_fmt(j->logp, sizeof(j->logp), "%s/job.log", j->dir);
	util_fmt(j->pending, sizeof(j->pending), "%s/pending/%s-%lld.json",
	    wd, id, (long long)attempt);
	return j;
}

/* The stage commands from their templates; a message in j->error if one
 * cannot be built (checked at start: never). */
static void
job_commands(struct job *j)
{
	const struct wkcfg *c = j->env->cfg;
	char attempt_s[32], e[512];
	const struct tmpl_var vars[] = {
		{ "data_json", j->data },
		{ "image_folder", c->image_folder },
		{ "output_dir", j->out },
		{ "result_dir", j->res },
		{ "val_json", c->val },
		{ "job_id", j->id },
		{ "attempt", attempt_s },
		{ "work_dir", j->dir },
		{ "bin_dir", j->env->bin_dir },
	};
	size_t nv = sizeof(vars) / sizeof(vars[0]);

	util_fmt(attempt_s, sizeof(attempt_s), "%lld", (long long)j->attempt);
	j->train_argv = tmpl_argv(c->train_command, vars, nv, e, sizeof(e));
	if (j->train_argv == NULL)
		util_fmt(j->error, sizeof(j->error), "train.command: %s", e);
	j->eval_argv = tmpl_argv(c->eval_command, vars, nv, e, sizeof(e));
	if (j->eval_argv == NULL && j->error[0] == '\0')
		util_fmt(j->error, sizeof(j->error), "evaluate.command: %s", e);
}

/* The stage environment: the base, then DO_* variables. */
static char **
job_environ(const struct job *j)
{
	char *const *e = j->env->environ;
	size_t n = 0, i, k = 0;
	char **out, buf[PATH_MAX + 64];

	while (e[n] != NULL)
		n++;
	out = util_xcalloc(n + 4, sizeof(*out));
	for (i = 0; i < n; i++)
		out[k++] = util_xstrdup(e[i]);
	out[k++] = util_xstrdup(util_fmt(buf, sizeof(buf), "DO_JOB_ID=%s",
	    j->id));
	out[k++] = util_xstrdup(util_fmt(buf, sizeof(buf), "DO_WORK_DIR=%s",
	    j->dir));
	out[k++] = util_xstrdup(util_fmt(buf, sizeof(buf), "DO_ATTEMPT=%lld",
	    (long long)j->attempt));
	out[k] = NULL;
	return out;
}

struct job *
job_start(const struct job_env *env, json_t *claim, job_done_cb *cb,
    void *arg, char *err, size_t errlen)
{
	struct job *j = job_claim(env, claim, cb, arg);

	if (j == NULL) {
		util_fmt(err, errlen, "a claim the worker cannot read");
		return NULL;
	}
	job_commands(j);
	j->envp = job_environ(j);
	j->claim = json_dumps(claim, JSON_COMPACT);
	job__say(j, "claimed (%s submission, lease %lld s)", j->kind,
	    (long long)j->lease_s);
	job__beat_start(j);
	if (j->error[0] != '\0') {
		job__fail(j, "%s", j->error);
		return j;
	}
	job__enter(j, JOB_P_PREPARE);
	return j;
}

struct job *
job_deliver(const struct job_env *env, const char *pending_path,
    job_done_cb *cb, void *arg)
{
	struct job *j = job_new(env, cb, arg);

	util_fmt(j->id, sizeof(j->id), "?");
	util_fmt(j->pending, sizeof(j->pending), "%s", pending_path);
	job__enter(j, JOB_P_LOAD);
	return j;
}

const char *
job_id(const struct job *j)
{
	return j->id;
}

/* ---- ADOPT ---- */

/* The file dir/name as a short string into out (outlen bytes, blanks at
 * the end dropped): 0, or -1. */
static int
job_read_word(const char *dir, const char *name, char *out, size_t outlen)
{
	char path[PATH_MAX + 32], e[256], *t;
	size_t n;

	util_fmt(path, sizeof(path), "%s/%s", dir, name);
	if ((t = util_read_small(path, outlen - 1, &n, e, sizeof(e))) == NULL)
		return -1;
	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == ' '))
		t[--n] = '\0';
	util_fmt(out, outlen, "%s", t);
	free(t);
	return n > 0 ? 0 : -1;
}

int
job_adoptable(const char *work_dir, const char *dir, struct job_adoptee *a)
{
	static const char *const stages[] = { "evaluate", "train" };
	char path[PATH_MAX + 32], word[32];
	const char *base = strrchr(dir, '/');
	struct stat st;
	size_t i;

	memset(a, 0, sizeof(*a));
	util_fmt(path, sizeof(path), "%s/FAILED", dir);
	if (stat(path, &st) == 0)
		return 0;
	/* a result waits: the pending delivery takes it */
	util_fmt(path, sizeof(path), "%s/pending/%s.json", work_dir,
	    base != NULL ? base + 1 : dir);
	if (stat(path, &st) == 0)
		return 0;
	/* the later stage's job, if it was submitted */
	for (i = 0; i < 2; i++) {
		util_fmt(path, sizeof(path), "%s.slurm-id", stages[i]);
		if (job_read_word(dir, path, a->slurm_id,
		    sizeof(a->slurm_id)) == 0 && strspn(a->slurm_id,
		    "0123456789") == strlen(a->slurm_id))
			break;
	}
	if (i == 2)
		return 0;
	util_fmt(a->stage, sizeof(a->stage), "%s", stages[i]);
	util_fmt(path, sizeof(path), "%s/claim.json", dir);
	if ((a->claim = json_load_file(path, 0, NULL)) == NULL)
		return 0;
	util_fmt(a->dir, sizeof(a->dir), "%s", dir);
	a->log_sent = job_read_word(dir, "log.sent", word, sizeof(word)) == 0 ?
	    strtoll(word, NULL, 10) : -1;
	return 1;
}

/* work: the log reopened, the train output's reader again. */
static void
job_w_adopt(struct job *j)
{
	struct stat st;

	j->log_fd = open(j->logp, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644);
	if (j->log_fd < 0) {
		util_fmt(j->werr, sizeof(j->werr), "%s: %s", j->logp,
		    strerror(errno));
		j->wrc = -1;
		return;
	}
	if (j->log_sent < 0 || fstat(j->log_fd, &st) != 0 ||
	    j->log_sent > st.st_size)
		j->log_sent = fstat(j->log_fd, &st) == 0 ? st.st_size : 0;
	job__wlog(j, "the worker restarted: following Slurm job %s of the %s "
	    "stage", j->adopt_id, j->stage);
	if (j->adopt_phase == JOB_P_TRAIN) {
		uv_mutex_lock(&j->tl_lock);
		j->tl = trainlog_new((uint64_t)j->env->cfg->nan_steps);
		j->tl_read = 0;		/* our own lines are not its */
		uv_mutex_unlock(&j->tl_lock);
	}
}

static void
job_adopt_opened(struct job *j)
{
	if (j->wrc != 0) {
		/* the attempt cannot go on here: cancel, hand it back */
		job__say(j, "cannot adopt: %s", j->werr);
		job__abort(j, JOB_A_SHUTDOWN);
		return;
	}
	job__beat_now(j);
}

static void
job_adopt_open(struct job *j)
{
	job__queue(j, job_w_adopt, job_adopt_opened);
}

struct job *
job_adopt(const struct job_env *env, struct job_adoptee *a, job_done_cb *cb,
    void *arg, char *err, size_t errlen)
{
	int train = strcmp(a->stage, "train") == 0;
	const char *id = NULL;
	json_int_t attempt = 0;
	char dir[PATH_MAX];
	struct job *j = NULL;

	/* the claim must be the directory's own */
	if (json_unpack(a->claim, "{s:s, s:I}", "id", &id, "attempt",
	    &attempt) != 0 || !job__safe_name(id) ||
	    strcmp(util_fmt(dir, sizeof(dir), "%s/jobs/%s-%lld",
	    env->cfg->work_dir, id, (long long)attempt), a->dir) != 0 ||
	    (j = job_claim(env, a->claim, cb, arg)) == NULL) {
		util_fmt(err, errlen, "%s: its claim.json is not its own, or "
		    "not a claim", a->dir);
		json_decref(a->claim);
		a->claim = NULL;
		return NULL;
	}
	job_commands(j);
	j->envp = job_environ(j);
	j->claim = json_dumps(a->claim, JSON_COMPACT);
	json_decref(a->claim);
	a->claim = NULL;
	j->wsamples = j->n_samples;
	j->log_sent = a->log_sent;
	util_fmt(j->adopt_id, sizeof(j->adopt_id), "%s", a->slurm_id);
	j->adopt_phase = train ? JOB_P_TRAIN : JOB_P_EVAL;
	j->stage = train ? "train" : "evaluate";
	j->progress = train ? JOB_TRAIN_P0 : JOB_TRAIN_P1;
	j->t0 = uv_now(env->loop);
	job__say(j, "adopting Slurm job %s (%s) left by an earlier run",
	    a->slurm_id, j->stage);
	job__beat_start(j);
	job__enter(j, JOB_P_ADOPT);
	return j;
}

/* ---- PREPARE ---- */

/* work: the attempt's directory and files. */
static void
job_w_prepare(struct job *j)
{
	const struct wkcfg *c = j->env->cfg;
	char path[PATH_MAX + 16];

	/* a directory left by an earlier run of the same attempt goes */
	if (wkfs_rmtree(j->dir) != 0 || wkfs_mkdirs(j->dir) != 0 ||
	    wkfs_mkdirs(j->out) != 0 || wkfs_mkdirs(j->res) != 0) {
		util_fmt(j->werr, sizeof(j->werr), "materialize: work "
		    "directory %s: %s", j->dir, strerror(errno));
		j->wrc = -1;
		return;
	}
	j->log_fd = open(j->logp, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644);
	j->sub_fd = open(j->sub, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	if (j->log_fd < 0 || j->sub_fd < 0) {
		util_fmt(j->werr, sizeof(j->werr), "materialize: %s: %s",
		    j->log_fd < 0 ? j->logp : j->sub, strerror(errno));
		j->wrc = -1;
		return;
	}
	job__wlog(j, "job %s attempt %lld on %s (backend %s): %s submission",
	    j->id, (long long)j->attempt, c->name, c->backend, j->kind);
	/* what a restarted worker needs to adopt a Slurm job of this
	   attempt (job_adoptable()) */
	util_fmt(path, sizeof(path), "%s/claim.json", j->dir);
	if (j->claim != NULL && (c->train_slurm || c->eval_slurm) &&
	    wkfs_write_file(path, j->claim, strlen(j->claim)) != 0) {
		util_fmt(j->werr, sizeof(j->werr), "materialize: %s: %s",
		    path, strerror(errno));
		j->wrc = -1;
	}
}

static void
job_prepare(struct job *j)
{
	job__queue(j, job_w_prepare, job__advance);
}

/* ---- DOWNLOAD ---- */

static void job_download_get(struct job *j);	/* after a retry, too */

/* work: empty the submission file for another try. */
static void
job_w_truncate(struct job *j)
{
	if (ftruncate(j->sub_fd, 0) != 0) {
		util_fmt(j->werr, sizeof(j->werr), "materialize: %s: %s",
		    j->sub, strerror(errno));
		j->wrc = -1;
	}
}

static void
job_truncated(struct job *j)
{
	if (j->wrc != 0) {
		job__fail(j, "%s", j->werr);
		return;
	}
	job_download_get(j);
}

static void
job_download_retry(uv_timer_t *t)
{
	struct job *j = t->data;

	job__queue(j, job_w_truncate, job_truncated);
}

/* 1 (told) if the download failed where another try may do. */
static int
job_download_again(struct job *j, long status, const char *err)
{
	if ((status != 0 && status < 500) || j->tries >= JOB_DL_TRIES)
		return 0;
	j->tries++;
	job__say(j, "download failed (%s); retry %d of %d in %lld ms",
	    status ? "server error" : err, j->tries, JOB_DL_TRIES,
	    (long long)j->retry_ms);
	return 1;
}

/* 0 if the body that came is the one the claim announced (else failed:
 * no retry, no stage). */
static int
job_download_verify(struct job *j, long status, const struct wkhttp_dl *dl)
{
	if (dl->over) {
		job__fail(j, "download: the server sent more than the %lld "
		    "bytes the claim announced", (long long)j->size_bytes);
		return -1;
	}
	if (status / 100 == 2 && j->size_bytes >= 0 &&
	    dl->bytes != (uint64_t)j->size_bytes) {
		job__fail(j, "download: the server sent %llu of the %lld bytes "
		    "the claim announced", (unsigned long long)dl->bytes,
		    (long long)j->size_bytes);
		return -1;
	}
	if (status / 100 == 2 && j->sha256[0] != '\0' &&
	    strcmp(dl->sha256, j->sha256) != 0) {
		job__fail(j, "download: SHA-256 mismatch (want %s, got %s)",
		    j->sha256, dl->sha256);
		return -1;
	}
	return 0;
}

static void
job_downloaded(void *arg, long status, const struct wkhttp_dl *dl,
    const char *body, size_t len, const char *err)
{
	struct job *j = arg;

	(void)len;
	j->http = NULL;
	if (job__draining(j) || job_download_verify(j, status, dl) != 0)
		return;
	if (status == 409 || status == 404) {
		job__say(j, "download answered %ld: the attempt is not ours "
		    "any more", status);
		job__abort(j, JOB_A_LOST);
		return;
	}
	if (job_download_again(j, status, err)) {
		job__retry(j, job_download_retry);
		return;
	}
	if (status == 0)
		job__fail(j, "materialize: downloading the submission: %s",
		    err);
	else if (status != 200)
		job__fail(j, "materialize: downloading the submission: "
		    "HTTP %ld: %.200s", status, body);
	else
		job__next(j);
}

static void
job_download_get(struct job *j)
{
	j->http = wkhttp_download(j->env->http, j->download, j->sub_fd,
	    j->size_bytes, job_downloaded, j);
	if (j->http == NULL)
		job__fail(j, "materialize: cannot start the download");
}

static void
job_download(struct job *j)
{
	j->retry_ms = j->env->cfg->retry_min_ms;
	job_download_get(j);
}

/* ---- MATERIALIZE ---- */

/* work: the training file of a standard submission (its IDs looked up in
 * the pool index); j->wsamples its samples. */
static void
job_w_standard(struct job *j)
{
	struct vresult vr;
	uint32_t *ids = NULL;
	uint64_t n = 0;

	if (j->env->pool == NULL) {
		util_fmt(j->werr, sizeof(j->werr), "materialize: this worker "
		    "has no pool index for a standard submission");
		j->wrc = -1;
		return;
	}
	vresult_init(&vr);
	if (stdval_file(j->env->pool, j->sub, 0, &vr, &ids, &n, j->werr,
	    sizeof(j->werr)) != 0) {
		j->wrc = -1;
	} else if (vr.n_errors > 0) {
		/* the server accepted it: the pools differ */
		util_fmt(j->werr, sizeof(j->werr), "materialize: the "
		    "worker's pool index refuses the list (%llu errors; line "
		    "%llu: %s)", (unsigned long long)vr.n_errors,
		    (unsigned long long)vr.errors[0].line, vr.errors[0].msg);
		j->wrc = -1;
	} else if (materialize_ids(j->env->pool, ids, n, j->data, j->werr,
	    sizeof(j->werr)) != 0) {
		j->wrc = -1;
	} else
		j->wsamples = n;
	vresult_clear(&vr);
	free(ids);
}

/* work: the training file from the downloaded submission. */
static void
job_w_materialize(struct job *j)
{
	struct stat st;

	close(j->sub_fd);
	j->sub_fd = -1;
	if (stat(j->sub, &st) == 0)
		job__wlog(j, "materialize: downloaded %lld bytes",
		    (long long)st.st_size);
	if (strcmp(j->kind, "standard") == 0)
		job_w_standard(j);
	else if (rename(j->sub, j->data) != 0) {
		/* the upload is LLaVA's training file, validated at upload */
		util_fmt(j->werr, sizeof(j->werr), "materialize: %s: %s",
		    j->data, strerror(errno));
		j->wrc = -1;
	}
	if (j->wrc != 0) {
		job__wlog(j, "%s", j->werr);
		return;
	}
	if (j->wsamples > 0)
		job__wlog(j, "materialize: %llu samples in %s",
		    (unsigned long long)j->wsamples, j->data);
}

static void
job_materialize(struct job *j)
{
	job__queue(j, job_w_materialize, job__advance);
}

/* ---- PREFLIGHT ---- */

/* work: read the training file; its items must be the submission's. */
static void
job_w_preflight_scan(struct job *j)
{
	const char *folder = j->env->cfg->image_folder;
	char e[1024];
	uint64_t n;

	j->pf_t0 = util_now_ns();
	j->pf = preflight_new(folder);
	if (preflight_scan(j->pf, j->data, e, sizeof(e)) != 0) {
		util_fmt(j->werr, sizeof(j->werr), "preflight: the training "
		    "file does not parse: %s", e);
		j->wrc = -1;
	} else if (j->n_samples > 0 &&
	    (n = preflight_items(j->pf)) != j->n_samples) {
		util_fmt(j->werr, sizeof(j->werr), "preflight: the training "
		    "file holds %llu items, the submission %llu",
		    (unsigned long long)n, (unsigned long long)j->n_samples);
		j->wrc = -1;
	}
	if (j->wrc != 0) {
		job__wlog(j, "%s", j->werr);
		return;
	}
	job__wlog(j, "preflight: %llu items, %zu distinct images%s",
	    (unsigned long long)preflight_items(j->pf),
	    preflight_images(j->pf), folder[0] == '\0' ? " (no "
	    "worker.image_folder: the images are not checked)" : "");
}

/* work: the images' verdict (each unusable one in the log), then the
 * train command that runs next. */
static void
job_w_preflight_end(struct job *j)
{
	const char *path, *why;
	char line[2048];
	size_t i, n = preflight_bad(j->pf);
	struct stat st;

	for (i = 0; i < n && i < PREFLIGHT_LIST; i++) {
		path = preflight_bad_image(j->pf, i, &why);
		job__wlog(j, "preflight: %.1000s: %s", path, why);
	}
	if (preflight_result(j->pf, line, sizeof(line)) != 0) {
		util_fmt(j->werr, sizeof(j->werr), "preflight: %s", line);
		job__wlog(j, "%s", j->werr);
		j->wrc = -1;
		return;
	}
	job__wlog(j, "preflight: passed in %.2f s",
	    (double)(util_now_ns() - j->pf_t0) / 1e9);
	line[0] = '\0';
	for (i = 0; j->train_argv[i] != NULL; i++) {
		size_t l = strlen(line);

		util_fmt(line + l, sizeof(line) - l, "%s%s", i ? " " : "",
		    j->train_argv[i]);
	}
	job__wlog(j, "train: %s", line);
	/* the train stage's output starts here */
	uv_mutex_lock(&j->tl_lock);
	j->tl = trainlog_new((uint64_t)j->env->cfg->nan_steps);
	j->tl_read = fstat(j->log_fd, &st) == 0 ? st.st_size : 0;
	uv_mutex_unlock(&j->tl_lock);
}

static void
job_preflight_checked(void *arg)
{
	struct job *j = arg;

	j->ops &= ~JOB_OP_PREFLIGHT;
	if (job__draining(j))
		return;
	job__queue(j, job_w_preflight_end, job__advance);
}

/* The file is read: check its images on the thread pool, a few chunks
 * at a time. */
static void
job_preflight_scanned(struct job *j)
{
	if (j->wrc != 0) {
		job__fail(j, "%s", j->werr);
		return;
	}
	if (preflight_run(j->pf, j->env->loop, JOB_PF_PARALLEL,
	    job_preflight_checked, j)) {
		j->ops |= JOB_OP_PREFLIGHT;
		return;
	}
	job__queue(j, job_w_preflight_end, job__advance);
}

static void
job_preflight(struct job *j)
{
	job__queue(j, job_w_preflight_scan, job_preflight_scanned);
}

/* ---- TRAIN, EVAL ---- */

/* The phase's time limit (train.timeout or evaluate.timeout), seconds. */
static int64_t
job_stage_timeout(const struct job *j)
{
	return j->phase == JOB_P_TRAIN ? j->env->cfg->train_timeout :
	    j->env->cfg->eval_timeout;
}

/*
 * A run whose loss stopped it (nan_why): handed back for another attempt
 * (the fault may be the host's: a GPU, a driver), or, when an earlier
 * attempt of the job stopped so too, failed as the team's fault.  The
 * claim's stops.nan_loss says which: the server keeps why each attempt
 * was handed back, whichever worker ran it.
 */
static void
job_nan_decide(struct job *j)
{
	if (j->nan_before > 0) {
		j->team_fault = 1;
		job__fail(j, "%s; an earlier attempt stopped so too: the "
		    "training data is at fault", j->nan_why);
		return;
	}
	util_fmt(j->error, sizeof(j->error), "%s; handed back for another "
	    "attempt", j->nan_why);
	job__say(j, "%s", j->error);
	j->retry_stop = "nan_loss";
	job__abort(j, JOB_A_RETRY);
}

static void
job_stage_exited(void *arg, enum stage_end end, int64_t status, int sig)
{
	struct job *j = arg;
	double secs = (double)(uv_now(j->env->loop) - j->t0) / 1000.0;

	j->proc = NULL;
	if (job__draining(j))
		return;
	if (j->nan_stopping)
		job_nan_decide(j);
	else if (end == STAGE_TIMEOUT)
		job__fail(j, "%s: timed out after %lld s (limit %s.timeout); "
		    "its processes were stopped", j->stage,
		    (long long)job_stage_timeout(j), j->stage);
	else if (sig != 0)
		job__fail(j, "%s: the command was killed by signal %d after "
		    "%.1f s", j->stage, sig, secs);
	else if (status != 0)
		job__fail(j, "%s: the command exited with status %lld after "
		    "%.1f s (see the log)", j->stage, (long long)status, secs);
	else {
		job__say(j, "%s: exited 0 after %.1f s", j->stage, secs);
		job__next(j);
	}
}

void
job__nan_stop(struct job *j, const char *why)
{
	if (j->nan_stopping || j->phase != JOB_P_TRAIN ||
	    (j->proc == NULL && j->sl == NULL))
		return;
	j->nan_stopping = 1;
	util_fmt(j->nan_why, sizeof(j->nan_why), "%s", why);
	job__say(j, "%s: stopping the stage", why);
	if (j->proc != NULL)
		stage_stop(j->proc, 0);
	else
		slurm_stop(j->sl);
}

int
job__on_slurm(const struct job *j)
{
	const struct wkcfg *c = j->env->cfg;

	return j->phase == JOB_P_TRAIN ? c->train_slurm :
	    j->phase == JOB_P_EVAL ? c->eval_slurm : 0;
}

/* How the stage's batch job ended. */
static void
job_slurm_ended(void *arg, const struct slurm_end *e)
{
	struct job *j = arg;
	double secs = (double)(uv_now(j->env->loop) - j->t0) / 1000.0;

	j->sl = NULL;
	if (job__draining(j))
		return;
	if (j->nan_stopping) {
		job_nan_decide(j);
		return;
	}
	switch (e->how) {
	case SLURM_EXITED:
		if (e->status != 0) {
			job__fail(j, "%s: the command exited with status %lld "
			    "after %.1f s (Slurm job %s; see the log)",
			    j->stage, (long long)e->status, secs, e->job_id);
			return;
		}
		job__say(j, "%s: Slurm job %s exited 0 after %.1f s",
		    j->stage, e->job_id, secs);
		job__next(j);
		return;
	case SLURM_TIMEOUT:
		job__fail(j, "%s: timed out after %lld s (limit %s.timeout); "
		    "Slurm job %s was stopped", j->stage,
		    (long long)job_stage_timeout(j), j->stage, e->job_id);
		return;
	case SLURM_STOPPED:
		job__fail(j, "%s: Slurm job %s was stopped", j->stage,
		    e->job_id);
		return;
	case SLURM_ENDED:
		break;
	}
	/* a node failure or preemption: the cluster's fault; the attempt
	   goes back for another one (a few times) */
	if (e->requeue && j->slurm_before < JOB_SLURM_RETRIES) {
		util_fmt(j->error, sizeof(j->error), "%s: %s; handed back for "
		    "another attempt", j->stage, e->why);
		job__say(j, "%s", j->error);
		j->retry_stop = "slurm_fault";
		job__abort(j, JOB_A_RETRY);
		return;
	}
	/* else the system's fault too: a submission Slurm refused, no exit
	   status, cancelled by someone else */
	job__fail(j, "%s: %s%s", j->stage, e->why, e->requeue ? "; the "
	    "earlier attempts ended so too: not handed back again" : "");
}

/* The phase's stage as a Slurm batch job (or the adopted one). */
static void
job_run_slurm(struct job *j)
{
	const struct wkcfg *c = j->env->cfg;
	struct slurm_opts o;
	struct slurm_spec sp;
	char name[160];

	wkcfg_slurm_opts(c, &o);
	memset(&sp, 0, sizeof(sp));
	util_fmt(name, sizeof(name), "dataoptim-%s-%lld-%s", j->id,
	    (long long)j->attempt, j->stage);
	sp.name = name;
	sp.dir = j->dir;
	sp.tag = j->stage;
	sp.output = j->logp;
	sp.argv = j->phase == JOB_P_TRAIN ? j->train_argv : j->eval_argv;
	sp.env = j->envp;
	sp.extra = j->phase == JOB_P_TRAIN ? c->train_extra : c->eval_extra;
	sp.timeout_ms = (uint64_t)job_stage_timeout(j) * 1000;
	sp.adopt = j->adopt_id[0] != '\0' ? j->adopt_id : NULL;
	j->sl = slurm_start(j->env->loop, &o, &sp, job_slurm_ended, j);
	job__say(j, "%s: %s Slurm job %s", j->stage, sp.adopt != NULL ?
	    "following" : "submitting", sp.adopt != NULL ? sp.adopt : name);
	j->adopt_id[0] = '\0';
}

/* The one place a stage command runs: the phase's command, under the
 * stage shim, its output into the log. */
static void
job_run_stage(struct job *j)
{
	struct stage_spec sp;
	char err[512];

	j->t0 = uv_now(j->env->loop);
	if (job__on_slurm(j)) {
		job_run_slurm(j);
		return;
	}
	memset(&sp, 0, sizeof(sp));
	sp.argv = j->phase == JOB_P_TRAIN ? j->train_argv : j->eval_argv;
	sp.env = j->envp;
	sp.cwd = j->dir;
	sp.log_fd = j->log_fd;
	sp.timeout_ms = (uint64_t)job_stage_timeout(j) * 1000;
	sp.grace_ms = (uint64_t)j->env->cfg->kill_grace * 1000;
	sp.shim = j->env->self_exe;
	j->proc = stage_start(j->env->loop, &sp, job_stage_exited, j, err,
	    sizeof(err));
	if (j->proc == NULL) {
		job__fail(j, "%s: %s", j->stage, err);
		return;
	}
	job__say(j, "%s: started, process group %d", j->stage,
	    stage_pgid(j->proc));
}

/* ---- TRAIN_CHECK, EVAL_CHECK ---- */

/* work: check a stage's required files, then log the next step. */
static void
job_w_check_in(struct job *j, int train)
{
	const struct wkcfg *c = j->env->cfg;
	char missing[512];

	if (wkfs_required(train ? j->out : j->res, train ? c->train_required :
	    c->eval_required, missing, sizeof(missing)) != 0) {
		util_fmt(j->werr, sizeof(j->werr), "%s: the command exited "
		    "0 but left no %s in the %s directory", train ? "train" :
		    "evaluate", missing, train ? "output" : "result");
		job__wlog(j, "%s", j->werr);
		j->wrc = -1;
		return;
	}
	if (train)
		job__wlog(j, "train: done; evaluate starts");
	else
		job__wlog(j, "evaluate: done; score starts");
}

/* work: the rest of the train stage's output, then its files. */
static void
job_w_check_train(struct job *j)
{
	json_decref(job__train_read(j, 1, &j->wnan, j->nan_why,
	    sizeof(j->nan_why)));
	if (j->wnan) {
		job__wlog(j, "%s", j->nan_why);
		return;
	}
	job_w_check_in(j, 1);
}

/* A run the loss stopped is decided as one stopped on the way. */
static void
job_train_checked(struct job *j)
{
	if (j->wnan) {
		job_nan_decide(j);
		return;
	}
	job__advance(j);
}

static void
job_w_check_eval(struct job *j)
{
	job_w_check_in(j, 0);
}

static void
job_check(struct job *j)
{
	if (j->phase == JOB_P_TRAIN_CHECK)
		job__queue(j, job_w_check_train, job_train_checked);
	else
		job__queue(j, job_w_check_eval, job__advance);
}

/* ---- SCORE ---- */

/* work: score the result directory. */
static void
job_w_score(struct job *j)
{
	struct score_result *r;
	char line[1024];
	size_t t, n;
	int kind = 0;

	r = score_dir(j->env->val, j->res, j->env->map, j->env->nmap, &kind,
	    j->werr, sizeof(j->werr));
	if (r == NULL) {
		j->wrc = -1;
		job__wlog(j, "score: %s", j->werr);
		return;
	}
	j->wscore = score_result_json(r);
	n = score_result_ntasks(r);
	util_fmt(line, sizeof(line), "score: overall %.4f (",
	    score_result_overall(r));
	for (t = 0; t < n; t++) {
		struct score_task st;
		size_t l = strlen(line);

		score_result_task(r, t, &st);
		util_fmt(line + l, sizeof(line) - l, "%s%s %.4f",
		    t ? ", " : "", st.name, st.score);
	}
	job__wlog(j, "%s)", line);
	score_result_free(r);
}

static void
job_scored(struct job *j)
{
	if (j->wrc != 0) {
		job__fail(j, "score: %s", j->werr);
		return;
	}
	job__next(j);
}

static void
job_score(struct job *j)
{
	job__queue(j, job_w_score, job_scored);
}

/* ---- failures and aborts ---- */

void
job__fail(struct job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->error, sizeof(j->error), fmt, ap);
	va_end(ap);
	j->verdict = JOB_FAILED;
	job__say(j, "failed: %s", j->error);
	job__enter(j, JOB_P_SAVE);
}

/* Stop the timers and the heartbeat in flight. */
static void
job_quiet(struct job *j)
{
	uv_timer_stop(&j->hb_timer);
	uv_timer_stop(&j->retry_timer);
	if (j->hb_req != NULL) {
		wkhttp_cancel(j->hb_req);
		j->hb_req = NULL;
	}
}

/* The error of a dropped job; NULL: the one already set stays. */
static const char *const job_abort_error[] = {
	[JOB_A_CANCELLED] = "cancelled",
	[JOB_A_LOST] = "the lease was lost",
	[JOB_A_SHUTDOWN] = "handed back: the worker stopped",
	[JOB_A_RETRY] = NULL,
};

void
job__abort(struct job *j, enum job_abort why)
{
	if (j->abort != JOB_A_NONE || j->phase >= JOB_P_DRAINING)
		return;
	j->abort = why;
	if (j->verdict != JOB_FAILED && job_abort_error[why] != NULL)
		util_fmt(j->error, sizeof(j->error), "%s",
		    job_abort_error[why]);
	job_quiet(j);
	if (j->proc != NULL)
		stage_stop(j->proc, 0);
	if (j->phase == JOB_P_ADOPT && j->adopt_id[0] != '\0') {
		/* not ours any more (or stopping): cancel the adopted job */
		j->phase = j->adopt_phase;
		job_run_slurm(j);
	}
	if (j->sl != NULL)
		slurm_stop(j->sl);
	if (j->http != NULL) {	/* a download or a result */
		wkhttp_cancel(j->http);
		j->http = NULL;
	}
	if (why == JOB_A_CANCELLED || why == JOB_A_LOST)
		j->outcome = JOB_DROPPED;
	else if (job__has_result(j))
		j->outcome = JOB_LEFT_PENDING;
	else {
		j->outcome = JOB_RELEASED;
		job__hand_back(j);
	}
	job__enter(j, JOB_P_DRAINING);
}

void
job_shutdown(struct job *j)
{
	if (j->abort != JOB_A_NONE) {
		if (j->proc != NULL)
			stage_stop(j->proc, 1);	/* second time: at once */
		return;
	}
	job__say(j, "stopping: the stage is stopped and the job handed back");
	job__abort(j, JOB_A_SHUTDOWN);
}

/* ---- the end: DRAINING, CLEANUP, CLOSING ---- */

void
job__finish(struct job *j, enum job_outcome outcome)
{
	j->outcome = outcome;
	job_quiet(j);
	job__enter(j, JOB_P_DRAINING);
}

/* DRAINING: once nothing is in flight (the timers aside), clean up. */
static void
job_drain(struct job *j)
{
	if ((job__pending(j) & ~JOB_OP_TIMERS) == 0)
		job__next(j);
}

int
job__draining(struct job *j)
{
	if (j->phase != JOB_P_DRAINING)
		return 0;
	job_drain(j);
	return 1;
}

/* work: close the files; remove the directory after a delivered success,
 * else mark it FAILED (the sweep removes it after worker.keep_failed);
 * remove the pending file unless the result is still to be delivered. */
static void
job_w_cleanup(struct job *j)
{
	char marker[PATH_MAX + 16];

	if (j->sub_fd >= 0)
		close(j->sub_fd);
	if (j->log_fd >= 0)
		close(j->log_fd);
	j->sub_fd = j->log_fd = -1;
	if (j->outcome != JOB_LEFT_PENDING && j->pending[0] != '\0')
		(void)unlink(j->pending);
	if (j->dir[0] == '\0')
		return;
	if (j->outcome == JOB_DELIVERED && j->verdict == JOB_SUCCEEDED) {
		if (wkfs_rmtree(j->dir) != 0)
			util_fmt(j->werr, sizeof(j->werr), "removing %s: %s",
			    j->dir, strerror(errno));
		return;
	}
	if (j->outcome == JOB_LEFT_PENDING)
		return;
	util_fmt(marker, sizeof(marker), "%s/FAILED", j->dir);
	(void)wkfs_write_file(marker, j->error, strlen(j->error));
}

static void
job_cleaned(struct job *j)
{
	if (j->werr[0] != '\0')
		job__say(j, "%s", j->werr);
	job__next(j);
}

static void
job_cleanup(struct job *j)
{
	job__queue(j, job_w_cleanup, job_cleaned);
}

static void
job_free(struct job *j)
{
	tmpl_free(j->train_argv);
	tmpl_free(j->eval_argv);
	tmpl_free(j->envp);
	free(j->claim);
	preflight_free(j->pf);
	trainlog_free(j->tl);
	uv_mutex_destroy(&j->tl_lock);
	json_decref(j->hb_train);
	free(j->hb_log);
	free(j->wscore);
	free(j->body);
	free(j);
}

/* The last handle closed: the job is over. */
static void
job_closed(uv_handle_t *h)
{
	struct job *j = h->data;
	unsigned op = h == (uv_handle_t *)&j->hb_timer ? JOB_OP_HB_TIMER :
	    JOB_OP_RETRY_TIMER;

	j->ops &= ~op;
	if (j->ops != 0)
		return;
	j->cb(j->arg, j->outcome);
	job_free(j);
}

static void
job_close(struct job *j)
{
	uv_close((uv_handle_t *)&j->hb_timer, job_closed);
	uv_close((uv_handle_t *)&j->retry_timer, job_closed);
}
