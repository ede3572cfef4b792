/* db_lb: the leaderboard: the track's policies (metric and direction,
 * public / private split, freeze, team picks, baselines, anonymous
 * names) applied to its scored submissions.  See API.md. */
#include "db_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* One scored, visible submission. */
struct lb_row {
	char id[40];
	int64_t team_id;
	int baseline;
	int has_pub, has_priv;
	double pub, priv;
	int64_t created_at, rowid;
	int chosen;		/* on the board */
	json_t *e;		/* its entry (without rank and scores) */
	char *kept;		/* the scores (JSON text) of an attempt kept
				 * in job_history, shown on a frozen board;
				 * NULL: the current scores */
};

/* The track's settings the board needs. */
struct lb_track {
	int64_t id;
	char slug[64], kind[16], metric[32], dir[8], vis[16];
	int64_t freeze_at, published_at;
	int anonymous;
};

/* How to sort: by which split, in which direction. */
struct lb_sort {
	int min;		/* lower is better */
	int priv;		/* by the private score */
};

static int
lb_cmp(const void *a, const void *b, void *arg)
{
	const struct lb_sort *how = arg;
	const struct lb_row *x = *(struct lb_row *const *)a;
	const struct lb_row *y = *(struct lb_row *const *)b;
	double vx = how->priv ? x->priv : x->pub;
	double vy = how->priv ? y->priv : y->pub;

	if (vx != vy)
		return (how->min ? vx < vy : vx > vy) ? -1 : 1;
	if (x->created_at != y->created_at)
		return x->created_at < y->created_at ? -1 : 1;
	return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

static int
lb_track(struct db *db, const char *slug, struct lb_track *t)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT id, slug, kind, metric, "
	    "direction, leaderboard, COALESCE(freeze_at, 0), "
	    "COALESCE(published_at, 0), anonymous FROM tracks WHERE slug = ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, slug);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(t, 0, sizeof(*t));
		t->id = sqlite3_column_int64(st, 0);
		db__col(st, 1, t->slug, sizeof(t->slug));
		db__col(st, 2, t->kind, sizeof(t->kind));
		db__col(st, 3, t->metric, sizeof(t->metric));
		db__col(st, 4, t->dir, sizeof(t->dir));
		db__col(st, 5, t->vis, sizeof(t->vis));
		t->freeze_at = sqlite3_column_int64(st, 6);
		t->published_at = sqlite3_column_int64(st, 7);
		t->anonymous = sqlite3_column_int(st, 8);
	}
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "lb track");
}

/* The team picks as they stood at cut (0: now): team_id -> sub id. */
static int
lb_picks(struct db *db, int64_t track_id, int64_t cut, json_t *picks)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT x.team_id, x.submission_id "
	    "FROM selections x WHERE x.track_id = ?1 AND x.id = "
	    "(SELECT MAX(y.id) FROM selections y WHERE y.track_id = ?1 "
	    " AND y.team_id = x.team_id AND (?2 = 0 OR y.at <= ?2))");
	char key[32];
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, track_id);
	db__int(st, 2, cut);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			continue;
		util_fmt(key, sizeof(key), "%lld",
		    (long long)sqlite3_column_int64(st, 0));
		json_object_set_new(picks, key, json_string((const char *)
		    sqlite3_column_text(st, 1)));
	}
	db__done(st);
	return rc == SQLITE_DONE ? DB_OK : db__fail(db, "lb picks");
}

/* Anonymous names: team_id -> "Team N" by first submission order. */
static int
lb_anon(struct db *db, int64_t track_id, json_t *names)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT s.team_id FROM submissions s "
	    "JOIN teams tm ON tm.id = s.team_id WHERE s.track_id = ?1 "
	    "AND tm.baseline = 0 GROUP BY s.team_id ORDER BY MIN(s.rowid)");
	char key[32], name[32];
	int rc, n = 0;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, track_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		util_fmt(key, sizeof(key), "%lld",
		    (long long)sqlite3_column_int64(st, 0));
		util_fmt(name, sizeof(name), "Team %d", ++n);
		json_object_set_new(names, key, json_string(name));
	}
	db__done(st);
	return rc == SQLITE_DONE ? DB_OK : db__fail(db, "lb anon");
}

/* The columns of a board row, from a submission s (with its team tm)
 * and the attempt that scored it (finished_at, public and private metric
 * value, reused, kept scores), and the backend that scored it. */
#define LB_ROW_COLS(finished, pub, prv, reused, kept) "SELECT s.id, " \
	"s.team_id, tm.name, s.baseline OR tm.baseline, s.method_name, " \
	"s.n_samples, s.created_at, s.rowid, " finished ", " pub ", " prv \
	", " reused ", " kept ", CASE WHEN json_valid(j.result) THEN " \
	"json_extract(j.result, '$.backend') END FROM submissions s " \
	"JOIN jobs j ON j.submission_id = s.id " \
	"JOIN teams tm ON tm.id = s.team_id "

/*
 * Load the visible scored submissions (scored at or before cut, if any)
 * into *rows.  With a cut, a submission re-run after it shows the attempt
 * it had then: the one kept in job_history that finished by the cut and
 * was replaced after it.
 */
static int
lb_rows(struct db *db, const struct lb_track *t, int64_t cut,
    struct lb_row **rows, size_t *n)
{
	sqlite3_stmt *st = db__stmt(db, LB_ROW_COLS("j.finished_at",
	    "pub.value", "prv.value", "s.reused_from IS NOT NULL", "NULL")
	    "LEFT JOIN scores pub ON pub.submission_id = s.id "
	    "  AND pub.task = ?2 "
	    "LEFT JOIN private_scores prv ON prv.submission_id = s.id "
	    "  AND prv.task = ?2 "
	    "WHERE s.track_id = ?1 AND j.state = 'succeeded' "
	    "AND s.hidden = 0 AND s.disqualified = 0 "
	    "AND (?3 = 0 OR j.finished_at <= ?3) "
	    "UNION ALL "
	    LB_ROW_COLS("h.finished_at",
	    "(SELECT value FROM json_each(h.scores) WHERE key = ?2)",
	    "(SELECT value FROM json_each(h.private_scores) WHERE key = ?2)",
	    /* only a reused score succeeds without a claimed attempt */
	    "h.attempt = 0", "h.scores")
	    "JOIN job_history h ON h.job_id = j.id "
	    "WHERE ?3 != 0 AND s.track_id = ?1 AND h.state = 'succeeded' "
	    "AND s.hidden = 0 AND s.disqualified = 0 "
	    "AND h.finished_at <= ?3 AND h.rerun_at > ?3");
	struct lb_row *r = NULL, *x;
	size_t cnt = 0;
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, t->id);
	db__text(st, 2, t->metric);
	db__int(st, 3, cut);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = util_xrealloc(r, (cnt + 1) * sizeof(*r));
		x = &r[cnt++];
		memset(x, 0, sizeof(*x));
		db__col(st, 0, x->id, sizeof(x->id));
		x->team_id = sqlite3_column_int64(st, 1);
		x->baseline = sqlite3_column_int(st, 3);
		x->created_at = sqlite3_column_int64(st, 6);
		x->rowid = sqlite3_column_int64(st, 7);
		x->has_pub = sqlite3_column_type(st, 9) != SQLITE_NULL;
		x->pub = sqlite3_column_double(st, 9);
		x->has_priv = sqlite3_column_type(st, 10) != SQLITE_NULL;
		x->priv = sqlite3_column_double(st, 10);
		if (sqlite3_column_type(st, 12) != SQLITE_NULL)
			x->kept = util_xstrdup((const char *)
			    sqlite3_column_text(st, 12));
		x->e = json_object();
		db__jtext(x->e, "team", st, 2);
		db__jtext(x->e, "method_name", st, 4);
		db__jtext(x->e, "submission_id", st, 0);
		db__jint(x->e, "n_samples", st, 5);
		db__jtime(x->e, "submitted_at", st, 6);
		db__jtime(x->e, "scored_at", st, 8);
		json_object_set_new(x->e, "baseline",
		    json_boolean(x->baseline));
		db__jbool(x->e, "reused", st, 11);
		/* "proxy" scores come from the built-in small model */
		if (sqlite3_column_type(st, 13) == SQLITE_TEXT)
			db__jtext(x->e, "backend", st, 13);
	}
	db__done(st);
	*rows = r;
	*n = cnt;
	if (rc != SQLITE_DONE)
		return db__fail(db, "leaderboard");
	return DB_OK;
}

int
db_leaderboard_ex(struct db *db, const char *slug, const struct db_lbopts *o,
    json_t **out, enum board_vis *vis)
{
	struct lb_track t;
	struct lb_sort how;
	struct lb_row *rows = NULL, **order = NULL;
	json_t *picks = NULL, *names = NULL, *entries = NULL, *sc;
	json_int_t rank = 0;
	int64_t cut = 0;
	size_t n = 0, i, j, m;
	int rc, frozen;
	char key[32], ts[21];

	if ((rc = lb_track(db, slug, &t)) != DB_OK)
		return rc;
	if (vis != NULL && board_vis_parse(t.vis, vis) != 0)
		*vis = VIS_ORGANIZERS;	/* unknown: shown to the fewest */
	frozen = !o->organizer && !o->priv && t.freeze_at > 0 &&
	    o->now >= t.freeze_at;
	if (frozen)
		cut = t.freeze_at;
	picks = json_object();
	names = json_object();
	if ((rc = lb_rows(db, &t, cut, &rows, &n)) != DB_OK ||
	    (rc = lb_picks(db, t.id, cut, picks)) != DB_OK ||
	    (t.anonymous && !o->organizer &&
	    (rc = lb_anon(db, t.id, names)) != DB_OK))
		goto out;
	/* sort by public score: each team's best comes first */
	order = util_xcalloc(n + 1, sizeof(*order));
	for (i = m = 0; i < n; i++)
		if (rows[i].has_pub)
			order[m++] = &rows[i];
	how.min = strcmp(t.dir, "min") == 0;
	how.priv = 0;
	qsort_r(order, m, sizeof(*order), lb_cmp, &how);
	for (i = 0; i < m; i++) {
		struct lb_row *r = order[i];
		const char *pick;
		int taken = 0;

		if (r->baseline) {
			r->chosen = 1;
			continue;
		}
		util_fmt(key, sizeof(key), "%lld", (long long)r->team_id);
		pick = json_string_value(json_object_get(picks, key));
		if (pick != NULL) {
			/* the pick counts if it is on the board at all */
			for (j = 0; j < m; j++)
				if (!order[j]->baseline &&
				    strcmp(order[j]->id, pick) == 0)
					taken = 1;
			if (taken) {
				r->chosen = strcmp(r->id, pick) == 0;
				continue;
			}
		}
		/* the first (best) of the team in this order */
		for (j = 0; j < i; j++)
			if (!order[j]->baseline &&
			    order[j]->team_id == r->team_id)
				break;
		r->chosen = j == i;
	}
	/* the chosen ones, in the board's order */
	for (i = j = 0; i < m; i++)
		if (order[i]->chosen && (!o->priv || order[i]->has_priv))
			order[j++] = order[i];
	m = j;
	if (o->priv) {
		how.priv = 1;
		qsort_r(order, m, sizeof(*order), lb_cmp, &how);
	}
	entries = json_array();
	for (i = 0; i < m; i++) {
		struct lb_row *r = order[i];
		json_t *e = r->e;

		r->e = NULL;
		json_object_set_new(e, "rank", r->baseline ? json_null() :
		    json_integer(++rank));
		util_fmt(key, sizeof(key), "%lld", (long long)r->team_id);
		if (!r->baseline && json_object_get(names, key) != NULL)
			json_object_set(e, "team", json_object_get(names, key));
		json_object_set_new(e, "selected", json_boolean(
		    json_object_get(picks, key) != NULL && strcmp(
		    json_string_value(json_object_get(picks, key)), r->id)
		    == 0));
		if (r->kept != NULL)	/* only public boards are frozen */
			rc = db__json_scores(db, r->kept, &sc);
		else if (o->priv)
			rc = db__private_scores(db, r->id, &sc);
		else
			rc = db__scores(db, r->id, &sc);
		if (rc != DB_OK) {
			json_decref(e);
			goto out;
		}
		json_object_set_new(e, "scores", sc);
		json_array_append_new(entries, e);
	}
	*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "track",
	    t.slug, "kind", t.kind, "metric", t.metric, "direction", t.dir,
	    "split", o->priv ? "private" : "public", "frozen", frozen,
	    "anonymous", t.anonymous && !o->organizer);
	if (t.freeze_at > 0) {
		db_iso_time(t.freeze_at, ts);
		json_object_set_new(*out, "freeze_at", json_string(ts));
	} else
		json_object_set_new(*out, "freeze_at", json_null());
	if (t.published_at > 0) {
		db_iso_time(t.published_at, ts);
		json_object_set_new(*out, "published_at", json_string(ts));
	} else
		json_object_set_new(*out, "published_at", json_null());
	json_object_set_new(*out, "entries", entries);
	entries = NULL;
	rc = DB_OK;
out:
	json_decref(entries);
	for (i = 0; i < n; i++) {
		json_decref(rows[i].e);
		free(rows[i].kept);
	}
	free(rows);
	free(order);
	json_decref(picks);
	json_decref(names);
	return rc;
}

int
db_leaderboard(struct db *db, const char *slug, json_t **out)
{
	struct db_lbopts o;

	memset(&o, 0, sizeof(o));
	o.now = (int64_t)time(NULL);
	return db_leaderboard_ex(db, slug, &o, out, NULL);
}
