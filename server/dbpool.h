/*
 * dbpool: database connections shared by dataoptimd's threads.  A pool
 * keeps the connections handed back to it and opens a new one whenever
 * none is idle, so it grows to the number of threads that use it at
 * once.  Every function is thread-safe.
 */
#ifndef DO_DBPOOL_H
#define DO_DBPOOL_H

struct db;
struct dbpool;

/* A pool of connections to the database file path (copied).  Opens
 * nothing yet; never NULL. */
struct dbpool *dbpool_new(const char *path);

/* Close every idle connection and free p.  Connections still out must
 * have been put back (or closed by their holder) before.  NULL is
 * ignored. */
void dbpool_free(struct dbpool *p);

/* A connection for the caller's exclusive use until dbpool_put(): an
 * idle one, else one opened now.  NULL when it cannot be opened (told on
 * stderr as "dataoptimd: <why>"). */
struct db *dbpool_get(struct dbpool *p);

/* Give db (from dbpool_get() or db_open() on the pool's file) to the
 * pool, which owns it from then on.  NULL is ignored. */
void dbpool_put(struct dbpool *p, struct db *db);

#endif
