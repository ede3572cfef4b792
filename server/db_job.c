/* db_job: job status, the worker API's claim / heartbeat / result, lease
 * expiry. */
#include "db_int.h"

#include <string.h>

#include "util.h"

int
db_job_get(struct db *db, const char *id, int64_t team_id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT j.id, j.submission_id, "
	    "t.slug, j.state, j.stage, j.progress, j.attempt, j.created_at, "
	    "j.started_at, j.finished_at, j.updated_at, j.lease_expires_at, "
	    "j.error, j.fault, j.log_tail, s.reused_from, "
	    "CASE WHEN json_valid(j.result) THEN "
	    "json_extract(j.result, '$.backend') END "
	    "FROM jobs j JOIN submissions s ON s.id = j.submission_id "
	    "JOIN tracks t ON t.id = s.track_id "
	    "WHERE j.id = ?1 AND (?2 < 0 OR s.team_id = ?2)");
	json_t *o, *sc;
	char sub[40];
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	db__int(st, 2, team_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		db__done(st);
		return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "job get");
	}
	o = json_object();
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
	db__col(st, 1, sub, sizeof(sub));
	db__done(st);
	if (db__scores(db, sub, &sc) != DB_OK) {
		json_decref(o);
		return DB_ERR;
	}
	json_object_set_new(o, "scores", sc);
	*out = json_pack("{s:o}", "job", o);
	return DB_OK;
}

int
db_jobs_expire(struct db *db, int64_t now, int64_t max_attempts,
    int *changed)
{
	sqlite3_stmt *st = db__stmt(db, "UPDATE jobs SET "
	    "state = CASE WHEN attempt >= ?2 THEN 'failed' ELSE 'queued' END, "
	    "error = CASE WHEN attempt >= ?2 THEN "
	    "  'lease expired on attempt ' || attempt || ' of ' || ?2 || "
	    "  ': no attempts left' "
	    "  ELSE 'lease expired on attempt ' || attempt || '; requeued' END, "
	    "fault = CASE WHEN attempt >= ?2 THEN 'system' ELSE fault END, "
	    "finished_at = CASE WHEN attempt >= ?2 THEN ?1 ELSE NULL END, "
	    "stage = CASE WHEN attempt >= ?2 THEN stage ELSE NULL END, "
	    "lease_expires_at = NULL, worker = NULL, updated_at = ?1 "
	    "WHERE state = 'running' AND lease_expires_at <= ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, now);
	db__int(st, 2, max_attempts);
	rc = sqlite3_step(st);
	db__done(st);
	if (rc != SQLITE_DONE)
		return db__fail(db, "jobs expire");
	*changed = sqlite3_changes(db->h);
	return DB_OK;
}

int
db_job_claim(struct db *db, const char *worker, int64_t now, int64_t lease,
    json_t **out)
{
	sqlite3_stmt *st;
	char id[40];
	json_t *job = NULL, *sub, *tr;
	int rc;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	/* organizers' priority first, then the oldest */
	st = db__stmt(db, "SELECT id FROM jobs WHERE state = 'queued' "
	    "ORDER BY priority DESC, rowid LIMIT 1");
	if (st == NULL)
		goto fail;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		db__col(st, 0, id, sizeof(id));
	db__done(st);
	if (rc == SQLITE_DONE) {
		db__rollback(db);
		return DB_NOTFOUND;
	}
	if (rc != SQLITE_ROW) {
		db__fail(db, "claim select");
		goto fail;
	}
	st = db__stmt(db, "UPDATE jobs SET state = 'running', "
	    "stage = 'materialize', progress = 0, attempt = attempt + 1, "
	    "worker = ?2, lease_expires_at = ?3, "
	    "started_at = COALESCE(started_at, ?4), updated_at = ?4 "
	    "WHERE id = ?1 AND state = 'queued'");
	if (st == NULL)
		goto fail;
	db__text(st, 1, id);
	db__text(st, 2, worker);
	db__int(st, 3, now + lease);
	db__int(st, 4, now);
	rc = sqlite3_step(st);
	db__done(st);
	if (rc != SQLITE_DONE) {
		db__fail(db, "claim update");
		goto fail;
	}
	st = db__stmt(db, "SELECT j.id, j.attempt, j.lease_expires_at, "
	    "s.id, s.kind, s.n_samples, s.size_bytes, s.sha256, s.set_hash, "
	    "t.slug, t.kind, t.budget, t.metric, s.method_name "
	    "FROM jobs j JOIN submissions s ON s.id = j.submission_id "
	    "JOIN tracks t ON t.id = s.track_id WHERE j.id = ?1");
	if (st == NULL)
		goto fail;
	db__text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char path[128];

		job = json_object();
		sub = json_object();
		tr = json_object();
		db__jtext(job, "id", st, 0);
		db__jint(job, "attempt", st, 1);
		db__jtime(job, "lease_expires_at", st, 2);
		json_object_set_new(job, "lease_seconds", json_integer(lease));
		db__jtext(sub, "id", st, 3);
		db__jtext(sub, "kind", st, 4);
		db__jint(sub, "n_samples", st, 5);
		db__jint(sub, "size_bytes", st, 6);
		db__jtext(sub, "sha256", st, 7);
		db__jtext(sub, "set_hash", st, 8);
		db__jtext(sub, "method_name", st, 13);
		util_fmt(path, sizeof(path), "/api/v1/worker/jobs/%s/submission",
		    id);
		json_object_set_new(sub, "download", json_string(path));
		db__jtext(tr, "slug", st, 9);
		db__jtext(tr, "kind", st, 10);
		db__jint(tr, "budget", st, 11);
		db__jtext(tr, "metric", st, 12);
		json_object_set_new(job, "submission", sub);
		json_object_set_new(job, "track", tr);
	}
	db__done(st);
	if (job == NULL) {
		db__fail(db, "claim read");
		goto fail;
	}
	if (db__commit(db) != DB_OK)
		goto fail;
	*out = json_pack("{s:o}", "job", job);
	return DB_OK;
fail:
	json_decref(job);
	db__rollback(db);
	return DB_ERR;
}

/* Read a job's state and attempt (and submission id) inside a
 * transaction.  DB_OK / DB_NOTFOUND / DB_ERR. */
static int
db_job_state(struct db *db, const char *id, char *state, size_t statesz,
    int64_t *attempt, char *tail, size_t tailsz, int *has_result)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT state, attempt, log_tail, "
	    "result IS NOT NULL FROM jobs WHERE id = ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db__col(st, 0, state, statesz);
		*attempt = sqlite3_column_int64(st, 1);
		if (tail != NULL)
			db__col(st, 2, tail, tailsz);
		if (has_result != NULL)
			*has_result = sqlite3_column_int(st, 3);
	}
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "job state");
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

int
db_job_heartbeat(struct db *db, const char *id,
    const struct db_heartbeat *hb, int64_t now, int *cancelled,
    int64_t *lease_until)
{
	char state[16], *tail;
	int64_t attempt;
	sqlite3_stmt *st;
	int rc, ret = DB_ERR;

	*cancelled = 0;
	*lease_until = 0;
	tail = util_xmalloc(hb->tail_max + 1);
	tail[0] = '\0';
	if (db__begin(db) != DB_OK)
		goto out;
	rc = db_job_state(db, id, state, sizeof(state), &attempt, tail,
	    hb->tail_max + 1, NULL);
	if (rc != DB_OK) {
		ret = rc;
		goto out;
	}
	if (attempt != hb->attempt) {
		ret = DB_STALE;
		goto out;
	}
	if (strcmp(state, "cancelled") == 0) {
		*cancelled = 1;
		ret = DB_OK;
		goto out;
	}
	if (strcmp(state, "running") != 0) {
		ret = DB_STALE;
		goto out;
	}
	if (hb->log != NULL && hb->log_len > 0)
		db_tail_append(tail, hb->tail_max, hb->log, hb->log_len);
	st = db__stmt(db, "UPDATE jobs SET lease_expires_at = ?2, "
	    "stage = COALESCE(?3, stage), "
	    "progress = CASE WHEN ?4 >= 0 THEN ?4 ELSE progress END, "
	    "log_tail = ?5, updated_at = ?6 WHERE id = ?1");
	if (st == NULL)
		goto out;
	db__text(st, 1, id);
	db__int(st, 2, now + hb->lease);
	db__text(st, 3, hb->stage);
	sqlite3_bind_double(st, 4, hb->progress);
	db__text(st, 5, tail);
	db__int(st, 6, now);
	rc = sqlite3_step(st);
	db__done(st);
	if (rc != SQLITE_DONE) {
		db__fail(db, "heartbeat");
		goto out;
	}
	if (db__commit(db) != DB_OK)
		goto out;
	*lease_until = now + hb->lease;
	ret = DB_OK;
out:
	db__rollback(db);
	free(tail);
	return ret;
}

int
db_job_result(struct db *db, const char *id, const struct db_result *r,
    int64_t now, int *dup)
{
	char state[16];
	int64_t attempt;
	sqlite3_stmt *st;
	const char *task;
	json_t *v;
	int rc, ret = DB_ERR, has_result = 0;

	*dup = 0;
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	rc = db_job_state(db, id, state, sizeof(state), &attempt, NULL, 0,
	    &has_result);
	if (rc != DB_OK) {
		ret = rc;
		goto out;
	}
	if (attempt != r->attempt) {
		ret = DB_STALE;
		goto out;
	}
	/* this attempt's result is in already: answer as before */
	if ((strcmp(state, "succeeded") == 0 || strcmp(state, "failed") == 0)
	    && has_result) {
		*dup = 1;
		ret = DB_OK;
		goto out;
	}
	if (strcmp(state, "cancelled") == 0) {
		ret = DB_CONFLICT;
		goto out;
	}
	if (strcmp(state, "running") != 0) {
		ret = DB_STALE;
		goto out;
	}
	st = db__stmt(db, "UPDATE jobs SET state = ?2, "
	    "progress = CASE WHEN ?2 = 'succeeded' THEN 1.0 ELSE progress END, "
	    "error = ?3, fault = ?4, result = ?5, finished_at = ?6, "
	    "updated_at = ?6, lease_expires_at = NULL WHERE id = ?1");
	if (st == NULL)
		goto out;
	db__text(st, 1, id);
	db__text(st, 2, r->succeeded ? "succeeded" : "failed");
	db__text(st, 3, r->succeeded ? NULL : (r->error ? r->error : "failed"));
	db__text(st, 4, r->succeeded ? NULL : (r->fault ? r->fault : "system"));
	db__text(st, 5, r->raw);
	db__int(st, 6, now);
	rc = sqlite3_step(st);
	db__done(st);
	if (rc != SQLITE_DONE) {
		db__fail(db, "result");
		goto out;
	}
	if (r->succeeded && r->scores != NULL) {
		json_object_foreach(r->scores, task, v) {
			st = db__stmt(db, "INSERT OR REPLACE INTO scores "
			    "(submission_id, task, value) SELECT submission_id, "
			    "?2, ?3 FROM jobs WHERE id = ?1");
			if (st == NULL)
				goto out;
			db__text(st, 1, id);
			db__text(st, 2, task);
			sqlite3_bind_double(st, 3, json_number_value(v));
			rc = sqlite3_step(st);
			db__done(st);
			if (rc != SQLITE_DONE) {
				db__fail(db, "result scores");
				goto out;
			}
		}
	}
	/* the private split, when the worker sent one */
	if (r->succeeded && r->private_scores != NULL) {
		json_object_foreach(r->private_scores, task, v) {
			st = db__stmt(db, "INSERT OR REPLACE INTO private_scores "
			    "(submission_id, task, value) SELECT submission_id, "
			    "?2, ?3 FROM jobs WHERE id = ?1");
			if (st == NULL)
				goto out;
			db__text(st, 1, id);
			db__text(st, 2, task);
			sqlite3_bind_double(st, 3, json_number_value(v));
			rc = sqlite3_step(st);
			db__done(st);
			if (rc != SQLITE_DONE) {
				db__fail(db, "result private scores");
				goto out;
			}
		}
	}
	if (db__commit(db) != DB_OK)
		goto out;
	ret = DB_OK;
out:
	db__rollback(db);
	return ret;
}

int
db_job_release(struct db *db, const char *id, int64_t attempt,
    const char *reason, int64_t now)
{
	char state[16], msg[400];
	int64_t cur;
	sqlite3_stmt *st;
	int rc, ret = DB_ERR;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	rc = db_job_state(db, id, state, sizeof(state), &cur, NULL, 0, NULL);
	if (rc != DB_OK) {
		ret = rc;
		goto out;
	}
	if (cur != attempt) {
		ret = DB_STALE;
		goto out;
	}
	if (strcmp(state, "cancelled") == 0) {
		ret = DB_CONFLICT;
		goto out;
	}
	if (strcmp(state, "running") != 0) {
		ret = DB_STALE;
		goto out;
	}
	util_fmt(msg, sizeof(msg), "attempt %lld handed back by its worker%s%s"
	    "; requeued", (long long)attempt, reason ? ": " : "",
	    reason ? reason : "");
	st = db__stmt(db, "UPDATE jobs SET state = 'queued', stage = NULL, "
	    "progress = 0, worker = NULL, lease_expires_at = NULL, "
	    "error = ?2, updated_at = ?3 WHERE id = ?1");
	if (st == NULL)
		goto out;
	db__text(st, 1, id);
	db__text(st, 2, msg);
	db__int(st, 3, now);
	rc = sqlite3_step(st);
	db__done(st);
	if (rc != SQLITE_DONE) {
		db__fail(db, "release");
		goto out;
	}
	if (db__commit(db) != DB_OK)
		goto out;
	ret = DB_OK;
out:
	db__rollback(db);
	return ret;
}

int
db_job_file(struct db *db, const char *id, int64_t attempt, char *file_name,
    size_t fnsz)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT s.file_name, j.state, "
	    "j.attempt FROM jobs j JOIN submissions s ON s.id = j.submission_id "
	    "WHERE j.id = ?1");
	char state[16] = "";
	int64_t cur = 0;
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db__col(st, 0, file_name, fnsz);
		db__col(st, 1, state, sizeof(state));
		cur = sqlite3_column_int64(st, 2);
	}
	db__done(st);
	if (rc == SQLITE_DONE)
		return DB_NOTFOUND;
	if (rc != SQLITE_ROW)
		return db__fail(db, "job file");
	if (strcmp(state, "running") != 0 || (attempt > 0 && attempt != cur))
		return DB_STALE;
	return DB_OK;
}

int
db_job_counts(struct db *db, int64_t counts[5])
{
	static const char *const states[5] = { "queued", "running",
	    "succeeded", "failed", "cancelled" };
	sqlite3_stmt *st = db__stmt(db, "SELECT state, COUNT(*) FROM jobs "
	    "GROUP BY state");
	int rc, i;

	memset(counts, 0, 5 * sizeof(counts[0]));
	if (st == NULL)
		return DB_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);

		for (i = 0; i < 5; i++)
			if (s != NULL && strcmp(s, states[i]) == 0)
				counts[i] = sqlite3_column_int64(st, 1);
	}
	db__done(st);
	return rc == SQLITE_DONE ? DB_OK : db__fail(db, "job counts");
}

int
db_job_rerun(struct db *db, const char *id, int64_t now)
{
	char state[16];
	int64_t attempt;
	sqlite3_stmt *st;
	int rc, ret = DB_ERR;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	rc = db_job_state(db, id, state, sizeof(state), &attempt, NULL, 0,
	    NULL);
	if (rc != DB_OK) {
		ret = rc;
		goto out;
	}
	if (strcmp(state, "queued") == 0 || strcmp(state, "running") == 0) {
		ret = DB_CONFLICT;
		goto out;
	}
	st = db__stmt(db, "DELETE FROM scores WHERE submission_id = "
	    "(SELECT submission_id FROM jobs WHERE id = ?1)");
	if (st == NULL)
		goto out;
	db__text(st, 1, id);
	rc = sqlite3_step(st);
	db__done(st);
	if (rc != SQLITE_DONE) {
		db__fail(db, "rerun scores");
		goto out;
	}
	st = db__stmt(db, "UPDATE submissions SET reused_from = NULL "
	    "WHERE id = (SELECT submission_id FROM jobs WHERE id = ?1)");
	if (st == NULL)
		goto out;
	db__text(st, 1, id);
	rc = sqlite3_step(st);
	db__done(st);
	if (rc != SQLITE_DONE) {
		db__fail(db, "rerun submission");
		goto out;
	}
	st = db__stmt(db, "UPDATE jobs SET state = 'queued', stage = NULL, "
	    "progress = 0, error = NULL, fault = NULL, result = NULL, "
	    "log_tail = '', worker = NULL, lease_expires_at = NULL, "
	    "finished_at = NULL, updated_at = ?2 WHERE id = ?1");
	if (st == NULL)
		goto out;
	db__text(st, 1, id);
	db__int(st, 2, now);
	rc = sqlite3_step(st);
	db__done(st);
	if (rc != SQLITE_DONE) {
		db__fail(db, "rerun");
		goto out;
	}
	if (db_audit(db, "admin", "job.rerun", id, NULL, now) != DB_OK ||
	    db__commit(db) != DB_OK)
		goto out;
	ret = DB_OK;
out:
	db__rollback(db);
	return ret;
}
