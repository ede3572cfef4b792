/*
 * extsort: external merge sort of fixed-size records (see extsort.h).
 */
#include "extsort.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ES_READ_BYTES 4096

/* One sorted run in the temporary file and its read window. */
struct es_run {
	uint64_t off;		/* next unread byte in the file */
	uint64_t left;		/* records not yet read into buf */
	unsigned char *buf;
	size_t pos, n;		/* window: records buf[pos..n) */
};

struct extsort {
	size_t recsize, cap, n;
	unsigned char *mem;	/* buffer of cap records */
	extsort_less_fn *less;
	extsort_sort_fn *sort;
	FILE *tmp;
	uint64_t tmp_len;
	struct es_run *runs;
	size_t nruns;
	size_t *heap;		/* run indexes, min-heap on current record */
	size_t nheap;
	size_t next;		/* in-memory read-out position */
	int merging, failed;
	int pending;		/* heap[0]'s head was handed out */
};

struct extsort *
extsort_new(size_t recsize, size_t mem_records, extsort_less_fn *less,
    extsort_sort_fn *sort)
{
	struct extsort *s = util_xcalloc(1, sizeof(*s));

	s->recsize = recsize;
	s->cap = mem_records ? mem_records : 1;
	s->less = less;
	s->sort = sort;
	return s;
}

static int
es_spill(struct extsort *s)
{
	struct es_run *r;

	if (s->n == 0)
		return 0;
	if (s->tmp == NULL && (s->tmp = tmpfile()) == NULL)
		return -1;
	s->sort(s->mem, s->n);
	if (fseeko(s->tmp, (off_t)s->tmp_len, SEEK_SET) != 0 ||
	    fwrite(s->mem, s->recsize, s->n, s->tmp) != s->n ||
	    fflush(s->tmp) != 0)
		return -1;
	s->runs = util_xreallocarray(s->runs, s->nruns + 1, sizeof(*s->runs));
	r = &s->runs[s->nruns++];
	memset(r, 0, sizeof(*r));
	r->off = s->tmp_len;
	r->left = s->n;
	s->tmp_len += (uint64_t)s->n * s->recsize;
	s->n = 0;
	return 0;
}

int
extsort_add(struct extsort *s, const void *rec)
{
	if (s->mem == NULL)
		s->mem = util_xreallocarray(NULL, s->cap, s->recsize);
	if (s->n == s->cap && es_spill(s) != 0)
		return -1;
	memcpy(s->mem + s->n * s->recsize, rec, s->recsize);
	s->n++;
	return 0;
}

/* Refill run r's window; 0 when it has a record, 1 at its end, -1 error. */
static int
es_fill(struct extsort *s, struct es_run *r)
{
	size_t want;

	if (r->pos < r->n)
		return 0;
	if (r->left == 0)
		return 1;
	want = ES_READ_BYTES / s->recsize;
	if (want == 0)
		want = 1;
	if (want > r->left)
		want = (size_t)r->left;
	if (fseeko(s->tmp, (off_t)r->off, SEEK_SET) != 0 ||
	    fread(r->buf, s->recsize, want, s->tmp) != want)
		return -1;
	r->off += (uint64_t)want * s->recsize;
	r->left -= want;
	r->pos = 0;
	r->n = want;
	return 0;
}

static const void *
es_head(const struct extsort *s, size_t run)
{
	const struct es_run *r = &s->runs[run];

	return r->buf + r->pos * s->recsize;
}

static void
es_sift_down(struct extsort *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i, t;

		if (l < s->nheap && s->less(es_head(s, s->heap[l]),
		    es_head(s, s->heap[m])))
			m = l;
		if (l + 1 < s->nheap && s->less(es_head(s, s->heap[l + 1]),
		    es_head(s, s->heap[m])))
			m = l + 1;
		if (m == i)
			return;
		t = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = t;
		i = m;
	}
}

int
extsort_finish(struct extsort *s)
{
	size_t i;
	int r;

	if (s->nruns == 0) {
		if (s->n > 1)
			s->sort(s->mem, s->n);
		return 0;
	}
	if (es_spill(s) != 0)
		return -1;
	free(s->mem);
	s->mem = NULL;
	s->heap = util_xreallocarray(NULL, s->nruns, sizeof(*s->heap));
	for (i = 0; i < s->nruns; i++) {
		s->runs[i].buf = util_xmalloc(ES_READ_BYTES > s->recsize ?
		    ES_READ_BYTES : s->recsize);
		if ((r = es_fill(s, &s->runs[i])) < 0)
			return -1;
		if (r == 0)
			s->heap[s->nheap++] = i;
	}
	for (i = s->nheap / 2; i-- > 0;)
		es_sift_down(s, i);
	s->merging = 1;
	return 0;
}

const void *
extsort_next(struct extsort *s)
{
	struct es_run *r;
	int f;

	if (!s->merging) {
		if (s->next >= s->n)
			return NULL;
		return s->mem + s->recsize * s->next++;
	}
	if (s->failed)
		return NULL;
	if (s->pending && s->nheap > 0) {
		/* the head handed out last time: advance its run */
		r = &s->runs[s->heap[0]];
		r->pos++;
		if ((f = es_fill(s, r)) < 0) {
			s->failed = 1;
			return NULL;
		}
		if (f == 1)
			s->heap[0] = s->heap[--s->nheap];
		es_sift_down(s, 0);
	}
	if (s->nheap == 0)
		return NULL;
	s->pending = 1;
	return es_head(s, s->heap[0]);
}

int
extsort_failed(const struct extsort *s)
{
	return s->failed;
}

size_t
extsort_runs(const struct extsort *s)
{
	return s->nruns;
}

void
extsort_free(struct extsort *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nruns; i++)
		free(s->runs[i].buf);
	free(s->runs);
	free(s->heap);
	free(s->mem);
	if (s->tmp)
		fclose(s->tmp);
	free(s);
}
