/* db_hook: the webhook outbox.  Finished jobs of a track with a webhook
 * become outbox rows (one per finished attempt); the delivery thread
 * (hook.c) takes the due ones and records each try. */
#include "db_int.h"

#include <string.h>

#include "util.h"

static json_t *
db_hook_cand(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jtext(o, "job_id", st, 0);
	db__jint(o, "attempt", st, 1);
	db__jint(o, "finished", st, 2);
	db__jtext(o, "state", st, 3);
	db__jtext(o, "error", st, 4);
	db__jtext(o, "fault", st, 5);
	db__jtext(o, "sub_id", st, 6);
	db__jtext(o, "team", st, 7);
	db__jtext(o, "method_name", st, 8);
	db__jtime(o, "sub_created", st, 9);
	db__jint(o, "track_id", st, 10);
	db__jtext(o, "track", st, 11);
	db__jtime(o, "finished_at", st, 2);
	return o;
}

/* Insert the outbox row of candidate c (inside a transaction). */
static int
db_hook_put(struct db *db, json_t *c, int64_t now)
{
	const char *state = json_string_value(json_object_get(c, "state"));
	const char *event = strcmp(state, "succeeded") == 0 ?
	    "submission.scored" : "submission.failed";
	const char *sub = json_string_value(json_object_get(c, "sub_id"));
	sqlite3_stmt *st;
	json_t *body = NULL, *sc = NULL;
	char *text = NULL, ts[21];
	int64_t id;
	int rc, changes = 0;

	st = db__stmt(db, "INSERT OR IGNORE INTO webhook_outbox (track_id, "
	    "job_id, attempt, finished_at, event, body, next_at, created_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, '', ?6, ?6)");
	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, json_integer_value(json_object_get(c, "track_id")));
	db__text(st, 2, json_string_value(json_object_get(c, "job_id")));
	db__int(st, 3, json_integer_value(json_object_get(c, "attempt")));
	db__int(st, 4, json_integer_value(json_object_get(c, "finished")));
	db__text(st, 5, event);
	db__int(st, 6, now);
	if ((rc = db__exec(db, st, &changes, "hook put")) != DB_OK)
		return rc;
	if (changes == 0)
		return DB_OK;
	id = sqlite3_last_insert_rowid(db->h);
	if (strcmp(state, "succeeded") == 0) {
		if (db__scores(db, sub, &sc) != DB_OK)
			return DB_ERR;
	} else
		sc = json_object();
	db_iso_time(now, ts);
	body = json_pack("{s:s, s:I, s:s, s:O, s:{s:s, s:O, s:O, s:O}, "
	    "s:{s:O, s:O, s:s, s:O, s:O, s:O}, s:o}",
	    "event", event, "delivery_id", (json_int_t)id, "created_at", ts,
	    "track", json_object_get(c, "track"),
	    "submission", "id", sub, "team", json_object_get(c, "team"),
	    "method_name", json_object_get(c, "method_name"),
	    "created_at", json_object_get(c, "sub_created"),
	    "job", "id", json_object_get(c, "job_id"),
	    "attempt", json_object_get(c, "attempt"), "state", state,
	    "error", json_object_get(c, "error"),
	    "fault", json_object_get(c, "fault"),
	    "finished_at", json_object_get(c, "finished_at"),
	    "scores", sc);
	if (body == NULL)
		return DB_ERR;
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	st = db__stmt(db, "UPDATE webhook_outbox SET body = ?2 WHERE id = ?1");
	rc = DB_ERR;
	if (st != NULL) {
		db__int(st, 1, id);
		db__text(st, 2, text);
		rc = db__exec(db, st, NULL, "hook body");
	}
	free(text);
	return rc;
}

int
db_hook_enqueue(struct db *db, int64_t now, int *n)
{
	sqlite3_stmt *st;
	json_t *arr = NULL, *c;
	size_t i;
	int rc;

	*n = 0;
	st = db__stmt(db, "SELECT j.id, j.attempt, j.finished_at, j.state, "
	    "j.error, j.fault, s.id, tm.name, s.method_name, s.created_at, "
	    "t.id, t.slug FROM tracks t "
	    "JOIN submissions s ON s.track_id = t.id "
	    "JOIN jobs j ON j.submission_id = s.id "
	    "JOIN teams tm ON tm.id = s.team_id "
	    "WHERE COALESCE(t.webhook_url, '') != '' "
	    "AND j.state IN ('succeeded', 'failed') "
	    "AND j.finished_at >= t.webhook_since "
	    "AND NOT EXISTS (SELECT 1 FROM webhook_outbox o "
	    "  WHERE o.job_id = j.id AND o.attempt = j.attempt "
	    "  AND o.finished_at = j.finished_at) LIMIT 200");
	if (st == NULL)
		return DB_ERR;
	if ((rc = db__rows(db, st, db_hook_cand, -1, &arr, NULL,
	    "hook candidates")) != DB_OK)
		return rc;
	if (json_array_size(arr) == 0) {
		json_decref(arr);
		return DB_OK;
	}
	if (db__begin(db) != DB_OK) {
		json_decref(arr);
		return DB_ERR;
	}
	json_array_foreach(arr, i, c)
		if ((rc = db_hook_put(db, c, now)) != DB_OK)
			break;
	if (rc == DB_OK)
		rc = db__commit(db);
	db__rollback(db);
	if (rc == DB_OK)
		*n = (int)json_array_size(arr);
	json_decref(arr);
	return rc;
}

int
db_hook_due(struct db *db, int64_t now, size_t max,
    struct db_hook_item **items, size_t *n)
{
	sqlite3_stmt *st;
	struct db_hook_item *v = NULL, *it;
	size_t cnt = 0;
	int rc;

	*items = NULL;
	*n = 0;
	st = db__stmt(db, "UPDATE webhook_outbox SET status = 'failed', "
	    "last_error = 'the track has no webhook now' "
	    "WHERE status = 'pending' AND track_id IN (SELECT id FROM tracks "
	    "  WHERE COALESCE(webhook_url, '') = '')");
	if (st == NULL || db__exec(db, st, NULL, "hook drop") != DB_OK)
		return DB_ERR;
	st = db__stmt(db, "SELECT o.id, o.attempts, o.event, t.webhook_url, "
	    "COALESCE(t.webhook_secret, ''), o.body FROM webhook_outbox o "
	    "JOIN tracks t ON t.id = o.track_id WHERE o.status = 'pending' "
	    "AND o.next_at <= ?1 ORDER BY o.next_at, o.id LIMIT ?2");
	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, now);
	db__int(st, 2, (int64_t)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = util_xreallocarray(v, cnt + 1, sizeof(*v));
		it = &v[cnt++];
		memset(it, 0, sizeof(*it));
		it->id = sqlite3_column_int64(st, 0);
		it->attempts = sqlite3_column_int64(st, 1);
		db__col(st, 2, it->event, sizeof(it->event));
		it->url = util_xstrdup((const char *)sqlite3_column_text(st,
		    3));
		it->secret = util_xstrdup((const char *)sqlite3_column_text(st,
		    4));
		it->body = util_xstrdup((const char *)sqlite3_column_text(st,
		    5));
	}
	db__done(st);
	if (rc != SQLITE_DONE) {
		db_hook_items_free(v, cnt);
		return db__fail(db, "hook due");
	}
	*items = v;
	*n = cnt;
	return DB_OK;
}

void
db_hook_items_free(struct db_hook_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(items[i].url);
		free(items[i].secret);
		free(items[i].body);
	}
	free(items);
}

int
db_hook_done(struct db *db, int64_t id, int ok, long status,
    const char *error, int64_t next_at, int64_t now)
{
	sqlite3_stmt *st = db__stmt(db, "UPDATE webhook_outbox SET "
	    "attempts = attempts + 1, last_status = ?3, last_error = ?4, "
	    "status = IIF(?2, 'delivered', IIF(?5 = 0, 'failed', 'pending')), "
	    "next_at = IIF(?5 = 0, next_at, ?5), "
	    "delivered_at = IIF(?2, ?6, NULL) WHERE id = ?1");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, id);
	db__int(st, 2, ok ? 1 : 0);
	if (status > 0)
		db__int(st, 3, status);
	else
		sqlite3_bind_null(st, 3);
	db__text(st, 4, error);
	db__int(st, 5, ok ? 0 : next_at);
	db__int(st, 6, now);
	return db__exec(db, st, NULL, "hook done");
}

#define DB_HOOK_SQL "SELECT o.id, t.slug, o.event, o.job_id, o.attempt, " \
	"o.status, o.attempts, o.last_status, o.last_error, o.next_at, " \
	"o.created_at, o.delivered_at, COUNT(*) OVER () " \
	"FROM webhook_outbox o JOIN tracks t ON t.id = o.track_id "

static json_t *
db_hook_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "id", st, 0);
	db__jtext(o, "track", st, 1);
	db__jtext(o, "event", st, 2);
	db__jtext(o, "job_id", st, 3);
	db__jint(o, "attempt", st, 4);
	db__jtext(o, "status", st, 5);
	db__jint(o, "attempts", st, 6);
	db__jint(o, "last_status", st, 7);
	db__jtext(o, "last_error", st, 8);
	db__jtime(o, "next_at", st, 9);
	db__jtime(o, "created_at", st, 10);
	db__jtime(o, "delivered_at", st, 11);
	return o;
}

int
db_admin_webhooks(struct db *db, const char *track, const char *status,
    int64_t limit, int64_t offset, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_HOOK_SQL "WHERE (?1 IS NULL OR "
	    "t.slug = ?1) AND (?2 IS NULL OR o.status = ?2) "
	    "ORDER BY o.id DESC LIMIT ?3 OFFSET ?4");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, track);
	db__text(st, 2, status);
	db__int(st, 3, limit);
	db__int(st, 4, offset);
	return db__list(db, st, db_hook_row, 12, "deliveries", limit, offset,
	    out);
}

static int
db_hook_obj(struct db *db, int64_t id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_HOOK_SQL "WHERE o.id = ?1");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, id);
	return db__row(db, st, db_hook_row, out, "webhook");
}

int
db_admin_webhook_retry(struct db *db, int64_t id, const char *actor,
    int64_t now, json_t **out)
{
	sqlite3_stmt *st;
	json_t *before = NULL, *after = NULL;
	char target[64];
	int rc;

	util_fmt(target, sizeof(target), "webhook:%lld", (long long)id);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_hook_obj(db, id, &before)) != DB_OK)
		goto out;
	rc = DB_ERR;
	st = db__stmt(db, "UPDATE webhook_outbox SET status = 'pending', "
	    "next_at = ?2 WHERE id = ?1");
	if (st == NULL)
		goto out;
	db__int(st, 1, id);
	db__int(st, 2, now);
	if ((rc = db__exec(db, st, NULL, "webhook retry")) == DB_OK)
		rc = db_hook_obj(db, id, &after);
out:
	return db__audited(db, rc, actor, "webhook.retry", target, NULL,
	    before, after, now, "delivery", out);
}
