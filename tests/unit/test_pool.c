/* Unit tests: pool index build, open, lookups, refusals and staleness. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pool.h"
#include "testutil.h"
#include "util.h"
#include "vresult.h"

static const char COCO[] =
    "[\n"
    "{\"id\": \"coco_0\", \"image\": \"coco/a.jpg\", \"conversations\": "
    "[{\"from\": \"human\", \"value\": \"<image>\\nDescribe.\"}, "
    "{\"from\": \"gpt\", \"value\": \"A \\\"cat\\\" [sic] {x}\"}]},\n"
    "  {\"conversations\": [], \"id\": \"coco_1\", \"extra\": {\"a\": [1, 2.5e3, true, null]}},\n"
    "{\"id\": \"coco_10\", \"image\": \"coco/b.jpg\"}\n"
    "]\n";
static const char GQA[] =
    "[{\"id\":\"gqa_05145757\",\"image\":\"coco/a.jpg\"},"
    "{\"id\":\"gqa_1\",\"image\":\"visual_genome/1.jpg\"}]";

/* A directory with data files; returns the data dir path (static). */
static const char *
mkpool(const char *coco, const char *gqa)
{
	static char data[512];
	const char *dir = tu_tmpdir();

	snprintf(data, sizeof(data), "%s/data", dir);
	mkdir(data, 0755);
	if (coco)
		tu_writes(data, "coco.json", coco);
	if (gqa)
		tu_writes(data, "gqa.json", gqa);
	return data;
}

static struct pool *
build_open(const char *data, struct vresult *res, char *idx, size_t idxsz)
{
	char err[512];
	struct pool *p;

	snprintf(idx, idxsz, "%s/../pool.idx", data);
	vresult_init(res);
	if (pool_build(data, idx, res, err, sizeof(err)) != 0)
		return NULL;
	p = pool_open(idx, 0, err, sizeof(err));
	if (p == NULL)
		fprintf(stderr, "open: %s\n", err);
	return p;
}

static void
test_build_and_lookup(void **state)
{
	const char *data = mkpool(COCO, GQA);
	char idx[600], path[600];
	struct vresult res;
	struct pool_item it;
	struct pool *p = build_open(data, &res, idx, sizeof(idx));
	const char *ids[] = { "coco_0", "coco_1", "coco_10", "gqa_05145757",
	    "gqa_1" };
	size_t i, len, n;
	const char *id;
	char *src;
	int64_t k;

	assert_non_null(p);
	assert_int_equal(res.n_errors, 0);
	assert_int_equal(pool_count(p), 5);
	assert_int_equal(pool_ndatasets(p), 2);
	assert_string_equal(pool_dataset_name(p, 0), "coco");
	assert_int_equal(pool_dataset_count(p, 0), 3);
	assert_int_equal(pool_dataset_images(p, 0), 2);
	assert_int_equal(pool_dataset_images(p, 1), 2);	/* shares coco/a.jpg */
	assert_int_equal(pool_nimages(p), 3);
	snprintf(path, sizeof(path), "%s/coco.json", data);
	src = util_read_small(path, 1 << 20, &n, path, sizeof(path));
	for (i = 0; i < 5; i++) {
		k = pool_find(p, ids[i], strlen(ids[i]));
		assert_true(k >= 0);
		/* entries are in ID order */
		assert_int_equal(k, (int64_t)i);
		id = pool_id(p, (uint32_t)k, &len);
		assert_int_equal(len, strlen(ids[i]));
		assert_memory_equal(id, ids[i], len);
	}
	/* the recorded bytes are exactly the item */
	pool_get(p, (uint32_t)pool_find(p, "coco_1", 6), &it);
	assert_int_equal(it.dataset, 0);
	assert_int_equal(it.image, POOL_NO_IMAGE);
	assert_memory_equal(src + it.offset, "{\"conversations\": [], \"id\": "
	    "\"coco_1\", \"extra\": {\"a\": [1, 2.5e3, true, null]}}",
	    it.length);
	pool_get(p, 0, &it);
	assert_int_equal(src[it.offset], '{');
	assert_int_equal(src[it.offset + it.length - 1], '}');
	assert_memory_equal(src + it.offset + it.length, ",\n", 2);
	free(src);
	/* misses: unknown, prefix of an ID, case differs, empty */
	assert_true(pool_find(p, "coco_2", 6) < 0);
	assert_true(pool_find(p, "coco_", 5) < 0);
	assert_true(pool_find(p, "COCO_0", 6) < 0);
	assert_true(pool_find(p, "", 0) < 0);
	assert_true(pool_has_image(p, "coco/a.jpg", 10));
	assert_true(pool_has_image(p, "visual_genome/1.jpg", 19));
	assert_false(pool_has_image(p, "coco/c.jpg", 10));
	assert_false(pool_has_image(p, "coco/a.jp", 9));
	pool_close(p);
	vresult_clear(&res);
}

/* Build must refuse with one error naming file, item and offset. */
static void
expect_refusal(const char *coco, const char *gqa, const char *file,
    int64_t item, int64_t offset, const char *needle)
{
	const char *data = mkpool(coco, gqa);
	char idx[600], err[512];
	struct vresult res;
	struct stat st;
	size_t i;
	int found = 0;

	snprintf(idx, sizeof(idx), "%s/../pool.idx", data);
	vresult_init(&res);
	assert_int_equal(pool_build(data, idx, &res, err, sizeof(err)), -1);
	assert_true(res.n_errors >= 1);
	for (i = 0; i < res.n_errors && i < VRESULT_KEEP; i++) {
		const struct verror *e = &res.errors[i];

		if (strstr(e->msg, needle) && strcmp(e->file, file) == 0 &&
		    e->item == item && (offset < 0 || e->offset == offset))
			found = 1;
	}
	if (!found) {
		char line[600];

		for (i = 0; i < res.n_errors && i < VRESULT_KEEP; i++)
			fprintf(stderr, "got: %s\n", verror_format(&res.errors[i],
			    line, sizeof(line)));
	}
	assert_true(found);
	assert_int_equal(stat(idx, &st), -1);	/* nothing written */
	vresult_clear(&res);
}

static void
test_refuse_malformed(void **state)
{
	/* truncated in the second item */
	expect_refusal("[{\"id\":\"coco_0\"},\n{\"id\":\"coco_1\", \"x\": [1, 2",
	    GQA, "coco.json", 1, -1, "malformed JSON");
	/* a missing comma between items, at byte 17 */
	expect_refusal("[{\"id\":\"coco_0\"} {\"id\":\"coco_1\"}]", GQA,
	    "coco.json", 0, 17, "expected ',' or ']'");
	/* broken nesting inside an item */
	expect_refusal("[{\"id\":\"coco_0\", \"c\": [1 2]}]", GQA, "coco.json",
	    0, 25, "malformed JSON");
	/* trailing garbage after the array */
	expect_refusal("[{\"id\":\"coco_0\"}] x", GQA, "coco.json", -1, 18,
	    "malformed JSON");
	/* not an array */
	expect_refusal("{\"id\":\"coco_0\"}", GQA, "coco.json", -1, 0,
	    "expected '['");
	/* an item that is not an object */
	expect_refusal("[{\"id\":\"coco_0\"}, 5]", GQA, "coco.json", 1, 18,
	    "an item object");
}

static void
test_refuse_ids(void **state)
{
	expect_refusal("[{\"id\":\"coco_0\"},{\"image\":\"coco/x.jpg\"}]", GQA,
	    "coco.json", 1, 17, "no \"id\"");
	expect_refusal("[{\"id\":7}]", GQA, "coco.json", 0, 7,
	    "not a string");
	expect_refusal("[{\"id\":\"coco_0\"},{\"id\":\"gqa_7\"}]", GQA,
	    "coco.json", 1, 23, "prefix \"coco_\"");
	expect_refusal("[{\"id\":\"cocoa_7\"}]", GQA, "coco.json", 0, 7,
	    "prefix");
	expect_refusal("[{\"id\":\"coco 7\"}]", GQA, "coco.json", 0, 7,
	    "whitespace");
	/* duplicates: in one file, naming both items */
	expect_refusal("[{\"id\":\"coco_0\"},{\"id\":\"coco_1\"},{\"id\":\"coco_0\"}]",
	    GQA, "coco.json", 2, 33, "duplicate ID \"coco_0\": also item 0 of "
	    "coco.json (byte 1)");
}

static void
test_stale_index(void **state)
{
	const char *data = mkpool(COCO, GQA);
	char idx[600], err[512], path[600];
	struct vresult res;
	struct pool *p = build_open(data, &res, idx, sizeof(idx));
	struct timespec ts[2];
	struct stat st;
	FILE *fp;

	assert_non_null(p);
	pool_close(p);
	vresult_clear(&res);
	snprintf(path, sizeof(path), "%s/gqa.json", data);

	stat(path, &st);	/* the mtime the index recorded */
	/* same bytes, new mtime (a copied pool): accepted by checksum */
	utimensat(AT_FDCWD, path, NULL, 0);
	p = pool_open(idx, 0, err, sizeof(err));
	assert_non_null(p);
	pool_close(p);

	/* same size, different content, mtime restored: only --verify sees */
	fp = fopen(path, "r+");
	fputs("[{\"id\":\"gqa_05145758\"", fp);
	fclose(fp);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	utimensat(AT_FDCWD, path, ts, 0);
	p = pool_open(idx, 0, err, sizeof(err));
	assert_non_null(p);
	pool_close(p);
	assert_null(pool_open(idx, POOL_OPEN_VERIFY, err, sizeof(err)));
	assert_non_null(strstr(err, "stale"));
	assert_non_null(strstr(err, "gqa.json"));

	/* content changed with a new mtime: refused */
	utimensat(AT_FDCWD, path, NULL, 0);
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "content"));

	/* size changed: refused, naming the file and sizes */
	tu_writes(data, "gqa.json", "[]");
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "stale"));
	assert_non_null(strstr(err, "gqa.json"));

	/* removed: refused */
	unlink(path);
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "gone"));
}

static void
test_corrupt_index(void **state)
{
	const char *data = mkpool(COCO, GQA);
	char idx[600], err[512], cmd[1300];
	struct vresult res;
	struct pool *p = build_open(data, &res, idx, sizeof(idx));

	assert_non_null(p);
	pool_close(p);
	vresult_clear(&res);
	snprintf(cmd, sizeof(cmd), "truncate -s -8 %s", idx);
	assert_int_equal(system(cmd), 0);
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "corrupt"));
	assert_null(pool_open(tu_writes(data, "x.idx", "not an index, just text "
	    "long enough to hold a header .................................."
	    "..................................................................."
	    "..................................................................."),
	    0, err, sizeof(err)));
	assert_non_null(strstr(err, "not a pool index"));
	assert_null(pool_open("/nonexistent/pool.idx", 0, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open"));
}

static void
test_empty_dataset_file(void **state)
{
	const char *data = mkpool("[ ]", GQA);
	char idx[600];
	struct vresult res;
	struct pool *p = build_open(data, &res, idx, sizeof(idx));

	assert_non_null(p);
	assert_int_equal(pool_count(p), 2);
	assert_int_equal(pool_dataset_count(p, 0), 0);
	pool_close(p);
	vresult_clear(&res);
}

static void
test_synthetic_pool(void **state)
{
	const char *idx;
	char err[512];
	struct pool *p;

	tu_synth_pool(0.001, &idx);
	p = pool_open(idx, POOL_OPEN_VERIFY, err, sizeof(err));
	assert_non_null(p);
	assert_true(pool_count(p) > 6000);
	assert_true(pool_find(p, "aokvqa_dQbC9HGBPG3RCvpPWE4cWG", 29) >= 0);
	assert_true(pool_has_image(p, "coco/COCO_train2014_000000318556.jpg", 36));
	pool_close(p);
}

static int
teardown(void **state)
{
	tu_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_and_lookup),
		cmocka_unit_test(test_refuse_malformed),
		cmocka_unit_test(test_refuse_ids),
		cmocka_unit_test(test_stale_index),
		cmocka_unit_test(test_corrupt_index),
		cmocka_unit_test(test_empty_dataset_file),
		cmocka_unit_test(test_synthetic_pool),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
