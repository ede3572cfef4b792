/*
 * lb: the leaderboard, served from cached snapshots.  A snapshot of a
 * track (its JSON and its CSV, with one ETag each) is built from
 * db_leaderboard() on first use and rebuilt when lb_invalidate() was
 * called since (scores changed) or when it is older than max_age seconds
 * (changes made by other processes).
 *
 * JSON: {"track", "kind", "metric", "generated_at", "entries": [{"rank",
 * "team", "method_name", "submission_id", "n_samples", "scores":
 * {"overall", <task>...}, "submitted_at", "baseline", "reused"}]};
 * entries ranked by the track's metric (ties: earlier submission first),
 * one per team (its best), baselines shown with rank null, unscored,
 * hidden and disqualified submissions left out.
 */
#ifndef DO_LB_H
#define DO_LB_H

#include <stddef.h>
#include <stdint.h>

struct lb;
struct db;

#define LB_NOT_MODIFIED 5

/* A cache; never NULL. */
struct lb *lb_new(int64_t max_age);
void lb_free(struct lb *lb);

/* Mark every snapshot stale (thread-safe). */
void lb_invalidate(struct lb *lb);

/*
 * The snapshot of track slug as JSON (csv 0) or CSV (csv 1): *body gets a
 * malloc'd copy (caller frees) of *len bytes and etag its quoted ETag.
 * If if_none_match (may be NULL) equals the ETag, returns LB_NOT_MODIFIED
 * and no body.  DB_NOTFOUND: no such track.  db is used to rebuild.
 */
int lb_get(struct lb *lb, struct db *db, const char *slug, int csv,
    const char *if_none_match, char **body, size_t *len, char etag[40]);

#endif
