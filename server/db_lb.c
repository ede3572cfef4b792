/* db_lb: the leaderboard query. */
#include "db_int.h"

#include <string.h>

int
db_leaderboard(struct db *db, const char *slug, json_t **out)
{
	struct db_track t;
	sqlite3_stmt *st;
	json_t *entries, *seen, *e, *sc;
	json_int_t rank = 0;
	size_t i;
	int rc;

	rc = db_track_get(db, slug, &t);
	if (rc != DB_OK)
		return rc;
	st = db__stmt(db, "SELECT s.id, tm.name, tm.baseline, s.method_name, "
	    "s.n_samples, s.created_at, sc.value, s.reused_from "
	    "FROM submissions s JOIN jobs j ON j.submission_id = s.id "
	    "JOIN teams tm ON tm.id = s.team_id "
	    "JOIN scores sc ON sc.submission_id = s.id AND sc.task = ?2 "
	    "WHERE s.track_id = ?1 AND j.state = 'succeeded' "
	    "AND s.hidden = 0 AND s.disqualified = 0 "
	    "ORDER BY sc.value DESC, s.created_at ASC, s.rowid ASC");
	if (st == NULL)
		return DB_ERR;
	entries = json_array();
	seen = json_object();
	db__int(st, 1, t.id);
	db__text(st, 2, t.metric);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *team = (const char *)sqlite3_column_text(st, 1);
		int baseline = sqlite3_column_int(st, 2);

		if (json_object_get(seen, team) != NULL)
			continue;	/* one entry per team: its best */
		json_object_set_new(seen, team, json_true());
		e = json_object();
		json_object_set_new(e, "rank", baseline ? json_null() :
		    json_integer(++rank));
		db__jtext(e, "team", st, 1);
		db__jtext(e, "method_name", st, 3);
		db__jtext(e, "submission_id", st, 0);
		db__jint(e, "n_samples", st, 4);
		db__jtime(e, "submitted_at", st, 5);
		json_object_set_new(e, "baseline", json_boolean(baseline));
		json_object_set_new(e, "reused", json_boolean(
		    sqlite3_column_type(st, 7) != SQLITE_NULL));
		json_array_append_new(entries, e);
	}
	db__done(st);
	json_decref(seen);
	if (rc != SQLITE_DONE) {
		json_decref(entries);
		return db__fail(db, "leaderboard");
	}
	json_array_foreach(entries, i, e) {
		if (db__scores(db, json_string_value(json_object_get(e,
		    "submission_id")), &sc) != DB_OK) {
			json_decref(entries);
			return DB_ERR;
		}
		json_object_set_new(e, "scores", sc);
	}
	*out = json_pack("{s:s, s:s, s:s, s:o}", "track", t.slug, "kind",
	    t.kind, "metric", t.metric, "entries", entries);
	return DB_OK;
}
