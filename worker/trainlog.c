/* trainlog: progress and loss from the Trainer's output (see trainlog.h). */
#include "trainlog.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define TL_GRID (TRAINLOG_POINTS - 1)	/* the every-k-th points; the last
					   step is the one more */

struct trainlog {
	uint64_t nan_steps;
	struct trainlog_state st;
	char piece[TRAINLOG_PIECE + 1];	/* the piece read so far */
	size_t len;
	int overlong;			/* the piece passed TRAINLOG_PIECE:
					   skipped to its end */
	struct trainlog_point grid[TL_GRID];	/* steps 1, 1 + k, ... */
	size_t ngrid;
	uint64_t k;
	struct trainlog_point last;	/* step 0: none yet */
};

struct trainlog *
trainlog_new(uint64_t nan_steps)
{
	struct trainlog *t = util_xcalloc(1, sizeof(*t));

	t->nan_steps = nan_steps;
	t->k = 1;
	return t;
}

void
trainlog_free(struct trainlog *t)
{
	free(t);
}

void
trainlog_state(const struct trainlog *t, struct trainlog_state *st)
{
	*st = t->st;
}

/* ---- the series ---- */

/* Keep every other grid point: the steps 1 + 2jk. */
static void
tl_halve(struct trainlog *t)
{
	size_t i;

	for (i = 0; 2 * i < t->ngrid; i++)
		t->grid[i] = t->grid[2 * i];
	t->ngrid = i;
	t->k *= 2;
}

static void
tl_point(struct trainlog *t, double loss)
{
	struct trainlog_point p = { ++t->st.losses, loss };

	if ((p.step - 1) % t->k == 0) {
		if (t->ngrid == TL_GRID)
			tl_halve(t);
		if ((p.step - 1) % t->k == 0)
			t->grid[t->ngrid++] = p;
	}
	t->last = p;
	if (isfinite(loss)) {
		t->st.bad_run = 0;
		return;
	}
	if (t->st.bad_run++ == 0)
		t->st.bad_from = p.step;
	if (t->nan_steps > 0 && t->st.bad_run >= t->nan_steps)
		t->st.stop = 1;
}

size_t
trainlog_points(const struct trainlog *t, struct trainlog_point *out)
{
	size_t n = t->ngrid;

	memcpy(out, t->grid, n * sizeof(*out));
	if (t->last.step > 0 && (n == 0 || out[n - 1].step != t->last.step))
		out[n++] = t->last;
	return n;
}

/* ---- the pieces ---- */

/* tqdm's bar: "... NN%|BAR| STEP/STEPS [...". */
static int
tl_bar(struct trainlog *t, const char *s)
{
	const char *p = strstr(s, "%|"), *q;
	char *end;
	unsigned long long n, m;

	if (p == NULL || (q = strstr(p + 2, "| ")) == NULL)
		return 0;
	q += 2;
	if (*q < '0' || *q > '9')
		return 0;
	n = strtoull(q, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return 0;
	m = strtoull(end + 1, &end, 10);
	if ((*end != ' ' && *end != '\0') || m == 0 || n > m)
		return 0;
	t->st.step = n;
	t->st.steps = m;
	return 1;
}

/* The Trainer's log dict: "{'loss': VALUE, ...}" ('loss' anywhere among
 * its keys). */
static void
tl_dict(struct trainlog *t, const char *s)
{
	const char *k;
	char *end;
	double v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (s[0] != '{' || s[1] != '\'')
		return;
	for (k = s; (k = strstr(k, "'loss': ")) != NULL; k++)
		if (k[-1] == '{' || (k[-1] == ' ' && k[-2] == ','))
			break;
	if (k == NULL)
		return;
	v = strtod(k + 8, &end);
	if (end == k + 8 || (*end != ',' && *end != '}'))
		return;
	tl_point(t, v);
}

static void
tl_piece(struct trainlog *t)
{
	t->piece[t->len] = '\0';
	if (!t->overlong && !tl_bar(t, t->piece))
		tl_dict(t, t->piece);
	t->len = 0;
	t->overlong = 0;
}

void
trainlog_feed(struct trainlog *t, const char *buf, size_t n)
{
	size_t i, run;

	for (i = 0; i < n; i += run) {
		if (buf[i] == '\r' || buf[i] == '\n') {
			tl_piece(t);
			run = 1;
			continue;
		}
		for (run = 0; i + run < n && buf[i + run] != '\r' &&
		    buf[i + run] != '\n'; run++)
			;
		if (t->overlong)
			continue;
		if (t->len + run > TRAINLOG_PIECE) {
			t->overlong = 1;
			continue;
		}
		memcpy(t->piece + t->len, buf + i, run);
		t->len += run;
	}
}
