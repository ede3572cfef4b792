/* db_sub: tracks, quotas, submissions and a team's pick of its
 * leaderboard entry. */
#include "db_int.h"

#include <string.h>

#include "util.h"

int
db_track_add(struct db *db, const struct db_track *t, int64_t now)
{
	sqlite3_stmt *st = db__stmt(db, "INSERT INTO tracks (slug, kind, "
	    "budget, per_day, total, opens_at, closes_at, metric, created_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, t->slug);
	db__text(st, 2, track_kind_name(t->kind));
	db__int(st, 3, t->budget);
	db__int(st, 4, t->per_day);
	db__int(st, 5, t->total);
	if (t->opens_at)
		db__int(st, 6, t->opens_at);
	if (t->closes_at)
		db__int(st, 7, t->closes_at);
	db__text(st, 8, t->metric[0] ? t->metric : "overall");
	db__int(st, 9, now);
	return db__exec(db, st, NULL, "track add");
}

static void
db_track_row(sqlite3_stmt *st, struct db_track *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	db__col(st, 1, t->slug, sizeof(t->slug));
	if (track_kind_parse((const char *)sqlite3_column_text(st, 2),
	    &t->kind) != 0)
		fprintf(stderr, "db: track %s: unknown kind\n", t->slug);
	t->budget = sqlite3_column_int64(st, 3);
	t->per_day = sqlite3_column_int64(st, 4);
	t->total = sqlite3_column_int64(st, 5);
	t->opens_at = sqlite3_column_int64(st, 6);
	t->closes_at = sqlite3_column_int64(st, 7);
	db__col(st, 8, t->metric, sizeof(t->metric));
	t->max_active = sqlite3_column_int64(st, 9);
}

#define DB_TRACK_COLS "id, slug, kind, budget, per_day, total, " \
	"COALESCE(opens_at, 0), COALESCE(closes_at, 0), metric, max_active"

int
db_track_get(struct db *db, const char *slug, struct db_track *t)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT " DB_TRACK_COLS
	    " FROM tracks WHERE slug = ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, slug);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		db_track_row(st, t);
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "track get");
}

int
db_quota_get(struct db *db, int64_t track_id, int64_t team_id, int64_t now,
    struct db_quota *q)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT "
	    "(SELECT COUNT(*) FROM submissions s JOIN jobs j "
	    "  ON j.submission_id = s.id WHERE s.team_id = ?1 "
	    "  AND s.track_id = ?2 AND s.created_at >= ?3 "
	    "  AND NOT (j.state = 'failed' AND j.fault IS 'system')), "
	    "(SELECT COUNT(*) FROM submissions s JOIN jobs j "
	    "  ON j.submission_id = s.id WHERE s.team_id = ?1 "
	    "  AND s.track_id = ?2 "
	    "  AND NOT (j.state = 'failed' AND j.fault IS 'system')), "
	    "(SELECT COUNT(*) FROM jobs j JOIN submissions s "
	    "  ON s.id = j.submission_id WHERE s.team_id = ?1 "
	    "  AND j.state IN ('queued', 'running') "
	    /* a track with its own limit counts its own jobs only */
	    "  AND ((SELECT max_active FROM tracks WHERE id = ?2) = 0 "
	    "    OR s.track_id = ?2))");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, team_id);
	db__int(st, 2, track_id);
	db__int(st, 3, now - now % 86400);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		q->today = sqlite3_column_int64(st, 0);
		q->total = sqlite3_column_int64(st, 1);
		q->active = sqlite3_column_int64(st, 2);
	}
	db__done(st);
	return rc == SQLITE_ROW ? DB_OK : db__fail(db, "quota");
}

/* what the public track object adds to struct db_track: the
 * page's texts, the team lock and the freeze (columns 10.. of
 * DB_TRACK_PUB_SQL). */
#define DB_TRACK_PUB_SQL "SELECT " DB_TRACK_COLS ", title, " \
	"COALESCE(teams_lock_at, 0), COALESCE(freeze_at, 0), overview, rules " \
	"FROM tracks "
struct db_track_pub {
	struct db_track t;
	char *title, *overview, *rules;	/* owned */
	int64_t teams_lock_at, freeze_at;	/* 0: none */
};

/* Column i as an owned string ("" for NULL). */
static char *
db_col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return util_xstrdup(s != NULL ? s : "");
}

static void
db_track_pub_row(sqlite3_stmt *st, struct db_track_pub *p)
{
	db_track_row(st, &p->t);
	p->title = db_col_dup(st, 10);
	p->teams_lock_at = sqlite3_column_int64(st, 11);
	p->freeze_at = sqlite3_column_int64(st, 12);
	p->overview = db_col_dup(st, 13);
	p->rules = db_col_dup(st, 14);
}

static void
db_track_pub_clear(struct db_track_pub *p)
{
	free(p->title);
	free(p->overview);
	free(p->rules);
}

static json_t *
db_jtime_or_null(int64_t t)
{
	char ts[21];

	if (t <= 0)
		return json_null();
	db_iso_time(t, ts);
	return json_string(ts);
}

/* The public object of track p (see db_tracks_json), with the page's
 * texts when full; NULL on a database error (the quota). */
static json_t *
db_track_pub_json(struct db *db, const struct db_track_pub *p, int64_t now,
    int64_t team_id, int full)
{
	const struct db_track *t = &p->t;
	json_t *o = json_object();
	const char *status = "open";

	if (t->opens_at && now < t->opens_at)
		status = "upcoming";
	else if (t->closes_at && now >= t->closes_at)
		status = "closed";
	json_object_set_new(o, "slug", json_string(t->slug));
	json_object_set_new(o, "kind", json_string(track_kind_name(t->kind)));
	json_object_set_new(o, "budget", json_integer(t->budget));
	json_object_set_new(o, "limits", json_pack("{s:I, s:I}",
	    "per_day", (json_int_t)t->per_day,
	    "total", (json_int_t)t->total));
	json_object_set_new(o, "opens_at", db_jtime_or_null(t->opens_at));
	json_object_set_new(o, "closes_at", db_jtime_or_null(t->closes_at));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "metric", json_string(t->metric));
	/* the page's title, the team lock and the freeze (the
	 * public board is frozen once freeze_at has passed, db_lb.c) */
	json_object_set_new(o, "title", util_json_text(p->title,
	    strlen(p->title)));
	json_object_set_new(o, "teams_lock_at",
	    db_jtime_or_null(p->teams_lock_at));
	json_object_set_new(o, "freeze_at", db_jtime_or_null(p->freeze_at));
	json_object_set_new(o, "frozen", json_boolean(p->freeze_at > 0 &&
	    now >= p->freeze_at));
	if (full) {
		json_object_set_new(o, "overview", util_json_text(p->overview,
		    strlen(p->overview)));
		json_object_set_new(o, "rules", util_json_text(p->rules,
		    strlen(p->rules)));
	}
	if (team_id > 0) {
		struct db_quota q;

		if (db_quota_get(db, t->id, team_id, now, &q) != DB_OK) {
			json_decref(o);
			return NULL;
		}
		json_object_set_new(o, "remaining", json_pack("{s:o, s:o}",
		    "today", t->per_day ? json_integer(t->per_day > q.today ?
		    t->per_day - q.today : 0) : json_null(),
		    "total", t->total ? json_integer(t->total > q.total ?
		    t->total - q.total : 0) : json_null()));
	}
	return o;
}

int
db_tracks_json(struct db *db, int64_t now, int64_t team_id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_TRACK_PUB_SQL "ORDER BY id");
	struct db_track_pub *tr = NULL;
	size_t n = 0, i;
	json_t *arr = NULL, *o;
	int rc;

	if (st == NULL)
		return DB_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tr = util_xreallocarray(tr, n + 1, sizeof(*tr));
		db_track_pub_row(st, &tr[n++]);
	}
	db__done(st);
	if (rc != SQLITE_DONE) {
		rc = db__fail(db, "tracks");
		goto out;
	}
	rc = DB_OK;
	arr = json_array();
	for (i = 0; i < n; i++) {
		if ((o = db_track_pub_json(db, &tr[i], now, team_id, 0)) ==
		    NULL) {
			json_decref(arr);
			rc = DB_ERR;
			goto out;
		}
		json_array_append_new(arr, o);
	}
	*out = arr;
out:
	for (i = 0; i < n; i++)
		db_track_pub_clear(&tr[i]);
	free(tr);
	return rc;
}

int
db_track_public(struct db *db, const char *slug, int64_t now,
    int64_t team_id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_TRACK_PUB_SQL "WHERE slug = ?1");
	struct db_track_pub p;
	json_t *o;
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, slug);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		db_track_pub_row(st, &p);
	db__done(st);
	if (rc == SQLITE_DONE)
		return DB_NOTFOUND;
	if (rc != SQLITE_ROW)
		return db__fail(db, "track");
	o = db_track_pub_json(db, &p, now, team_id, 1);
	db_track_pub_clear(&p);
	if (o == NULL)
		return DB_ERR;
	*out = json_pack("{s:o}", "track", o);
	return DB_OK;
}

/* Find an earlier scored submission of the same set in the track. */
static int
db_find_reusable(struct db *db, const struct db_newsub *s, char *out,
    size_t outsz)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT s.id FROM submissions s "
	    "JOIN jobs j ON j.submission_id = s.id WHERE s.track_id = ?1 "
	    "AND s.set_hash = ?2 AND s.kind = ?3 AND j.state = 'succeeded' "
	    "AND s.disqualified = 0 "
	    "AND EXISTS (SELECT 1 FROM scores c WHERE c.submission_id = s.id) "
	    "ORDER BY s.rowid LIMIT 1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, s->track_id);
	db__text(st, 2, s->set_hash);
	db__text(st, 3, s->kind);
	rc = sqlite3_step(st);
	out[0] = '\0';
	if (rc == SQLITE_ROW)
		db__col(st, 0, out, outsz);
	db__done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db__fail(db, "reuse lookup");
	return DB_OK;
}

static int
db_insert_sub(struct db *db, const struct db_newsub *s, const char *reused)
{
	sqlite3_stmt *st = db__stmt(db, "INSERT INTO submissions (id, "
	    "track_id, team_id, user_id, kind, n_samples, size_bytes, sha256, "
	    "set_hash, composition, method_name, description, url, file_name, "
	    "reused_from, created_at, warnings, n_warnings, original_name) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15, ?16, ?17, ?18, ?19)");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, s->id);
	db__int(st, 2, s->track_id);
	db__int(st, 3, s->team_id);
	db__int(st, 4, s->user_id);
	db__text(st, 5, s->kind);
	db__int(st, 6, (int64_t)s->n_samples);
	db__int(st, 7, (int64_t)s->size_bytes);
	db__text(st, 8, s->sha256);
	db__text(st, 9, s->set_hash);
	db__text(st, 10, s->composition);
	db__text(st, 11, s->method_name);
	db__text(st, 12, s->description ? s->description : "");
	db__text(st, 13, s->url ? s->url : "");
	db__text(st, 14, s->file_name);
	db__text(st, 15, reused[0] ? reused : NULL);
	db__int(st, 16, s->now);
	db__text(st, 17, s->warnings ? s->warnings : "[]");
	db__int(st, 18, (int64_t)s->n_warnings);
	db__text(st, 19, s->original_name);
	if (db__exec(db, st, NULL, "submission insert") != DB_OK)
		return DB_ERR;
	if (reused[0] == '\0')
		st = db__stmt(db, "INSERT INTO jobs (id, submission_id, state, "
		    "created_at, updated_at) VALUES (?1, ?2, 'queued', ?3, ?3)");
	else
		st = db__stmt(db, "INSERT INTO jobs (id, submission_id, state, "
		    "progress, created_at, started_at, finished_at, updated_at) "
		    "VALUES (?1, ?2, 'succeeded', 1.0, ?3, ?3, ?3, ?3)");
	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, s->job_id);
	db__text(st, 2, s->id);
	db__int(st, 3, s->now);
	if (db__exec(db, st, NULL, "job insert") != DB_OK)
		return DB_ERR;
	if (reused[0] == '\0')
		return DB_OK;
	st = db__stmt(db, "INSERT INTO scores (submission_id, task, value) "
	    "SELECT ?1, task, value FROM scores WHERE submission_id = ?2");
	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, s->id);
	db__text(st, 2, reused);
	if (db__exec(db, st, NULL, "scores copy") != DB_OK)
		return DB_ERR;
	st = db__stmt(db, "INSERT INTO private_scores (submission_id, task, "
	    "value) SELECT ?1, task, value FROM private_scores "
	    "WHERE submission_id = ?2");
	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, s->id);
	db__text(st, 2, reused);
	return db__exec(db, st, NULL, "private scores copy") == DB_OK ?
	    DB_OK : DB_ERR;
}

int
db_idem_find(struct db *db, int64_t team_id, const char *key, int64_t now,
    char *id, size_t idsz)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT submission_id FROM "
	    "idempotency_keys WHERE team_id = ?1 AND key = ?2 AND "
	    "created_at > ?3");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, team_id);
	db__text(st, 2, key);
	db__int(st, 3, now - DB_IDEM_SECONDS);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		db__col(st, 0, id, idsz);
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "idem find");
}

/* Record s's idempotency key (the team's expired ones go). */
static int
db_idem_put(struct db *db, const struct db_newsub *s)
{
	sqlite3_stmt *st = db__stmt(db, "DELETE FROM idempotency_keys "
	    "WHERE team_id = ?1 AND created_at <= ?2");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, s->team_id);
	db__int(st, 2, s->now - DB_IDEM_SECONDS);
	if (db__exec(db, st, NULL, "idem expire") != DB_OK)
		return DB_ERR;
	st = db__stmt(db, "INSERT INTO idempotency_keys (team_id, key, "
	    "submission_id, created_at) VALUES (?1, ?2, ?3, ?4)");
	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, s->team_id);
	db__text(st, 2, s->idem_key);
	db__text(st, 3, s->id);
	db__int(st, 4, s->now);
	return db__exec(db, st, NULL, "idem put");
}

int
db_submission_commit(struct db *db, const struct db_newsub *s,
    int (*fs)(void *arg), void *arg, struct db_commit *out)
{
	struct db_quota q;

	memset(out, 0, sizeof(*out));
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if (s->idem_key != NULL) {
		/* the same key made one already (a retry racing its first) */
		int rc = db_idem_find(db, s->team_id, s->idem_key, s->now,
		    out->first, sizeof(out->first));

		if (rc == DB_ERR)
			goto fail;
		if (rc == DB_OK) {
			db__rollback(db);
			return DB_CONFLICT;
		}
	}
	if (db_quota_get(db, s->track_id, s->team_id, s->now, &q) != DB_OK)
		goto fail;
	if (s->per_day && q.today >= s->per_day)
		out->quota = QUOTA_PER_DAY;
	else if (s->total && q.total >= s->total)
		out->quota = QUOTA_TOTAL;
	if (out->quota == QUOTA_NONE && s->reuse &&
	    db_find_reusable(db, s, out->reused_from,
	    sizeof(out->reused_from)) != DB_OK)
		goto fail;
	if (out->quota == QUOTA_NONE && out->reused_from[0] == '\0' &&
	    s->max_active && q.active >= s->max_active)
		out->quota = QUOTA_ACTIVE;
	if (out->quota != QUOTA_NONE) {
		db__rollback(db);
		return DB_QUOTA;
	}
	if (db_insert_sub(db, s, out->reused_from) != DB_OK)
		goto fail;
	if (s->idem_key != NULL && db_idem_put(db, s) != DB_OK)
		goto fail;
	if (fs != NULL && fs(arg) != 0)
		goto fail;
	if (db__commit(db) != DB_OK)
		goto fail;
	return DB_OK;
fail:
	db__rollback(db);
	return DB_ERR;
}

#define DB_SUB_COLS "s.id, t.slug, s.kind, j.state, s.n_samples, " \
	"s.size_bytes, s.sha256, s.set_hash, s.composition, s.method_name, " \
	"s.description, s.url, s.created_at, s.reused_from, s.hidden, " \
	"s.disqualified, j.id, j.stage, j.progress, j.attempt, j.error, " \
	"tm.name, s.reason, s.n_warnings, s.original_name"
#define DB_SUB_FROM " FROM submissions s JOIN tracks t ON t.id = s.track_id " \
	"JOIN jobs j ON j.submission_id = s.id JOIN teams tm ON tm.id = s.team_id "

/* Build a submission object (without scores) from a row of
 * DB_SUB_COLS. */
static json_t *
db_sub_row(sqlite3_stmt *st)
{
	json_t *o = json_object(), *job = json_object();

	db__jtext(o, "id", st, 0);
	db__jtext(o, "track", st, 1);
	db__jtext(o, "kind", st, 2);
	db__jtext(o, "status", st, 3);
	db__jtext(o, "team", st, 21);
	db__jint(o, "n_samples", st, 4);
	db__jint(o, "size_bytes", st, 5);
	db__jtext(o, "sha256", st, 6);
	db__jtext(o, "set_hash", st, 7);
	json_object_set_new(o, "composition", db__jparse(st, 8, 1));
	db__jtext(o, "method_name", st, 9);
	db__jtext(o, "description", st, 10);
	db__jtext(o, "url", st, 11);
	db__jtime(o, "created_at", st, 12);
	db__jtext(o, "reused_from", st, 13);
	json_object_set_new(o, "reused", json_boolean(
	    sqlite3_column_type(st, 13) != SQLITE_NULL));
	db__jbool(o, "hidden", st, 14);
	db__jbool(o, "disqualified", st, 15);
	db__jtext(o, "reason", st, 22);
	db__jint(o, "n_warnings", st, 23);
	db__jtext(o, "original_name", st, 24);
	db__jtext(job, "id", st, 16);
	db__jtext(job, "state", st, 3);
	db__jtext(job, "stage", st, 17);
	db__jtext(job, "progress", st, 18);
	db__jint(job, "attempt", st, 19);
	db__jtext(job, "error", st, 20);
	json_object_set_new(o, "job", job);
	return o;
}

/* A row of DB_SUB_COLS and then s.warnings (an array: the schema checks
 * it): the object with its kept warnings; a list shows only their
 * count. */
static json_t *
db_sub_row_warnings(sqlite3_stmt *st)
{
	json_t *o = db_sub_row(st);

	json_object_set_new(o, "warnings", db__jparse(st, 25, 0));
	return o;
}

int
db_submission_get(struct db *db, const char *id, int64_t team_id,
    json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT " DB_SUB_COLS ", s.warnings"
	    DB_SUB_FROM "WHERE s.id = ?1 AND (?2 < 0 OR s.team_id = ?2)");
	json_t *o;
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	db__int(st, 2, team_id);
	if ((rc = db__row(db, st, db_sub_row_warnings, &o, "submission get"))
	    != DB_OK)
		return rc;
	if (db__add_scores(db, o, "id", 0) != DB_OK) {
		json_decref(o);
		return DB_ERR;
	}
	json_object_set(json_object_get(o, "job"), "scores",
	    json_object_get(o, "scores"));
	*out = json_pack("{s:o}", "submission", o);
	return DB_OK;
}

int
db_submissions_list(struct db *db, int64_t team_id, const char *track,
    int64_t limit, int64_t offset, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT " DB_SUB_COLS DB_SUB_FROM
	    "WHERE s.team_id = ?1 AND (?2 IS NULL OR t.slug = ?2) "
	    "ORDER BY s.created_at DESC, s.rowid DESC LIMIT ?3 OFFSET ?4");
	json_t *arr, *o;
	size_t i;
	int64_t total = 0;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, team_id);
	db__text(st, 2, track);
	db__int(st, 3, limit);
	db__int(st, 4, offset);
	if (db__rows(db, st, db_sub_row, -1, &arr, NULL, "submissions list")
	    != DB_OK)
		return DB_ERR;
	json_array_foreach(arr, i, o)
		if (db__add_scores(db, o, "id", 0) != DB_OK) {
			json_decref(arr);
			return DB_ERR;
		}
	/* the total apart: it counts past the page's end too */
	st = db__stmt(db, "SELECT COUNT(*) FROM submissions s JOIN tracks t "
	    "ON t.id = s.track_id WHERE s.team_id = ?1 "
	    "AND (?2 IS NULL OR t.slug = ?2)");
	if (st == NULL) {
		json_decref(arr);
		return DB_ERR;
	}
	db__int(st, 1, team_id);
	db__text(st, 2, track);
	if (sqlite3_step(st) == SQLITE_ROW)
		total = sqlite3_column_int64(st, 0);
	db__done(st);
	*out = db__page("submissions", arr, limit, offset, total);
	return DB_OK;
}

int
db_submission_file(struct db *db, const char *id, int64_t team_id,
    char *file_name, size_t fnsz, char *kind, size_t kindsz)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT file_name, kind FROM "
	    "submissions WHERE id = ?1 AND (?2 < 0 OR team_id = ?2)");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	db__int(st, 2, team_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db__col(st, 0, file_name, fnsz);
		db__col(st, 1, kind, kindsz);
	}
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "submission file");
}

int
db_submission_original_name(struct db *db, const char *id, char *out,
    size_t outsz)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT original_name FROM "
	    "submissions WHERE id = ?1");
	int rc;

	out[0] = '\0';
	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
		db__col(st, 0, out, outsz);
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db,
	    "submission original name");
}

int
db_submission_cancel(struct db *db, const char *id, int64_t team_id,
    int64_t now)
{
	static const struct db_job_change ch = {
		.error = "cancelled by request" };
	sqlite3_stmt *st;
	char job[40] = "";
	int rc = DB_ERR;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	st = db__stmt(db, "SELECT j.id FROM jobs j JOIN submissions s "
	    "ON s.id = j.submission_id WHERE s.id = ?1 "
	    "AND (?2 < 0 OR s.team_id = ?2)");
	if (st == NULL)
		goto out;
	db__text(st, 1, id);
	db__int(st, 2, team_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		db__col(st, 0, job, sizeof(job));
	db__done(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? DB_NOTFOUND :
		    db__fail(db, "cancel lookup");
		goto out;
	}
	rc = db_job_transition(db, job, JOB_ACTIVE, JOB_CANCELLED, &ch, now);
	if (rc == DB_OK)
		rc = db__commit(db);
out:
	db__rollback(db);
	return rc == DB_OK || rc == DB_NOTFOUND || rc == DB_CONFLICT ? rc :
	    DB_ERR;
}

int
db_submission_file_known(struct db *db, const char *name)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT 1 FROM submissions "
	    "WHERE file_name = ?1");
	int rc;

	if (st == NULL)
		return -1;
	db__text(st, 1, name);
	rc = sqlite3_step(st);
	db__done(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	db__fail(db, "file known");
	return -1;
}

/* ---- a team's pick ---- */

int
db_submission_select(struct db *db, const char *id, int64_t team_id,
    int select, const char *actor, int64_t now)
{
	sqlite3_stmt *st;
	int64_t track_id = 0;
	int ok = 0, cur = 0, rc;
	char target[96];
	json_t *before, *after;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	st = db__stmt(db, "SELECT s.track_id, j.state = 'succeeded' "
	    "AND s.hidden = 0 AND s.disqualified = 0 AND s.baseline = 0 "
	    "AND tm.baseline = 0, " DB_SEL_CUR("s") " IS s.id "
	    "FROM submissions s JOIN jobs j ON j.submission_id = s.id "
	    "JOIN teams tm ON tm.id = s.team_id "
	    "WHERE s.id = ?1 AND s.team_id = ?2");
	rc = DB_ERR;
	if (st == NULL)
		goto out;
	db__text(st, 1, id);
	db__int(st, 2, team_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		track_id = sqlite3_column_int64(st, 0);
		ok = sqlite3_column_int(st, 1);
		cur = sqlite3_column_int(st, 2);
	}
	db__done(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? DB_NOTFOUND :
		    db__fail(db, "select lookup");
		goto out;
	}
	if (select && !ok) {
		rc = DB_CONFLICT;
		goto out;
	}
	if (!select && !cur) {
		rc = DB_OK;	/* not the pick: nothing to undo */
		goto out;
	}
	rc = DB_ERR;
	st = db__stmt(db, "INSERT INTO selections (track_id, team_id, "
	    "submission_id, at) VALUES (?1, ?2, ?3, ?4)");
	if (st == NULL)
		goto out;
	db__int(st, 1, track_id);
	db__int(st, 2, team_id);
	db__text(st, 3, select ? id : NULL);
	db__int(st, 4, now);
	if ((rc = db__exec(db, st, NULL, "select")) != DB_OK)
		goto out;
	util_fmt(target, sizeof(target), "submission:%s", id);
	before = json_pack("{s:b}", "selected", cur);
	after = json_pack("{s:b}", "selected", select);
	rc = db_audit_ex(db, actor, select ? "submission.select" :
	    "submission.unselect", target, NULL, before, after, now);
	json_decref(before);
	json_decref(after);
	if (rc == DB_OK)
		rc = db__commit(db);
out:
	db__rollback(db);
	return rc;
}

int
db_submission_selected(struct db *db, const char *id, int *selected)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT " DB_SEL_CUR("s")
	    " IS s.id FROM submissions s WHERE s.id = ?1");
	int rc;

	*selected = 0;
	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*selected = sqlite3_column_int(st, 0);
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "selected");
}
