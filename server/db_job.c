/* db_job: job status, the worker API's claim / heartbeat / result, lease
 * expiry, and the workers' signs of life. */
#include "db_int.h"

#include <string.h>

#include "util.h"

static json_t *
db_job_row(sqlite3_stmt *st)
{
	json_t *o = json_object(), *loss;

	db__jtext(o, "id", st, 0);
	db__jtext(o, "submission_id", st, 1);
	db__jtext(o, "track", st, 2);
	db__jtext(o, "state", st, 3);
	db__jtext(o, "stage", st, 4);
	db__jtext(o, "progress", st, 5);
	db__jint(o, "attempt", st, 6);
	db__jtime(o, "created_at", st, 7);
	db__jtime(o, "started_at", st, 8);
	db__jtime(o, "finished_at", st, 9);
	db__jtime(o, "updated_at", st, 10);
	db__jtime(o, "lease_expires_at", st, 11);
	db__jtext(o, "error", st, 12);
	db__jtext(o, "fault", st, 13);
	db__jtext(o, "log_tail", st, 14);
	json_object_set_new(o, "reused", json_boolean(
	    sqlite3_column_type(st, 15) != SQLITE_NULL));
	/* the backend the worker named in its result ("proxy", "llava") */
	if (sqlite3_column_type(st, 16) == SQLITE_TEXT)
		db__jtext(o, "backend", st, 16);
	/* the current attempt's train progress and loss series */
	db__jint(o, "train_step", st, 18);
	db__jint(o, "train_steps", st, 19);
	db__jtext(o, "stage_note", st, 20);
	loss = sqlite3_column_type(st, 17) == SQLITE_TEXT ? json_loads(
	    (const char *)sqlite3_column_text(st, 17), 0, NULL) : NULL;
	if (!json_is_array(loss)) {
		json_decref(loss);
		loss = json_array();
	}
	json_object_set_new(o, "loss", loss);
	return o;
}

int
db_job_get(struct db *db, const char *id, int64_t team_id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT j.id, j.submission_id, "
	    "t.slug, j.state, j.stage, j.progress, j.attempt, j.created_at, "
	    "j.started_at, j.finished_at, j.updated_at, j.lease_expires_at, "
	    "j.error, j.fault, j.log_tail, s.reused_from, "
	    "CASE WHEN json_valid(j.result) THEN "
	    "json_extract(j.result, '$.backend') END, "
	    "l.points, l.step, l.steps, "
	    "CASE WHEN j.state = 'running' THEN j.stage_note END "
	    "FROM jobs j JOIN submissions s ON s.id = j.submission_id "
	    "JOIN tracks t ON t.id = s.track_id "
	    "LEFT JOIN job_loss l ON l.job_id = j.id AND l.attempt = j.attempt "
	    "WHERE j.id = ?1 AND (?2 < 0 OR s.team_id = ?2)");
	json_t *o;
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	db__int(st, 2, team_id);
	if ((rc = db__row(db, st, db_job_row, &o, "job get")) != DB_OK)
		return rc;
	if (db__add_scores(db, o, "submission_id", 0) != DB_OK) {
		json_decref(o);
		return DB_ERR;
	}
	*out = json_pack("{s:o}", "job", o);
	return DB_OK;
}

/* The failed attempts of job j (a table alias) since its last re-run:
 * those whose lease expired, numbered above the newest job_history row. */
#define DB_JOB_FAILS(j) "(SELECT COUNT(*) FROM job_attempts a " \
	"WHERE a.job_id = " j ".id AND a.outcome = 'expired' " \
	"AND a.attempt > COALESCE((SELECT MAX(h.attempt) FROM job_history h " \
	"WHERE h.job_id = " j ".id), 0))"

/* Keep the running attempt of job id in the attempt history: outcome
 * "expired" or "released", with its worker, error and, for an attempt its
 * worker stopped for a retry, why (stop; else NULL) (inside a
 * transaction). */
static int
db_attempt_end(struct db *db, const char *id, const char *outcome,
    const char *error, const char *stop, int64_t now)
{
	sqlite3_stmt *st = db__stmt(db, "INSERT INTO job_attempts (job_id, "
	    "attempt, outcome, worker, error, ended_at, stop) SELECT id, "
	    "attempt, ?2, worker, ?3, ?4, ?5 FROM jobs WHERE id = ?1");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	db__text(st, 2, outcome);
	db__text(st, 3, error);
	db__int(st, 4, now);
	db__text(st, 5, stop);
	return db__exec(db, st, NULL, "attempt history");
}

static json_t *
db_expired_row(sqlite3_stmt *st)
{
	return json_pack("{s:s, s:I, s:I}", "id",
	    (const char *)sqlite3_column_text(st, 0),
	    "attempt", (json_int_t)sqlite3_column_int64(st, 1),
	    "failed", (json_int_t)sqlite3_column_int64(st, 2));
}

/* The lease of job id's running attempt expired: keep the attempt in the
 * history, then requeue the job, or fail it when this was its last
 * failed attempt (failed = how many with this one). */
static int
db_job_expire(struct db *db, const char *id, int64_t attempt,
    int64_t failed, int64_t max_attempts, int64_t now)
{
	struct db_job_change ch = { 0 };
	char msg[160];
	int last = failed >= max_attempts, rc;

	if (last)
		util_fmt(msg, sizeof(msg), "lease expired on attempt %lld "
		    "(failed attempt %lld of %lld): no attempts left",
		    (long long)attempt, (long long)failed,
		    (long long)max_attempts);
	else
		util_fmt(msg, sizeof(msg), "lease expired on attempt %lld; "
		    "requeued", (long long)attempt);
	if ((rc = db_attempt_end(db, id, "expired", msg, NULL, now)) != DB_OK)
		return rc;
	ch.error = msg;
	ch.fault = last ? FAULT_SYSTEM : FAULT_NONE;
	return db_job_transition(db, id, JOB_BIT(JOB_RUNNING),
	    last ? JOB_FAILED : JOB_QUEUED, &ch, now);
}

int
db_jobs_grace(struct db *db, int64_t now, int64_t lease, int *changed)
{
	sqlite3_stmt *st = db__stmt(db, "UPDATE jobs SET lease_expires_at = ?1 "
	    "WHERE state = 'running' AND lease_expires_at < ?1");

	*changed = 0;
	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, now + lease);
	return db__exec(db, st, changed, "job lease grace");
}

int
db_jobs_expire(struct db *db, int64_t now, int64_t max_attempts,
    int *changed)
{
	sqlite3_stmt *st;
	json_t *arr = NULL, *x;
	size_t i;
	int rc = DB_ERR;

	*changed = 0;
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	st = db__stmt(db, "SELECT j.id, j.attempt, " DB_JOB_FAILS("j")
	    " + 1 FROM jobs j WHERE j.state = 'running' "
	    "AND j.lease_expires_at <= ?1");
	if (st == NULL)
		goto out;
	db__int(st, 1, now);
	if ((rc = db__rows(db, st, db_expired_row, -1, &arr, NULL,
	    "expired leases")) != DB_OK)
		goto out;
	json_array_foreach(arr, i, x)
		if ((rc = db_job_expire(db, json_string_value(json_object_get(x,
		    "id")), json_integer_value(json_object_get(x, "attempt")),
		    json_integer_value(json_object_get(x, "failed")),
		    max_attempts, now)) != DB_OK)
			goto out;
	if (json_array_size(arr) > 0 && (rc = db__commit(db)) != DB_OK)
		goto out;
	*changed = (int)json_array_size(arr);
out:
	db__rollback(db);
	json_decref(arr);
	return rc == DB_OK ? DB_OK : DB_ERR;
}

static json_t *
db_claim_row(sqlite3_stmt *st)
{
	json_t *job = json_object(), *sub = json_object(), *tr = json_object();

	db__jtext(job, "id", st, 0);
	db__jint(job, "attempt", st, 1);
	db__jtime(job, "lease_expires_at", st, 2);
	db__jint(job, "lease_seconds", st, 14);
	db__jtext(sub, "id", st, 3);
	db__jtext(sub, "kind", st, 4);
	db__jint(sub, "n_samples", st, 5);
	db__jint(sub, "size_bytes", st, 6);
	db__jtext(sub, "sha256", st, 7);
	db__jtext(sub, "set_hash", st, 8);
	db__jtext(sub, "method_name", st, 13);
	db__jtext(sub, "download", st, 15);
	db__jtext(tr, "slug", st, 9);
	db__jtext(tr, "kind", st, 10);
	db__jint(tr, "budget", st, 11);
	db__jtext(tr, "metric", st, 12);
	json_object_set_new(job, "submission", sub);
	json_object_set_new(job, "track", tr);
	return job;
}

int
db_job_holder(struct db *db, const char *id, int64_t *token)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT CASE WHEN state = 'running' "
	    "THEN COALESCE(claim_token, 0) ELSE 0 END FROM jobs WHERE id = ?1");
	int rc;

	*token = 0;
	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*token = sqlite3_column_int64(st, 0);
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "job holder");
}

/* The claimed job's "stops": {why: attempts} of the attempts since its
 * last re-run that a worker stopped for a retry (see db_job_release()). */
static int
db_claim_stops(struct db *db, const char *id, json_t *job)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT stop, COUNT(*) FROM "
	    "job_attempts a WHERE a.job_id = ?1 AND a.stop IS NOT NULL "
	    "AND a.attempt > COALESCE((SELECT MAX(h.attempt) FROM "
	    "job_history h WHERE h.job_id = ?1), 0) GROUP BY stop");
	json_t *stops = json_object();
	int rc;

	json_object_set_new(job, "stops", stops);
	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(stops, (const char *)sqlite3_column_text(st,
		    0), json_integer(sqlite3_column_int64(st, 1)));
	db__done(st);
	return rc == SQLITE_DONE ? DB_OK : db__fail(db, "claim stops");
}

int
db_job_claim(struct db *db, const char *worker, int64_t token, int64_t now,
    int64_t lease, json_t **out)
{
	struct db_job_change ch = { 0 };
	sqlite3_stmt *st;
	char id[40];
	json_t *job;
	int rc = DB_ERR;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	/* organizers' priority first, then the oldest */
	st = db__stmt(db, "SELECT id FROM jobs WHERE state = 'queued' "
	    "ORDER BY priority DESC, rowid LIMIT 1");
	if (st == NULL)
		goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		db__col(st, 0, id, sizeof(id));
	db__done(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? DB_NOTFOUND :
		    db__fail(db, "claim select");
		goto out;
	}
	rc = DB_ERR;
	ch.worker = worker;
	ch.lease_until = now + lease;
	ch.token = token;
	if (db_job_transition(db, id, JOB_BIT(JOB_QUEUED), JOB_RUNNING, &ch,
	    now) != DB_OK)
		goto out;
	st = db__stmt(db, "SELECT j.id, j.attempt, j.lease_expires_at, "
	    "s.id, s.kind, s.n_samples, s.size_bytes, s.sha256, s.set_hash, "
	    "t.slug, t.kind, t.budget, t.metric, s.method_name, ?2, "
	    "'/api/v1/worker/jobs/' || j.id || '/submission' "
	    "FROM jobs j JOIN submissions s ON s.id = j.submission_id "
	    "JOIN tracks t ON t.id = s.track_id WHERE j.id = ?1");
	if (st == NULL)
		goto out;
	db__text(st, 1, id);
	db__int(st, 2, lease);
	if (db__row(db, st, db_claim_row, &job, "claim read") != DB_OK)
		goto out;
	if (db_claim_stops(db, id, job) != DB_OK || db__commit(db) != DB_OK) {
		json_decref(job);
		goto out;
	}
	*out = json_pack("{s:o}", "job", job);
	rc = DB_OK;
out:
	db__rollback(db);
	return rc;
}

/* What happened to job id's attempt: */
#define DB_JOB_FINISHED 10	/* its result is stored (succeeded, failed) */

/* Check that attempt is job id's running attempt (inside a transaction).
 * DB_OK: it runs; DB_CONFLICT: the job was cancelled; DB_JOB_FINISHED;
 * DB_STALE: another attempt, or no longer running; DB_NOTFOUND; DB_ERR.
 * tail (may be NULL; tailsz bytes) gets the log tail. */
static int
db_job_current(struct db *db, const char *id, int64_t attempt, char *tail,
    size_t tailsz)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT state, attempt, log_tail, "
	    "result IS NOT NULL FROM jobs WHERE id = ?1");
	enum job_state state = JOB_QUEUED;
	int64_t cur = 0;
	int rc, has_result = 0;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = db__job_state(st, 0, &state);
		cur = sqlite3_column_int64(st, 1);
		if (tail != NULL)
			db__col(st, 2, tail, tailsz);
		has_result = sqlite3_column_int(st, 3);
	} else
		rc = rc == SQLITE_DONE ? DB_NOTFOUND :
		    db__fail(db, "job state");
	db__done(st);
	if (rc != DB_OK)
		return rc;
	if (cur != attempt)
		return DB_STALE;
	switch (state) {
	case JOB_RUNNING:
		return DB_OK;
	case JOB_CANCELLED:
		return DB_CONFLICT;
	case JOB_SUCCEEDED:
	case JOB_FAILED:
		return has_result ? DB_JOB_FINISHED : DB_STALE;
	default:
		return DB_STALE;
	}
}

/* Append add (n bytes) to the tail (NUL-terminated in a buffer of max+1
 * bytes) keeping its last max bytes, cut at a UTF-8 character start. */
static void
db_tail_append(char *tail, size_t max, const char *add, size_t n)
{
	size_t have = strlen(tail), cut;

	if (n >= max) {
		add += n - max;
		n = max;
		have = 0;
	} else if (have + n > max) {
		cut = have + n - max;
		while (cut < have && ((unsigned char)tail[cut] & 0xc0) == 0x80)
			cut++;
		memmove(tail, tail + cut, have - cut);
		have -= cut;
	}
	memcpy(tail + have, add, n);
	tail[have + n] = '\0';
	/* a cut inside a character at the start of add */
	cut = 0;
	while (((unsigned char)tail[cut] & 0xc0) == 0x80)
		cut++;
	if (cut)
		memmove(tail, tail + cut, strlen(tail + cut) + 1);
}

/* The heartbeat's loss series and train progress, if it has them, as the
 * running attempt's (inside the heartbeat's transaction). */
static int
db_loss_put(struct db *db, const char *id, const struct db_heartbeat *hb,
    int64_t now)
{
	sqlite3_stmt *st;

	if (hb->loss == NULL)
		return DB_OK;
	st = db__stmt(db, "INSERT OR REPLACE INTO job_loss (job_id, attempt, "
	    "step, steps, points, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	db__int(st, 2, hb->attempt);
	db__int(st, 3, hb->step);
	db__int(st, 4, hb->steps);
	db__text(st, 5, hb->loss);
	db__int(st, 6, now);
	return db__exec(db, st, NULL, "heartbeat loss");
}

int
db_job_heartbeat(struct db *db, const char *id,
    const struct db_heartbeat *hb, int64_t now, int *cancelled,
    int64_t *lease_until)
{
	char *tail;
	sqlite3_stmt *st;
	int rc;

	*cancelled = 0;
	*lease_until = 0;
	tail = util_xmalloc(hb->tail_max + 1);
	tail[0] = '\0';
	if (db__begin(db) != DB_OK) {
		free(tail);
		return DB_ERR;
	}
	rc = db_job_current(db, id, hb->attempt, tail, hb->tail_max + 1);
	if (rc == DB_CONFLICT) {
		*cancelled = 1;
		rc = DB_OK;
		goto out;
	}
	if (rc == DB_JOB_FINISHED)
		rc = DB_STALE;
	if (rc != DB_OK)
		goto out;
	if (hb->log != NULL && hb->log_len > 0)
		db_tail_append(tail, hb->tail_max, hb->log, hb->log_len);
	rc = DB_ERR;
	st = db__stmt(db, "UPDATE jobs SET lease_expires_at = ?2, "
	    "stage = COALESCE(?3, stage), "
	    "progress = CASE WHEN ?4 >= 0 THEN ?4 ELSE progress END, "
	    "log_tail = ?5, updated_at = ?6, stage_note = ?7 WHERE id = ?1");
	if (st == NULL)
		goto out;
	db__text(st, 1, id);
	db__int(st, 2, now + hb->lease);
	db__text(st, 3, hb->stage);
	sqlite3_bind_double(st, 4, hb->progress);
	db__text(st, 5, tail);
	db__int(st, 6, now);
	db__text(st, 7, hb->note);
	if (db__exec(db, st, NULL, "heartbeat") != DB_OK ||
	    db_loss_put(db, id, hb, now) != DB_OK || db__commit(db) != DB_OK)
		goto out;
	*lease_until = now + hb->lease;
	rc = DB_OK;
out:
	db__rollback(db);
	free(tail);
	return rc;
}

/* Store scores (borrowed {task: number}) for job id's submission with
 * sql, an INSERT binding the job ID, the task and the value. */
static int
db_job_put_scores(struct db *db, const char *sql, const char *id,
    json_t *scores, const char *what)
{
	sqlite3_stmt *st;
	const char *task;
	json_t *v;

	json_object_foreach(scores, task, v) {
		if ((st = db__stmt(db, sql)) == NULL)
			return DB_ERR;
		db__text(st, 1, id);
		db__text(st, 2, task);
		sqlite3_bind_double(st, 3, json_number_value(v));
		if (db__exec(db, st, NULL, what) != DB_OK)
			return DB_ERR;
	}
	return DB_OK;
}

int
db_job_result(struct db *db, const char *id, const struct db_result *r,
    int64_t now, int *dup)
{
	struct db_job_change ch = { 0 };
	int rc;

	*dup = 0;
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	rc = db_job_current(db, id, r->attempt, NULL, 0);
	if (rc == DB_JOB_FINISHED) {
		/* this attempt's result is in already: answer as before */
		*dup = 1;
		rc = DB_OK;
		goto out;
	}
	if (rc != DB_OK)
		goto out;
	rc = DB_ERR;
	ch.error = r->succeeded ? NULL : (r->error ? r->error : "failed");
	ch.fault = r->succeeded ? FAULT_NONE : r->fault != FAULT_NONE ?
	    r->fault : FAULT_SYSTEM;
	ch.result = r->raw;
	if (db_job_transition(db, id, JOB_BIT(JOB_RUNNING), r->succeeded ?
	    JOB_SUCCEEDED : JOB_FAILED, &ch, now) != DB_OK)
		goto out;
	if (r->succeeded && r->scores != NULL &&
	    db_job_put_scores(db, "INSERT OR REPLACE INTO scores "
	    "(submission_id, task, value) SELECT submission_id, ?2, ?3 "
	    "FROM jobs WHERE id = ?1", id, r->scores, "result scores")
	    != DB_OK)
		goto out;
	/* the private split, when the worker sent one */
	if (r->succeeded && r->private_scores != NULL &&
	    db_job_put_scores(db, "INSERT OR REPLACE INTO private_scores "
	    "(submission_id, task, value) SELECT submission_id, ?2, ?3 "
	    "FROM jobs WHERE id = ?1", id, r->private_scores,
	    "result private scores") != DB_OK)
		goto out;
	if (db__commit(db) != DB_OK)
		goto out;
	rc = DB_OK;
out:
	db__rollback(db);
	return rc;
}

int
db_job_release(struct db *db, const char *id, int64_t attempt,
    const char *reason, const char *stop, int64_t now)
{
	struct db_job_change ch = { 0 };
	char msg[400];
	int rc;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	rc = db_job_current(db, id, attempt, NULL, 0);
	if (rc == DB_JOB_FINISHED)
		rc = DB_STALE;
	if (rc != DB_OK)
		goto out;
	util_fmt(msg, sizeof(msg), "attempt %lld handed back by its worker%s%s"
	    "; requeued", (long long)attempt, reason ? ": " : "",
	    reason ? reason : "");
	/* kept in the history; not a failed attempt */
	if ((rc = db_attempt_end(db, id, "released", msg, stop, now)) !=
	    DB_OK)
		goto out;
	rc = DB_ERR;
	ch.error = msg;
	if (db_job_transition(db, id, JOB_BIT(JOB_RUNNING), JOB_QUEUED, &ch,
	    now) != DB_OK || db__commit(db) != DB_OK)
		goto out;
	rc = DB_OK;
out:
	db__rollback(db);
	return rc;
}

int
db_job_file(struct db *db, const char *id, int64_t attempt, char *file_name,
    size_t fnsz)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT s.file_name, j.state, "
	    "j.attempt FROM jobs j JOIN submissions s ON s.id = j.submission_id "
	    "WHERE j.id = ?1");
	enum job_state state = JOB_QUEUED;
	int64_t cur = 0;
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db__col(st, 0, file_name, fnsz);
		rc = db__job_state(st, 1, &state);
		cur = sqlite3_column_int64(st, 2);
	} else
		rc = rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "job file");
	db__done(st);
	if (rc != DB_OK)
		return rc;
	if (state != JOB_RUNNING || (attempt > 0 && attempt != cur))
		return DB_STALE;
	return DB_OK;
}

int
db_job_counts(struct db *db, int64_t counts[JOB_NSTATES])
{
	sqlite3_stmt *st = db__stmt(db, "SELECT state, COUNT(*) FROM jobs "
	    "GROUP BY state");
	enum job_state s;
	int rc;

	memset(counts, 0, JOB_NSTATES * sizeof(counts[0]));
	if (st == NULL)
		return DB_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (db__job_state(st, 0, &s) == DB_OK)
			counts[s] = sqlite3_column_int64(st, 1);
	db__done(st);
	return rc == SQLITE_DONE ? DB_OK : db__fail(db, "job counts");
}

/* ---- workers' signs of life ---- */

int
db_worker_seen(struct db *db, const char *name, const char *version,
    const char *backend, int claimed, int64_t now)
{
	sqlite3_stmt *st = db__stmt(db, "INSERT INTO workers (name, version, "
	    "backend, first_seen, last_seen, last_claim_at, claims) "
	    "VALUES (?1, ?2, ?3, ?4, ?4, IIF(?5, ?4, NULL), ?5) "
	    "ON CONFLICT (name) DO UPDATE SET "
	    "version = COALESCE(excluded.version, version), "
	    "backend = COALESCE(excluded.backend, backend), "
	    "last_seen = excluded.last_seen, "
	    "last_claim_at = COALESCE(excluded.last_claim_at, last_claim_at), "
	    "claims = claims + excluded.claims");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, name);
	db__text(st, 2, version);
	db__text(st, 3, backend);
	db__int(st, 4, now);
	db__int(st, 5, claimed ? 1 : 0);
	return db__exec_quiet(db, st, NULL, "worker seen");
}

int
db_worker_seen_job(struct db *db, const char *job_id, int64_t now)
{
	sqlite3_stmt *st = db__stmt(db, "UPDATE workers SET last_seen = ?2 "
	    "WHERE name = (SELECT worker FROM jobs WHERE id = ?1)");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, job_id);
	db__int(st, 2, now);
	return db__exec_quiet(db, st, NULL, "worker seen job");
}
