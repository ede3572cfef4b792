/*
 * bench_pool: helpers for tests/bench/run.sh.
 *   bench_pool pick POOL.idx N SEED OUT   write N distinct random pool IDs
 *   bench_pool mem POOL.idx LIST          peak RSS growth of a standard
 *                                         validation outside the index
 *   bench_pool memfile KIND POOL.idx FILE same for a BYOD file (KIND=byod)
 * The memory runs first touch every page of the index, then reset the
 * peak (clear_refs 5), so the peak growth they print excludes the index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byod.h"
#include "pool.h"
#include "stdval.h"
#include "util.h"
#include "vresult.h"

static long
bp_status_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	while (fp && fgets(line, sizeof(line), fp))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key), NULL, 10);
	if (fp)
		fclose(fp);
	return v;
}

static void
bp_touch_index(const struct pool *p)
{
	volatile unsigned sum = 0;
	uint32_t i, n = pool_count(p);
	size_t len;

	/* entries, ID blob, hash slots and images: every page is mapped by
	 * walking all IDs and finding each once */
	for (i = 0; i < n; i++) {
		const char *id = pool_id(p, i, &len);

		sum += (unsigned)pool_find(p, id, len);
	}
	for (i = 0; i < pool_nimages(p); i++) {
		const char *im = pool_image(p, i, &len);

		sum += (unsigned)pool_has_image(p, im, len);
	}
	(void)sum;
}

static uint64_t
bp_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

int
main(int argc, char **argv)
{
	char err[1024];
	struct pool *p;
	struct vresult res;
	long base, peak;
	FILE *fp;

	if (argc < 4) {
		fprintf(stderr, "usage: see the comment in bench_pool.c\n");
		return 2;
	}
	if ((p = pool_open(argv[strcmp(argv[1], "memfile") == 0 ? 3 : 2], 0,
	    err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (strcmp(argv[1], "pick") == 0 && argc == 6) {
		uint32_t n = pool_count(p), want = (uint32_t)atol(argv[3]), i;
		uint32_t *perm = util_xmalloc(n * sizeof(*perm));
		uint64_t seed = strtoull(argv[4], NULL, 10);
		size_t len;

		if (want > n)
			want = n;
		for (i = 0; i < n; i++)
			perm[i] = i;
		for (i = 0; i < want; i++) {
			uint32_t j = i + (uint32_t)(bp_rand(&seed) % (n - i));
			uint32_t t = perm[i];

			perm[i] = perm[j];
			perm[j] = t;
		}
		fp = fopen(argv[5], "w");
		for (i = 0; i < want && fp; i++) {
			const char *id = pool_id(p, perm[i], &len);

			fprintf(fp, "%.*s\n", (int)len, id);
		}
		if (fp == NULL || fclose(fp) != 0)
			return 2;
		free(perm);
		pool_close(p);
		return 0;
	}
	bp_touch_index(p);
	base = bp_status_kb("VmRSS:");
	if ((fp = fopen("/proc/self/clear_refs", "w")) != NULL) {
		fputs("5", fp);
		fclose(fp);
	}
	vresult_init(&res);
	if (strcmp(argv[1], "mem") == 0) {
		if (stdval_file(p, argv[3], 0, &res, NULL, NULL, err,
		    sizeof(err)) != 0)
			return 2;
	} else {
		struct byod_limits lim;

		memset(&lim, 0, sizeof(lim));
		if (byod_file(p, argv[4], &lim, &res, err, sizeof(err)) != 0)
			return 2;
	}
	peak = bp_status_kb("VmHWM:");
	printf("%llu %llu %.1f\n", (unsigned long long)res.n_samples,
	    (unsigned long long)res.n_errors, (double)(peak - base) / 1024.0);
	vresult_clear(&res);
	pool_close(p);
	return 0;
}
