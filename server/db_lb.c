/* db_lb: the leaderboard: fetches what a board shows (the track's
 * settings, its scored submissions with their flags, the team picks, the
 * anonymous names, the entries' scores in one query) and builds the
 * board's document; which submissions are on it, in which order, is
 * lb_rank's (the policies: see API.md, "Leaderboard policies"). */
#include "db_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lb_rank.h"
#include "util.h"

/* The scored submissions of a track, as fetched: what the ranking reads
 * (rank[i]) and what the board shows of each (item[i]). */
struct lb_rows {
	struct lb_rank_row *rank;
	struct lb_item {
		char id[40];
		int64_t kept;	/* the job_history row whose scores a
				 * frozen board shows; 0: the current ones */
		json_t *e;	/* its entry (without rank, selected and
				 * scores); owned */
	} *item;
	size_t n, cap;
};

/* The track's settings the board needs. */
struct lb_track {
	int64_t id;
	char slug[64], kind[16], metric[32], dir[8], vis[16];
	int64_t freeze_at, published_at;
	int anonymous;
};

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
 * value, reused, the job_history row of kept scores), the backend that
 * scored it and the submission's moderation flags. */
#define LB_ROW_COLS(finished, pub, prv, reused, kept) "SELECT s.id, " \
	"s.team_id, tm.name, s.baseline OR tm.baseline, s.method_name, " \
	"s.n_samples, s.created_at, s.rowid, " finished ", " pub ", " prv \
	", " reused ", " kept ", CASE WHEN json_valid(j.result) THEN " \
	"json_extract(j.result, '$.backend') END, s.hidden, s.disqualified, " \
	"s.url, s.description " /* shown on the board */ \
	"FROM submissions s JOIN jobs j ON j.submission_id = s.id " \
	"JOIN teams tm ON tm.id = s.team_id "

/* The flags of a board row: set when column col is not NULL (notnull)
 * or not 0. */
static const struct {
	int col, notnull;
	unsigned flag;
} lb_flag_cols[] = {
	{ 9, 1, LB_RANK_HAS_PUB },
	{ 10, 1, LB_RANK_HAS_PRIV },
	{ 3, 0, LB_RANK_BASELINE },
	{ 14, 0, LB_RANK_HIDDEN },
	{ 15, 0, LB_RANK_DISQUALIFIED },
};

/* Add st's row to r; picks (team_id -> sub id) sets its selected flag. */
static void
lb_row_add(struct lb_rows *r, sqlite3_stmt *st, json_t *picks)
{
	struct lb_rank_row *x;
	struct lb_item *it;
	const char *pick;
	char key[32];
	size_t i;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->rank = util_xreallocarray(r->rank, r->cap, sizeof(*r->rank));
		r->item = util_xreallocarray(r->item, r->cap, sizeof(*r->item));
	}
	x = &r->rank[r->n];
	it = &r->item[r->n++];
	memset(x, 0, sizeof(*x));
	memset(it, 0, sizeof(*it));
	db__col(st, 0, it->id, sizeof(it->id));
	x->team_id = sqlite3_column_int64(st, 1);
	x->created_at = sqlite3_column_int64(st, 6);
	x->rowid = sqlite3_column_int64(st, 7);
	/* the types first: reading a value may convert it */
	for (i = 0; i < sizeof(lb_flag_cols) / sizeof(lb_flag_cols[0]); i++)
		if (lb_flag_cols[i].notnull ? sqlite3_column_type(st,
		    lb_flag_cols[i].col) != SQLITE_NULL :
		    sqlite3_column_int(st, lb_flag_cols[i].col) != 0)
			x->flags |= lb_flag_cols[i].flag;
	x->pub = sqlite3_column_double(st, 9);
	x->priv = sqlite3_column_double(st, 10);
	it->kept = sqlite3_column_int64(st, 12);
	util_fmt(key, sizeof(key), "%lld", (long long)x->team_id);
	pick = json_string_value(json_object_get(picks, key));
	if (pick != NULL && strcmp(pick, it->id) == 0)
		x->flags |= LB_RANK_SELECTED;
	it->e = json_object();
	db__jtext(it->e, "team", st, 2);
	db__jtext(it->e, "method_name", st, 4);
	db__jtext(it->e, "submission_id", st, 0);
	db__jint(it->e, "n_samples", st, 5);
	db__jtime(it->e, "submitted_at", st, 6);
	db__jtime(it->e, "scored_at", st, 8);
	json_object_set_new(it->e, "baseline",
	    json_boolean(sqlite3_column_int(st, 3)));
	db__jbool(it->e, "reused", st, 11);
	/* "proxy" scores come from the built-in small model */
	if (sqlite3_column_type(st, 13) == SQLITE_TEXT)
		db__jtext(it->e, "backend", st, 13);
	/* the method's link and description (null: none) */
	db__jtext(it->e, "url", st, 16);
	db__jtext(it->e, "description", st, 17);
}

static void
lb_rows_free(struct lb_rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		json_decref(r->item[i].e);
	free(r->rank);
	free(r->item);
}

/*
 * Load the track's succeeded submissions (scored at or before cut, if
 * any) into r, hidden and disqualified ones too.  With a cut, a
 * submission re-run after it shows the attempt it had then: the one kept
 * in job_history that finished by the cut and was replaced after it.
 */
static int
lb_rows(struct db *db, const struct lb_track *t, int64_t cut, json_t *picks,
    struct lb_rows *r)
{
	sqlite3_stmt *st = db__stmt(db, LB_ROW_COLS("j.finished_at",
	    "pub.value", "prv.value", "s.reused_from IS NOT NULL", "0")
	    "LEFT JOIN scores pub ON pub.submission_id = s.id "
	    "  AND pub.task = ?2 "
	    "LEFT JOIN private_scores prv ON prv.submission_id = s.id "
	    "  AND prv.task = ?2 "
	    "WHERE s.track_id = ?1 AND j.state = 'succeeded' "
	    "AND (?3 = 0 OR j.finished_at <= ?3) "
	    "UNION ALL "
	    LB_ROW_COLS("h.finished_at",
	    "(SELECT value FROM json_each(h.scores) WHERE key = ?2)",
	    "(SELECT value FROM json_each(h.private_scores) WHERE key = ?2)",
	    /* only a reused score succeeds without a claimed attempt */
	    "h.attempt = 0", "IIF(h.scores IS NULL, 0, h.id)")
	    "JOIN job_history h ON h.job_id = j.id "
	    "WHERE ?3 != 0 AND s.track_id = ?1 AND h.state = 'succeeded' "
	    "AND h.finished_at <= ?3 AND h.rerun_at > ?3");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, t->id);
	db__text(st, 2, t->metric);
	db__int(st, 3, cut);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		lb_row_add(r, st, picks);
	db__done(st);
	if (rc != SQLITE_DONE)
		return db__fail(db, "leaderboard");
	return DB_OK;
}

/* The scores of each entry (an index of a JSON array) from the table of
 * the split, or those of the job_history row an integer names, "overall"
 * first. */
#define LB_SCORES_SQL(table) "SELECT k, task, value FROM (" \
	"SELECT b.key AS k, v.task AS task, v.value AS value " \
	"FROM json_each(?1) b JOIN " table " v ON v.submission_id = b.value " \
	"WHERE b.type = 'text' UNION ALL SELECT b.key, e.key, e.value " \
	"FROM json_each(?1) b JOIN job_history h ON h.id = b.value, " \
	"json_each(IIF(json_valid(h.scores), h.scores, '{}')) e " \
	"WHERE b.type = 'integer') ORDER BY k, task = 'overall' DESC, task"

/*
 * The scores of the board's entries b[0..nb) (rows of r), in one query:
 * sc[i] gets a new {task: value} for b[i]: the split's (priv) current
 * scores, or those its kept attempt had.
 */
static int
lb_scores(struct db *db, const struct lb_rows *r,
    const struct lb_rank_entry *b, size_t nb, int priv, json_t **sc)
{
	sqlite3_stmt *st = db__stmt(db, priv ? LB_SCORES_SQL("private_scores") :
	    LB_SCORES_SQL("scores"));
	json_t *keys;
	char *text;
	size_t i, k;
	int rc;

	if (st == NULL)
		return DB_ERR;
	keys = json_array();
	for (i = 0; i < nb; i++) {
		const struct lb_item *it = &r->item[b[i].row];

		sc[i] = json_object();
		json_array_append_new(keys, it->kept ? json_integer(it->kept) :
		    json_string(it->id));
	}
	text = json_dumps(keys, JSON_COMPACT);
	json_decref(keys);
	db__text(st, 1, text);
	free(text);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		k = (size_t)sqlite3_column_int64(st, 0);
		if (k < nb)
			json_object_set_new(sc[k], (const char *)
			    sqlite3_column_text(st, 1),
			    json_real(sqlite3_column_double(st, 2)));
	}
	db__done(st);
	return rc == SQLITE_DONE ? DB_OK : db__fail(db, "leaderboard scores");
}

/* The board's entries: b[0..nb) (rows of r, whose entry objects are
 * taken) with their rank, anonymous name (names: team_id -> name),
 * selected flag and scores sc (taken).  On an anonymous board (anon) a
 * participant's method url and description are blanked: a repository's
 * address names its team as surely as the team's name would. */
static json_t *
lb_entries(struct lb_rows *r, const struct lb_rank_entry *b,
    size_t nb, int anon, json_t *names, json_t **sc)
{
	json_t *entries = json_array(), *e, *name;
	size_t i;
	char key[32];

	for (i = 0; i < nb; i++) {
		const struct lb_rank_row *x = &r->rank[b[i].row];
		int baseline = (x->flags & LB_RANK_BASELINE) != 0;

		e = r->item[b[i].row].e;
		r->item[b[i].row].e = NULL;
		json_object_set_new(e, "rank", baseline ? json_null() :
		    json_integer(b[i].rank));
		util_fmt(key, sizeof(key), "%lld", (long long)x->team_id);
		if (!baseline && (name = json_object_get(names, key)) != NULL)
			json_object_set(e, "team", name);
		if (anon && !baseline) {
			json_object_set_new(e, "url", json_string(""));
			json_object_set_new(e, "description", json_string(""));
		}
		json_object_set_new(e, "selected",
		    json_boolean(x->flags & LB_RANK_SELECTED));
		json_object_set_new(e, "scores", sc[i]);
		sc[i] = NULL;
		json_array_append_new(entries, e);
	}
	return entries;
}

/* The board document of t around its entries (taken). */
static json_t *
lb_doc(const struct lb_track *t, const struct db_lbopts *o, int frozen,
    json_t *entries)
{
	json_t *doc;
	char ts[21];

	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "track",
	    t->slug, "kind", t->kind, "metric", t->metric, "direction", t->dir,
	    "split", o->priv ? "private" : "public", "frozen", frozen,
	    "anonymous", t->anonymous && !o->organizer);
	if (t->freeze_at > 0) {
		db_iso_time(t->freeze_at, ts);
		json_object_set_new(doc, "freeze_at", json_string(ts));
	} else
		json_object_set_new(doc, "freeze_at", json_null());
	if (t->published_at > 0) {
		db_iso_time(t->published_at, ts);
		json_object_set_new(doc, "published_at", json_string(ts));
	} else
		json_object_set_new(doc, "published_at", json_null());
	json_object_set_new(doc, "entries", entries);
	return doc;
}

int
db_leaderboard_ex(struct db *db, const char *slug, const struct db_lbopts *o,
    json_t **out, enum board_vis *vis)
{
	struct lb_track t;
	struct lb_rank_opts how;
	struct lb_rows r = { NULL, NULL, 0, 0 };
	struct lb_rank_entry *board = NULL;
	json_t *picks = NULL, *names = NULL, **sc = NULL;
	int64_t cut = 0;
	size_t nb = 0, i;
	int rc, frozen;

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
	if ((rc = lb_picks(db, t.id, cut, picks)) != DB_OK ||
	    (rc = lb_rows(db, &t, cut, picks, &r)) != DB_OK ||
	    (t.anonymous && !o->organizer &&
	    (rc = lb_anon(db, t.id, names)) != DB_OK))
		goto out;
	how.min = strcmp(t.dir, "min") == 0;
	how.priv = o->priv;
	board = lb_rank(r.rank, r.n, &how, &nb);
	sc = util_xcalloc(nb + 1, sizeof(*sc));
	if ((rc = lb_scores(db, &r, board, nb, o->priv, sc)) != DB_OK)
		goto out;
	*out = lb_doc(&t, o, frozen, lb_entries(&r, board, nb,
	    t.anonymous && !o->organizer, names, sc));
out:
	for (i = 0; sc != NULL && i < nb; i++)
		json_decref(sc[i]);
	free(sc);
	free(board);
	lb_rows_free(&r);
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
