/* Unit tests: extsort (in memory, and spilled to runs then merged). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>

#include "extsort.h"
#include "tests.h"

static int
less_u64(const void *a, const void *b)
{
	return *(const uint64_t *)a < *(const uint64_t *)b;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void
sort_u64(void *v, size_t n)
{
	qsort(v, n, sizeof(uint64_t), cmp_u64);
}

/* Sort n pseudo-random values (with duplicates) holding mem in memory. */
static void
check(size_t n, size_t mem, size_t want_runs)
{
	struct extsort *s = extsort_new(sizeof(uint64_t), mem, less_u64, sort_u64);
	uint64_t *want = malloc((n ? n : 1) * sizeof(*want)), x = 12345;
	const uint64_t *r;
	size_t i;

	for (i = 0; i < n; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		want[i] = (x >> 33) % (n / 2 + 1);	/* duplicates on purpose */
		assert_int_equal(extsort_add(s, &want[i]), 0);
	}
	assert_int_equal(extsort_finish(s), 0);
	assert_int_equal(extsort_runs(s), want_runs);
	qsort(want, n, sizeof(*want), cmp_u64);
	for (i = 0; (r = extsort_next(s)) != NULL; i++) {
		assert_true(i < n);
		assert_int_equal(*r, want[i]);
	}
	assert_int_equal(i, n);
	assert_false(extsort_failed(s));
	assert_null(extsort_next(s));
	extsort_free(s);
	free(want);
}

void
test_in_memory(void **state)
{
	check(0, 16, 0);
	check(1, 16, 0);
	check(16, 16, 0);
}

void
test_spilled(void **state)
{
	check(17, 16, 2);		/* one full run and one of a single record */
	check(10000, 7, 1429);	/* many runs: the heap merge */
	check(100000, 4096, 25);
}
