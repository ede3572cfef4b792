/*
 * bench_preflight: the worker's preflight (worker/preflight.h) on its own,
 * for tests/bench/run.sh:
 *   bench_preflight DATA.json IMAGE_FOLDER [PARALLEL]
 * reads the training file, checks every image it names on libuv's thread
 * pool (PARALLEL chunks in flight, default 4, as the worker does) and
 * prints "ITEMS IMAGES BAD SCAN_SECONDS CHECK_SECONDS".  Exit 0 when every
 * image is usable, 1 when some are not, 2 on a file that does not parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "preflight.h"
#include "util.h"

static void
bpf_done(void *arg)
{
	*(int *)arg = 1;
}

int
main(int argc, char **argv)
{
	struct preflight *p;
	uv_loop_t loop;
	uint64_t t0, t1, t2;
	char err[1024];
	int done = 0, rc;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: bench_preflight DATA.json IMAGE_FOLDER "
		    "[PARALLEL]\n");
		return 2;
	}
	p = preflight_new(argv[2]);
	t0 = util_now_ns();
	if (preflight_scan(p, argv[1], err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_preflight: %s\n", err);
		preflight_free(p);
		return 2;
	}
	t1 = util_now_ns();
	uv_loop_init(&loop);
	(void)preflight_run(p, &loop, argc > 3 ? (unsigned)atoi(argv[3]) : 4,
	    bpf_done, &done);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	t2 = util_now_ns();
	printf("%llu %zu %zu %.3f %.3f\n", (unsigned long long)
	    preflight_items(p), preflight_images(p), preflight_bad(p),
	    (double)(t1 - t0) / 1e9, (double)(t2 - t1) / 1e9);
	rc = preflight_bad(p) > 0;
	preflight_free(p);
	return rc;
}
