/* db_admin_sub: organizer views and actions on submissions (lists,
 * the full view with job and audit, moderation). */
#include "db_int.h"

#include <string.h>

#include "util.h"

#define DB_ASUB_SQL "SELECT s.id, t.slug, s.kind, j.state, tm.name, " \
	"s.team_id, u.email, s.n_samples, s.size_bytes, s.sha256, s.set_hash, " \
	"s.composition, s.method_name, s.description, s.url, s.created_at, " \
	"s.reused_from, s.hidden, s.disqualified, s.reason, s.baseline, " \
	DB_SEL_CUR("s") " IS s.id, j.id, j.stage, j.progress, j.attempt, " \
	"j.error, j.priority, j.worker, tm.baseline, COUNT(*) OVER (), " \
	"s.n_warnings, s.warnings, s.original_name " \
	"FROM submissions s JOIN tracks t ON t.id = s.track_id " \
	"JOIN jobs j ON j.submission_id = s.id " \
	"JOIN teams tm ON tm.id = s.team_id JOIN users u ON u.id = s.user_id "

static json_t *
db_asub_row(sqlite3_stmt *st)
{
	json_t *o = json_object(), *job = json_object();

	db__jtext(o, "id", st, 0);
	db__jtext(o, "track", st, 1);
	db__jtext(o, "kind", st, 2);
	db__jtext(o, "status", st, 3);
	db__jtext(o, "team", st, 4);
	db__jint(o, "team_id", st, 5);
	db__jtext(o, "user_email", st, 6);
	db__jint(o, "n_samples", st, 7);
	db__jint(o, "size_bytes", st, 8);
	db__jtext(o, "sha256", st, 9);
	db__jtext(o, "set_hash", st, 10);
	json_object_set_new(o, "composition", db__jparse(st, 11, 1));
	db__jtext(o, "method_name", st, 12);
	db__jtext(o, "description", st, 13);
	db__jtext(o, "url", st, 14);
	db__jtime(o, "created_at", st, 15);
	db__jtext(o, "reused_from", st, 16);
	json_object_set_new(o, "reused", json_boolean(
	    sqlite3_column_type(st, 16) != SQLITE_NULL));
	db__jbool(o, "hidden", st, 17);
	db__jbool(o, "disqualified", st, 18);
	db__jtext(o, "reason", st, 19);
	db__jbool(o, "baseline", st, 20);
	db__jint(o, "n_warnings", st, 31);
	db__jtext(o, "original_name", st, 33);
	db__jbool(o, "team_baseline", st, 29);
	db__jbool(o, "selected", st, 21);
	db__jtext(job, "id", st, 22);
	db__jtext(job, "state", st, 3);
	db__jtext(job, "stage", st, 23);
	db__jtext(job, "progress", st, 24);
	db__jint(job, "attempt", st, 25);
	db__jtext(job, "error", st, 26);
	db__jint(job, "priority", st, 27);
	db__jtext(job, "worker", st, 28);
	json_object_set_new(o, "job", job);
	return o;
}

int
db_admin_submissions(struct db *db, const struct db_subq *q, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_ASUB_SQL
	    "WHERE (?1 IS NULL OR t.slug = ?1) AND (?2 IS NULL OR tm.name = ?2) "
	    "AND (?3 IS NULL OR j.state = ?3) AND (?4 = 0 OR s.created_at >= ?4) "
	    "AND (?5 = 0 OR s.created_at < ?5) AND (?6 IS NULL "
	    "  OR (?6 = 'hidden' AND s.hidden = 1) "
	    "  OR (?6 = 'disqualified' AND s.disqualified = 1) "
	    "  OR (?6 = 'baseline' AND (s.baseline = 1 OR tm.baseline = 1)) "
	    "  OR (?6 = 'selected' AND " DB_SEL_CUR("s") " IS s.id)) "
	    "ORDER BY s.created_at DESC, s.rowid DESC LIMIT ?7 OFFSET ?8");
	json_t *o;
	size_t i;
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, q->track);
	db__text(st, 2, q->team);
	db__text(st, 3, q->state);
	db__int(st, 4, q->since);
	db__int(st, 5, q->until);
	db__text(st, 6, q->flag);
	db__int(st, 7, q->limit);
	db__int(st, 8, q->offset);
	if ((rc = db__list(db, st, db_asub_row, 30, "submissions", q->limit,
	    q->offset, out)) != DB_OK)
		return rc;
	json_array_foreach(json_object_get(*out, "submissions"), i, o)
		if (db__add_scores(db, o, "id", 1) != DB_OK) {
			json_decref(*out);
			return DB_ERR;
		}
	return DB_OK;
}

/* A row of DB_ASUB_SQL with its kept warnings (a list shows only their
 * count). */
static json_t *
db_asub_row_warnings(sqlite3_stmt *st)
{
	json_t *o = db_asub_row(st);

	json_object_set_new(o, "warnings", db__jparse(st, 32, 0));
	return o;
}

/* The admin submission object of id (with scores) into *out. */
static int
db_asub(struct db *db, const char *id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_ASUB_SQL "WHERE s.id = ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	if ((rc = db__row(db, st, db_asub_row_warnings, out,
	    "admin submission"))
	    != DB_OK)
		return rc;
	if (db__add_scores(db, *out, "id", 1) != DB_OK) {
		json_decref(*out);
		return DB_ERR;
	}
	return DB_OK;
}

/* The audit entries about target (oldest first). */
static int
db_audit_of(struct db *db, const char *target, json_t **out)
{
	struct db_auditq q;
	json_t *page;
	int rc;

	memset(&q, 0, sizeof(q));
	q.target = target;
	q.limit = 200;
	if ((rc = db_admin_audit(db, &q, &page)) != DB_OK)
		return rc;
	*out = json_incref(json_object_get(page, "audit"));
	json_decref(page);
	return DB_OK;
}

int
db_admin_submission(struct db *db, const char *id, json_t **out)
{
	json_t *o = NULL, *job = NULL, *au = NULL;
	char target[96];
	int rc;

	if ((rc = db_asub(db, id, &o)) != DB_OK)
		return rc;
	rc = db_admin_job(db, json_string_value(json_object_get(
	    json_object_get(o, "job"), "id")), &job);
	if (rc != DB_OK)
		goto fail;
	json_object_set(o, "job", json_object_get(job, "job"));
	json_decref(job);
	util_fmt(target, sizeof(target), "submission:%s", id);
	if ((rc = db_audit_of(db, target, &au)) != DB_OK)
		goto fail;
	json_object_set_new(o, "audit", au);
	*out = json_pack("{s:o}", "submission", o);
	return DB_OK;
fail:
	json_decref(o);
	return rc == DB_NOTFOUND ? DB_ERR : rc;
}

static json_t *
db_sub_mod_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jbool(o, "hidden", st, 0);
	db__jbool(o, "disqualified", st, 1);
	db__jtext(o, "reason", st, 2);
	db__jbool(o, "baseline", st, 3);
	return o;
}

/* The moderation state of submission id: {hidden, disqualified, reason,
 * baseline}. */
static int
db_sub_mod(struct db *db, const char *id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT hidden, disqualified, reason, "
	    "baseline FROM submissions WHERE id = ?1");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	return db__row(db, st, db_sub_mod_row, out, "sub mod");
}

int
db_admin_sub_action(struct db *db, const char *id, const char *action,
    const char *reason, int flag, const char *actor, int64_t now,
    json_t **out)
{
	sqlite3_stmt *st;
	json_t *before = NULL, *after = NULL;
	char target[96], name[40];
	int rc;

	util_fmt(target, sizeof(target), "submission:%s", id);
	util_fmt(name, sizeof(name), "submission.%s", action);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_sub_mod(db, id, &before)) != DB_OK)
		goto out;
	rc = DB_ERR;
	st = db__stmt(db, "UPDATE submissions SET "
	    "hidden = CASE ?2 WHEN 'hide' THEN 1 WHEN 'restore' THEN 0 "
	    "  ELSE hidden END, "
	    "disqualified = CASE ?2 WHEN 'disqualify' THEN 1 "
	    "  WHEN 'restore' THEN 0 ELSE disqualified END, "
	    "reason = CASE ?2 WHEN 'baseline' THEN reason ELSE ?3 END, "
	    "baseline = IIF(?2 = 'baseline', ?4, baseline) WHERE id = ?1");
	if (st == NULL)
		goto out;
	db__text(st, 1, id);
	db__text(st, 2, action);
	db__text(st, 3, reason);
	db__int(st, 4, flag ? 1 : 0);
	if ((rc = db__exec(db, st, NULL, "moderate")) == DB_OK)
		rc = db_sub_mod(db, id, &after);
out:
	rc = db__audited(db, rc, actor, name, target, reason, before, after,
	    now, NULL, NULL);
	if (rc == DB_OK && out != NULL) {
		json_t *o;

		if ((rc = db_asub(db, id, &o)) == DB_OK)
			*out = json_pack("{s:o}", "submission", o);
	}
	return rc;
}

int
db_submission_moderate(struct db *db, const char *id, const char *action,
    const char *reason, int64_t now)
{
	return db_admin_sub_action(db, id, action, reason, 0, "admin", now,
	    NULL);
}
