/* Unit tests: pool index build, open, lookups, refusals, staleness and
 * the index's own checksums (corruption, old format versions). */
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
#include <xxhash.h>

#include "pool.h"
#include "pool_format.h"	/* to forge indexes with valid checksums */
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

/* An index of the synthetic pool (scale 0.001, about 400 KB, so a 4 KB
 * overwrite sits inside it) built at a fresh path (in idx, idxsz bytes);
 * returns its bytes (*n of them; the caller frees) and fills sec[] with
 * its sections, as the opened index describes them. */
static char *
synth_index(char *idx, size_t idxsz, size_t *n,
    struct pool_section_info sec[POOL_NSEC + 1])
{
	const char *dir = tu_synth_pool(0.001, NULL);
	char data[600], err[512];
	struct vresult res;
	struct pool *p;
	char *bytes;
	unsigned i;

	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(idx, idxsz, "%s/pool.idx", tu_tmpdir());
	vresult_init(&res);
	assert_int_equal(pool_build(data, idx, &res, err, sizeof(err)), 0);
	vresult_clear(&res);
	bytes = util_read_small(idx, 64 << 20, n, err, sizeof(err));
	assert_non_null(bytes);
	assert_true(*n > 64 * 1024);
	p = pool_open(idx, 0, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(pool_nsections(p), POOL_NSEC + 1);
	for (i = 0; i < POOL_NSEC + 1; i++)
		assert_int_equal(pool_section(p, i, &sec[i]), 0);
	pool_close(p);
	return bytes;
}

/* Write n bytes to path, replacing it. */
static void
put_file(const char *path, const void *bytes, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(bytes, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

/* The name of the section holding byte off. */
static const char *
section_at(const struct pool_section_info *sec, uint64_t off)
{
	unsigned i;

	for (i = 0; i < POOL_NSEC + 1; i++)
		if (off >= sec[i].off && off - sec[i].off < sec[i].len)
			return sec[i].name;
	fail_msg("byte %llu is in no section", (unsigned long long)off);
	return NULL;
}

/* pool_open(idx) must fail with "IDX: section 'NAME' is corrupted". */
static void
expect_corrupted(const char *idx, const char *name)
{
	char err[1024], want[128];
	struct pool *p = pool_open(idx, 0, err, sizeof(err));

	if (p != NULL) {
		pool_close(p);
		fail_msg("a corruption of section '%s' was not noticed", name);
	}
	snprintf(want, sizeof(want), "section '%s' is corrupted (checksum "
	    "mismatch)", name);
	if (strstr(err, want) == NULL)
		fail_msg("want \"%s\", got: %s", want, err);
	assert_true(strncmp(err, idx, strlen(idx)) == 0);
	assert_non_null(strstr(err, "dataoptim pool build"));
}

static void
test_section_table(void **state)
{
	struct pool_section_info sec[POOL_NSEC + 1], extra;
	char idx[600], err[512];
	size_t n, len;
	char *bytes = synth_index(idx, sizeof(idx), &n, sec);
	struct pool *p;
	const char *id;
	unsigned i, j;

	/* the sections cover the file in order, each byte once */
	assert_int_equal(sec[0].off, 0);
	assert_string_equal(sec[0].name, "header");
	for (i = 0; i < POOL_NSEC + 1; i++) {
		assert_true(sec[i].len > 0);
		assert_int_equal(sec[i].len % 8, 0);
		if (i + 1 < POOL_NSEC + 1)
			assert_int_equal(sec[i].off + sec[i].len, sec[i + 1].off);
		for (j = 0; j < i; j++)
			assert_string_not_equal(sec[i].name, sec[j].name);
	}
	assert_int_equal(sec[POOL_NSEC].off + sec[POOL_NSEC].len, n);
	assert_string_equal(section_at(sec, sec[3].off), "ids");
	/* each checksum is xxh3-64 of its bytes (the header's of the bytes
	 * before it, its last field) */
	assert_int_equal(sec[0].sum, XXH3_64bits(bytes, sec[0].len - 8));
	for (i = 1; i < POOL_NSEC + 1; i++)
		assert_int_equal(sec[i].sum, XXH3_64bits(bytes + sec[i].off,
		    sec[i].len));
	/* the intact index opens and answers */
	p = pool_open(idx, POOL_OPEN_VERIFY, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(pool_section(p, POOL_NSEC + 1, &extra), -1);
	assert_true(pool_find(p, "aokvqa_dQbC9HGBPG3RCvpPWE4cWG", 29) >= 0);
	id = pool_id(p, pool_count(p) - 1, &len);
	assert_int_equal(pool_find(p, id, len), pool_count(p) - 1);
	pool_close(p);
	free(bytes);
}

/* Issue 9, item 7: 4 KB overwritten in the middle of the index. */
static void
test_corrupt_4k_middle(void **state)
{
	struct pool_section_info sec[POOL_NSEC + 1];
	char idx[600], err[512];
	size_t n, i, start, first;
	char *bytes = synth_index(idx, sizeof(idx), &n, sec);
	char *bad = util_xmalloc(n);
	struct pool *p;

	memcpy(bad, bytes, n);
	start = n / 2 - 2048;
	for (i = 0; i < 4096; i++)
		bad[start + i] = (char)(0x5a ^ (i * 7));
	for (first = 0; first < n && bad[first] == bytes[first]; first++)
		;
	assert_true(first < start + 4096);
	put_file(idx, bad, n);
	expect_corrupted(idx, section_at(sec, first));
	/* the same bytes put back: it opens again */
	put_file(idx, bytes, n);
	p = pool_open(idx, 0, err, sizeof(err));
	assert_non_null(p);
	pool_close(p);
	free(bad);
	free(bytes);
}

/* One byte changed in each section, in its middle and in its last byte
 * (padding where it has some): always refused, naming that section. */
static void
test_corrupt_each_section(void **state)
{
	struct pool_section_info sec[POOL_NSEC + 1];
	char idx[600];
	size_t n;
	char *bytes = synth_index(idx, sizeof(idx), &n, sec);
	uint64_t at[2];
	unsigned i, k;

	for (i = 0; i < POOL_NSEC + 1; i++) {
		at[0] = sec[i].off + sec[i].len / 2;
		at[1] = sec[i].off + sec[i].len - 1;
		for (k = 0; k < 2; k++) {
			bytes[at[k]] ^= 0x10;
			put_file(idx, bytes, n);
			expect_corrupted(idx, sec[i].name);
			bytes[at[k]] ^= 0x10;
		}
	}
	free(bytes);
}

/* An index written before the checksums (format version 1) is refused,
 * saying how to rebuild it. */
static void
test_old_version(void **state)
{
	struct pool_section_info sec[POOL_NSEC + 1];
	char idx[600], err[512], small[64];
	size_t n;
	char *bytes = synth_index(idx, sizeof(idx), &n, sec);
	uint32_t v1 = 1;

	memcpy(bytes + offsetof(struct pool_header, version), &v1, sizeof(v1));
	put_file(idx, bytes, n);
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "version 1"));
	assert_non_null(strstr(err, "rebuild it with 'dataoptim pool build'"));
	/* a version 1 file shorter than a version 2 header: the same */
	memcpy(small, bytes, sizeof(small));
	put_file(idx, small, sizeof(small));
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "version 1"));
	assert_non_null(strstr(err, "dataoptim pool build"));
	free(bytes);
}

/* Recompute the section and header checksums after an edit, as a faulty
 * writer would have written them. */
static void
reseal(char *bytes)
{
	struct pool_header h;
	unsigned i;

	memcpy(&h, bytes, sizeof(h));
	for (i = 0; i < POOL_NSEC; i++)
		h.sec[i].sum = XXH3_64bits(bytes + h.sec[i].off,
		    (h.sec[i].len + 7) & ~(uint64_t)7);
	h.header_sum = XXH3_64bits(&h, offsetof(struct pool_header,
	    header_sum));
	memcpy(bytes, &h, sizeof(h));
}

/* Checksums that match but records that point outside their tables
 * (what only a faulty writer makes) are refused too, and lookups end in a
 * hash table without an empty slot. */
static void
test_inconsistent_records(void **state)
{
	struct pool_section_info sec[POOL_NSEC + 1];
	struct pool_header h;
	struct pool_entry e;
	pool_image_rec im;
	char idx[600], err[512];
	size_t n;
	char *bytes = synth_index(idx, sizeof(idx), &n, sec);
	char *orig = util_xmalloc(n);
	struct pool *p;
	uint64_t i;

	memcpy(orig, bytes, n);
	memcpy(&h, bytes, sizeof(h));
	/* an entry's ID past the end of the ID blob */
	memcpy(&e, bytes + h.sec[POOL_SEC_ENTRIES].off, sizeof(e));
	e.id_off = (uint32_t)h.sec[POOL_SEC_IDBLOB].len;
	memcpy(bytes + h.sec[POOL_SEC_ENTRIES].off, &e, sizeof(e));
	reseal(bytes);
	put_file(idx, bytes, n);
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "section 'entries' is inconsistent"));
	/* an entry naming a dataset that is not there */
	memcpy(bytes, orig, n);
	e.id_off = 0;
	e.packed |= (uint64_t)0xff << POOL_OFF_BITS;
	memcpy(bytes + h.sec[POOL_SEC_ENTRIES].off, &e, sizeof(e));
	reseal(bytes);
	put_file(idx, bytes, n);
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "section 'entries' is inconsistent"));
	/* an image path past the end of the image blob */
	memcpy(bytes, orig, n);
	memcpy(&im, bytes + h.sec[POOL_SEC_IMAGES].off, sizeof(im));
	im = (im & ~UINT64_C(0xffffffffffff)) | h.sec[POOL_SEC_IMGBLOB].len;
	memcpy(bytes + h.sec[POOL_SEC_IMAGES].off, &im, sizeof(im));
	reseal(bytes);
	put_file(idx, bytes, n);
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "section 'images' is inconsistent"));
	/* no empty slot in either hash table: lookups still end */
	memcpy(bytes, orig, n);
	for (i = 0; i < h.sec[POOL_SEC_IDHASH].len; i++)
		bytes[h.sec[POOL_SEC_IDHASH].off + i] = (char)0xff;
	for (i = 0; i < h.sec[POOL_SEC_IMGHASH].len; i++)
		bytes[h.sec[POOL_SEC_IMGHASH].off + i] = (char)0xff;
	reseal(bytes);
	put_file(idx, bytes, n);
	p = pool_open(idx, 0, err, sizeof(err));
	assert_non_null(p);
	assert_true(pool_find(p, "coco_0", 6) < 0);
	assert_false(pool_has_image(p, "coco/a.jpg", 10));
	pool_close(p);
	free(orig);
	free(bytes);
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
		cmocka_unit_test(test_section_table),
		cmocka_unit_test(test_corrupt_4k_middle),
		cmocka_unit_test(test_corrupt_each_section),
		cmocka_unit_test(test_old_version),
		cmocka_unit_test(test_inconsistent_records),
		cmocka_unit_test(test_empty_dataset_file),
		cmocka_unit_test(test_synthetic_pool),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
