/*
 * job_beat: a job's heartbeats (see job.h).  Every period the log bytes
 * written since the last one are read on the thread pool, then sent with
 * the stage and the progress; the server extends the lease, and an
 * answer "cancelled", or a 409/404, drops the job.  The last heartbeat,
 * before the result, carries the rest of the log.  From the train stage
 * on, the same reading feeds the stage's output to its trainlog: the
 * heartbeat carries the train progress and the loss series, and a loss
 * that stayed NaN or infinite stops the stage (job__nan_stop()).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "job_int.h"
#include "slurm.h"
#include "trainlog.h"
#include "utf8.h"
#include "util.h"
#include "wkcfg.h"
#include "wkfs.h"
#include "wkhttp.h"

#define JOB_LOG_CHUNK 8192	/* bytes of new log per heartbeat at most */
#define JOB_TRAIN_BUF 65536	/* the train output's read size */
#define JOB_TRAIN_READ (64 << 20)	/* train output read per time at
					   most; more is skipped */

/* ---- the log tail ---- */

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
	int len;

	while (i < n) {
		len = utf8_seq(u + i, n - i, NULL);
		if (len < 0)
			break;	/* finish it next time */
		if (len == 0 || u[i] == 0) {
			o[k++] = '?';
			i++;
			continue;
		}
		memcpy(o + k, s + i, (size_t)len);
		k += (size_t)len;
		i += (size_t)len;
	}
	o[k] = '\0';
	*used = i;
	return o;
}

/*
 * The log tail and the error the team reads show paths relative to the
 * job's work dir ("data.json", "model/config.json"), and the worker's own
 * directories, its programs and its pool and validation files by name
 * only, in place.
 */
void
job__scrub(const struct job *j, char *s)
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

/* The n bytes read after a gap of skip bytes: from the first line after
 * it, behind a line that says how much was left out. */
static void
job_log_gap(struct job *j, const char *buf, size_t n, size_t skip)
{
	const char *nl = memchr(buf, '\n', n);
	size_t cut = nl ? (size_t)(nl - buf) + 1 : 0, used, tl;
	char *s, *t;

	s = job_utf8(buf + cut, n - cut, &used);
	tl = strlen(s) + 64;
	t = util_xmalloc(tl);
	util_fmt(t, tl, "[worker] ... %zu bytes of log left out ...\n%s",
	    skip + cut, s);
	free(s);
	job__scrub(j, t);
	j->hb_log = t;
	j->log_sent += (int64_t)(cut + used);
}

/* hb work: where the log was read to, for a worker that adopts the
 * attempt's Slurm job after a restart (job_adoptable()). */
static void
job_w_sent(struct job *j)
{
	const struct wkcfg *c = j->env->cfg;
	char path[PATH_MAX + 16], n[32];

	if (!c->train_slurm && !c->eval_slurm)
		return;
	util_fmt(path, sizeof(path), "%s/log.sent", j->dir);
	util_fmt(n, sizeof(n), "%lld\n", (long long)j->log_sent);
	(void)wkfs_write_file(path, n, strlen(n));
}

/* hb work: the log bytes written since the last heartbeat (the last
 * JOB_LOG_CHUNK of them, if more) into hb_log. */
static void
job_w_beat(uv_work_t *w)
{
	struct job *j = w->data;
	char buf[JOB_LOG_CHUNK + 64];
	struct stat st;
	ssize_t got;
	size_t used, skip = 0;

	j->hb_log = NULL;
	j->hb_train = job__train_read(j, 0, &j->hb_nan, j->hb_nan_why,
	    sizeof(j->hb_nan_why));
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
	if (skip > 0)
		job_log_gap(j, buf, (size_t)got, skip);
	else {
		j->hb_log = job_utf8(buf, (size_t)got, &used);
		job__scrub(j, j->hb_log);
		j->log_sent += (int64_t)used;
	}
	job_w_sent(j);
}

/* ---- the train stage's output ---- */

/* {step, steps, loss: [[step, loss | null], ...]} of what t read. */
static json_t *
job_train_json(const struct trainlog *t, const struct trainlog_state *st)
{
	struct trainlog_point pts[TRAINLOG_POINTS];
	size_t i, n = trainlog_points(t, pts);
	json_t *loss = json_array();

	for (i = 0; i < n; i++)
		json_array_append_new(loss, json_pack("[I, o]",
		    (json_int_t)pts[i].step, isfinite(pts[i].loss) ?
		    json_real(pts[i].loss) : json_null()));
	return json_pack("{s:I, s:I, s:o}", "step", (json_int_t)st->step,
	    "steps", (json_int_t)st->steps, "loss", loss);
}

/* Feed the log bytes from j->tl_read to end to the trainlog. */
static void
job_train_feed(struct job *j, int64_t end)
{
	char *buf = util_xmalloc(JOB_TRAIN_BUF);
	ssize_t got;

	if (end - j->tl_read > JOB_TRAIN_READ) {
		trainlog_feed(j->tl, "\n", 1);	/* a piece cut short */
		j->tl_read = end - JOB_TRAIN_READ;
	}
	while (j->tl_read < end) {
		got = pread(j->log_fd, buf, end - j->tl_read < JOB_TRAIN_BUF ?
		    (size_t)(end - j->tl_read) : JOB_TRAIN_BUF, j->tl_read);
		if (got <= 0)
			break;
		trainlog_feed(j->tl, buf, (size_t)got);
		j->tl_read += got;
	}
	free(buf);
}

json_t *
job__train_read(struct job *j, int over, int *stop, char *why,
    size_t whylen)
{
	struct trainlog_state st;
	struct stat sb;
	json_t *o = NULL;

	*stop = 0;
	uv_mutex_lock(&j->tl_lock);
	if (j->tl == NULL)
		goto out;
	if (!j->tl_over && j->log_fd >= 0 && fstat(j->log_fd, &sb) == 0)
		job_train_feed(j, sb.st_size);
	if (over)
		j->tl_over = 1;
	trainlog_state(j->tl, &st);
	o = job_train_json(j->tl, &st);
	if (st.stop) {
		*stop = 1;
		util_fmt(why, whylen, "train: the loss was NaN or infinite "
		    "for %llu steps in a row from step %llu (worker.nan_steps "
		    "= %lld)", (unsigned long long)st.bad_run,
		    (unsigned long long)st.bad_from,
		    (long long)j->env->cfg->nan_steps);
	}
out:
	uv_mutex_unlock(&j->tl_lock);
	return o;
}

/* ---- the heartbeat ---- */

/* 1 in the phases of the last heartbeat. */
static int
job_beat_final(const struct job *j)
{
	return j->phase == JOB_P_FINAL_WAIT || j->phase == JOB_P_FINAL_BEAT;
}

/* The answer of a heartbeat while the job runs: the lease, a cancel. */
static void
job_beat_read_answer(struct job *j, const char *body, size_t len)
{
	json_t *o = json_loadb(body, len, 0, NULL);
	json_t *ls = json_object_get(o, "lease_seconds");
	int cancelled = json_is_true(json_object_get(o, "cancelled"));

	if (json_is_integer(ls) && json_integer_value(ls) > 0)
		j->lease_s = json_integer_value(ls);
	json_decref(o);
	if (cancelled) {
		job__say(j, "cancelled: stopping the stage");
		job__abort(j, JOB_A_CANCELLED);
	}
}

static void
job_beat_answer(void *arg, long status, const char *body, size_t len,
    const char *err)
{
	struct job *j = arg;

	j->hb_req = NULL;
	if (job__draining(j))
		return;
	if (job_beat_final(j)) {	/* FINAL_BEAT after the one in flight,
					   or the result after the last */
		job__next(j);
		return;
	}
	if (job__has_result(j))
		return;		/* the result's answer decides now */
	if (status == 200) {
		job_beat_read_answer(j, body, len);
		/* the attempt is still ours: go on with the adopted job */
		if (j->phase == JOB_P_ADOPT && j->abort == JOB_A_NONE)
			job__enter(j, j->adopt_phase);
	}
	else if (status == 409 || status == 404) {
		job__say(j, "heartbeat answered %ld: the attempt is not ours "
		    "any more; stopping (%.200s)", status, body);
		job__abort(j, JOB_A_LOST);
	} else if (status == 0)
		job__say(j, "heartbeat failed: %s (will retry)", err);
	else
		job__say(j, "heartbeat answered %ld: %.200s", status, body);
}

/* What the train output says, on the loop: the progress through the
 * train phase, and a stop for the loss. */
static void
job_beat_train(struct job *j)
{
	json_t *t = j->hb_train;
	json_int_t step = json_integer_value(json_object_get(t, "step"));
	json_int_t steps = json_integer_value(json_object_get(t, "steps"));

	if (t == NULL || j->phase != JOB_P_TRAIN)
		return;
	if (steps > 0)
		j->progress = JOB_TRAIN_P0 + (JOB_TRAIN_P1 - JOB_TRAIN_P0) *
		    (double)step / (double)steps;
	if (j->hb_nan)
		job__nan_stop(j, j->hb_nan_why);
}

/* The log is read: send the heartbeat. */
static void
job_beat_send(uv_work_t *w, int status)
{
	struct job *j = w->data;
	json_t *o;
	char path[160], *text;

	(void)status;
	j->ops &= ~JOB_OP_BEAT_READ;
	if (j->phase == JOB_P_DRAINING) {
		free(j->hb_log);
		j->hb_log = NULL;
		json_decref(j->hb_train);
		j->hb_train = NULL;
		job__draining(j);
		return;
	}
	job_beat_train(j);
	o = json_pack("{s:I, s:s, s:f}", "attempt", (json_int_t)j->attempt,
	    "stage", j->stage, "progress", j->progress);
	if (j->sl != NULL && slurm_note(j->sl) != NULL)
		json_object_set_new(o, "note", json_string(slurm_note(j->sl)));
	if (j->hb_log != NULL && j->hb_log[0] != '\0')
		json_object_set_new(o, "log", json_string(j->hb_log));
	if (j->hb_train != NULL)
		json_object_set_new(o, "train", j->hb_train);
	j->hb_train = NULL;
	free(j->hb_log);
	j->hb_log = NULL;
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	util_fmt(path, sizeof(path), "/api/v1/worker/jobs/%s/heartbeat", j->id);
	j->hb_req = wkhttp_json(j->env->http, "POST", path, text, WKHTTP_READ,
	    job_beat_answer, j);
	free(text);
	if (j->hb_req == NULL && job_beat_final(j))
		job__enter(j, JOB_P_DELIVER);
}

/* A heartbeat: read the log on the thread pool, then send it. */
static void
job_beat(struct job *j)
{
	j->hb_work.data = j;
	if (uv_queue_work(j->env->loop, &j->hb_work, job_w_beat,
	    job_beat_send) == 0)
		j->ops |= JOB_OP_BEAT_READ;
}

static void
job_beat_tick(uv_timer_t *t)
{
	struct job *j = t->data;

	if ((job__pending(j) & (JOB_OP_BEAT_READ | JOB_OP_BEAT_SEND)) != 0 ||
	    job_beat_final(j) || j->phase >= JOB_P_DRAINING)
		return;
	job_beat(j);
}

void
job__beat_start(struct job *j)
{
	uint64_t ms = j->env->cfg->heartbeat > 0 ?
	    (uint64_t)j->env->cfg->heartbeat * 1000 :
	    (uint64_t)j->lease_s * 1000 / 3;

	if (ms < 200)
		ms = 200;
	uv_timer_start(&j->hb_timer, job_beat_tick, ms, ms);
}

void
job__beat_now(struct job *j)
{
	if ((job__pending(j) & (JOB_OP_BEAT_READ | JOB_OP_BEAT_SEND)) == 0)
		job_beat(j);
}

void
job__beat_wait(struct job *j)
{
	if ((job__pending(j) & (JOB_OP_BEAT_READ | JOB_OP_BEAT_SEND)) == 0)
		job__next(j);
}

void
job__beat_last(struct job *j)
{
	job_beat(j);
}
