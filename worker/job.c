/*
 * job: one claimed attempt, from the claim to the delivered result (see
 * job.h).  Everything here runs on the loop thread except the job_w_*
 * functions, which run on the thread pool and touch only the fields
 * documented as theirs.
 */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "materialize.h"
#include "pool.h"
#include "stage.h"
#include "stdval.h"
#include "tmpl.h"
#include "util.h"
#include "vresult.h"
#include "wkcfg.h"
#include "wkfs.h"
#include "wkhttp.h"

#define JOB_LOG_CHUNK 8192	/* bytes of new log per heartbeat at most */
#define JOB_DL_TRIES 5		/* download retries before failing */

enum job_phase {
	P_PREPARE = 0,	/* work: directories, files */
	P_DOWNLOAD,	/* http: the submission */
	P_MATERIALIZE,	/* work: the training file */
	P_TRAIN,	/* stage */
	P_TRAIN_CHECK,	/* work: required files */
	P_EVAL,		/* stage */
	P_EVAL_CHECK,	/* work: required files */
	P_SCORE,	/* work: the scorer */
	P_SAVE,		/* work: the pending result on disk */
	P_DELIVER,	/* http: the result, retried */
	P_CLEANUP	/* work: the directory, the pending file */
};

enum job_abort {
	A_NONE = 0,
	A_CANCELLED,	/* the heartbeat said cancelled */
	A_LOST,		/* the lease is not ours any more (409/404) */
	A_SHUTDOWN	/* the worker is stopping */
};

struct job {
	const struct job_env *env;
	job_done_cb *cb;
	void *arg;
	/* the attempt */
	char id[72];
	int64_t attempt;
	int64_t lease_s;
	char kind[16];			/* standard | byod */
	char download[200];		/* API path of the submission */
	int64_t size_bytes;		/* its size as the claim says, or -1 */
	char sha256[65];		/* its SHA-256 (lowercase hex) as the
					   claim says, or "" */
	int restored;			/* delivering an earlier run's result */
	/* files (set at start, read by the work functions) */
	char dir[PATH_MAX];		/* work_dir/jobs/<id>-<attempt> */
	char sub[PATH_MAX];		/* the downloaded submission */
	char data[PATH_MAX];		/* {data_json} */
	char out[PATH_MAX];		/* {output_dir} */
	char res[PATH_MAX];		/* {result_dir} */
	char logp[PATH_MAX];		/* the stage log */
	char pending[PATH_MAX];		/* work_dir/pending/<id>-<attempt>.json */
	char **train_argv, **eval_argv;
	char **envp;			/* stage environment */
	int sub_fd, log_fd;		/* -1 when closed */
	/* progress */
	enum job_phase phase;
	const char *stage;		/* as the server names it */
	double progress;
	uint64_t t0;			/* uv_now() at the stage's start */
	/* asynchronous work in flight */
	uv_work_t work;
	int work_busy;
	void (*work_fn)(struct job *);
	void (*after_fn)(struct job *);
	struct stage *proc;		/* the stage command */
	struct wkhttp_req *http;	/* download, result or release */
	uv_timer_t hb_timer;		/* heartbeats */
	uv_timer_t retry_timer;		/* result delivery backoff */
	int timers_open;
	uv_work_t hb_work;		/* reads the new log bytes */
	int hb_work_busy;
	struct wkhttp_req *hb_req;
	int64_t log_sent;		/* log bytes sent (hb work's) */
	char *hb_log;			/* new log text (hb work's output) */
	int final_hb;			/* the heartbeat before the result */
	int final_wait;			/* ... after the one in flight */
	/* the work functions' outputs */
	int wrc;			/* 0 ok, -1 failed (werr says why) */
	char werr[1024];
	char *wscore;			/* score_result_json() text */
	uint64_t wsamples;
	/* outcome */
	int failed;			/* the result is a failure: error */
	char error[1024];
	char *body;			/* the result to deliver (JSON text) */
	int64_t retry_ms;
	int tries;			/* download retries */
	enum job_abort abort;
	int release_sent;
	int success;			/* a success was delivered */
	enum job_outcome outcome;
	int cleanup_queued;		/* the cleanup work was queued */
	int closing;
};

static void job_fail(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void job_abort_check(struct job *j);

static void
job_say(const struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One line on the worker's stderr about this job. */
static void
job_say(const struct job *j, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "dataoptim-worker: %s: job %s attempt %lld: %s\n",
	    j->env->cfg->name, j->id, (long long)j->attempt, msg);
}

/* A line in the stage log (work functions only: it writes to disk). */
static void
job_w_log(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
job_w_log(struct job *j, const char *fmt, ...)
{
	char msg[2048];
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

/* ---- thread pool plumbing ---- */

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
	j->work_busy = 0;
	if (j->abort != A_NONE && j->phase != P_CLEANUP) {
		job_abort_check(j);
		return;
	}
	j->after_fn(j);
}

static void
job_queue(struct job *j, void (*fn)(struct job *), void (*after)(struct job *))
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
	j->work_busy = 1;
}

/* ---- the end of a job ---- */

static void
job_free(struct job *j)
{
	tmpl_free(j->train_argv);
	tmpl_free(j->eval_argv);
	tmpl_free(j->envp);
	free(j->hb_log);
	free(j->wscore);
	free(j->body);
	free(j);
}

static void
job_timer_closed(uv_handle_t *h)
{
	struct job *j = h->data;

	if (--j->timers_open > 0)
		return;
	j->cb(j->arg, j->outcome);
	job_free(j);
}

static void
job_close(struct job *j)
{
	j->closing = 1;
	uv_close((uv_handle_t *)&j->hb_timer, job_timer_closed);
	uv_close((uv_handle_t *)&j->retry_timer, job_timer_closed);
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
	if (j->success) {
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
job_cleanup_done(struct job *j)
{
	if (j->werr[0] != '\0')
		job_say(j, "%s", j->werr);
	job_close(j);
}

/* The end: stop the timers, wait for a heartbeat still reading the log,
 * then clean up on the thread pool and close. */
static void
job_cleanup(struct job *j)
{
	uv_timer_stop(&j->hb_timer);
	uv_timer_stop(&j->retry_timer);
	if (j->hb_req != NULL) {
		wkhttp_cancel(j->hb_req);
		j->hb_req = NULL;
	}
	j->phase = P_CLEANUP;
	if (j->hb_work_busy || j->work_busy || j->cleanup_queued)
		return;		/* job_hb_after() comes back here */
	j->cleanup_queued = 1;
	job_queue(j, job_w_cleanup, job_cleanup_done);
}

/* An abort waits for everything in flight, then cleans up. */
static void
job_abort_check(struct job *j)
{
	if (j->closing || j->phase == P_CLEANUP)
		return;
	if (j->work_busy || j->proc != NULL || j->http != NULL ||
	    j->hb_work_busy || j->hb_req != NULL)
		return;
	if (j->outcome != JOB_RELEASED && j->outcome != JOB_LEFT_PENDING)
		j->outcome = JOB_DROPPED;
	job_cleanup(j);
}

static void
job_released(void *arg, long status, const char *body, size_t len,
    const char *err)
{
	struct job *j = arg;

	(void)len;
	j->http = NULL;
	if (status == 200)
		job_say(j, "handed back to the server");
	else if (status == 0)
		job_say(j, "could not hand it back (%s); its lease will "
		    "expire", err);
	else
		job_say(j, "hand-back answered %ld: %.200s", status, body);
	job_abort_check(j);
}

static void
job_abort(struct job *j, enum job_abort why)
{
	if (j->abort != A_NONE || j->closing || j->phase == P_CLEANUP)
		return;
	j->abort = why;
	if (!j->failed)
		util_fmt(j->error, sizeof(j->error), "%s", why == A_CANCELLED ?
		    "cancelled" : why == A_LOST ? "the lease was lost" :
		    "handed back: the worker stopped");
	uv_timer_stop(&j->hb_timer);
	uv_timer_stop(&j->retry_timer);
	if (j->hb_req != NULL) {
		wkhttp_cancel(j->hb_req);
		j->hb_req = NULL;
	}
	if (j->proc != NULL)
		stage_stop(j->proc, 0);
	if (j->http != NULL) {	/* a download or a result */
		wkhttp_cancel(j->http);
		j->http = NULL;
	}
	if (why == A_SHUTDOWN) {
		if (j->phase >= P_SAVE) {
			j->outcome = JOB_LEFT_PENDING;
		} else if (!j->restored) {
			char body[64], path[160];

			j->outcome = JOB_RELEASED;
			util_fmt(body, sizeof(body), "{\"attempt\":%lld,"
			    "\"reason\":\"worker stopping\"}",
			    (long long)j->attempt);
			util_fmt(path, sizeof(path),
			    "/api/v1/worker/jobs/%s/release", j->id);
			j->release_sent = 1;
			j->http = wkhttp_json(j->env->http, "POST", path,
			    body, WKHTTP_STATUS_ONLY, job_released, j);
		}
	}
	job_abort_check(j);
}

void
job_shutdown(struct job *j)
{
	if (j->abort == A_SHUTDOWN || j->abort == A_CANCELLED ||
	    j->abort == A_LOST) {
		if (j->proc != NULL)
			stage_stop(j->proc, 1);	/* second time: at once */
		return;
	}
	job_say(j, "stopping: the stage is stopped and the job handed back");
	job_abort(j, A_SHUTDOWN);
}

const char *
job_id(const struct job *j)
{
	return j->id;
}

static void job_deliver_send(struct job *j);
static void job_hb_send(struct job *j);

/* ---- heartbeats ---- */

/*
 * Copy n bytes of s to a NUL-terminated string that is valid UTF-8
 * (invalid bytes and NUL become '?').  *used: bytes consumed (an
 * incomplete character at the end is left for the next time).
 */
static char *
job_utf8(const char *s, size_t n, size_t *used)
{
	char *o = util_xmalloc(n + 1);
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k = 0;

	while (i < n) {
		unsigned c = u[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 :
		    (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		size_t m;
		int ok = len > 0 && !(len == 2 && c < 0xc2) && c <= 0xf4;

		if (ok && i + len > n)
			break;	/* finish it next time */
		for (m = 1; ok && m < len; m++)
			if ((u[i + m] & 0xc0) != 0x80)
				ok = 0;
		if (ok && len == 3 && ((c == 0xe0 && u[i + 1] < 0xa0) ||
		    (c == 0xed && u[i + 1] >= 0xa0)))
			ok = 0;
		if (ok && len == 4 && ((c == 0xf0 && u[i + 1] < 0x90) ||
		    (c == 0xf4 && u[i + 1] >= 0x90)))
			ok = 0;
		if (!ok || c == 0) {
			o[k++] = '?';
			i++;
			continue;
		}
		memcpy(o + k, s + i, len);
		k += len;
		i += len;
	}
	o[k] = '\0';
	*used = i;
	return o;
}

/*
 * What the team sees of the worker's paths: the log tail and the error it
 * reads show paths relative to the job's work dir ("data.json",
 * "model/config.json"), and the worker's own directories, its programs and
 * its pool and validation files by name only, in place.
 */
static void
job_scrub(const struct job *j, char *s)
{
	const struct wkcfg *c = j->env->cfg;
	const char *dirs[] = { c->val, c->pool, j->env->bin_dir, c->work_dir };
	char pre[PATH_MAX + 1];
	size_t i, n;

	util_fmt(pre, sizeof(pre), "%s/", j->dir);
	util_replace_all(s, pre, "");
	util_replace_all(s, j->dir, ".");
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		/* val and pool are files: their directory */
		const char *sl = i < 2 ? strrchr(dirs[i], '/') : NULL;

		n = i < 2 ? (sl != NULL ? (size_t)(sl - dirs[i]) : 0) :
		    strlen(dirs[i]);
		if (n > 0 && n < sizeof(pre) - 1) {
			util_fmt(pre, sizeof(pre), "%.*s/", (int)n, dirs[i]);
			util_replace_all(s, pre, "");
		}
	}
}

/* hb work: the log bytes written since the last heartbeat (the last
 * JOB_LOG_CHUNK of them, if more). */
static void
job_w_hb(uv_work_t *w)
{
	struct job *j = w->data;
	char buf[JOB_LOG_CHUNK + 64];
	struct stat st;
	ssize_t got;
	size_t used, skip = 0, n;

	j->hb_log = NULL;
	if (j->log_fd < 0 || fstat(j->log_fd, &st) != 0 ||
	    st.st_size <= j->log_sent)
		return;
	if (st.st_size - j->log_sent > JOB_LOG_CHUNK) {
		skip = (size_t)(st.st_size - j->log_sent - JOB_LOG_CHUNK);
		j->log_sent = st.st_size - JOB_LOG_CHUNK;
	}
	got = pread(j->log_fd, buf, JOB_LOG_CHUNK, j->log_sent);
	if (got <= 0)
		return;
	n = (size_t)got;
	if (skip > 0) {
		/* start at a line after the gap */
		char *nl = memchr(buf, '\n', n);
		size_t cut = nl ? (size_t)(nl - buf) + 1 : 0;
		char *t, *s;
		size_t tl;

		s = job_utf8(buf + cut, n - cut, &used);
		tl = strlen(s) + 64;
		t = util_xmalloc(tl);
		util_fmt(t, tl, "[worker] ... %zu bytes of log left out ...\n%s",
		    skip + cut, s);
		free(s);
		job_scrub(j, t);
		j->hb_log = t;
		j->log_sent += (int64_t)(cut + used);
		return;
	}
	j->hb_log = job_utf8(buf, n, &used);
	job_scrub(j, j->hb_log);
	j->log_sent += (int64_t)used;
}

static void
job_hb_answer(void *arg, long status, const char *body, size_t len,
    const char *err)
{
	struct job *j = arg;
	json_t *o;
	int cancelled = 0;

	j->hb_req = NULL;
	if (j->abort != A_NONE) {
		job_abort_check(j);
		return;
	}
	if (j->final_hb && j->final_wait) {	/* now the last one */
		j->final_wait = 0;
		job_hb_send(j);
		return;
	}
	if (j->final_hb) {	/* the last log lines are in: the result */
		j->final_hb = 0;
		job_deliver_send(j);
		return;
	}
	if (j->phase >= P_SAVE)
		return;		/* the result's answer decides now */
	if (status == 200) {
		o = json_loadb(body, len, 0, NULL);
		if (o != NULL) {
			json_t *ls = json_object_get(o, "lease_seconds");

			cancelled = json_is_true(json_object_get(o,
			    "cancelled"));
			if (json_is_integer(ls) && json_integer_value(ls) > 0)
				j->lease_s = json_integer_value(ls);
			json_decref(o);
		}
		if (cancelled) {
			job_say(j, "cancelled: stopping the stage");
			job_abort(j, A_CANCELLED);
		}
		return;
	}
	if (status == 409 || status == 404) {
		job_say(j, "heartbeat answered %ld: the attempt is not ours "
		    "any more; stopping (%.200s)", status, body);
		job_abort(j, A_LOST);
		return;
	}
	if (status == 0)
		job_say(j, "heartbeat failed: %s (will retry)", err);
	else
		job_say(j, "heartbeat answered %ld: %.200s", status, body);
}

static void
job_hb_after(uv_work_t *w, int status)
{
	struct job *j = w->data;
	json_t *o;
	char path[160], *text;

	(void)status;
	j->hb_work_busy = 0;
	if (j->phase == P_CLEANUP) {
		free(j->hb_log);
		j->hb_log = NULL;
		job_cleanup(j);
		return;
	}
	if (j->abort != A_NONE) {
		free(j->hb_log);
		j->hb_log = NULL;
		job_abort_check(j);
		return;
	}
	o = json_pack("{s:I, s:s, s:f}", "attempt", (json_int_t)j->attempt,
	    "stage", j->stage, "progress", j->progress);
	if (j->hb_log != NULL && j->hb_log[0] != '\0')
		json_object_set_new(o, "log", json_string(j->hb_log));
	free(j->hb_log);
	j->hb_log = NULL;
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	util_fmt(path, sizeof(path), "/api/v1/worker/jobs/%s/heartbeat", j->id);
	j->hb_req = wkhttp_json(j->env->http, "POST", path, text, WKHTTP_READ,
	    job_hb_answer, j);
	free(text);
	if (j->hb_req == NULL && j->final_hb) {
		j->final_hb = j->final_wait = 0;
		job_deliver_send(j);
	}
}

static void
job_hb_send(struct job *j)
{
	j->hb_work.data = j;
	if (uv_queue_work(j->env->loop, &j->hb_work, job_w_hb,
	    job_hb_after) == 0)
		j->hb_work_busy = 1;
}

static void
job_hb_tick(uv_timer_t *t)
{
	struct job *j = t->data;

	if (j->hb_work_busy || j->hb_req != NULL || j->abort != A_NONE ||
	    j->restored || j->final_hb || j->phase >= P_CLEANUP)
		return;
	job_hb_send(j);
}

static void
job_hb_start(struct job *j)
{
	uint64_t ms = j->env->cfg->heartbeat > 0 ?
	    (uint64_t)j->env->cfg->heartbeat * 1000 :
	    (uint64_t)j->lease_s * 1000 / 3;

	if (ms < 200)
		ms = 200;
	uv_timer_start(&j->hb_timer, job_hb_tick, ms, ms);
}

/* ---- the result ---- */


static void job_redownload(struct job *j);

static void
job_retry_fire(uv_timer_t *t)
{
	struct job *j = t->data;

	if (j->phase == P_DOWNLOAD)
		job_redownload(j);
	else
		job_deliver_send(j);
}

static void
job_delivered(void *arg, long status, const char *body, size_t len,
    const char *err)
{
	struct job *j = arg;
	const struct wkcfg *c = j->env->cfg;

	(void)len;
	j->http = NULL;
	if (j->abort != A_NONE) {
		job_abort_check(j);
		return;
	}
	if (status == 200) {
		job_say(j, "result delivered (%s)", j->failed ? "failed" :
		    "succeeded");
		j->outcome = JOB_DELIVERED;
		j->success = !j->failed;
		job_cleanup(j);
		return;
	}
	if (status == 409 || status == 404 || status == 400) {
		job_say(j, "result refused (%ld): %.300s", status, body);
		j->outcome = JOB_REFUSED;
		job_cleanup(j);
		return;
	}
	if (status == 0)
		job_say(j, "result not delivered: %s; retrying in %lld ms", err,
		    (long long)j->retry_ms);
	else
		job_say(j, "result answered %ld: %.200s; retrying in %lld ms",
		    status, body, (long long)j->retry_ms);
	uv_timer_start(&j->retry_timer, job_retry_fire, (uint64_t)j->retry_ms,
	    0);
	j->retry_ms *= 2;
	if (j->retry_ms > c->retry_max_ms)
		j->retry_ms = c->retry_max_ms;
}

static void
job_deliver_send(struct job *j)
{
	char path[160];

	util_fmt(path, sizeof(path), "/api/v1/worker/jobs/%s/result", j->id);
	/* the body of the answer (the job, its log tail: up to the server's
	 * jobs.log_tail_bytes) is only logged: its status decides */
	j->http = wkhttp_json(j->env->http, "POST", path, j->body,
	    WKHTTP_STATUS_ONLY, job_delivered, j);
	if (j->http == NULL) {
		job_say(j, "cannot send the result");
		j->outcome = JOB_LEFT_PENDING;
		job_cleanup(j);
	}
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
	    "failed", j->failed, "body", b);
	text = json_dumps(o, JSON_INDENT(1));
	json_decref(o);
	if (j->failed)
		job_w_log(j, "result: failed: %s", j->error);
	else
		job_w_log(j, "result: succeeded; sending it");
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
		job_say(j, "could not save the pending result: %s", j->werr);
	j->phase = P_DELIVER;
	j->retry_ms = j->env->cfg->retry_min_ms;
	if (j->hb_work_busy || j->hb_req != NULL) {
		/* wait for the heartbeat in flight */
		j->final_hb = 1;
		j->final_wait = 1;
		return;
	}
	/* one last heartbeat carries the rest of the log, then the result */
	j->final_hb = 1;
	job_hb_send(j);
}

/* The result is known (j->failed / j->error or j->wscore): save, send. */
static void
job_result(struct job *j)
{
	const struct wkcfg *c = j->env->cfg;
	json_t *o, *sc, *tasks, *v;
	const char *task;

	o = json_pack("{s:I, s:s, s:s, s:s}", "attempt",
	    (json_int_t)j->attempt, "status", j->failed ? "failed" :
	    "succeeded", "backend", c->backend, "worker", c->name);
	if (j->failed) {
		job_scrub(j, j->error);
		json_object_set_new(o, "error", json_string(j->error));
		json_object_set_new(o, "fault", json_string("system"));
	} else {
		json_t *r = json_loads(j->wscore, 0, NULL);

		sc = json_object();
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
	free(j->body);
	j->body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	j->phase = P_SAVE;
	if (!j->failed)
		j->progress = 1.0;
	job_queue(j, job_w_save, job_saved);
}

static void
job_fail(struct job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->error, sizeof(j->error), fmt, ap);
	va_end(ap);
	j->failed = 1;
	job_say(j, "failed: %s", j->error);
	job_result(j);
}

/* ---- stages ---- */

/* work: score the result directory. */
static void
job_w_score(struct job *j)
{
	struct score_result *r;
	int kind = 0;

	r = score_dir(j->env->val, j->res, j->env->map, j->env->nmap, &kind,
	    j->werr, sizeof(j->werr));
	if (r == NULL) {
		j->wrc = -1;
		job_w_log(j, "score: %s", j->werr);
		return;
	}
	j->wscore = score_result_json(r);
	{
		char line[1024];
		size_t t, n = score_result_ntasks(r);

		util_fmt(line, sizeof(line), "score: overall %.4f (",
		    score_result_overall(r));
		for (t = 0; t < n; t++) {
			struct score_task st;
			size_t l = strlen(line);

			score_result_task(r, t, &st);
			util_fmt(line + l, sizeof(line) - l, "%s%s %.4f",
			    t ? ", " : "", st.name, st.score);
		}
		job_w_log(j, "%s)", line);
	}
	score_result_free(r);
}

static void
job_scored(struct job *j)
{
	if (j->wrc != 0) {
		job_fail(j, "score: %s", j->werr);
		return;
	}
	job_result(j);
}

/* work: check a stage's required files, then log the next step. */
static void
job_w_check(struct job *j)
{
	const struct wkcfg *c = j->env->cfg;
	int train = j->phase == P_TRAIN_CHECK;
	char missing[512];

	if (wkfs_required(train ? j->out : j->res, train ? c->train_required :
	    c->eval_required, missing, sizeof(missing)) != 0) {
		util_fmt(j->werr, sizeof(j->werr), "%s: the command exited "
		    "0 but left no %s in the %s directory", train ? "train" :
		    "evaluate", missing, train ? "output" : "result");
		job_w_log(j, "%s", j->werr);
		j->wrc = -1;
		return;
	}
	if (train)
		job_w_log(j, "train: done; evaluate starts");
	else
		job_w_log(j, "evaluate: done; score starts");
}

static void job_stage_start(struct job *j, enum job_phase phase);

static void
job_checked(struct job *j)
{
	if (j->wrc != 0) {
		job_fail(j, "%s", j->werr);
		return;
	}
	if (j->phase == P_TRAIN_CHECK) {
		job_stage_start(j, P_EVAL);
		return;
	}
	j->phase = P_SCORE;
	j->stage = "score";
	j->progress = 0.95;
	job_queue(j, job_w_score, job_scored);
}

static void
job_stage_exited(void *arg, enum stage_end end, int64_t status, int sig)
{
	struct job *j = arg;
	const struct wkcfg *c = j->env->cfg;
	const char *name = j->phase == P_TRAIN ? "train" : "evaluate";
	double secs = (double)(uv_now(j->env->loop) - j->t0) / 1000.0;

	j->proc = NULL;
	if (j->abort != A_NONE) {
		job_abort_check(j);
		return;
	}
	if (end == STAGE_TIMEOUT) {
		job_fail(j, "%s: timed out after %lld s (limit %s.timeout); "
		    "its processes were stopped", name, (long long)(j->phase ==
		    P_TRAIN ? c->train_timeout : c->eval_timeout),
		    j->phase == P_TRAIN ? "train" : "evaluate");
		return;
	}
	if (sig != 0) {
		job_fail(j, "%s: the command was killed by signal %d after "
		    "%.1f s", name, sig, secs);
		return;
	}
	if (status != 0) {
		job_fail(j, "%s: the command exited with status %lld after "
		    "%.1f s (see the log)", name, (long long)status, secs);
		return;
	}
	job_say(j, "%s: exited 0 after %.1f s", name, secs);
	j->phase = j->phase == P_TRAIN ? P_TRAIN_CHECK : P_EVAL_CHECK;
	job_queue(j, job_w_check, job_checked);
}

static void
job_stage_start(struct job *j, enum job_phase phase)
{
	const struct wkcfg *c = j->env->cfg;
	struct stage_spec sp;
	int train = phase == P_TRAIN;
	char err[512];

	j->phase = phase;
	j->stage = train ? "train" : "evaluate";
	j->progress = train ? 0.1 : 0.8;
	j->t0 = uv_now(j->env->loop);
	memset(&sp, 0, sizeof(sp));
	sp.argv = train ? j->train_argv : j->eval_argv;
	sp.env = j->envp;
	sp.cwd = j->dir;
	sp.log_fd = j->log_fd;
	sp.timeout_ms = (uint64_t)(train ? c->train_timeout :
	    c->eval_timeout) * 1000;
	sp.grace_ms = (uint64_t)c->kill_grace * 1000;
	sp.shim = j->env->self_exe;
	j->proc = stage_start(j->env->loop, &sp, job_stage_exited, j, err,
	    sizeof(err));
	if (j->proc == NULL) {
		job_fail(j, "%s: %s", j->stage, err);
		return;
	}
	job_say(j, "%s: started, process group %d", j->stage,
	    stage_pgid(j->proc));
}

/* work: the training file from the downloaded submission. */
static void
job_w_materialize(struct job *j)
{
	struct vresult vr;
	uint32_t *ids = NULL;
	uint64_t n = 0;
	struct stat st;
	size_t i;
	char line[2048];

	close(j->sub_fd);
	j->sub_fd = -1;
	if (stat(j->sub, &st) == 0)
		job_w_log(j, "materialize: downloaded %lld bytes",
		    (long long)st.st_size);
	if (strcmp(j->kind, "byod") == 0) {
		/* the upload is LLaVA's training file, validated at upload */
		if (rename(j->sub, j->data) != 0) {
			util_fmt(j->werr, sizeof(j->werr), "materialize: "
			    "%s: %s", j->data, strerror(errno));
			j->wrc = -1;
		}
		goto out;
	}
	if (j->env->pool == NULL) {
		util_fmt(j->werr, sizeof(j->werr), "materialize: this worker "
		    "has no pool index for a standard submission");
		j->wrc = -1;
		goto out;
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
out:
	if (j->wrc != 0) {
		job_w_log(j, "%s", j->werr);
		return;
	}
	if (j->wsamples > 0)
		job_w_log(j, "materialize: %llu samples in %s",
		    (unsigned long long)j->wsamples, j->data);
	line[0] = '\0';
	for (i = 0; j->train_argv[i] != NULL; i++) {
		size_t l = strlen(line);

		util_fmt(line + l, sizeof(line) - l, "%s%s", i ? " " : "",
		    j->train_argv[i]);
	}
	job_w_log(j, "train: %s", line);
}

static void
job_materialized(struct job *j)
{
	if (j->wrc != 0) {
		job_fail(j, "%s", j->werr);
		return;
	}
	job_stage_start(j, P_TRAIN);
}

static void
job_downloaded(void *arg, long status, const struct wkhttp_dl *dl,
    const char *body, size_t len, const char *err)
{
	struct job *j = arg;

	(void)len;
	j->http = NULL;
	if (j->abort != A_NONE) {
		job_abort_check(j);
		return;
	}
	/* the file must be the one the claim announced: no retry, no stage */
	if (dl->over) {
		job_fail(j, "download: the server sent more than the %lld "
		    "bytes the claim announced", (long long)j->size_bytes);
		return;
	}
	if (status / 100 == 2 && j->size_bytes >= 0 &&
	    dl->bytes != (uint64_t)j->size_bytes) {
		job_fail(j, "download: the server sent %llu of the %lld bytes "
		    "the claim announced", (unsigned long long)dl->bytes,
		    (long long)j->size_bytes);
		return;
	}
	if (status / 100 == 2 && j->sha256[0] != '\0' &&
	    strcmp(dl->sha256, j->sha256) != 0) {
		job_fail(j, "download: SHA-256 mismatch (want %s, got %s)",
		    j->sha256, dl->sha256);
		return;
	}
	if (status == 409 || status == 404) {
		job_say(j, "download answered %ld: the attempt is not ours "
		    "any more", status);
		job_abort(j, A_LOST);
		return;
	}
	if ((status == 0 || status >= 500) && j->tries < JOB_DL_TRIES) {
		j->tries++;
		job_say(j, "download failed (%s); retry %d of %d in %lld ms",
		    status ? "server error" : err, j->tries, JOB_DL_TRIES,
		    (long long)j->retry_ms);
		uv_timer_start(&j->retry_timer, job_retry_fire,
		    (uint64_t)j->retry_ms, 0);
		j->retry_ms *= 2;
		if (j->retry_ms > j->env->cfg->retry_max_ms)
			j->retry_ms = j->env->cfg->retry_max_ms;
		return;
	}
	if (status != 200) {
		if (status == 0)
			job_fail(j, "materialize: downloading the submission: "
			    "%s", err);
		else
			job_fail(j, "materialize: downloading the submission: "
			    "HTTP %ld: %.200s", status, body);
		return;
	}
	j->phase = P_MATERIALIZE;
	j->progress = 0.05;
	job_queue(j, job_w_materialize, job_materialized);
}

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

static void job_prepared(struct job *j);

static void
job_redownload(struct job *j)
{
	job_queue(j, job_w_truncate, job_prepared);
}

/* work: the attempt's directory and files. */
static void
job_w_prepare(struct job *j)
{
	const struct wkcfg *c = j->env->cfg;

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
	job_w_log(j, "job %s attempt %lld on %s (backend %s): %s submission",
	    j->id, (long long)j->attempt, c->name, c->backend, j->kind);
}

static void
job_prepared(struct job *j)
{
	if (j->wrc != 0) {
		job_fail(j, "%s", j->werr);
		return;
	}
	if (j->phase != P_DOWNLOAD)
		j->retry_ms = j->env->cfg->retry_min_ms;
	j->phase = P_DOWNLOAD;
	j->http = wkhttp_download(j->env->http, j->download, j->sub_fd,
	    j->size_bytes, job_downloaded, j);
	if (j->http == NULL)
		job_fail(j, "materialize: cannot start the download");
}

/* ---- starting ---- */

static struct job *
job_new(const struct job_env *env, job_done_cb *cb, void *arg)
{
	struct job *j = util_xcalloc(1, sizeof(*j));

	j->env = env;
	j->cb = cb;
	j->arg = arg;
	j->sub_fd = j->log_fd = -1;
	j->size_bytes = -1;
	j->stage = "materialize";
	uv_timer_init(env->loop, &j->hb_timer);
	uv_timer_init(env->loop, &j->retry_timer);
	j->hb_timer.data = j->retry_timer.data = j;
	j->timers_open = 2;
	return j;
}

/* 1 if s is a safe path component: [A-Za-z0-9_-], 1..64 bytes. */
static int
job_safe_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
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

struct job *
job_start(const struct job_env *env, json_t *claim, job_done_cb *cb,
    void *arg, char *err, size_t errlen)
{
	const struct wkcfg *c = env->cfg;
	const char *id = NULL, *kind = NULL, *dl = NULL;
	json_int_t attempt = 0, lease = 0, nsamples = 0;
	json_t *sub = NULL;
	int64_t size = -1;
	char attempt_s[32], e[512], sha[65];
	struct job *j;

	if (json_unpack(claim, "{s:s, s:I, s?I, s:o}", "id", &id, "attempt",
	    &attempt, "lease_seconds", &lease, "submission", &sub) != 0 ||
	    json_unpack(sub, "{s:s, s:s, s?I}", "kind", &kind, "download",
	    &dl, "n_samples", &nsamples) != 0 || !job_safe_name(id) ||
	    attempt < 1 || strlen(dl) >= 200 || dl[0] != '/' ||
	    (strcmp(kind, "standard") != 0 && strcmp(kind, "byod") != 0) ||
	    job_claim_check(sub, &size, sha) != 0) {
		util_fmt(err, errlen, "a claim the worker cannot read");
		return NULL;
	}
	j = job_new(env, cb, arg);
	util_fmt(j->id, sizeof(j->id), "%s", id);
	util_fmt(j->kind, sizeof(j->kind), "%s", kind);
	j->size_bytes = size;
	util_fmt(j->sha256, sizeof(j->sha256), "%s", sha);
	util_fmt(j->download, sizeof(j->download), "%s?attempt=%lld", dl,
	    (long long)attempt);
	j->attempt = attempt;
	j->lease_s = lease > 0 ? lease : 120;
	if (strcmp(kind, "byod") == 0 && nsamples > 0)
		j->wsamples = (uint64_t)nsamples;
	util_fmt(j->dir, sizeof(j->dir), "%s/jobs/%s-%lld", c->work_dir, id,
	    (long long)attempt);
	util_fmt(j->sub, sizeof(j->sub), "%s/submission.%s", j->dir,
	    strcmp(kind, "byod") == 0 ? "json" : "txt");
	util_fmt(j->data, sizeof(j->data), "%s/data.json", j->dir);
	util_fmt(j->out, sizeof(j->out), "%s/model", j->dir);
	util_fmt(j->res, sizeof(j->res), "%s/results", j->dir);
	util_fmt(j->logp, sizeof(j->logp), "%s/job.log", j->dir);
	util_fmt(j->pending, sizeof(j->pending), "%s/pending/%s-%lld.json",
	    c->work_dir, id, (long long)attempt);
	util_fmt(attempt_s, sizeof(attempt_s), "%lld", (long long)attempt);
	{
		const struct tmpl_var vars[] = {
			{ "data_json", j->data },
			{ "image_folder", c->image_folder },
			{ "output_dir", j->out },
			{ "result_dir", j->res },
			{ "val_json", c->val },
			{ "job_id", j->id },
			{ "attempt", attempt_s },
			{ "work_dir", j->dir },
			{ "bin_dir", env->bin_dir },
		};
		size_t nv = sizeof(vars) / sizeof(vars[0]);

		j->train_argv = tmpl_argv(c->train_command, vars, nv, e,
		    sizeof(e));
		if (j->train_argv == NULL)
			util_fmt(j->error, sizeof(j->error), "train.command: "
			    "%s", e);
		j->eval_argv = tmpl_argv(c->eval_command, vars, nv, e,
		    sizeof(e));
		if (j->eval_argv == NULL && j->error[0] == '\0')
			util_fmt(j->error, sizeof(j->error), "evaluate."
			    "command: %s", e);
	}
	j->envp = job_environ(j);
	job_say(j, "claimed (%s submission, lease %lld s)", kind,
	    (long long)j->lease_s);
	job_hb_start(j);
	if (j->error[0] != '\0') {	/* checked at start: never */
		job_fail(j, "%s", j->error);
		return j;
	}
	job_queue(j, job_w_prepare, job_prepared);
	return j;
}

/* ---- results of an earlier run ---- */

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
	    &failed, "body", &b) != 0 || !job_safe_name(id) ||
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
	j->failed = failed;
	j->body = json_dumps(b, JSON_COMPACT);
	json_decref(o);
}

static void
job_loaded(struct job *j)
{
	if (j->wrc != 0) {
		fprintf(stderr, "dataoptim-worker: %s; removed\n", j->werr);
		j->outcome = JOB_REFUSED;
		j->dir[0] = '\0';
		job_cleanup(j);
		return;
	}
	job_say(j, "delivering the result saved by an earlier run");
	j->phase = P_DELIVER;
	j->retry_ms = j->env->cfg->retry_min_ms;
	job_deliver_send(j);
}

struct job *
job_deliver(const struct job_env *env, const char *pending_path,
    job_done_cb *cb, void *arg)
{
	struct job *j = job_new(env, cb, arg);

	j->restored = 1;
	j->phase = P_SAVE;
	util_fmt(j->id, sizeof(j->id), "?");
	util_fmt(j->pending, sizeof(j->pending), "%s", pending_path);
	job_queue(j, job_w_load, job_loaded);
	return j;
}
