/* db_admin: organizer administration of tracks, teams, users, tokens and
 * the audit log.  Each change reads the object before and after it and
 * writes one audit row, all in one transaction. */
#include "db_int.h"

#include <string.h>

#include "util.h"

/* ---- audit ---- */

int
db_audit_ex(struct db *db, const char *actor, const char *action,
    const char *target, const char *reason, json_t *before, json_t *after,
    int64_t now)
{
	sqlite3_stmt *st = db__stmt(db, "INSERT INTO audit_log (at, actor, "
	    "action, target, details, before_json, after_json) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	char *b = NULL, *a = NULL;
	int rc;

	if (st == NULL)
		return DB_ERR;
	if (before != NULL)
		b = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENCODE_ANY);
	if (after != NULL)
		a = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENCODE_ANY);
	db__int(st, 1, now);
	db__text(st, 2, actor);
	db__text(st, 3, action);
	db__text(st, 4, target);
	db__text(st, 5, reason);
	db__text(st, 6, b);
	db__text(st, 7, a);
	rc = db__exec(db, st, NULL, "audit");
	free(b);
	free(a);
	return rc;
}

int
db__audited(struct db *db, int rc, const char *actor, const char *action,
    const char *target, const char *reason, json_t *before, json_t *after,
    int64_t now, const char *key, json_t **out)
{
	if (rc == DB_OK && (db_audit_ex(db, actor, action, target, reason,
	    before, after, now) != DB_OK || db__commit(db) != DB_OK))
		rc = DB_ERR;
	db__rollback(db);
	json_decref(before);
	if (rc == DB_OK && key != NULL)
		*out = json_pack("{s:o}", key, after);
	else
		json_decref(after);
	return rc;
}

static json_t *
db_audit_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "id", st, 0);
	db__jtime(o, "at", st, 1);
	db__jtext(o, "actor", st, 2);
	db__jtext(o, "action", st, 3);
	db__jtext(o, "target", st, 4);
	db__jtext(o, "reason", st, 5);
	json_object_set_new(o, "before", db__jparse(st, 6, 0));
	json_object_set_new(o, "after", db__jparse(st, 7, 0));
	return o;
}

int
db_admin_audit(struct db *db, const struct db_auditq *q, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT id, at, actor, action, target, "
	    "details, before_json, after_json, COUNT(*) OVER () "
	    "FROM audit_log WHERE (?1 IS NULL OR actor = ?1) "
	    "AND (?2 IS NULL OR action = ?2 OR (substr(?2, -1) = '.' "
	    "  AND substr(action, 1, length(?2)) = ?2)) "
	    "AND (?3 IS NULL OR target = ?3) AND (?4 = 0 OR at >= ?4) "
	    "AND (?5 = 0 OR at < ?5) ORDER BY id DESC LIMIT ?6 OFFSET ?7");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, q->actor);
	db__text(st, 2, q->action);
	db__text(st, 3, q->target);
	db__int(st, 4, q->since);
	db__int(st, 5, q->until);
	db__int(st, 6, q->limit);
	db__int(st, 7, q->offset);
	return db__list(db, st, db_audit_row, 8, "audit", q->limit, q->offset,
	    out);
}

/* ---- tracks ---- */

/* ?1: now (for the status) */
#define DB_ATRACK_SQL "SELECT id, slug, kind, budget, per_day, total, " \
	"max_active, opens_at, closes_at, metric, direction, leaderboard, " \
	"freeze_at, published_at, anonymous, webhook_url, " \
	"COALESCE(webhook_secret, '') != '', created_at, " \
	"CASE WHEN opens_at IS NOT NULL AND ?1 < opens_at THEN 'upcoming' " \
	"WHEN closes_at IS NOT NULL AND ?1 >= closes_at THEN 'closed' " \
	"ELSE 'open' END, title, overview, rules, teams_lock_at FROM tracks "

static json_t *
db_atrack_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "id", st, 0);
	db__jtext(o, "slug", st, 1);
	db__jtext(o, "kind", st, 2);
	db__jint(o, "budget", st, 3);
	db__jint(o, "per_day", st, 4);
	db__jint(o, "total", st, 5);
	db__jint(o, "max_active", st, 6);
	db__jtime(o, "opens_at", st, 7);
	db__jtime(o, "closes_at", st, 8);
	db__jtext(o, "status", st, 18);
	db__jtext(o, "metric", st, 9);
	db__jtext(o, "direction", st, 10);
	db__jtext(o, "leaderboard", st, 11);
	db__jtime(o, "freeze_at", st, 12);
	db__jtime(o, "published_at", st, 13);
	db__jbool(o, "anonymous", st, 14);
	db__jtext(o, "webhook_url", st, 15);
	db__jbool(o, "webhook_secret_set", st, 16);
	db__jtime(o, "created_at", st, 17);
	db__jtext(o, "title", st, 19);
	db__jtext(o, "overview", st, 20);
	db__jtext(o, "rules", st, 21);
	db__jtime(o, "teams_lock_at", st, 22);
	return o;
}

int
db_admin_tracks(struct db *db, int64_t now, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_ATRACK_SQL "ORDER BY id");
	json_t *arr;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, now);
	if (db__rows(db, st, db_atrack_row, -1, &arr, NULL, "admin tracks")
	    != DB_OK)
		return DB_ERR;
	*out = json_pack("{s:o}", "tracks", arr);
	return DB_OK;
}

/* The bare track object of slug into *out. */
static int
db_atrack(struct db *db, const char *slug, int64_t now, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_ATRACK_SQL "WHERE slug = ?2");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, now);
	db__text(st, 2, slug);
	return db__row(db, st, db_atrack_row, out, "admin track");
}

int
db_admin_track_get(struct db *db, const char *slug, int64_t now,
    json_t **out)
{
	json_t *t;
	int rc = db_atrack(db, slug, now, &t);

	if (rc == DB_OK)
		*out = json_pack("{s:o}", "track", t);
	return rc;
}

static void
db_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t > 0)
		db__int(st, i, t);
	else
		sqlite3_bind_null(st, i);
}

/* Apply the edit ts to track slug (inside a transaction). */
static int
db_track_apply(struct db *db, const char *slug, const struct db_trackset *ts,
    int64_t now)
{
	sqlite3_stmt *st = db__stmt(db, "UPDATE tracks SET "
	    "budget = IIF(?2 & 1, ?3, budget), "
	    "per_day = IIF(?2 & 2, ?4, per_day), "
	    "total = IIF(?2 & 4, ?5, total), "
	    "max_active = IIF(?2 & 8, ?6, max_active), "
	    "opens_at = IIF(?2 & 16, ?7, opens_at), "
	    "closes_at = IIF(?2 & 32, ?8, closes_at), "
	    "metric = IIF(?2 & 64, ?9, metric), "
	    "direction = IIF(?2 & 128, ?10, direction), "
	    "leaderboard = IIF(?2 & 256, ?11, leaderboard), "
	    "freeze_at = IIF(?2 & 512, ?12, freeze_at), "
	    "anonymous = IIF(?2 & 1024, ?13, anonymous), "
	    "webhook_since = IIF(?2 & 2048 AND ?14 IS NOT NULL "
	    "  AND ?14 IS NOT webhook_url, ?16, webhook_since), "
	    "webhook_url = IIF(?2 & 2048, ?14, webhook_url), "
	    "webhook_secret = IIF(?2 & 4096, ?15, webhook_secret), "
	    "title = IIF(?2 & 8192, ?17, title), "
	    "overview = IIF(?2 & 16384, ?18, overview), "
	    "rules = IIF(?2 & 32768, ?19, rules), "
	    "teams_lock_at = IIF(?2 & 65536, ?20, teams_lock_at) "
	    "WHERE slug = ?1");
	int changes = 0, rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, slug);
	db__int(st, 2, ts->mask);
	db__int(st, 3, ts->budget);
	db__int(st, 4, ts->per_day);
	db__int(st, 5, ts->total);
	db__int(st, 6, ts->max_active);
	db_bind_time(st, 7, ts->opens_at);
	db_bind_time(st, 8, ts->closes_at);
	db__text(st, 9, ts->metric ? ts->metric : "overall");
	db__text(st, 10, ts->direction ? ts->direction : "max");
	db__text(st, 11, ts->leaderboard ? ts->leaderboard : "public");
	db_bind_time(st, 12, ts->freeze_at);
	db__int(st, 13, ts->anonymous ? 1 : 0);
	db__text(st, 14, ts->webhook_url);
	db__text(st, 15, ts->webhook_secret);
	db__int(st, 16, now);
	db__text(st, 17, ts->title ? ts->title : "");
	db__text(st, 18, ts->overview ? ts->overview : "");
	db__text(st, 19, ts->rules ? ts->rules : "");
	db_bind_time(st, 20, ts->teams_lock_at);
	rc = db__exec(db, st, &changes, "track update");
	if (rc == DB_OK && changes == 0)
		return DB_NOTFOUND;
	return rc;
}

int
db_admin_track_create(struct db *db, const char *slug, const char *kind,
    const struct db_trackset *ts, const char *actor, int64_t now,
    json_t **out)
{
	sqlite3_stmt *st;
	json_t *after = NULL;
	char target[96];
	int rc = DB_ERR;

	util_fmt(target, sizeof(target), "track:%s", slug);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	st = db__stmt(db, "INSERT INTO tracks (slug, kind, budget, "
	    "created_at) VALUES (?1, ?2, ?3, ?4)");
	if (st == NULL)
		goto out;
	db__text(st, 1, slug);
	db__text(st, 2, kind);
	db__int(st, 3, ts->budget);
	db__int(st, 4, now);
	if ((rc = db__exec(db, st, NULL, "track create")) == DB_OK &&
	    (rc = db_track_apply(db, slug, ts, now)) == DB_OK)
		rc = db_atrack(db, slug, now, &after);
out:
	return db__audited(db, rc, actor, "track.create", target, NULL, NULL,
	    after, now, "track", out);
}

int
db_admin_track_update(struct db *db, const char *slug,
    const struct db_trackset *ts, const char *actor, int64_t now,
    json_t **out)
{
	json_t *before = NULL, *after = NULL;
	char target[96];
	int rc;

	util_fmt(target, sizeof(target), "track:%s", slug);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_atrack(db, slug, now, &before)) == DB_OK &&
	    (rc = db_track_apply(db, slug, ts, now)) == DB_OK)
		rc = db_atrack(db, slug, now, &after);
	return db__audited(db, rc, actor, "track.update", target, NULL, before,
	    after, now, "track", out);
}

int
db_admin_track_publish(struct db *db, const char *slug, int publish,
    const char *actor, int64_t now, json_t **out)
{
	sqlite3_stmt *st;
	json_t *before = NULL, *after = NULL;
	char target[96];
	int rc;

	util_fmt(target, sizeof(target), "track:%s", slug);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_atrack(db, slug, now, &before)) != DB_OK)
		goto out;
	if (publish && strcmp(json_string_value(json_object_get(before,
	    "status")), "closed") != 0) {
		rc = DB_CONFLICT;
		goto out;
	}
	rc = DB_ERR;
	st = db__stmt(db, "UPDATE tracks SET published_at = "
	    "IIF(?2, COALESCE(published_at, ?3), NULL) WHERE slug = ?1");
	if (st == NULL)
		goto out;
	db__text(st, 1, slug);
	db__int(st, 2, publish);
	db__int(st, 3, now);
	if ((rc = db__exec(db, st, NULL, "track publish")) == DB_OK)
		rc = db_atrack(db, slug, now, &after);
out:
	return db__audited(db, rc, actor, publish ? "track.publish" :
	    "track.unpublish", target, NULL, before, after, now, "track", out);
}

/* ---- teams ---- */

#define DB_TEAM_SQL "SELECT t.id, t.name, t.baseline, t.disabled, " \
	"t.created_at, (SELECT COUNT(*) FROM users u WHERE u.team_id = t.id), " \
	"(SELECT COUNT(*) FROM submissions s WHERE s.team_id = t.id), " \
	"COUNT(*) OVER () FROM teams t "

static json_t *
db_team_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "id", st, 0);
	db__jtext(o, "name", st, 1);
	db__jbool(o, "baseline", st, 2);
	db__jbool(o, "disabled", st, 3);
	db__jtime(o, "created_at", st, 4);
	db__jint(o, "members", st, 5);
	db__jint(o, "submissions", st, 6);
	return o;
}

int
db_admin_teams(struct db *db, const char *q, int64_t limit, int64_t offset,
    json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_TEAM_SQL "WHERE ?1 IS NULL OR "
	    "instr(lower(t.name), lower(?1)) > 0 ORDER BY t.id "
	    "LIMIT ?2 OFFSET ?3");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, q);
	db__int(st, 2, limit);
	db__int(st, 3, offset);
	return db__list(db, st, db_team_row, 7, "teams", limit, offset, out);
}

/* The team object of id (by name if name != NULL) into *out. */
static int
db_team_obj(struct db *db, int64_t id, const char *name, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_TEAM_SQL
	    "WHERE t.id = ?1 OR t.name = ?2");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, id);
	db__text(st, 2, name);
	return db__row(db, st, db_team_row, out, "team");
}

/* "<kind>:<the id member of obj>" into target (64 bytes); obj may be
 * NULL (then the target is not used). */
static void
db_target_id(char target[64], const char *kind, json_t *obj)
{
	util_fmt(target, 64, "%s:%lld", kind, (long long)
	    json_integer_value(json_object_get(obj, "id")));
}

int
db_admin_team_create(struct db *db, const char *name, int baseline,
    const char *actor, int64_t now, json_t **out)
{
	json_t *after = NULL;
	char target[64];
	int64_t id = 0;
	int rc;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_team_insert(db, name, baseline, now, &id)) == DB_OK)
		rc = db_team_obj(db, id, NULL, &after);
	db_target_id(target, "team", after);
	return db__audited(db, rc, actor, "team.create", target, NULL, NULL,
	    after, now, "team", out);
}

/* Delete the sessions of user id, or (team_id > 0) of team team_id's
 * users. */
static int
db_sessions_end(struct db *db, int64_t user_id, int64_t team_id)
{
	sqlite3_stmt *st = db__stmt(db, "DELETE FROM sessions WHERE "
	    "user_id = ?1 OR user_id IN (SELECT id FROM users "
	    "WHERE team_id = ?2)");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, user_id);
	db__int(st, 2, team_id);
	return db__exec(db, st, NULL, "end sessions");
}

int
db_admin_team_disable(struct db *db, int64_t id, int disabled,
    const char *reason, const char *actor, int64_t now, json_t **out)
{
	sqlite3_stmt *st;
	json_t *before = NULL, *after = NULL;
	char target[64];
	int rc;

	util_fmt(target, sizeof(target), "team:%lld", (long long)id);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_team_obj(db, id, NULL, &before)) != DB_OK)
		goto out;
	rc = DB_ERR;
	/* the reason is kept to be shown at login */
	st = db__stmt(db, "UPDATE teams SET disabled = ?2, disabled_reason = "
	    "IIF(?2 = 1, NULLIF(?3, ''), NULL) WHERE id = ?1");
	if (st == NULL)
		goto out;
	db__int(st, 1, id);
	db__int(st, 2, disabled ? 1 : 0);
	db__text(st, 3, reason);
	if ((rc = db__exec(db, st, NULL, "team disable")) != DB_OK ||
	    (disabled && (rc = db_sessions_end(db, 0, id)) != DB_OK))
		goto out;
	rc = db_team_obj(db, id, NULL, &after);
out:
	return db__audited(db, rc, actor, disabled ? "team.disable" :
	    "team.enable", target, reason, before, after, now, "team", out);
}

/* ---- users ---- */

#define DB_USER_SQL "SELECT u.id, u.email, t.name, u.team_id, u.is_admin, " \
	"u.disabled, u.created_at, COUNT(*) OVER () " \
	"FROM users u LEFT JOIN teams t ON t.id = u.team_id "

static json_t *
db_user_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "id", st, 0);
	db__jtext(o, "email", st, 1);
	db__jtext(o, "team", st, 2);
	db__jint(o, "team_id", st, 3);
	db__jbool(o, "admin", st, 4);
	db__jbool(o, "disabled", st, 5);
	db__jtime(o, "created_at", st, 6);
	return o;
}

int
db_admin_users(struct db *db, int64_t team_id, const char *q, int64_t limit,
    int64_t offset, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_USER_SQL "WHERE (?1 = 0 OR "
	    "u.team_id = ?1) AND (?2 IS NULL OR "
	    "instr(lower(u.email), lower(?2)) > 0) ORDER BY u.id "
	    "LIMIT ?3 OFFSET ?4");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, team_id);
	db__text(st, 2, q);
	db__int(st, 3, limit);
	db__int(st, 4, offset);
	return db__list(db, st, db_user_row, 7, "users", limit, offset, out);
}

int
db_admin_team_members(struct db *db, int64_t id, json_t **out)
{
	json_t *team = NULL, *members = NULL;
	int rc;

	if ((rc = db_team_obj(db, id, NULL, &team)) != DB_OK)
		return rc;
	if ((rc = db_admin_users(db, id, NULL, 10000, 0, &members)) != DB_OK) {
		json_decref(team);
		return rc;
	}
	*out = json_pack("{s:o, s:O}", "team", team, "members",
	    json_object_get(members, "users"));
	json_decref(members);
	return DB_OK;
}

static int
db_user_obj(struct db *db, int64_t id, const char *email, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_USER_SQL
	    "WHERE u.id = ?1 OR u.email = ?2");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, id);
	db__text(st, 2, email);
	return db__row(db, st, db_user_row, out, "user");
}

int
db_admin_user_create(struct db *db, const char *email, const char *team,
    int is_admin, const char *pw_hash, const char *actor, int64_t now,
    json_t **out)
{
	json_t *after = NULL;
	char target[64];
	int rc;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_user_add(db, team, email, pw_hash, is_admin, now))
	    == DB_OK)
		rc = db_user_obj(db, 0, email, &after);
	db_target_id(target, "user", after);
	return db__audited(db, rc, actor, "user.create", target, NULL, NULL,
	    after, now, "user", out);
}

/* Change user id: disabled (0/1) or, with pw_hash, its password; the
 * user's sessions end unless it is being enabled. */
static int
db_user_change(struct db *db, int64_t id, int disabled, const char *pw_hash,
    const char *action, const char *actor, int64_t now, json_t **out)
{
	sqlite3_stmt *st;
	json_t *before = NULL, *after = NULL;
	char target[64];
	int rc;

	util_fmt(target, sizeof(target), "user:%lld", (long long)id);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_user_obj(db, id, NULL, &before)) != DB_OK)
		goto out;
	rc = DB_ERR;
	st = db__stmt(db, "UPDATE users SET "
	    "disabled = IIF(?2 < 0, disabled, ?2), "
	    "pw_hash = COALESCE(?3, pw_hash) WHERE id = ?1");
	if (st == NULL)
		goto out;
	db__int(st, 1, id);
	db__int(st, 2, disabled);
	db__text(st, 3, pw_hash);
	if ((rc = db__exec(db, st, NULL, "user change")) != DB_OK ||
	    (disabled != 0 && (rc = db_sessions_end(db, id, 0)) != DB_OK))
		goto out;
	rc = db_user_obj(db, id, NULL, &after);
out:
	return db__audited(db, rc, actor, action, target, NULL, before, after,
	    now, "user", out);
}

int
db_admin_user_disable(struct db *db, int64_t id, int disabled,
    const char *actor, int64_t now, json_t **out)
{
	return db_user_change(db, id, disabled ? 1 : 0, NULL, disabled ?
	    "user.disable" : "user.enable", actor, now, out);
}

int
db_admin_user_password(struct db *db, int64_t id, const char *pw_hash,
    const char *actor, int64_t now, json_t **out)
{
	/* disabled -2: unchanged, but the sessions end */
	return db_user_change(db, id, -2, pw_hash, "user.password", actor,
	    now, out);
}

/* ---- tokens ---- */

#define DB_TOKEN_SQL "SELECT k.id, k.user_id, u.email, k.role, k.label, " \
	"k.created_at, k.revoked_at, COUNT(*) OVER () " \
	"FROM api_tokens k JOIN users u ON u.id = k.user_id "

static json_t *
db_token_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "id", st, 0);
	db__jint(o, "user_id", st, 1);
	db__jtext(o, "email", st, 2);
	db__jtext(o, "role", st, 3);
	db__jtext(o, "label", st, 4);
	db__jtime(o, "created_at", st, 5);
	db__jtime(o, "revoked_at", st, 6);
	return o;
}

int
db_admin_tokens(struct db *db, int64_t user_id, const char *role,
    int64_t limit, int64_t offset, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_TOKEN_SQL "WHERE (?1 = 0 OR "
	    "k.user_id = ?1) AND (?2 IS NULL OR k.role = ?2) "
	    "ORDER BY k.id DESC LIMIT ?3 OFFSET ?4");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, user_id);
	db__text(st, 2, role);
	db__int(st, 3, limit);
	db__int(st, 4, offset);
	return db__list(db, st, db_token_row, 7, "tokens", limit, offset, out);
}

static int
db_token_obj(struct db *db, int64_t id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_TOKEN_SQL "WHERE k.id = ?1");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, id);
	return db__row(db, st, db_token_row, out, "token");
}

int
db_admin_token_create(struct db *db, const char *email,
    const char *token_hash, const char *role, const char *label,
    const char *actor, int64_t now, json_t **out)
{
	json_t *after = NULL;
	int64_t id = 0;
	char target[64];
	int rc;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_token_add(db, email, token_hash, role, label, now, &id))
	    == DB_OK)
		rc = db_token_obj(db, id, &after);
	util_fmt(target, sizeof(target), "token:%lld", (long long)id);
	return db__audited(db, rc, actor, "token.create", target, NULL, NULL,
	    after, now, "token", out);
}

int
db_admin_token_revoke(struct db *db, int64_t id, const char *actor,
    int64_t now, json_t **out)
{
	json_t *before = NULL, *after = NULL;
	char target[64];
	int rc;

	util_fmt(target, sizeof(target), "token:%lld", (long long)id);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_token_obj(db, id, &before)) != DB_OK)
		goto out;
	rc = db_token_revoke(db, id, NULL, now);
	if (rc == DB_NOTFOUND)
		rc = DB_CONFLICT;	/* it exists: revoked already */
	if (rc == DB_OK)
		rc = db_token_obj(db, id, &after);
out:
	return db__audited(db, rc, actor, "token.revoke", target, NULL, before,
	    after, now, "token", out);
}
