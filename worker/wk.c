/* wk: the claim loop, signals, pending results, the sweep (see wk.h). */
#include "wk.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "job.h"
#include "pool.h"
#include "score.h"
#include "slurm.h"
#include "tmpl.h"
#include "util.h"
#include "wkcfg.h"
#include "wkfs.h"
#include "wkhttp.h"

extern char **environ;

struct wk {
	uv_loop_t *loop;
	struct wkcfg *cfg;
	struct wkhttp *http;
	struct pool *pool;
	struct score_val *val;
	struct score_map *map;		/* metric overrides */
	size_t nmap;
	char *map_buf;			/* the strings map points into */
	char bin_dir[PATH_MAX];
	char self_exe[PATH_MAX];	/* the stage shim */
	char **envp;			/* stage environment base */
	struct job_env env;		/* what the jobs share */
	uv_signal_t sig_term, sig_int;
	uv_timer_t claim_timer;		/* backoff */
	struct wkhttp_req *claim;	/* claim (or release) in flight */
	int64_t backoff_ms;
	struct wk_run *runs;		/* the running jobs */
	size_t n_runs;			/* at most cfg->max_jobs, adopted ones
					   aside */
	char **pending;			/* results left by an earlier run */
	size_t n_pending, i_pending;
	struct job_adoptee *adopt;	/* Slurm jobs left by an earlier run */
	size_t n_adopt, i_adopt;
	struct slurm_run *probe;	/* the shared-storage probe job */
	int probe_ok;			/* it ran (or is not wanted) */
	int failed;			/* stopped for an error: exit 1 */
	uv_work_t work;			/* start-up scan, sweep */
	int work_busy;
	int started;
	int stopping;			/* a stop signal came */
	int closed;			/* handles closed */
};

/* One running job. */
struct wk_run {
	struct wk *w;
	struct job *job;
	struct wk_run *next;
};

static void wk_next(struct wk *w);

static void
wk_say(const struct wk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
wk_say(const struct wk *w, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "dataoptim-worker: %s: %s\n", w->cfg->name, msg);
}

/* Parse "task=metric,..." into w->map (at most one entry per byte). */
static int
wk_metrics(struct wk *w, char *err, size_t errlen)
{
	size_t max = strlen(w->cfg->metrics) + 1;
	char e[256];

	w->map_buf = util_xstrdup(w->cfg->metrics);
	w->map = util_xcalloc(max, sizeof(*w->map));
	if (score_map_parse(w->map_buf, w->map, max, &w->nmap, e,
	    sizeof(e)) != 0) {
		util_fmt(err, errlen, "worker.metrics: %s", e);
		return -1;
	}
	return 0;
}

/* The stage environment: ours, with [env] over it. */
static char **
wk_environ(const struct wkcfg *c)
{
	size_t n = 0, i, k, m;
	char **out;

	while (environ[n] != NULL)
		n++;
	out = util_xcalloc(n + c->env.n + 1, sizeof(*out));
	m = 0;
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t kl = eq ? (size_t)(eq - environ[i]) + 1 : 0;
		int over = 0;

		for (k = 0; kl && k < c->env.n; k++)
			if (strncmp(c->env.kv[k], environ[i], kl) == 0)
				over = 1;
		if (!over)
			out[m++] = util_xstrdup(environ[i]);
	}
	for (k = 0; k < c->env.n; k++)
		out[m++] = util_xstrdup(c->env.kv[k]);
	out[m] = NULL;
	return out;
}

struct wk *
wk_new(uv_loop_t *loop, struct wkcfg *cfg, const char *self_exe,
    const char *bin_dir, char *err, size_t errlen)
{
	struct wk *w = util_xcalloc(1, sizeof(*w));
	const struct tmpl_var vars[] = {
		{ "data_json", "" }, { "image_folder", "" },
		{ "output_dir", "" }, { "result_dir", "" }, { "val_json", "" },
		{ "job_id", "" }, { "attempt", "" }, { "work_dir", "" },
		{ "bin_dir", "" },
	};
	char e[512];
	int kind;

	w->loop = loop;
	w->cfg = cfg;
	util_fmt(w->bin_dir, sizeof(w->bin_dir), "%s", bin_dir);
	util_fmt(w->self_exe, sizeof(w->self_exe), "%s", self_exe);
	if (!tmpl_check(cfg->train_command, vars, 9, e, sizeof(e))) {
		util_fmt(err, errlen, "train.command: %s", e);
		goto fail;
	}
	if (!tmpl_check(cfg->eval_command, vars, 9, e, sizeof(e))) {
		util_fmt(err, errlen, "evaluate.command: %s", e);
		goto fail;
	}
	if (wk_metrics(w, err, errlen) != 0)
		goto fail;
	if (cfg->pool[0] != '\0' &&
	    (w->pool = pool_open(cfg->pool, 0, e, sizeof(e))) == NULL) {
		util_fmt(err, errlen, "pool %s: %s", cfg->pool, e);
		goto fail;
	}
	if ((w->val = score_val_load(cfg->val, &kind, e, sizeof(e))) == NULL) {
		util_fmt(err, errlen, "validation set %s: %s", cfg->val, e);
		goto fail;
	}
	w->http = wkhttp_new(loop, cfg->server, cfg->token, cfg->http_timeout,
	    err, errlen);
	if (w->http == NULL)
		goto fail;
	w->envp = wk_environ(cfg);
	w->env.loop = loop;
	w->env.cfg = cfg;
	w->env.http = w->http;
	w->env.pool = w->pool;
	w->env.val = w->val;
	w->env.map = w->map;
	w->env.nmap = w->nmap;
	w->env.bin_dir = w->bin_dir;
	w->env.self_exe = w->self_exe;
	w->env.environ = w->envp;
	w->backoff_ms = cfg->claim_min_ms;
	w->probe_ok = !(cfg->train_slurm || cfg->eval_slurm) || !cfg->probe;
	return w;
fail:
	wk_free(w);
	return NULL;
}

void
wk_free(struct wk *w)
{
	size_t i;

	if (w == NULL)
		return;
	if (w->envp != NULL) {
		for (i = 0; w->envp[i] != NULL; i++)
			free(w->envp[i]);
		free(w->envp);
	}
	for (i = 0; i < w->n_pending; i++)
		free(w->pending[i]);
	free(w->pending);
	for (i = 0; i < w->n_adopt; i++)
		json_decref(w->adopt[i].claim);
	free(w->adopt);
	free(w->map);
	free(w->map_buf);
	score_val_free(w->val);
	pool_close(w->pool);
	wkcfg_free(w->cfg);
	free(w);
}

/* ---- stopping ---- */

static void
wk_close(struct wk *w)
{
	if (w->closed)
		return;
	w->closed = 1;
	wk_say(w, "stopped");
	uv_close((uv_handle_t *)&w->sig_term, NULL);
	uv_close((uv_handle_t *)&w->sig_int, NULL);
	uv_close((uv_handle_t *)&w->claim_timer, NULL);
	wkhttp_free(w->http);
	w->http = NULL;
}

/* Stop: no more claims, the running jobs handed back; failed: exit 1. */
static void
wk_stop(struct wk *w, int failed)
{
	struct wk_run *r;

	if (w->stopping)
		return;
	w->stopping = 1;
	w->failed = failed;
	uv_timer_stop(&w->claim_timer);
	for (r = w->runs; r != NULL; r = r->next)
		job_shutdown(r->job);
	if (w->probe != NULL)
		slurm_stop(w->probe);
	wk_next(w);
}

static void
wk_signal(uv_signal_t *s, int signum)
{
	struct wk *w = s->data;

	struct wk_run *r;

	if (w->stopping) {
		wk_say(w, "%s again: killing the stage at once",
		    strsignal(signum));
		for (r = w->runs; r != NULL; r = r->next)
			job_shutdown(r->job);
		return;
	}
	wk_say(w, "%s: stopping", strsignal(signum));
	wk_stop(w, 0);
}

/* ---- the sweep and the start-up scan (thread pool) ---- */

static int
wk_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* At start: the results an earlier run could not deliver. */
static void
wk_w_pending(struct wk *w, const char *path)
{
	char file[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;	/* also skips *.tmp.* files */
		w->pending = util_xreallocarray(w->pending, w->n_pending + 1,
		    sizeof(*w->pending));
		util_fmt(file, sizeof(file), "%s/%s", path, de->d_name);
		w->pending[w->n_pending++] = util_xstrdup(file);
	}
	closedir(d);
	if (w->n_pending > 1)
		qsort(w->pending, w->n_pending, sizeof(*w->pending), wk_cmp);
}

/* At start, with Slurm: a fresh directory for the probe job. */
static void
wk_w_probe_dir(struct wk *w)
{
	char path[PATH_MAX];

	util_fmt(path, sizeof(path), "%s/probe", w->cfg->work_dir);
	if (wkfs_rmtree(path) != 0 || wkfs_mkdirs(path) != 0)
		fprintf(stderr, "dataoptim-worker: %s: %s\n", path,
		    strerror(errno));
}

/*
 * The attempt directories: at start, the ones whose Slurm job an earlier
 * run left are adopted, and any other one without a FAILED marker is left
 * over from an earlier run; later, only marked ones are done with (the
 * others belong to running jobs).  Both go after worker.keep_failed.
 */
static void
wk_w_sweep(struct wk *w, const char *path)
{
	const struct wkcfg *c = w->cfg;
	char dir[PATH_MAX], marker[PATH_MAX + 16];
	time_t now = time(NULL);
	struct dirent *de;
	struct stat st;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		util_fmt(dir, sizeof(dir), "%s/%s", path, de->d_name);
		if (!w->started && (c->train_slurm || c->eval_slurm)) {
			struct job_adoptee a;

			if (job_adoptable(c->work_dir, dir, &a)) {
				w->adopt = util_xreallocarray(w->adopt,
				    w->n_adopt + 1, sizeof(*w->adopt));
				w->adopt[w->n_adopt++] = a;
				continue;
			}
		}
		util_fmt(marker, sizeof(marker), "%s/FAILED", dir);
		if (stat(marker, &st) != 0 &&
		    (w->started || lstat(dir, &st) != 0))
			continue;
		if ((int64_t)(now - st.st_mtime) < c->keep_failed)
			continue;
		if (wkfs_rmtree(dir) != 0)
			fprintf(stderr, "dataoptim-worker: removing %s: %s\n",
			    dir, strerror(errno));
	}
	closedir(d);
}

static void
wk_w_scan(uv_work_t *wr)
{
	struct wk *w = wr->data;
	const struct wkcfg *c = w->cfg;
	char path[PATH_MAX];

	util_fmt(path, sizeof(path), "%s/jobs", c->work_dir);
	if (wkfs_mkdirs(path) != 0)
		fprintf(stderr, "dataoptim-worker: %s: %s\n", path,
		    strerror(errno));
	wk_w_sweep(w, path);
	util_fmt(path, sizeof(path), "%s/pending", c->work_dir);
	if (wkfs_mkdirs(path) != 0)
		fprintf(stderr, "dataoptim-worker: %s: %s\n", path,
		    strerror(errno));
	if (!w->started) {
		wk_w_pending(w, path);
		if (!w->probe_ok)
			wk_w_probe_dir(w);
	}
}

static void
wk_scanned(uv_work_t *wr, int status)
{
	struct wk *w = wr->data;

	(void)status;
	w->work_busy = 0;
	if (!w->started && w->n_pending > 0)
		wk_say(w, "%zu result%s of an earlier run to deliver",
		    w->n_pending, w->n_pending == 1 ? "" : "s");
	if (!w->started && w->n_adopt > 0)
		wk_say(w, "%zu Slurm job%s of an earlier run to adopt",
		    w->n_adopt, w->n_adopt == 1 ? "" : "s");
	w->started = 1;
	wk_next(w);
}

static void
wk_scan(struct wk *w)
{
	if (w->work_busy)
		return;
	w->work.data = w;
	if (uv_queue_work(w->loop, &w->work, wk_w_scan, wk_scanned) == 0)
		w->work_busy = 1;
}

/* ---- the probe: is the work dir shared with the compute nodes? ---- */

static void
wk_probed(void *arg, const struct slurm_end *e)
{
	struct wk *w = arg;

	w->probe = NULL;
	if (e->how == SLURM_EXITED && e->status == 0) {
		w->probe_ok = 1;
		wk_say(w, "Slurm probe job %s ran and its exit status reached "
		    "%s/probe: the work dir is shared; claiming jobs",
		    e->job_id, w->cfg->work_dir);
	} else if (e->how != SLURM_STOPPED) {
		wk_say(w, "the Slurm probe job failed: %s; the worker stops "
		    "(slurm.probe = false skips the check)", e->how ==
		    SLURM_ENDED ? e->why : e->how == SLURM_TIMEOUT ?
		    "it timed out" : "it exited non-zero (see probe/probe.log)");
		wk_stop(w, 1);
		return;
	}
	wk_next(w);
}

/* A tiny batch job that writes into the work dir from a compute node
 * (slurm.h: its exit file), before the first claim. */
static void
wk_probe(struct wk *w)
{
	struct slurm_opts o;
	struct slurm_spec sp;
	char dir[PATH_MAX], out[PATH_MAX + 16], name[300];
	char *argv[] = { (char *)"hostname", NULL };

	wkcfg_slurm_opts(w->cfg, &o);
	util_fmt(dir, sizeof(dir), "%s/probe", w->cfg->work_dir);
	util_fmt(out, sizeof(out), "%s/probe.log", dir);
	util_fmt(name, sizeof(name), "dataoptim-probe-%s", w->cfg->name);
	memset(&sp, 0, sizeof(sp));
	sp.name = name;
	sp.dir = dir;
	sp.tag = "probe";
	sp.output = out;
	sp.argv = argv;
	sp.env = w->envp;
	sp.minimal = 1;
	sp.timeout_ms = 60000;
	wk_say(w, "checking with a probe job that Slurm's compute nodes "
	    "share %s", w->cfg->work_dir);
	w->probe = slurm_start(w->loop, &o, &sp, wk_probed, w);
}

/* ---- jobs ---- */

static void
wk_job_done(void *arg, enum job_outcome outcome)
{
	struct wk_run *r = arg, **pp;
	struct wk *w = r->w;

	(void)outcome;
	for (pp = &w->runs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	free(r);
	w->n_runs--;
	w->backoff_ms = w->cfg->claim_min_ms;
	if (w->stopping) {
		wk_next(w);
		return;
	}
	wk_scan(w);		/* sweep, then claim again at once */
}

/* A slot for a job about to start; wk_run_add() keeps it if one did. */
static struct wk_run *
wk_run_new(struct wk *w)
{
	struct wk_run *r = util_xcalloc(1, sizeof(*r));

	r->w = w;
	return r;
}

static void
wk_run_add(struct wk *w, struct wk_run *r)
{
	if (r->job == NULL) {
		free(r);
		return;
	}
	r->next = w->runs;
	w->runs = r;
	w->n_runs++;
}

static void
wk_claim_fire(uv_timer_t *t)
{
	wk_next(t->data);
}

static void
wk_backoff(struct wk *w, int64_t min, int64_t max)
{
	if (w->backoff_ms < min)
		w->backoff_ms = min;
	uv_timer_start(&w->claim_timer, wk_claim_fire, (uint64_t)w->backoff_ms,
	    0);
	w->backoff_ms *= 2;
	if (w->backoff_ms > max)
		w->backoff_ms = max;
}

static void
wk_released(void *arg, long status, const char *body, size_t len,
    const char *err)
{
	struct wk *w = arg;

	(void)body;
	(void)len;
	w->claim = NULL;
	if (status == 200)
		wk_say(w, "handed back the job claimed while stopping");
	else
		wk_say(w, "could not hand back the job claimed while stopping "
		    "(%ld %s); its lease will expire", status, err);
	wk_next(w);
}

static void
wk_claimed(void *arg, long status, const char *body, size_t len,
    const char *err)
{
	struct wk *w = arg;
	const struct wkcfg *c = w->cfg;
	json_t *o = NULL, *jo;
	struct wk_run *r;
	char e[256];

	w->claim = NULL;
	if (status == 204) {
		if (!w->stopping)
			wk_backoff(w, c->claim_min_ms, c->claim_max_ms);
		wk_next(w);
		return;
	}
	if (status != 200) {
		if (status == 0)
			wk_say(w, "claim failed: %s; retrying", err);
		else
			wk_say(w, "claim answered %ld: %.200s", status, body);
		if (!w->stopping)
			wk_backoff(w, c->retry_min_ms, c->retry_max_ms);
		wk_next(w);
		return;
	}
	o = json_loadb(body, len, 0, NULL);
	jo = json_object_get(o, "job");
	if (w->stopping) {
		/* claimed just as we were told to stop: give it back */
		json_int_t att = json_integer_value(json_object_get(jo,
		    "attempt"));
		const char *id = json_string_value(json_object_get(jo, "id"));

		if (id != NULL && strlen(id) < 100)
			w->claim = job_release(w->http, id, att,
			    "worker stopping", NULL, wk_released, w);
		json_decref(o);
		wk_next(w);
		return;
	}
	r = wk_run_new(w);
	r->job = jo ? job_start(&w->env, jo, wk_job_done, r, e, sizeof(e)) :
	    NULL;
	if (r->job == NULL) {
		wk_say(w, "claim: %s: %.200s", jo ? e : "no job in the answer",
		    body);
		wk_backoff(w, c->retry_min_ms, c->retry_max_ms);
	}
	wk_run_add(w, r);
	json_decref(o);
	wk_next(w);		/* another one, if there is room */
}

static void
wk_claim(struct wk *w)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "worker", w->cfg->name,
	    "version", WK_VERSION, "backend", w->cfg->backend);
	char *text = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	w->claim = wkhttp_json(w->http, "POST", "/api/v1/worker/claim", text,
	    WKHTTP_READ, wk_claimed, w);
	free(text);
	if (w->claim == NULL)
		wk_backoff(w, w->cfg->retry_min_ms, w->cfg->retry_max_ms);
}

/* What next: stop; adopt, deliver an old result; probe; or claim. */
static void
wk_next(struct wk *w)
{
	struct wk_run *r;
	char e[256];

	if (w->claim != NULL || w->work_busy || w->closed)
		return;
	if (w->stopping) {
		if (w->runs == NULL && w->probe == NULL)
			wk_close(w);
		return;
	}
	/* running in Slurm already: each one is followed, room or not */
	while (w->i_adopt < w->n_adopt) {
		r = wk_run_new(w);
		r->job = job_adopt(&w->env, &w->adopt[w->i_adopt++],
		    wk_job_done, r, e, sizeof(e));
		if (r->job == NULL)
			wk_say(w, "cannot adopt: %s", e);
		wk_run_add(w, r);
	}
	while (w->i_pending < w->n_pending &&
	    w->n_runs < (size_t)w->cfg->max_jobs) {
		r = wk_run_new(w);
		r->job = job_deliver(&w->env, w->pending[w->i_pending++],
		    wk_job_done, r);
		wk_run_add(w, r);
	}
	if (!w->probe_ok) {
		if (w->probe == NULL)
			wk_probe(w);
		return;
	}
	if (w->n_runs >= (size_t)w->cfg->max_jobs ||
	    w->i_pending < w->n_pending ||
	    uv_is_active((uv_handle_t *)&w->claim_timer))
		return;
	wk_claim(w);
}

void
wk_start(struct wk *w)
{
	uv_signal_init(w->loop, &w->sig_term);
	uv_signal_init(w->loop, &w->sig_int);
	w->sig_term.data = w->sig_int.data = w;
	uv_signal_start(&w->sig_term, wk_signal, SIGTERM);
	uv_signal_start(&w->sig_int, wk_signal, SIGINT);
	uv_timer_init(w->loop, &w->claim_timer);
	w->claim_timer.data = w;
	wk_say(w, "dataoptim-worker %s: server %s, backend %s, work dir %s, "
	    "executor %s (%lld job%s at once)", WK_VERSION, w->cfg->server,
	    w->cfg->backend, w->cfg->work_dir, w->cfg->executor,
	    (long long)w->cfg->max_jobs, w->cfg->max_jobs == 1 ? "" : "s");
	wk_scan(w);
}

int
wk_failed(const struct wk *w)
{
	return w->failed;
}
