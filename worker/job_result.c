/*
 * job_result: a job's result (see job.h).  The body is built once it is
 * known, saved under work_dir/pending/ and sent until the server answers
 * (with backoff); a result an earlier run left there is read back and
 * sent the same way.  Also the hand-back of an attempt the worker stops
 * before its result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_int.h"
#include "util.h"
#include "wkcfg.h"
#include "wkhttp.h"

/* ---- SAVE ---- */

/* The scores part of a success: scores {overall, task: score}, detail,
 * n_samples. */
static void
job_result_scores(struct job *j, json_t *o)
{
	json_t *r = json_loads(j->wscore, 0, NULL);
	json_t *sc = json_object(), *tasks, *v;
	const char *task;

	json_object_set(sc, "overall", json_object_get(r, "overall"));
	tasks = json_object_get(r, "tasks");
	json_object_foreach(tasks, task, v)
		json_object_set(sc, task, json_object_get(v, "score"));
	json_object_set_new(o, "scores", sc);
	json_object_set(o, "detail", tasks);
	json_object_set_new(o, "n_samples",
	    json_integer((json_int_t)j->wsamples));
	json_decref(r);
}

/* The result's body (JSON text) into j->body. */
static void
job_result_body(struct job *j)
{
	const struct wkcfg *c = j->env->cfg;
	int failed = j->verdict == JOB_FAILED;
	json_t *o;

	o = json_pack("{s:I, s:s, s:s, s:s}", "attempt",
	    (json_int_t)j->attempt, "status", failed ? "failed" :
	    "succeeded", "backend", c->backend, "worker", c->name);
	if (failed) {
		job__scrub(j, j->error);
		json_object_set_new(o, "error", json_string(j->error));
		json_object_set_new(o, "fault", json_string(j->team_fault ?
		    "team" : "system"));
	} else
		job_result_scores(j, o);
	free(j->body);
	j->body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
}

/* work: the pending result on disk (atomically), before it is sent. */
static void
job_w_save(struct job *j)
{
	struct util_afile *af;
	json_t *o, *b;
	char *text;

	b = json_loads(j->body, 0, NULL);
	o = json_pack("{s:s, s:I, s:s, s:b, s:o}", "job_id", j->id,
	    "attempt", (json_int_t)j->attempt, "dir", j->dir,
	    "failed", j->verdict == JOB_FAILED, "body", b);
	text = json_dumps(o, JSON_INDENT(1));
	json_decref(o);
	if (j->verdict == JOB_FAILED)
		job__wlog(j, "result: failed: %s", j->error);
	else
		job__wlog(j, "result: succeeded; sending it");
	if ((af = util_afile_open(j->pending, j->werr, sizeof(j->werr)))
	    == NULL) {
		j->wrc = -1;
		goto out;
	}
	fputs(text, util_afile_fp(af));
	if (util_afile_commit(af, j->werr, sizeof(j->werr)) != 0)
		j->wrc = -1;
out:
	free(text);
}

static void
job_saved(struct job *j)
{
	if (j->wrc != 0)	/* deliver it anyway: only a restart loses it */
		job__say(j, "could not save the pending result: %s", j->werr);
	job__next(j);
}

void
job__result_save(struct job *j)
{
	job_result_body(j);
	if (j->verdict == JOB_SUCCEEDED)
		j->progress = 1.0;
	job__queue(j, job_w_save, job_saved);
}

/* ---- DELIVER ---- */

static void job_result_send(struct job *j);

static void
job_result_retry(uv_timer_t *t)
{
	job_result_send(t->data);
}

static void
job_delivered(void *arg, long status, const char *body, size_t len,
    const char *err)
{
	struct job *j = arg;

	(void)len;
	j->http = NULL;
	if (job__draining(j))
		return;
	if (status == 200) {
		job__say(j, "result delivered (%s)", j->verdict == JOB_FAILED ?
		    "failed" : "succeeded");
		job__finish(j, JOB_DELIVERED);
		return;
	}
	if (status == 409 || status == 404 || status == 400) {
		job__say(j, "result refused (%ld): %.300s", status, body);
		job__finish(j, JOB_REFUSED);
		return;
	}
	if (status == 0)
		job__say(j, "result not delivered: %s; retrying in %lld ms",
		    err, (long long)j->retry_ms);
	else
		job__say(j, "result answered %ld: %.200s; retrying in %lld ms",
		    status, body, (long long)j->retry_ms);
	job__retry(j, job_result_retry);
}

static void
job_result_send(struct job *j)
{
	char path[160];

	util_fmt(path, sizeof(path), "/api/v1/worker/jobs/%s/result", j->id);
	/* the body of the answer (the job, its log tail: up to the server's
	 * jobs.log_tail_bytes) is only logged: its status decides */
	j->http = wkhttp_json(j->env->http, "POST", path, j->body,
	    WKHTTP_STATUS_ONLY, job_delivered, j);
	if (j->http == NULL) {
		job__say(j, "cannot send the result");
		job__finish(j, JOB_LEFT_PENDING);
	}
}

void
job__result_post(struct job *j)
{
	j->retry_ms = j->env->cfg->retry_min_ms;
	job_result_send(j);
}

/* ---- LOAD ---- */

/* work: read the pending file. */
static void
job_w_load(struct job *j)
{
	json_t *o, *b;
	json_error_t je;
	const char *id = NULL, *dir = NULL;
	json_int_t attempt = 0;
	int failed = 0;

	o = json_load_file(j->pending, 0, &je);
	if (o == NULL || json_unpack(o, "{s:s, s:I, s:s, s:b, s:o}",
	    "job_id", &id, "attempt", &attempt, "dir", &dir, "failed",
	    &failed, "body", &b) != 0 || !job__safe_name(id) ||
	    !json_is_object(b)) {
		util_fmt(j->werr, sizeof(j->werr), "%s: not a pending result "
		    "(%s)", j->pending, o ? "fields" : je.text);
		j->wrc = -1;
		json_decref(o);
		return;
	}
	util_fmt(j->id, sizeof(j->id), "%s", id);
	util_fmt(j->dir, sizeof(j->dir), "%s", dir);
	j->attempt = attempt;
	j->verdict = failed ? JOB_FAILED : JOB_SUCCEEDED;
	j->body = json_dumps(b, JSON_COMPACT);
	json_decref(o);
}

static void
job_loaded(struct job *j)
{
	if (j->wrc != 0) {
		fprintf(stderr, "dataoptim-worker: %s; removed\n", j->werr);
		j->dir[0] = '\0';
		job__finish(j, JOB_REFUSED);
		return;
	}
	job__say(j, "delivering the result saved by an earlier run");
	job__next(j);
}

void
job__result_load(struct job *j)
{
	job__queue(j, job_w_load, job_loaded);
}

/* ---- the hand-back ---- */

static void
job_released(void *arg, long status, const char *body, size_t len,
    const char *err)
{
	struct job *j = arg;

	(void)len;
	j->http = NULL;
	if (status == 200)
		job__say(j, "handed back to the server");
	else if (status == 0)
		job__say(j, "could not hand it back (%s); its lease will "
		    "expire", err);
	else
		job__say(j, "hand-back answered %ld: %.200s", status, body);
	job__draining(j);
}

/* The release body: {"attempt": N, "reason": R, "stop"?: S}. */
static char *
job_release_body(int64_t attempt, const char *reason, const char *stop)
{
	json_t *o = json_pack("{s:I, s:s}", "attempt", (json_int_t)attempt,
	    "reason", reason);
	char *text;

	if (stop != NULL)
		json_object_set_new(o, "stop", json_string(stop));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

struct wkhttp_req *
job_release(struct wkhttp *http, const char *id, int64_t attempt,
    const char *reason, const char *stop, wkhttp_cb *cb, void *arg)
{
	char path[200], *body = job_release_body(attempt, reason, stop);
	struct wkhttp_req *r;

	util_fmt(path, sizeof(path), "/api/v1/worker/jobs/%s/release", id);
	r = wkhttp_json(http, "POST", path, body, WKHTTP_STATUS_ONLY, cb, arg);
	free(body);
	return r;
}

void
job__hand_back(struct job *j)
{
	int retry = j->abort == JOB_A_RETRY;

	j->http = job_release(j->env->http, j->id, j->attempt, retry ?
	    j->error : "worker stopping", retry ? j->retry_stop : NULL,
	    job_released, j);
}
