/*
 * db_int: what the db*.c files share: the connection layout, the prepared
 * statement cache and small helpers.  Not for use outside the data layer.
 */
#ifndef DO_DB_INT_H
#define DO_DB_INT_H

#include <sqlite3.h>

#include "db.h"

#define DB_CACHE 96

struct db {
	sqlite3 *h;
	struct {
		const char *sql;	/* the literal's address is the key */
		sqlite3_stmt *st;
	} cache[DB_CACHE];
	int ncache;
};

/* The cached, reset statement for sql (a string literal: its address is
 * the cache key).  NULL on error (told). */
sqlite3_stmt *db__stmt(struct db *db, const char *sql);

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

/* The scores of submission id as {task: value}. */
int db__scores(struct db *db, const char *sub_id, json_t **out);

/* The migrations compiled in (generated from migrations/NNNN_*.sql). */
struct db_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct db_migration db_migrations[];
extern const int db_nmigrations;

#endif
