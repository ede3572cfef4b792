/*
 * lb: the leaderboard, served from cached snapshots.  A snapshot of a
 * track (its JSON and its CSV, with one ETag each) is built from
 * db_leaderboard() on first use and rebuilt when lb_invalidate() was
 * called since (scores changed) or when it is older than max_age seconds
 * (changes made by other processes).
 *
 * JSON: db_leaderboard_ex()'s document plus "generated_at"; the
 * policies (split, freeze, picks, baselines, anonymous names) are
 * described in API.md, "Leaderboard policies".
 */
#ifndef DO_LB_H
#define DO_LB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vocab.h"

struct lb;
struct db;

#define LB_NOT_MODIFIED 5
#define LB_NOT_PUBLISHED 6	/* the private split is not published */

/* A cache; never NULL. */
struct lb *lb_new(int64_t max_age);
void lb_free(struct lb *lb);

/* Mark every snapshot stale (thread-safe). */
void lb_invalidate(struct lb *lb);

/*
 * The snapshot of track slug's public (priv 0) or private (priv 1) board
 * as JSON (csv 0) or CSV (csv 1): *body gets a malloc'd copy (caller
 * frees) of *len bytes and etag its quoted ETag; *vis the track's
 * visibility.  If
 * if_none_match (may be NULL) equals the ETag, returns LB_NOT_MODIFIED
 * and no body.  DB_NOTFOUND: no such track; LB_NOT_PUBLISHED: priv asked
 * before the organizers published it.  db is used to rebuild.
 */
int lb_get(struct lb *lb, struct db *db, const char *slug, int priv, int csv,
    const char *if_none_match, char **body, size_t *len, char etag[40],
    enum board_vis *vis);

/* The CSV of a board document (as db_leaderboard_ex() makes); malloc'd,
 * *len bytes. */
char *lb_csv(json_t *doc, size_t *len);

#endif
