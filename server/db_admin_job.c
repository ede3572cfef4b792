/* db_admin_job: organizer views and actions on jobs (lists, the full
 * view with its history, re-run / cancel / fail / priority), the
 * workers and a track's statistics. */
#include "db_int.h"

#include <string.h>

#include "util.h"

/* ---- jobs ---- */

#define DB_AJOB_SQL "SELECT j.id, j.submission_id, t.slug, tm.name, " \
	"j.state, j.stage, j.progress, j.attempt, j.priority, j.worker, " \
	"j.created_at, j.started_at, j.finished_at, j.updated_at, " \
	"j.lease_expires_at, j.error, j.fault, s.method_name, " \
	"s.reused_from, j.log_tail, j.result, COUNT(*) OVER (), " \
	"CASE WHEN j.state = 'running' THEN j.stage_note END " \
	"FROM jobs j JOIN submissions s ON s.id = j.submission_id " \
	"JOIN tracks t ON t.id = s.track_id JOIN teams tm ON tm.id = s.team_id "

static json_t *
db_ajob_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jtext(o, "id", st, 0);
	db__jtext(o, "submission_id", st, 1);
	db__jtext(o, "track", st, 2);
	db__jtext(o, "team", st, 3);
	db__jtext(o, "state", st, 4);
	db__jtext(o, "stage", st, 5);
	db__jtext(o, "progress", st, 6);
	db__jint(o, "attempt", st, 7);
	db__jint(o, "priority", st, 8);
	db__jtext(o, "worker", st, 9);
	db__jtime(o, "created_at", st, 10);
	db__jtime(o, "started_at", st, 11);
	db__jtime(o, "finished_at", st, 12);
	db__jtime(o, "updated_at", st, 13);
	db__jtime(o, "lease_expires_at", st, 14);
	db__jtext(o, "error", st, 15);
	db__jtext(o, "fault", st, 16);
	db__jtext(o, "method_name", st, 17);
	json_object_set_new(o, "reused", json_boolean(
	    sqlite3_column_type(st, 18) != SQLITE_NULL));
	db__jtext(o, "stage_note", st, 22);
	return o;
}

static json_t *
db_ajob_full_row(sqlite3_stmt *st)
{
	json_t *o = db_ajob_row(st);

	db__jtext(o, "log_tail", st, 19);
	json_object_set_new(o, "result", db__jparse(st, 20, 0));
	return o;
}

int
db_admin_jobs(struct db *db, const struct db_jobq *q, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_AJOB_SQL
	    "WHERE (?1 IS NULL OR j.state = ?1) AND (?2 IS NULL OR t.slug = ?2) "
	    "AND (?3 IS NULL OR j.worker = ?3) "
	    "ORDER BY IIF(?1 = 'queued', -j.priority, 0), "
	    "IIF(?1 = 'queued', j.rowid, -j.rowid) LIMIT ?4 OFFSET ?5");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, q->state);
	db__text(st, 2, q->track);
	db__text(st, 3, q->worker);
	db__int(st, 4, q->limit);
	db__int(st, 5, q->offset);
	return db__list(db, st, db_ajob_row, 21, "jobs", q->limit, q->offset,
	    out);
}

static json_t *
db_hist_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "attempt", st, 0);
	db__jtext(o, "state", st, 1);
	db__jtext(o, "error", st, 2);
	db__jtext(o, "fault", st, 3);
	db__jtext(o, "worker", st, 4);
	db__jtime(o, "started_at", st, 5);
	db__jtime(o, "finished_at", st, 6);
	json_object_set_new(o, "scores", db__jparse(st, 7, 1));
	json_object_set_new(o, "private_scores", db__jparse(st, 8, 1));
	json_object_set_new(o, "result", db__jparse(st, 9, 0));
	db__jtime(o, "rerun_at", st, 10);
	db__jtext(o, "rerun_by", st, 11);
	return o;
}

static json_t *
db_attempt_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "attempt", st, 0);
	db__jtext(o, "outcome", st, 1);
	db__jtext(o, "worker", st, 2);
	db__jtext(o, "error", st, 3);
	db__jtime(o, "at", st, 4);
	return o;
}

int
db_admin_job(struct db *db, const char *id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_AJOB_SQL "WHERE j.id = ?1");
	json_t *o, *a;
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	if ((rc = db__row(db, st, db_ajob_full_row, &o, "admin job")) != DB_OK)
		return rc;
	st = db__stmt(db, "SELECT attempt, state, error, fault, worker, "
	    "started_at, finished_at, scores, private_scores, result, "
	    "rerun_at, rerun_by FROM job_history WHERE job_id = ?1 "
	    "ORDER BY id");
	if (st == NULL)
		goto fail;
	db__text(st, 1, id);
	if (db__rows(db, st, db_hist_row, -1, &a, NULL, "job history")
	    != DB_OK)
		goto fail;
	json_object_set_new(o, "history", a);
	st = db__stmt(db, "SELECT attempt, outcome, worker, error, ended_at "
	    "FROM job_attempts WHERE job_id = ?1 ORDER BY attempt");
	if (st == NULL)
		goto fail;
	db__text(st, 1, id);
	if (db__rows(db, st, db_attempt_row, -1, &a, NULL, "job attempts")
	    != DB_OK)
		goto fail;
	json_object_set_new(o, "attempts", a);
	if (db__add_scores(db, o, "submission_id", 1) != DB_OK)
		goto fail;
	*out = json_pack("{s:o}", "job", o);
	return DB_OK;
fail:
	json_decref(o);
	return DB_ERR;
}

static json_t *
db_job_mod_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jtext(o, "state", st, 0);
	db__jint(o, "attempt", st, 1);
	db__jint(o, "priority", st, 2);
	db__jtext(o, "error", st, 3);
	db__jtext(o, "fault", st, 4);
	db__jtext(o, "worker", st, 5);
	return o;
}

/* {state, attempt, priority, error, fault, worker} of job id. */
static int
db_job_mod(struct db *db, const char *id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT state, attempt, priority, "
	    "error, fault, worker FROM jobs WHERE id = ?1");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	return db__row(db, st, db_job_mod_row, out, "job mod");
}

/* Keep the finished attempt in job_history, drop its scores and queue
 * the job again (entering "queued" from an end clears the run). */
static int
db_job_requeue(struct db *db, const char *id, const char *actor,
    int64_t now)
{
	static const char *const sql[] = {
		"INSERT INTO job_history (job_id, attempt, state, error, "
		"fault, worker, result, scores, private_scores, started_at, "
		"finished_at, rerun_at, rerun_by) SELECT j.id, j.attempt, "
		"j.state, j.error, j.fault, j.worker, j.result, "
		"(SELECT json_group_object(task, value) FROM scores "
		"  WHERE submission_id = j.submission_id), "
		"(SELECT json_group_object(task, value) FROM private_scores "
		"  WHERE submission_id = j.submission_id), "
		"j.started_at, j.finished_at, ?2, ?3 FROM jobs j "
		"WHERE j.id = ?1",
		"DELETE FROM scores WHERE submission_id = "
		"(SELECT submission_id FROM jobs WHERE id = ?1) "
		"AND ?2 IS NOT NULL AND ?3 IS NOT NULL",
		"DELETE FROM private_scores WHERE submission_id = "
		"(SELECT submission_id FROM jobs WHERE id = ?1) "
		"AND ?2 IS NOT NULL AND ?3 IS NOT NULL",
		"UPDATE submissions SET reused_from = NULL WHERE id = "
		"(SELECT submission_id FROM jobs WHERE id = ?1) "
		"AND ?2 IS NOT NULL AND ?3 IS NOT NULL",
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = db__stmt(db, sql[i]);

		if (st == NULL)
			return DB_ERR;
		db__text(st, 1, id);
		db__int(st, 2, now);
		db__text(st, 3, actor);
		if ((rc = db__exec(db, st, NULL, "rerun")) != DB_OK)
			return rc;
	}
	return db_job_transition(db, id, JOB_ENDED, JOB_QUEUED, NULL, now);
}

int
db_admin_job_action(struct db *db, const char *id, const char *action,
    const char *reason, enum job_fault fault, int64_t value, const char *actor,
    int64_t now, json_t **out)
{
	struct db_job_change ch = { 0 };
	sqlite3_stmt *st;
	json_t *before = NULL, *after = NULL;
	enum job_state state;
	char target[96], name[40];
	int rc, active;

	util_fmt(target, sizeof(target), "job:%s", id);
	util_fmt(name, sizeof(name), "job.%s", action);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_job_mod(db, id, &before)) != DB_OK)
		goto out;
	rc = DB_ERR;
	if (job_state_parse(json_string_value(json_object_get(before,
	    "state")), &state) != 0)
		goto out;
	active = (JOB_BIT(state) & JOB_ACTIVE) != 0;
	if (strcmp(action, "rerun") == 0) {
		if (active) {
			rc = DB_CONFLICT;
			goto out;
		}
		if ((rc = db_job_requeue(db, id, actor, now)) != DB_OK)
			goto out;
	} else if (strcmp(action, "cancel") == 0 ||
	    strcmp(action, "fail") == 0) {
		int fail = strcmp(action, "fail") == 0;

		if (!active) {
			rc = DB_CONFLICT;
			goto out;
		}
		ch.error = reason ? reason : fail ? "failed by an organizer" :
		    "cancelled by an organizer";
		ch.fault = !fail ? FAULT_NONE : fault != FAULT_NONE ? fault :
		    FAULT_SYSTEM;
		if ((rc = db_job_transition(db, id, JOB_ACTIVE, fail ?
		    JOB_FAILED : JOB_CANCELLED, &ch, now)) != DB_OK)
			goto out;
	} else if (strcmp(action, "priority") == 0) {
		st = db__stmt(db, "UPDATE jobs SET priority = ?2, "
		    "updated_at = ?3 WHERE id = ?1");
		if (st == NULL)
			goto out;
		db__text(st, 1, id);
		db__int(st, 2, value);
		db__int(st, 3, now);
		if ((rc = db__exec(db, st, NULL, "job priority")) != DB_OK)
			goto out;
	} else {
		rc = DB_NOTFOUND;
		goto out;
	}
	rc = db_job_mod(db, id, &after);
out:
	rc = db__audited(db, rc, actor, name, target, reason, before, after,
	    now, NULL, NULL);
	if (rc == DB_OK)
		rc = db_admin_job(db, id, out);
	return rc;
}

/* ---- workers ---- */

static json_t *
db_worker_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jtext(o, "name", st, 0);
	db__jtext(o, "version", st, 1);
	db__jtext(o, "backend", st, 2);
	db__jtime(o, "first_seen", st, 3);
	db__jtime(o, "last_seen", st, 4);
	db__jtime(o, "last_claim_at", st, 5);
	db__jint(o, "claims", st, 6);
	db__jint(o, "seconds_since_seen", st, 7);
	return o;
}

static json_t *
db_wjob_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jtext(o, "id", st, 0);
	db__jtext(o, "submission_id", st, 1);
	db__jtext(o, "track", st, 2);
	db__jtext(o, "stage", st, 3);
	db__jtext(o, "progress", st, 4);
	db__jint(o, "attempt", st, 5);
	db__jtime(o, "lease_expires_at", st, 6);
	return o;
}

static json_t *
db_wfail_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jtext(o, "job_id", st, 0);
	db__jint(o, "attempt", st, 1);
	db__jtext(o, "error", st, 2);
	db__jtext(o, "fault", st, 3);
	db__jtime(o, "at", st, 4);
	return o;
}

int
db_admin_workers(struct db *db, int64_t now, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT name, version, backend, "
	    "first_seen, last_seen, last_claim_at, claims, ?1 - last_seen "
	    "FROM workers ORDER BY last_seen DESC, name");
	json_t *arr = NULL, *w, *a;
	size_t i;
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, now);
	if ((rc = db__rows(db, st, db_worker_row, -1, &arr, NULL, "workers"))
	    != DB_OK)
		return rc;
	json_array_foreach(arr, i, w) {
		const char *name = json_string_value(json_object_get(w,
		    "name"));

		st = db__stmt(db, "SELECT j.id, j.submission_id, t.slug, "
		    "j.stage, j.progress, j.attempt, j.lease_expires_at "
		    "FROM jobs j JOIN submissions s ON s.id = j.submission_id "
		    "JOIN tracks t ON t.id = s.track_id WHERE j.worker = ?1 "
		    "AND j.state = 'running' ORDER BY j.updated_at DESC LIMIT 1");
		if (st == NULL)
			goto fail;
		db__text(st, 1, name);
		rc = db__row(db, st, db_wjob_row, &a, "worker job");
		if (rc == DB_NOTFOUND)
			a = json_null();
		else if (rc != DB_OK)
			goto fail;
		json_object_set_new(w, "current_job", a);
		/* failed jobs, re-run ones, and attempts whose lease expired */
		st = db__stmt(db, "SELECT job_id, attempt, error, fault, at "
		    "FROM (SELECT id AS job_id, attempt, error, fault, "
		    "  finished_at AS at FROM jobs WHERE worker = ?1 "
		    "  AND state = 'failed' UNION ALL SELECT job_id, attempt, "
		    "  error, fault, finished_at FROM job_history "
		    "  WHERE worker = ?1 AND state = 'failed' "
		    "  UNION ALL SELECT job_id, attempt, error, 'system', "
		    "  ended_at FROM job_attempts WHERE worker = ?1 "
		    "  AND outcome = 'expired') "
		    "ORDER BY at DESC LIMIT 5");
		if (st == NULL)
			goto fail;
		db__text(st, 1, name);
		if (db__rows(db, st, db_wfail_row, -1, &a, NULL,
		    "worker failures") != DB_OK)
			goto fail;
		json_object_set_new(w, "recent_failures", a);
	}
	*out = json_pack("{s:o}", "workers", arr);
	return DB_OK;
fail:
	json_decref(arr);
	return DB_ERR;
}

/* ---- statistics ---- */

static json_t *
db_day_row(sqlite3_stmt *st)
{
	return json_pack("{s:s, s:I}", "day", (const char *)
	    sqlite3_column_text(st, 0), "n",
	    (json_int_t)sqlite3_column_int64(st, 1));
}

int
db_admin_stats(struct db *db, const char *slug, int64_t now, json_t **out)
{
	static const char *const states[] = { "queued", "running",
	    "succeeded", "failed", "cancelled" };
	struct db_track t;
	sqlite3_stmt *st;
	json_t *o = NULL, *days, *jobs, *fails;
	size_t i;
	int rc;

	if ((rc = db_track_get(db, slug, &t)) != DB_OK)
		return rc;
	st = db__stmt(db, "SELECT "
	    "(SELECT COUNT(*) FROM submissions WHERE track_id = ?1), "
	    "(SELECT COUNT(DISTINCT team_id) FROM submissions "
	    "  WHERE track_id = ?1), "
	    "(SELECT COUNT(DISTINCT team_id) FROM submissions "
	    "  WHERE track_id = ?1 AND created_at >= ?2), "
	    "(SELECT COALESCE(SUM(j.finished_at - j.started_at), 0) FROM jobs j "
	    "  JOIN submissions s ON s.id = j.submission_id "
	    "  WHERE s.track_id = ?1 AND j.attempt > 0 "
	    "  AND j.finished_at IS NOT NULL AND j.started_at IS NOT NULL) + "
	    "(SELECT COALESCE(SUM(h.finished_at - h.started_at), 0) "
	    "  FROM job_history h JOIN jobs j ON j.id = h.job_id "
	    "  JOIN submissions s ON s.id = j.submission_id "
	    "  WHERE s.track_id = ?1 AND h.attempt > 0 "
	    "  AND h.finished_at IS NOT NULL AND h.started_at IS NOT NULL), "
	    "(SELECT COUNT(*) FROM submissions WHERE track_id = ?1 "
	    "  AND reused_from IS NOT NULL), "
	    "(SELECT COUNT(*) FROM jobs j JOIN submissions s "
	    "  ON s.id = j.submission_id WHERE s.track_id = ?1 "
	    "  AND j.state = 'failed' AND j.fault = 'team'), "
	    "(SELECT COUNT(*) FROM jobs j JOIN submissions s "
	    "  ON s.id = j.submission_id WHERE s.track_id = ?1 "
	    "  AND j.state = 'failed' AND j.fault IS NOT 'team')");
	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, t.id);
	db__int(st, 2, now - 7 * 86400);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		o = json_object();
		json_object_set_new(o, "track", json_string(t.slug));
		db__jint(o, "submissions", st, 0);
		db__jint(o, "teams", st, 1);
		db__jint(o, "active_teams_7d", st, 2);
		db__jint(o, "compute_seconds", st, 3);
		db__jint(o, "reused", st, 4);
		fails = json_object();
		db__jint(fails, "team", st, 5);
		db__jint(fails, "system", st, 6);
		json_object_set_new(o, "failures", fails);
	}
	db__done(st);
	if (rc != SQLITE_ROW)
		return db__fail(db, "stats");
	st = db__stmt(db, "SELECT date(created_at, 'unixepoch'), COUNT(*) "
	    "FROM submissions WHERE track_id = ?1 GROUP BY 1 ORDER BY 1");
	if (st == NULL)
		goto fail;
	db__int(st, 1, t.id);
	if (db__rows(db, st, db_day_row, -1, &days, NULL, "stats days")
	    != DB_OK)
		goto fail;
	json_object_set_new(o, "submissions_per_day", days);
	jobs = json_object();
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		json_object_set_new(jobs, states[i], json_integer(0));
	json_object_set_new(o, "jobs", jobs);
	st = db__stmt(db, "SELECT j.state, COUNT(*) FROM jobs j "
	    "JOIN submissions s ON s.id = j.submission_id "
	    "WHERE s.track_id = ?1 GROUP BY j.state");
	if (st == NULL)
		goto fail;
	db__int(st, 1, t.id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(jobs, (const char *)sqlite3_column_text(st,
		    0), json_integer(sqlite3_column_int64(st, 1)));
	db__done(st);
	if (rc != SQLITE_DONE) {
		db__fail(db, "stats jobs");
		goto fail;
	}
	*out = o;
	return DB_OK;
fail:
	json_decref(o);
	return DB_ERR;
}
