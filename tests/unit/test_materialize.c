/* Unit tests: the materializer (bytes unchanged, order kept, atomic). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "materialize.h"
#include "pool.h"
#include "stdval.h"
#include "testutil.h"
#include "util.h"
#include "vresult.h"
#include "tests.h"

static struct pool *g_pool;
static const char *g_dir;

int
materialize_setup(void **state)
{
	const char *idx;
	char err[512];

	g_dir = tu_synth_pool(0.001, &idx);
	g_pool = pool_open(idx, 0, err, sizeof(err));
	return g_pool ? 0 : -1;
}

int
materialize_teardown(void **state)
{
	pool_close(g_pool);
	tu_cleanup();
	return 0;
}

static uint32_t *
ids_of(const char *path, uint64_t *n)
{
	struct vresult res;
	uint32_t *ids;
	char err[256];

	vresult_init(&res);
	assert_int_equal(stdval_file(g_pool, path, 0, &res, &ids, n, err,
	    sizeof(err)), 0);
	assert_int_equal(res.n_errors, 0);
	vresult_clear(&res);
	return ids;
}

/* The example BYOD items come back out equal to the file, in order. */
void
test_examples_round_trip(void **state)
{
	char out[600], err[512];
	json_error_t je;
	json_t *got, *want;
	uint32_t *ids;
	uint64_t n;

	ids = ids_of(tu_shared("example-standard.txt"), &n);
	snprintf(out, sizeof(out), "%s/train.json", g_dir);
	assert_int_equal(materialize_ids(g_pool, ids, n, out, err, sizeof(err)), 0);
	got = json_load_file(out, JSON_REJECT_DUPLICATES, &je);
	want = json_load_file(tu_shared("example-byod.json"), 0, &je);
	assert_non_null(got);
	assert_non_null(want);
	assert_true(json_equal(got, want));
	json_decref(got);
	json_decref(want);
	free(ids);
}

/* Each item's bytes equal the pool file's bytes; list order is kept. */
void
test_bytes_and_order(void **state)
{
	char out[600], err[512], path[700];
	const char *list = tu_writes(g_dir, "rev.txt",
	    "svit_detail_0\ncoco_0\nllava_157711\n");
	uint32_t *ids;
	uint64_t n, i;
	size_t olen, slen, at = 2;
	char *o, *src;

	ids = ids_of(list, &n);
	snprintf(out, sizeof(out), "%s/rev.json", g_dir);
	assert_int_equal(materialize_ids(g_pool, ids, n, out, err, sizeof(err)), 0);
	o = util_read_small(out, 1 << 20, &olen, err, sizeof(err));
	assert_memory_equal(o, "[\n", 2);
	for (i = 0; i < n; i++) {
		struct pool_item it;

		pool_get(g_pool, ids[i], &it);
		snprintf(path, sizeof(path), "%s/%s.json", pool_datadir(g_pool),
		    pool_dataset_name(g_pool, it.dataset));
		src = util_read_small(path, 1u << 30, &slen, err, sizeof(err));
		assert_non_null(src);
		assert_memory_equal(o + at, src + it.offset, it.length);
		at += it.length + (i + 1 < n ? 2 : 0);
		free(src);
	}
	assert_string_equal(o + at, "\n]\n");
	free(o);
	free(ids);
}

void
test_empty_and_failure(void **state)
{
	char out[600], err[512], *o;
	size_t len;
	uint32_t bad = 0;
	struct stat st;

	snprintf(out, sizeof(out), "%s/empty.json", g_dir);
	assert_int_equal(materialize_ids(g_pool, NULL, 0, out, err, sizeof(err)), 0);
	o = util_read_small(out, 100, &len, err, sizeof(err));
	assert_string_equal(o, "[\n]\n");
	free(o);
	/* an unwritable destination: error, nothing left */
	assert_int_equal(materialize_ids(g_pool, &bad, 1, "/nonexistent/x.json",
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create"));
	assert_int_equal(stat("/nonexistent/x.json", &st), -1);
}

/* A source changed behind the index's back (same size and mtime, which
 * pool_open cannot see without --verify): the item hash catches it. */
void
test_changed_source_refused(void **state)
{
	const char *dir = tu_tmpdir();
	char data[600], idx[600], out[600], err[512];
	struct vresult res;
	struct timespec ts[2];
	struct stat st;
	struct pool *p;
	uint32_t k;
	FILE *fp;

	snprintf(data, sizeof(data), "%s/data", dir);
	mkdir(data, 0755);
	tu_writes(data, "coco.json", "[{\"id\":\"coco_1\",\"v\":\"aaaa\"}]");
	snprintf(idx, sizeof(idx), "%s/p.idx", dir);
	vresult_init(&res);
	assert_int_equal(pool_build(data, idx, &res, err, sizeof(err)), 0);
	snprintf(data, sizeof(data), "%s/data/coco.json", dir);
	stat(data, &st);
	fp = fopen(data, "r+");
	fseek(fp, 21, SEEK_SET);
	fputs("bbbb", fp);
	fclose(fp);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	utimensat(AT_FDCWD, data, ts, 0);
	p = pool_open(idx, 0, err, sizeof(err));
	assert_non_null(p);
	k = 0;
	snprintf(out, sizeof(out), "%s/out.json", dir);
	assert_int_equal(materialize_ids(p, &k, 1, out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not match the pool index"));
	assert_int_equal(stat(out, &st), -1);
	pool_close(p);
	vresult_clear(&res);
}
