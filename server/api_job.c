/*
 * api_job: job status for participants and the worker API: claim (with a
 * lease and a new attempt number, the fencing token), heartbeat (extends
 * the lease, appends to the log tail, says whether the job was
 * cancelled), the submission's file, the result (idempotent for the
 * same attempt, 409 for any other) and the release (a stopping worker
 * hands its attempt back, the job is queued again at once).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "cfg.h"
#include "db.h"
#include "field.h"
#include "http.h"
#include "jcache.h"
#include "joblog.h"
#include "lb.h"
#include "srv.h"
#include "util.h"

static int
job_db_error(struct http_req *req)
{
	return http_reply_error(req, 503, "unavailable",
	    "database unavailable", NULL);
}

/*
 * A job's answer comes from memory while the database has not changed
 * since it was read (jcache.h); the scope keeps each team's answers
 * apart (organizers see every job).
 */
int
api_job_get(struct http_req *req)
{
	struct jcache *cache = http_req_srv(req)->jobs;
	const char *id = http_req_param(req, 0);
	int64_t scope = http_req_scope(req);
	uint64_t commits = db_commits();
	json_t *o;
	char *text;
	size_t len;
	int rc;

	if (jcache_get(cache, id, scope, commits, &text, &len))
		return http_reply_json_text(req, 200, text, len);
	if (http_req_take_db(req) != 0)
		return 0;
	rc = db_job_get(http_req_db(req), id, scope, &o);
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found", "no such job",
		    NULL);
	if (rc != DB_OK)
		return job_db_error(req);
	text = http_json_text(o, &len);
	if (text == NULL)
		return http_reply_json(req, 200, o);	/* answers 500 */
	json_decref(o);
	jcache_put(cache, id, scope, commits, text, len);
	return http_reply_json_text(req, 200, text, len);
}

/* The bodies of the worker API.  Their strings are not text-checked (a
 * log holds anything); attempt is the fencing token. */
static const struct field claim_fields[] = {
	FIELD_STRING("worker", 0, 0, 0),
	FIELD_STRING("version", FIELD_NULL, 0, 0),
	FIELD_STRING("backend", FIELD_NULL, 0, 0),
};
static const char *const job_stages[] = { "materialize", "preflight",
    "train", "evaluate", "score", NULL };
static const struct field heartbeat_fields[] = {
	FIELD_INT("attempt", FIELD_REQUIRED, INT64_MIN, INT64_MAX),
	FIELD_ENUM("stage", 0, job_stages),
	FIELD_NUMBER("progress", 0, 0, 1),
	FIELD_STRING("log", 0, 0, 0),
	FIELD_OBJECT("train", 0),
	FIELD_STRING("note", FIELD_NULL, 0, 300),
};
static const char *const job_outcomes[] = { "succeeded", "failed", NULL };
static const char *const job_faults[] = { "team", "system", NULL };
static const struct field result_fields[] = {
	FIELD_INT("attempt", FIELD_REQUIRED, INT64_MIN, INT64_MAX),
	FIELD_ENUM("status", FIELD_REQUIRED, job_outcomes),
	FIELD_OBJECT("scores", FIELD_NULL),
	FIELD_STRING("error", 0, 0, 0),
	FIELD_ENUM("fault", 0, job_faults),
};
static const char *const job_stops[] = { "nan_loss", "slurm_fault", NULL };
static const struct field release_fields[] = {
	FIELD_INT("attempt", FIELD_REQUIRED, INT64_MIN, INT64_MAX),
	FIELD_STRING("reason", 0, 0, 0),
	FIELD_ENUM("stop", 0, job_stops),
};
const struct field_table api_worker_claim_body = FIELD_TABLE(claim_fields, 0);
const struct field_table api_worker_heartbeat_body =
    FIELD_TABLE(heartbeat_fields, 0);
const struct field_table api_worker_result_body =
    FIELD_TABLE(result_fields, 0);
const struct field_table api_worker_release_body =
    FIELD_TABLE(release_fields, 0);

int
api_worker_claim(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	json_t *body = http_req_json(req), *o;
	const char *worker = field_str(body, "worker");
	int changed, rc;

	if (worker == NULL)
		worker = http_req_who(req)->email;
	/* the worker's name, version and backend, for the organizers */
	(void)db_worker_seen(http_req_db(req), worker, field_str(body,
	    "version"), field_str(body, "backend"), 1, srv_now());
	if (db_jobs_expire(http_req_db(req), srv_now(),
	    srv->cfg->max_attempts, &changed) != DB_OK)
		return job_db_error(req);
	rc = db_job_claim(http_req_db(req), worker, http_req_who(req)->token_id,
	    srv_now(), srv->cfg->lease_seconds, &o);
	if (rc == DB_NOTFOUND)
		return http_reply_empty(req, 204);
	if (rc != DB_OK)
		return job_db_error(req);
	return http_reply_json(req, 200, o);
}

/*
 * The running attempt of a job belongs to the worker token that claimed
 * it: another worker token gets 403 not_your_attempt, whatever it sends
 * (on the routes with a body, api_worker_begin() asks before the body is
 * read).  0 to go on (also for a job that is not running: the handler
 * answers 404 / 409 then), or -1 after replying.
 */
static int
job_holder_check(struct http_req *req)
{
	int64_t holder;

	if (db_job_holder(http_req_db(req), http_req_param(req, 0), &holder)
	    == DB_ERR)
		return job_db_error(req), -1;
	if (holder != 0 && holder != http_req_who(req)->token_id)
		return http_reply_error(req, 403, "not_your_attempt", "this "
		    "job's running attempt was claimed by another worker "
		    "token", NULL), -1;
	return 0;
}

int
api_worker_begin(struct http_req *req)
{
	(void)job_holder_check(req);
	return 0;
}

static int
job_stale(struct http_req *req)
{
	return http_reply_error(req, 409, "stale_attempt", "this attempt is "
	    "not the job's running attempt (lease expired, or the job was "
	    "claimed again)", NULL);
}

/* The most points of a heartbeat's loss series. */
#define JOB_LOSS_POINTS 500

/* A non-negative integer a double holds exactly, or -1. */
static int64_t
job_count(json_t *v)
{
	json_int_t n = json_integer_value(v);

	return json_is_integer(v) && n >= 0 && n <= (1LL << 53) ? n : -1;
}

/*
 * The heartbeat's train object: {"step": N, "steps": N, "loss": [[step,
 * loss | null], ...]} (at most JOB_LOSS_POINTS points, steps from 1 and
 * rising).  0 with the series as JSON text in *loss (malloc'd) and the
 * counts in hb, or -1.
 */
static int
job_train_check(json_t *train, struct db_heartbeat *hb, char **loss)
{
	json_t *pts = json_object_get(train, "loss"), *p;
	int64_t prev = 0, step;
	size_t i;

	hb->step = job_count(json_object_get(train, "step"));
	hb->steps = job_count(json_object_get(train, "steps"));
	if (hb->step < 0 || hb->steps < 0 || !json_is_array(pts) ||
	    json_array_size(pts) > JOB_LOSS_POINTS)
		return -1;
	json_array_foreach(pts, i, p) {
		step = job_count(json_array_get(p, 0));
		if (json_array_size(p) != 2 || step <= prev ||
		    !(json_is_number(json_array_get(p, 1)) ||
		    json_is_null(json_array_get(p, 1))))
			return -1;
		prev = step;
	}
	*loss = json_dumps(pts, JSON_COMPACT | JSON_REAL_PRECISION(7));
	return *loss != NULL ? 0 : -1;
}

/* Say, at most once a minute, that heartbeats' log pieces are not kept
 * in the full logs for want of disk space. */
static void
job_log_dropped(const struct srv *srv)
{
	static _Atomic int64_t said;
	int64_t now = srv_now(), last = said;

	if (now - last < 60 || !atomic_compare_exchange_strong(&said, &last,
	    now))
		return;
	fprintf(stderr, "dataoptimd: the state directory is under "
	    "storage.min_free_mb (%lld MB): the jobs' full logs are not "
	    "written (their tails are)\n", (long long)srv->cfg->min_free_mb);
}

int
api_worker_heartbeat(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	json_t *body = http_req_json(req);
	json_t *train = json_object_get(body, "train");
	struct db_heartbeat hb;
	int cancelled = 0, rc;
	int64_t until = 0;
	char ts[21], *loss = NULL;

	memset(&hb, 0, sizeof(hb));
	if (train != NULL && job_train_check(train, &hb, &loss) != 0)
		return http_reply_error(req, 400, "bad_request", "train: "
		    "{step, steps, loss: at most 500 [step, number or null] "
		    "pairs, the steps rising from 1}", NULL);
	hb.attempt = field_int(body, "attempt", 0);
	hb.stage = field_str(body, "stage");
	hb.note = field_str(body, "note");
	hb.progress = field_number(body, "progress", -1);
	hb.log = field_str(body, "log");
	hb.log_len = json_string_length(json_object_get(body, "log"));
	hb.tail_max = (size_t)srv->cfg->log_tail_bytes;
	hb.lease = srv->cfg->lease_seconds;
	hb.loss = loss;
	rc = db_job_heartbeat(http_req_db(req), http_req_param(req, 0), &hb,
	    srv_now(), &cancelled, &until);
	free(loss);
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found", "no such job",
		    NULL);
	if (rc == DB_STALE)
		return job_stale(req);
	if (rc != DB_OK)
		return job_db_error(req);
	/* the full log of the attempt, beside the tail; not
	 * while the disk is under storage.min_free_mb (the tail is kept) */
	if (hb.log != NULL && hb.log_len > 0) {
		char lerr[256];

		if (srv_storage_low(srv, NULL))
			job_log_dropped(srv);
		else if (joblog_append(srv->cfg->state_dir,
		    http_req_param(req, 0), hb.attempt, hb.log, hb.log_len,
		    lerr, sizeof(lerr)) != 0)
			fprintf(stderr, "dataoptimd: %s\n", lerr);
	}
	(void)db_worker_seen_job(http_req_db(req), http_req_param(req, 0),
	    srv_now());
	if (cancelled)
		return http_reply_json(req, 200, json_pack("{s:b}",
		    "cancelled", 1));
	db_iso_time(until, ts);
	return http_reply_json(req, 200, json_pack("{s:b, s:s, s:I}",
	    "cancelled", 0, "lease_expires_at", ts, "lease_seconds",
	    (json_int_t)srv->cfg->lease_seconds));
}

int
api_worker_file(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	const char *a = http_req_query(req, "attempt");
	char fname[128], path[PATH_MAX];
	int64_t attempt = 0;
	struct stat st;
	int fd, rc;

	if (job_holder_check(req) != 0)
		return 0;

	if (a != NULL) {
		char *end;

		attempt = strtoll(a, &end, 10);
		if (end == a || *end != '\0' || attempt < 1)
			return http_reply_error(req, 400, "bad_request",
			    "attempt: a positive integer", NULL);
	}
	rc = db_job_file(http_req_db(req), http_req_param(req, 0), attempt,
	    fname, sizeof(fname));
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found", "no such job",
		    NULL);
	if (rc == DB_STALE)
		return job_stale(req);
	if (rc != DB_OK)
		return job_db_error(req);
	util_fmt(path, sizeof(path), "%s/%s", srv->sub_dir, fname);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "dataoptimd: %s: %s\n", path, strerror(errno));
		return http_reply_error(req, 500, "internal",
		    "the stored file is missing", NULL);
	}
	return http_reply_fd(req, 200, strstr(fname, ".json") ?
	    "application/json" : "text/plain; charset=utf-8", fd,
	    (uint64_t)st.st_size);
}

/* Check a {task: finite number} object and add "overall" (the mean over
 * the tasks) unless it is there.  0 or -1. */
static int
job_scores_check(json_t *scores)
{
	const char *task;
	double sum = 0;
	size_t n = 0;
	json_t *v;

	if (!json_is_object(scores))
		return -1;
	json_object_foreach(scores, task, v) {
		if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
		    strlen(task) == 0 || strlen(task) > 64)
			return -1;
		if (strcmp(task, "overall") != 0) {
			sum += json_number_value(v);
			n++;
		}
	}
	if (json_object_get(scores, "overall") == NULL && n > 0)
		json_object_set_new(scores, "overall",
		    json_real(sum / (double)n));
	return 0;
}

int
api_worker_result(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	json_t *body = http_req_json(req), *priv = NULL, *o;
	json_t *scores = json_object_get(body, "scores");
	int succeeded = strcmp(field_str(body, "status"), "succeeded") == 0;
	enum job_fault f = FAULT_NONE;
	struct db_result r;
	char *raw;
	int dup = 0, rc;

	/* one of the table's words, or absent: FAULT_NONE stays */
	(void)job_fault_parse(field_str(body, "fault"), &f);
	if (succeeded) {
		/* {"public": {...}, "private": {...}}, or plain = public */
		if (json_is_object(json_object_get(scores, "public"))) {
			priv = json_object_get(scores, "private");
			scores = json_object_get(scores, "public");
			if (priv != NULL && job_scores_check(priv) != 0)
				return http_reply_error(req, 400,
				    "bad_request", "scores.private: {task: "
				    "finite number}", NULL);
		}
		if (!json_is_object(scores) || json_object_size(scores) == 0)
			return http_reply_error(req, 400, "bad_request",
			    "a succeeded result needs scores", NULL);
		if (job_scores_check(scores) != 0)
			return http_reply_error(req, 400,
			    "bad_request", "scores: {task: finite "
			    "number}", NULL);
	}
	raw = json_dumps(body, JSON_COMPACT);
	memset(&r, 0, sizeof(r));
	r.attempt = field_int(body, "attempt", 0);
	r.succeeded = succeeded;
	r.scores = scores;
	r.private_scores = priv;
	r.error = field_str(body, "error");
	r.fault = f;
	r.raw = raw;
	rc = db_job_result(http_req_db(req), http_req_param(req, 0), &r,
	    srv_now(), &dup);
	free(raw);
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found", "no such job",
		    NULL);
	if (rc == DB_STALE)
		return job_stale(req);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "cancelled",
		    "the job was cancelled", NULL);
	if (rc != DB_OK)
		return job_db_error(req);
	if (!dup && r.succeeded)
		lb_invalidate(srv->lb);
	(void)db_worker_seen_job(http_req_db(req), http_req_param(req, 0),
	    srv_now());
	if (db_job_get(http_req_db(req), http_req_param(req, 0), -1, &o)
	    != DB_OK)
		return job_db_error(req);
	json_object_set_new(o, "duplicate", json_boolean(dup));
	return http_reply_json(req, 200, o);
}

int
api_worker_release(struct http_req *req)
{
	json_t *body = http_req_json(req);
	const char *reason = field_str(body, "reason");
	char why[256];
	int rc;

	if (reason != NULL)
		util_quote(why, sizeof(why), reason, strlen(reason));
	rc = db_job_release(http_req_db(req), http_req_param(req, 0),
	    field_int(body, "attempt", 0), reason ? why : NULL,
	    field_str(body, "stop"), srv_now());
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found", "no such job",
		    NULL);
	if (rc == DB_STALE)
		return job_stale(req);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "cancelled",
		    "the job was cancelled", NULL);
	if (rc != DB_OK)
		return job_db_error(req);
	return http_reply_json(req, 200, json_pack("{s:b}", "released", 1));
}
