#include "lb_rank.h"

#include <stdlib.h>

#include "util.h"

/* A row in an order being made: which row, and its place before. */
struct lb_rank_item {
	size_t row;
	size_t seq;
};

/* What the comparisons read. */
struct lb_rank_ctx {
	const struct lb_rank_row *rows;
	int min;		/* lower is better */
	int priv;		/* by the private score */
};

/* Better first: by the split's score, then the earlier submission, the
 * lower row id, the earlier place before. */
static int
lb_rank_cmp(const void *a, const void *b, void *arg)
{
	const struct lb_rank_ctx *c = arg;
	const struct lb_rank_item *ia = a, *ib = b;
	const struct lb_rank_row *x = &c->rows[ia->row];
	const struct lb_rank_row *y = &c->rows[ib->row];
	double vx = c->priv ? x->priv : x->pub;
	double vy = c->priv ? y->priv : y->pub;

	if (vx != vy)
		return (c->min ? vx < vy : vx > vy) ? -1 : 1;
	if (x->created_at != y->created_at)
		return x->created_at < y->created_at ? -1 : 1;
	if (x->rowid != y->rowid)
		return x->rowid < y->rowid ? -1 : 1;
	return ia->seq < ib->seq ? -1 : ia->seq > ib->seq;
}

/* By team, then by place in the board's order. */
static int
lb_rank_team_cmp(const void *a, const void *b, void *arg)
{
	const struct lb_rank_row *rows = arg;
	const struct lb_rank_item *ia = a, *ib = b;
	int64_t tx = rows[ia->row].team_id, ty = rows[ib->row].team_id;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return ia->seq < ib->seq ? -1 : ia->seq > ib->seq;
}

/* Sort it[0..n) by the scores of c's split, each item's place before
 * breaking what ties remain. */
static void
lb_rank_sort(struct lb_rank_item *it, size_t n, struct lb_rank_ctx *c)
{
	size_t i;

	for (i = 0; i < n; i++)
		it[i].seq = i;
	qsort_r(it, n, sizeof(*it), lb_rank_cmp, c);
}

/*
 * Set chosen[i] for the candidates cand[0..m) (best first) that are on
 * the board: every baseline; of each team, the rows it selected if it
 * selected a candidate, else its first.
 */
static void
lb_rank_pick(const struct lb_rank_row *rows, const struct lb_rank_item *cand,
    size_t m, unsigned char *chosen)
{
	struct lb_rank_item *t = util_xcalloc(m + 1, sizeof(*t));
	size_t i, j, k, nt = 0;
	int taken;

	for (i = 0; i < m; i++) {
		if (rows[cand[i].row].flags & LB_RANK_BASELINE)
			chosen[i] = 1;
		else {
			t[nt].row = cand[i].row;
			t[nt++].seq = i;
		}
	}
	/* each team's rows together, best first */
	qsort_r(t, nt, sizeof(*t), lb_rank_team_cmp, (void *)rows);
	for (i = 0; i < nt; i = j) {
		taken = 0;
		for (j = i; j < nt && rows[t[j].row].team_id ==
		    rows[t[i].row].team_id; j++)
			taken |= (rows[t[j].row].flags & LB_RANK_SELECTED) != 0;
		if (!taken)
			chosen[t[i].seq] = 1;
		for (k = i; taken && k < j; k++)
			if (rows[t[k].row].flags & LB_RANK_SELECTED)
				chosen[t[k].seq] = 1;
	}
	free(t);
}

struct lb_rank_entry *
lb_rank(const struct lb_rank_row *rows, size_t n,
    const struct lb_rank_opts *o, size_t *nout)
{
	struct lb_rank_ctx c = { rows, o->min, 0 };
	struct lb_rank_item *cand = util_xcalloc(n + 1, sizeof(*cand));
	struct lb_rank_entry *out;
	unsigned char *chosen;
	size_t i, m = 0, k = 0;
	int64_t rank = 0;

	for (i = 0; i < n; i++)
		if ((rows[i].flags & (LB_RANK_HAS_PUB | LB_RANK_HIDDEN |
		    LB_RANK_DISQUALIFIED)) == LB_RANK_HAS_PUB)
			cand[m++].row = i;
	lb_rank_sort(cand, m, &c);
	chosen = util_xcalloc(m + 1, 1);
	lb_rank_pick(rows, cand, m, chosen);
	for (i = 0; i < m; i++)
		if (chosen[i] && (!o->priv ||
		    (rows[cand[i].row].flags & LB_RANK_HAS_PRIV)))
			cand[k++] = cand[i];
	free(chosen);
	if (o->priv) {
		c.priv = 1;
		lb_rank_sort(cand, k, &c);
	}
	out = util_xcalloc(k + 1, sizeof(*out));
	for (i = 0; i < k; i++) {
		out[i].row = cand[i].row;
		out[i].rank = (rows[cand[i].row].flags & LB_RANK_BASELINE) ? 0 :
		    ++rank;
	}
	free(cand);
	*nout = k;
	return out;
}
