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
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "cfg.h"
#include "db.h"
#include "http.h"
#include "jcache.h"
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
	const struct db_principal *who = http_req_who(req);
	struct jcache *cache = http_req_srv(req)->jobs;
	const char *id = http_req_param(req, 0);
	int64_t scope = who->role == WHO_ADMIN ? -1 : who->team_id;
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

int
api_worker_claim(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	json_t *body = http_req_json(req), *o;
	const char *worker = NULL;
	int changed, rc;

	if (body != NULL && json_unpack(body, "{s?s}", "worker", &worker)
	    != 0)
		return http_reply_error(req, 400, "bad_request",
		    "\"worker\" must be a string", NULL);
	if (worker == NULL)
		worker = http_req_who(req)->email;
	/* the worker's name, version and backend, for the organizers */
	(void)db_worker_seen(http_req_db(req), worker, json_string_value(
	    json_object_get(body, "version")), json_string_value(
	    json_object_get(body, "backend")), 1, srv_now());
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
 * it: another worker token gets 403 not_your_attempt, whatever it sends.
 * 0 to go on (also for a job that is not running: the handler answers
 * 404 / 409 then), or -1 after replying.
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

static int
job_stale(struct http_req *req)
{
	return http_reply_error(req, 409, "stale_attempt", "this attempt is "
	    "not the job's running attempt (lease expired, or the job was "
	    "claimed again)", NULL);
}

int
api_worker_heartbeat(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	json_t *body = http_req_json(req);
	struct db_heartbeat hb;
	json_int_t attempt = 0;
	const char *stage = NULL, *log = NULL;
	double progress = -1;
	size_t log_len = 0;
	int cancelled = 0, rc;
	int64_t until = 0;
	char ts[21];

	if (job_holder_check(req) != 0)
		return 0;

	if (body == NULL || json_unpack(body, "{s:I, s?s, s?F, s?s%}",
	    "attempt", &attempt, "stage", &stage, "progress", &progress,
	    "log", &log, &log_len) != 0)
		return http_reply_error(req, 400, "bad_request", "send JSON "
		    "{\"attempt\": N, \"stage\"?, \"progress\"?, \"log\"?}",
		    NULL);
	if (stage != NULL && strcmp(stage, "materialize") != 0 &&
	    strcmp(stage, "train") != 0 && strcmp(stage, "evaluate") != 0 &&
	    strcmp(stage, "score") != 0)
		return http_reply_error(req, 400, "bad_request", "stage: "
		    "materialize, train, evaluate or score", NULL);
	if (json_object_get(body, "progress") != NULL &&
	    (!(progress >= 0) || progress > 1))
		return http_reply_error(req, 400, "bad_request",
		    "progress: a number from 0 to 1", NULL);
	memset(&hb, 0, sizeof(hb));
	hb.attempt = attempt;
	hb.stage = stage;
	hb.progress = progress;
	hb.log = log;
	hb.log_len = log_len;
	hb.tail_max = (size_t)srv->cfg->log_tail_bytes;
	hb.lease = srv->cfg->lease_seconds;
	rc = db_job_heartbeat(http_req_db(req), http_req_param(req, 0), &hb,
	    srv_now(), &cancelled, &until);
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found", "no such job",
		    NULL);
	if (rc == DB_STALE)
		return job_stale(req);
	if (rc != DB_OK)
		return job_db_error(req);
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
	json_t *body = http_req_json(req), *scores = NULL, *priv = NULL, *o;
	const char *status = NULL, *error = NULL, *fault = NULL;
	enum job_fault f = FAULT_NONE;
	struct db_result r;
	json_int_t attempt = 0;
	char *raw;
	int dup = 0, rc;

	if (job_holder_check(req) != 0)
		return 0;

	if (body == NULL || json_unpack(body, "{s:I, s:s, s?o, s?s, s?s}",
	    "attempt", &attempt, "status", &status, "scores", &scores,
	    "error", &error, "fault", &fault) != 0 ||
	    (strcmp(status, "succeeded") != 0 && strcmp(status, "failed") != 0))
		return http_reply_error(req, 400, "bad_request", "send JSON "
		    "{\"attempt\": N, \"status\": \"succeeded\"|\"failed\", "
		    "\"scores\"?: {task: number}, \"error\"?, \"fault\"?}",
		    NULL);
	if (fault != NULL && job_fault_parse(fault, &f) != 0)
		return http_reply_error(req, 400, "bad_request",
		    "fault: team or system", NULL);
	if (strcmp(status, "succeeded") == 0) {
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
	r.attempt = attempt;
	r.succeeded = strcmp(status, "succeeded") == 0;
	r.scores = scores;
	r.private_scores = priv;
	r.error = error;
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
	json_int_t attempt = 0;
	const char *reason = NULL;
	char why[256];
	int rc;

	if (job_holder_check(req) != 0)
		return 0;

	if (body == NULL || json_unpack(body, "{s:I, s?s}", "attempt",
	    &attempt, "reason", &reason) != 0)
		return http_reply_error(req, 400, "bad_request", "send JSON "
		    "{\"attempt\": N, \"reason\"?}", NULL);
	if (reason != NULL)
		util_quote(why, sizeof(why), reason, strlen(reason));
	rc = db_job_release(http_req_db(req), http_req_param(req, 0), attempt,
	    reason ? why : NULL, srv_now());
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
