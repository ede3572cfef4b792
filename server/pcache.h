/*
 * pcache: the callers behind recently seen API tokens, kept so that a
 * token's request needs no database read to know who is asking (the
 * hot path: workers and participants polling their jobs).
 *
 * A fixed table of PCACHE_SLOTS entries, one per slot (the token hash
 * picks it; a newer token takes the slot), each valid for ttl_ms after it
 * was read from the database.  The server empties it after every change
 * an organizer makes (tokens revoked, users and teams disabled, passwords,
 * roles), so those take effect at once; a change made behind the server's
 * back (the CLI on the same database) takes effect within ttl_ms.
 * Sessions (the web pages) are not cached.  Thread-safe.
 */
#ifndef DO_PCACHE_H
#define DO_PCACHE_H

#include <stdint.h>

#include "db.h"

#define PCACHE_SLOTS 1024

struct pcache;

/* A cache whose entries live ttl_ms; 0: a cache that keeps nothing. */
struct pcache *pcache_new(int64_t ttl_ms);
void pcache_free(struct pcache *c);

/* The principal of token_hash (hex) into *out: 1 if cached and fresh,
 * else 0. */
int pcache_get(struct pcache *c, const char *token_hash,
    struct db_principal *out);

/* Remember p as token_hash's principal from now. */
void pcache_put(struct pcache *c, const char *token_hash,
    const struct db_principal *p);

/* Forget everything. */
void pcache_clear(struct pcache *c);

#endif
