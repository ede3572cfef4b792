/*
 * db_int: what the db*.c files share: the connection layout, the prepared
 * statement cache and small helpers.  Not for use outside the data layer.
 */
#ifndef DO_DB_INT_H
#define DO_DB_INT_H

#include <sqlite3.h>

#include "db.h"

#define DB_CACHE 256

struct db {
	sqlite3 *h;
	struct {
		const char *sql;	/* the literal's address is the key */
		sqlite3_stmt *st;
	} cache[DB_CACHE];
	int ncache;
	int quiet;	/* the commit under way is not counted (db_commits) */
};

/* The cached, reset statement for sql (a string literal: its address is
 * the cache key).  NULL on error (told). */
sqlite3_stmt *db__stmt(struct db *db, const char *sql);

/* Column i of st's row, a job state, into *out: DB_OK, or DB_ERR (told)
 * for a text that names none. */
int db__job_state(sqlite3_stmt *st, int i, enum job_state *out);

/* Reset st and clear its bindings (NULL ignored). */
void db__done(sqlite3_stmt *st);

/* Tell an error of the connection: "db: what: sqlite's message". */
int db__fail(struct db *db, const char *what);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int db__begin(struct db *db);
int db__commit(struct db *db);
void db__rollback(struct db *db);

/* Bind helpers: text (NULL binds NULL), int64. */
int db__text(sqlite3_stmt *st, int i, const char *s);
int db__int(sqlite3_stmt *st, int i, int64_t v);

/* Copy column i's text into out (outsz bytes; "" for NULL). */
void db__col(sqlite3_stmt *st, int i, char *out, size_t outsz);

/* Set key to column i's value in obj: text, integer, real or null; as an
 * ISO time for db__jtime (NULL stays null). */
void db__jtext(json_t *obj, const char *key, sqlite3_stmt *st, int i);
void db__jint(json_t *obj, const char *key, sqlite3_stmt *st, int i);
void db__jtime(json_t *obj, const char *key, sqlite3_stmt *st, int i);
/* Set key to column i's integer as true / false. */
void db__jbool(json_t *obj, const char *key, sqlite3_stmt *st, int i);

/* The scores of submission id as {task: value}, "overall" first; the
 * private ones; those kept as JSON text (job_history.scores). */
int db__scores(struct db *db, const char *sub_id, json_t **out);
int db__private_scores(struct db *db, const char *sub_id, json_t **out);
int db__json_scores(struct db *db, const char *text, json_t **out);

/* Set "scores" (with priv also "private_scores") in object o, those of
 * the submission whose ID is o's member idkey. */
int db__add_scores(struct db *db, json_t *o, const char *idkey, int priv);

/* SQL: the submission a team picked for its leaderboard entry, that of
 * the team and track of the row alias s (NULL: none, or un-picked). */
#define DB_SEL_CUR(s) "(SELECT sel.submission_id FROM selections sel " \
	"WHERE sel.track_id = " s ".track_id AND sel.team_id = " s ".team_id " \
	"ORDER BY sel.id DESC LIMIT 1)"

/* Build one JSON object from the current row of st. */
typedef json_t *db__rowfn(sqlite3_stmt *st);

/* Run st (bound) and build one JSON object per row with fn; the last
 * column total_col (>= 0) holds COUNT(*) OVER () into *total.  *arr is a
 * new array.  st is reset. */
int db__rows(struct db *db, sqlite3_stmt *st, db__rowfn *fn, int total_col,
    json_t **arr, int64_t *total, const char *what);

/* Run st (bound) for one row: *out = fn(row).  DB_OK, DB_NOTFOUND (no
 * row) or DB_ERR.  st is reset. */
int db__row(struct db *db, sqlite3_stmt *st, db__rowfn *fn, json_t **out,
    const char *what);

/* A page of a list: db__rows (total in column total_col), then *out =
 * db__page(key, ...). */
int db__list(struct db *db, sqlite3_stmt *st, db__rowfn *fn, int total_col,
    const char *key, int64_t limit, int64_t offset, json_t **out);

/* {key: arr (stolen), "limit", "offset", "total"} */
json_t *db__page(const char *key, json_t *arr, int64_t limit,
    int64_t offset, int64_t total);

/* Run an UPDATE/INSERT/DELETE st (bound, then reset): DB_OK, DB_CONFLICT
 * (constraint) or DB_ERR; *changes (may be NULL) the rows changed. */
int db__exec(struct db *db, sqlite3_stmt *st, int *changes, const char *what);

/* The same for a change that no answer kept in memory shows (a worker's
 * last-seen time): outside a transaction, its commit is not counted in
 * db_commits(). */
int db__exec_quiet(struct db *db, sqlite3_stmt *st, int *changes,
    const char *what);

/* Parse column i's JSON text (null / {} when missing or invalid). */
json_t *db__jparse(sqlite3_stmt *st, int i, int object);

/* End an organizer's change begun with db__begin(): when rc is DB_OK,
 * write its audit row (db_audit_ex) and commit; roll back otherwise.
 * before is released; after becomes *out = {key: after} on success, else
 * it is released (key NULL: released either way, out unused).  Returns
 * rc, or DB_ERR when the audit row or the commit failed.  (db_admin.c) */
int db__audited(struct db *db, int rc, const char *actor, const char *action,
    const char *target, const char *reason, json_t *before, json_t *after,
    int64_t now, const char *key, json_t **out);

/* Make every team's name_key the key util_fold_name() gives its name
 * today (keys written by migration 0008's SQL, or by an older fold,
 * become the current ones; a key another team holds gets "#<id>"
 * appended), in one transaction.  Run by db_migrate() after the
 * migrations.  (db_team.c) */
int db_team_rekey(struct db *db);

/* The migrations compiled in (generated from migrations/NNNN_*.sql). */
struct db_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct db_migration db_migrations[];
extern const int db_nmigrations;

#endif
