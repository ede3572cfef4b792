#include "db_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define DB_BUSY_MS 10000
#define DB_CHECKPOINT_FRAMES 1000	/* SQLite's own default */

static atomic_uint_fast64_t db_ncommits;
static atomic_int db_nowal;	/* a connection is not in WAL mode */

uint64_t
db_commits(void)
{
	/* without the log, commits go uncounted: never the same twice */
	if (atomic_load(&db_nowal))
		return atomic_fetch_add(&db_ncommits, 1) + 1;
	return atomic_load(&db_ncommits);
}

/* The answer of PRAGMA journal_mode: note a connection not in WAL mode. */
static int
db_journal_mode(void *arg, int n, char **val, char **col)
{
	(void)arg;
	(void)col;
	if (n != 1 || val[0] == NULL || strcmp(val[0], "wal") != 0)
		atomic_store(&db_nowal, 1);
	return 0;
}

/*
 * After each commit that wrote to the log (SQLite calls it once the write
 * lock is released): count it, and checkpoint as SQLite's automatic
 * checkpoint would, which a hook of our own replaces.
 */
static int
db_wal_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
	struct db *db = arg;

	if (!db->quiet)
		atomic_fetch_add(&db_ncommits, 1);
	if (frames >= DB_CHECKPOINT_FRAMES)
		(void)sqlite3_wal_checkpoint_v2(h, name,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

int
db__fail(struct db *db, const char *what)
{
	fprintf(stderr, "db: %s: %s\n", what, sqlite3_errmsg(db->h));
	return DB_ERR;
}

sqlite3_stmt *
db__stmt(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql)
			return db->cache[i].st;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "db: prepare: %s (in: %.80s)\n",
		    sqlite3_errmsg(db->h), sql);
		return NULL;
	}
	if (db->ncache < DB_CACHE) {
		db->cache[db->ncache].sql = sql;
		db->cache[db->ncache].st = st;
		db->ncache++;
	} else {
		/* Never expected: the cache holds every statement we have. */
		fprintf(stderr, "db: statement cache full\n");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

void
db__done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static int
db_exec(struct db *db, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "db: %s: %s\n", what, msg ? msg : "?");
		sqlite3_free(msg);
		return DB_ERR;
	}
	return DB_OK;
}

int
db__begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE", "begin");
}

int
db__commit(struct db *db)
{
	return db_exec(db, "COMMIT", "commit");
}

void
db__rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int
db__text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int
db__int(sqlite3_stmt *st, int i, int64_t v)
{
	return sqlite3_bind_int64(st, i, v);
}

void
db__col(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	if (outsz == 0)
		return;
	if (t == NULL)
		out[0] = '\0';
	else
		util_fmt(out, outsz, "%s", (const char *)t);
}

void
db_iso_time(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
db__jtext(json_t *obj, const char *key, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		json_object_set_new(obj, key, json_null());
		break;
	case SQLITE_INTEGER:
		json_object_set_new(obj, key,
		    json_integer(sqlite3_column_int64(st, i)));
		break;
	case SQLITE_FLOAT:
		json_object_set_new(obj, key,
		    json_real(sqlite3_column_double(st, i)));
		break;
	default:
		json_object_set_new(obj, key, util_json_text(
		    (const char *)sqlite3_column_text(st, i),
		    (size_t)sqlite3_column_bytes(st, i)));
	}
}

void
db__jint(json_t *obj, const char *key, sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		json_object_set_new(obj, key, json_null());
	else
		json_object_set_new(obj, key,
		    json_integer(sqlite3_column_int64(st, i)));
}

void
db__jtime(json_t *obj, const char *key, sqlite3_stmt *st, int i)
{
	char buf[21];

	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		json_object_set_new(obj, key, json_null());
		return;
	}
	db_iso_time(sqlite3_column_int64(st, i), buf);
	json_object_set_new(obj, key, json_string(buf));
}

/* {task: value} from st's rows (task, value), st bound; st is reset. */
static int
db_task_values(struct db *db, sqlite3_stmt *st, json_t **out,
    const char *what)
{
	json_t *o = json_object();
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(o, (const char *)sqlite3_column_text(st, 0),
		    json_real(sqlite3_column_double(st, 1)));
	db__done(st);
	if (rc != SQLITE_DONE) {
		json_decref(o);
		return db__fail(db, what);
	}
	*out = o;
	return DB_OK;
}

void
db__jbool(json_t *obj, const char *key, sqlite3_stmt *st, int i)
{
	json_object_set_new(obj, key, json_boolean(sqlite3_column_int(st, i)));
}

int
db__scores(struct db *db, const char *sub_id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db,
	    "SELECT task, value FROM scores WHERE submission_id = ?1 "
	    "ORDER BY task = 'overall' DESC, task");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, sub_id);
	return db_task_values(db, st, out, "scores");
}

int
db__private_scores(struct db *db, const char *sub_id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db,
	    "SELECT task, value FROM private_scores WHERE submission_id = ?1 "
	    "ORDER BY task = 'overall' DESC, task");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, sub_id);
	return db_task_values(db, st, out, "private scores");
}

int
db__json_scores(struct db *db, const char *text, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT key, value FROM "
	    "json_each(IIF(json_valid(?1), ?1, '{}')) "
	    "ORDER BY key = 'overall' DESC, key");

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, text);
	return db_task_values(db, st, out, "kept scores");
}

int
db__add_scores(struct db *db, json_t *o, const char *idkey, int priv)
{
	const char *id = json_string_value(json_object_get(o, idkey));
	json_t *sc;

	if (db__scores(db, id, &sc) != DB_OK)
		return DB_ERR;
	json_object_set_new(o, "scores", sc);
	if (!priv)
		return DB_OK;
	if (db__private_scores(db, id, &sc) != DB_OK)
		return DB_ERR;
	json_object_set_new(o, "private_scores", sc);
	return DB_OK;
}

int
db__rows(struct db *db, sqlite3_stmt *st, db__rowfn *fn, int total_col,
    json_t **arr, int64_t *total, const char *what)
{
	json_t *a = json_array();
	int rc;

	if (total != NULL)
		*total = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_array_append_new(a, fn(st));
		if (total != NULL && total_col >= 0)
			*total = sqlite3_column_int64(st, total_col);
	}
	db__done(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return db__fail(db, what);
	}
	*arr = a;
	return DB_OK;
}

int
db__row(struct db *db, sqlite3_stmt *st, db__rowfn *fn, json_t **out,
    const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*out = fn(st);
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, what);
}

int
db__list(struct db *db, sqlite3_stmt *st, db__rowfn *fn, int total_col,
    const char *key, int64_t limit, int64_t offset, json_t **out)
{
	json_t *arr = NULL;
	int64_t total = 0;
	int rc;

	if ((rc = db__rows(db, st, fn, total_col, &arr, &total, key)) != DB_OK)
		return rc;
	*out = db__page(key, arr, limit, offset, total);
	return DB_OK;
}

json_t *
db__page(const char *key, json_t *arr, int64_t limit, int64_t offset,
    int64_t total)
{
	return json_pack("{s:o, s:I, s:I, s:I}", key, arr, "limit",
	    (json_int_t)limit, "offset", (json_int_t)offset, "total",
	    (json_int_t)total);
}

int
db__exec(struct db *db, sqlite3_stmt *st, int *changes, const char *what)
{
	int rc = sqlite3_step(st);

	db__done(st);
	if (changes != NULL)
		*changes = sqlite3_changes(db->h);
	if (rc == SQLITE_DONE)
		return DB_OK;
	if (rc == SQLITE_CONSTRAINT)
		return DB_CONFLICT;
	return db__fail(db, what);
}

int
db__exec_quiet(struct db *db, sqlite3_stmt *st, int *changes,
    const char *what)
{
	int rc;

	/* in a transaction the commit comes later, with other changes */
	db->quiet = sqlite3_get_autocommit(db->h);
	rc = db__exec(db, st, changes, what);
	db->quiet = 0;
	return rc;
}

json_t *
db__jparse(sqlite3_stmt *st, int i, int object)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	json_t *v = t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;

	if (v == NULL)
		v = object ? json_object() : json_null();
	return v;
}

struct db *
db_open(const char *path, char *err, size_t errlen)
{
	struct db *db = util_xcalloc(1, sizeof(*db));
	char *msg = NULL;

	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		util_fmt(err, errlen, "%s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(db->h, DB_BUSY_MS);
	if (sqlite3_exec(db->h,
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA temp_store = MEMORY;", db_journal_mode, NULL, &msg) !=
	    SQLITE_OK) {
		util_fmt(err, errlen, "%s: %s", path, msg ? msg : "pragma");
		sqlite3_free(msg);
		goto fail;
	}
	sqlite3_wal_hook(db->h, db_wal_hook, db);
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].st);
	if (db->h != NULL)
		sqlite3_close(db->h);
	free(db);
}

int
db_schema_version(struct db *db, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*version = 0;
	/* Not cached: the table may not exist yet. */
	rc = sqlite3_prepare_v2(db->h, "SELECT COALESCE(MAX(version), 0) "
	    "FROM schema_migrations", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return DB_OK;	/* no table: version 0 */
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return DB_OK;
}

int
db_migrate(struct db *db, int *version, char *err, size_t errlen)
{
	int i, have;
	char *msg = NULL;

	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at INTEGER NOT NULL) STRICT", "migrations table")) {
		util_fmt(err, errlen, "cannot create schema_migrations");
		return DB_ERR;
	}
	for (i = 0; i < db_nmigrations; i++) {
		const struct db_migration *m = &db_migrations[i];
		sqlite3_stmt *st = NULL;

		if (db__begin(db) != DB_OK) {
			util_fmt(err, errlen, "migration %s: cannot begin",
			    m->name);
			return DB_ERR;
		}
		db_schema_version(db, &have);
		if (m->version <= have) {
			db__rollback(db);
			continue;
		}
		if (sqlite3_exec(db->h, m->sql, NULL, NULL, &msg)
		    != SQLITE_OK) {
			util_fmt(err, errlen, "migration %s: %s", m->name,
			    msg ? msg : "?");
			sqlite3_free(msg);
			db__rollback(db);
			return DB_ERR;
		}
		if (sqlite3_prepare_v2(db->h, "INSERT INTO schema_migrations "
		    "(version, name, applied_at) VALUES (?1, ?2, ?3)", -1, &st,
		    NULL) != SQLITE_OK ||
		    sqlite3_bind_int(st, 1, m->version) != SQLITE_OK ||
		    db__text(st, 2, m->name) != SQLITE_OK ||
		    db__int(st, 3, (int64_t)time(NULL)) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_DONE) {
			util_fmt(err, errlen, "migration %s: record: %s",
			    m->name, sqlite3_errmsg(db->h));
			sqlite3_finalize(st);
			db__rollback(db);
			return DB_ERR;
		}
		sqlite3_finalize(st);
		if (db__commit(db) != DB_OK) {
			util_fmt(err, errlen, "migration %s: commit failed",
			    m->name);
			db__rollback(db);
			return DB_ERR;
		}
	}
	if (db_schema_version(db, version) != DB_OK)
		return DB_ERR;
	if (*version >= 8 && db_team_rekey(db) != DB_OK) {
		util_fmt(err, errlen, "cannot fold the teams' names into "
		    "their keys");
		return DB_ERR;
	}
	return DB_OK;
}

int
db_identity_get(struct db *db, char *out, size_t outsz)
{
	sqlite3_stmt *st = NULL;

	out[0] = '\0';
	/* Not cached: before the migrations the table may not exist. */
	if (sqlite3_prepare_v2(db->h, "SELECT value FROM state_identity "
	    "WHERE id = 1", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return DB_OK;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		util_fmt(out, outsz, "%s", (const char *)
		    sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return DB_OK;
}

int
db_identity_set(struct db *db, const char *value, int64_t now)
{
	sqlite3_stmt *st = db__stmt(db, "INSERT INTO state_identity "
	    "(id, value, created_at) VALUES (1, ?1, ?2)");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, value);
	db__int(st, 2, now);
	rc = sqlite3_step(st);
	db__done(st);
	return rc == SQLITE_DONE ? DB_OK : db__fail(db, "identity set");
}

int
db_submission_count(struct db *db, int64_t *n)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT COUNT(*) FROM submissions");
	int rc;

	*n = 0;
	if (st == NULL)
		return DB_ERR;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	db__done(st);
	return rc == SQLITE_ROW ? DB_OK : db__fail(db, "submission count");
}

int
db_integrity(struct db *db, char *out, size_t outsz)
{
	sqlite3_stmt *st = NULL;
	int rc = DB_ERR;

	if (sqlite3_prepare_v2(db->h, "PRAGMA integrity_check", -1, &st, NULL)
	    != SQLITE_OK)
		return db__fail(db, "integrity_check");
	if (sqlite3_step(st) == SQLITE_ROW) {
		db__col(st, 0, out, outsz);
		rc = DB_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

int
db_audit(struct db *db, const char *actor, const char *action,
    const char *target, const char *details, int64_t now)
{
	sqlite3_stmt *st = db__stmt(db, "INSERT INTO audit_log "
	    "(at, actor, action, target, details) VALUES (?1, ?2, ?3, ?4, ?5)");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, now);
	db__text(st, 2, actor);
	db__text(st, 3, action);
	db__text(st, 4, target);
	db__text(st, 5, details);
	return db__exec(db, st, NULL, "audit");
}
