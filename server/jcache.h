/*
 * jcache: the answers of GET /api/v1/jobs/{id}, kept in memory, so that a
 * participant's or organizer's poll of a job needs no database read (the
 * hot path: pollers waiting for their scores).
 *
 * An answer is the JSON text the server sent for a job id to a caller
 * scope (a team id, or -1 for organizers, who see every job).  It is
 * served again while no change has been committed to the database by
 * this process since it was read (db_commits() is the same as when the
 * read began), and for at most ttl_ms (changes made behind the server's
 * back: the CLI on the same database).  A new commit count empties the
 * cache at the next store.
 *
 * Bounded: JCACHE_SLOTS direct-mapped entries (the id picks the slot; a
 * newer answer takes it), answers of at most JCACHE_ANSWER_MAX bytes,
 * JCACHE_BYTES_MAX bytes in all.  Thread-safe.
 */
#ifndef DO_JCACHE_H
#define DO_JCACHE_H

#include <stddef.h>
#include <stdint.h>

#define JCACHE_SLOTS 1024
#define JCACHE_ANSWER_MAX (64 * 1024)
#define JCACHE_BYTES_MAX (16 * 1024 * 1024)

struct jcache;

/* A cache whose answers live ttl_ms; 0: a cache that keeps nothing. */
struct jcache *jcache_new(int64_t ttl_ms);
void jcache_free(struct jcache *c);

/*
 * The answer for job id and scope, if one is kept, fresh, and read at the
 * commit count commits: 1 with *text (malloc'd, caller frees) of *len
 * bytes; 0 otherwise.
 */
int jcache_get(struct jcache *c, const char *id, int64_t scope,
    uint64_t commits, char **text, size_t *len);

/* Keep a copy of text (len bytes) as the answer for id and scope, read
 * from the database when db_commits() was commits.  Answers over the
 * bounds are not kept. */
void jcache_put(struct jcache *c, const char *id, int64_t scope,
    uint64_t commits, const char *text, size_t len);

#endif
