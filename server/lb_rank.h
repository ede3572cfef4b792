/*
 * lb_rank: the leaderboard's ranking policy, applied to rows already
 * fetched (API.md, "Leaderboard policies").  Pure: no database, no JSON;
 * O(n log n) in the number of rows.
 *
 * A row is a candidate when it has a public score and is neither hidden
 * nor disqualified.  Every baseline candidate is on the board, unranked.
 * Of the other candidates, one per team: the one the team selected when
 * that is a candidate, else the team's best by public score.  The board
 * is ordered by the public score (the private split: by the private one,
 * leaving out entries without one; the representatives stay those chosen
 * by the public score) in the track's direction.  Ties go to the earlier
 * submission, then the lower row id, then the earlier row in the order
 * before the sort.  Ranks are 1, 2, 3... over the board's non-baseline
 * entries, never shared.
 */
#ifndef DO_LB_RANK_H
#define DO_LB_RANK_H

#include <stddef.h>
#include <stdint.h>

/* Flags of a row. */
#define LB_RANK_HAS_PUB      0x01	/* pub holds its public score */
#define LB_RANK_HAS_PRIV     0x02	/* priv holds its private score */
#define LB_RANK_HIDDEN       0x04
#define LB_RANK_DISQUALIFIED 0x08
#define LB_RANK_BASELINE     0x10	/* the submission's or its team's */
#define LB_RANK_SELECTED     0x20	/* its team's pick */

/* One scored submission. */
struct lb_rank_row {
	int64_t team_id;
	int64_t created_at;	/* UNIX seconds */
	int64_t rowid;		/* the submission's row id */
	double pub, priv;	/* the metric's value in each split */
	unsigned flags;		/* LB_RANK_* */
};

/* How a board is ordered. */
struct lb_rank_opts {
	int min;		/* lower scores are better */
	int priv;		/* the private split */
};

/* An entry of the board. */
struct lb_rank_entry {
	size_t row;		/* index into the rows given */
	int64_t rank;		/* 1, 2, 3...; 0 for a baseline */
};

/*
 * The board of rows[0..n) under o: a malloc'd array of *nout entries in
 * the board's order (the caller frees it; never NULL, even when empty).
 * rows is only read and may be freed afterwards.
 */
struct lb_rank_entry *lb_rank(const struct lb_rank_row *rows, size_t n,
    const struct lb_rank_opts *o, size_t *nout);

#endif
