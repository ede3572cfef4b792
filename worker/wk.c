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
	struct job *job;		/* the running job */
	char **pending;			/* results left by an earlier run */
	size_t n_pending, i_pending;
	uv_work_t work;			/* start-up scan, sweep */
	int work_busy;
	int started;
	int stopping;			/* a stop signal came */
	int closed;			/* handles closed */
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

static void
wk_signal(uv_signal_t *s, int signum)
{
	struct wk *w = s->data;

	if (w->stopping) {
		wk_say(w, "%s again: killing the stage at once",
		    strsignal(signum));
		if (w->job != NULL)
			job_shutdown(w->job);
		return;
	}
	w->stopping = 1;
	wk_say(w, "%s: stopping", strsignal(signum));
	uv_timer_stop(&w->claim_timer);
	if (w->job != NULL)
		job_shutdown(w->job);
	wk_next(w);
}

/* ---- the sweep and the start-up scan (thread pool) ---- */

static int
wk_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
wk_w_scan(uv_work_t *wr)
{
	struct wk *w = wr->data;
	const struct wkcfg *c = w->cfg;
	char path[PATH_MAX], marker[PATH_MAX + 16];
	time_t now = time(NULL);
	struct dirent *de;
	struct stat st;
	DIR *d;

	util_fmt(path, sizeof(path), "%s/jobs", c->work_dir);
	if (wkfs_mkdirs(path) != 0)
		fprintf(stderr, "dataoptim-worker: %s: %s\n", path,
		    strerror(errno));
	util_fmt(path, sizeof(path), "%s/pending", c->work_dir);
	if (wkfs_mkdirs(path) != 0)
		fprintf(stderr, "dataoptim-worker: %s: %s\n", path,
		    strerror(errno));
	/* results an earlier run could not deliver (only at start) */
	if (!w->started && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			size_t n = strlen(de->d_name);

			if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
				continue;	/* also skips *.tmp.* files */
			w->pending = util_xrealloc(w->pending,
			    (w->n_pending + 1) * sizeof(*w->pending));
			util_fmt(marker, sizeof(marker), "%s/%s", path,
			    de->d_name);
			w->pending[w->n_pending++] = util_xstrdup(marker);
		}
		closedir(d);
		if (w->n_pending > 1)
			qsort(w->pending, w->n_pending, sizeof(*w->pending),
			    wk_cmp);
	}
	/* attempt directories past their time (no job is running now) */
	util_fmt(path, sizeof(path), "%s/jobs", c->work_dir);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char dir[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		util_fmt(dir, sizeof(dir), "%s/%s", path, de->d_name);
		util_fmt(marker, sizeof(marker), "%s/FAILED", dir);
		if (stat(marker, &st) != 0 && lstat(dir, &st) != 0)
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
wk_scanned(uv_work_t *wr, int status)
{
	struct wk *w = wr->data;

	(void)status;
	w->work_busy = 0;
	if (!w->started && w->n_pending > 0)
		wk_say(w, "%zu result%s of an earlier run to deliver",
		    w->n_pending, w->n_pending == 1 ? "" : "s");
	w->started = 1;
	wk_next(w);
}

static void
wk_scan(struct wk *w)
{
	w->work.data = w;
	if (uv_queue_work(w->loop, &w->work, wk_w_scan, wk_scanned) == 0)
		w->work_busy = 1;
}

/* ---- jobs ---- */

static void
wk_job_done(void *arg, enum job_outcome outcome)
{
	struct wk *w = arg;

	(void)outcome;
	w->job = NULL;
	w->backoff_ms = w->cfg->claim_min_ms;
	if (w->stopping) {
		wk_next(w);
		return;
	}
	wk_scan(w);		/* sweep, then claim again at once */
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
	w->job = jo ? job_start(&w->env, jo, wk_job_done, w, e, sizeof(e)) :
	    NULL;
	if (w->job == NULL) {
		wk_say(w, "claim: %s: %.200s", jo ? e : "no job in the answer",
		    body);
		wk_backoff(w, c->retry_min_ms, c->retry_max_ms);
	}
	json_decref(o);
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

/* What next: stop, deliver an old result, or claim. */
static void
wk_next(struct wk *w)
{
	if (w->job != NULL || w->claim != NULL || w->work_busy || w->closed)
		return;
	if (w->stopping) {
		wk_close(w);
		return;
	}
	if (uv_is_active((uv_handle_t *)&w->claim_timer))
		return;
	if (w->i_pending < w->n_pending) {
		w->job = job_deliver(&w->env, w->pending[w->i_pending++],
		    wk_job_done, w);
		return;
	}
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
	wk_say(w, "dataoptim-worker %s: server %s, backend %s, work dir %s",
	    WK_VERSION, w->cfg->server, w->cfg->backend, w->cfg->work_dir);
	wk_scan(w);
}
