/* Unit tests: pool index build, open, lookups, refusals, staleness and
 * the index's own checksums (corruption, old format versions); datasets by
 * ID prefix, files in subfolders, split datasets and given names. */
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

#include "materialize.h"
#include "pool.h"
#include "pool_format.h"	/* to forge indexes with valid checksums */
#include "synth.h"
#include "testutil.h"
#include "util.h"
#include "vresult.h"
#include "tests.h"

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

void
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

void
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

void
test_refuse_ids(void **state)
{
	expect_refusal("[{\"id\":\"coco_0\"},{\"image\":\"coco/x.jpg\"}]", GQA,
	    "coco.json", 1, 17, "no \"id\"");
	expect_refusal("[{\"id\":7}]", GQA, "coco.json", 0, 7,
	    "not a string");
	/* two prefixes in one file: the second ID, naming the first */
	expect_refusal("[{\"id\":\"coco_0\"},{\"id\":\"gqa_7\"}]", GQA,
	    "coco.json", 1, 23, "IDs of two datasets in one file: \"gqa_7\" "
	    "and \"coco_0\" (item 0)");
	/* a prefix that differs by one letter is another dataset */
	expect_refusal("[{\"id\":\"coco_0\"},{\"id\":\"cocoa_7\"}]", GQA,
	    "coco.json", 1, 23, "\"cocoa_7\" and \"coco_0\"");
	/* no prefix: no '_', or nothing before it, or more than 63 bytes */
	expect_refusal("[{\"id\":\"coco7\"}]", GQA, "coco.json", 0, 7,
	    "\"coco7\" has no dataset prefix");
	expect_refusal("[{\"id\":\"_7\"}]", GQA, "coco.json", 0, 7,
	    "has no dataset prefix");
	expect_refusal("[{\"id\":\"a234567890123456789012345678901234567890"
	    "123456789012345678901234_7\"}]", GQA, "coco.json", 0, 7,
	    "has no dataset prefix of 1 to 63 bytes");
	expect_refusal("[{\"id\":\"coco 7\"}]", GQA, "coco.json", 0, 7,
	    "whitespace");
	/* duplicates: in one file, naming both items */
	expect_refusal("[{\"id\":\"coco_0\"},{\"id\":\"coco_1\"},{\"id\":\"coco_0\"}]",
	    GQA, "coco.json", 2, 33, "duplicate ID \"coco_0\": also item 0 of "
	    "coco.json (byte 1)");
}

void
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

void
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

void
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
	assert_string_equal(section_at(sec, sec[2].off), "files");
	assert_string_equal(section_at(sec, sec[4].off), "ids");
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
void
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
void
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

/* An index written before the checksums (format version 1), or before
 * files were apart from datasets (version 2), is refused, saying how to
 * rebuild it. */
void
test_old_version(void **state)
{
	struct pool_section_info sec[POOL_NSEC + 1];
	char idx[600], err[512], small[64];
	size_t n;
	char *bytes = synth_index(idx, sizeof(idx), &n, sec);
	uint32_t v1 = 1, v2 = 2;

	memcpy(bytes + offsetof(struct pool_header, version), &v2, sizeof(v2));
	put_file(idx, bytes, n);
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "pool index format version 2, this "
	    "program reads version 3"));
	assert_non_null(strstr(err, "rebuild it with 'dataoptim pool build'"));
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
void
test_inconsistent_records(void **state)
{
	struct pool_section_info sec[POOL_NSEC + 1];
	struct pool_header h;
	struct pool_entry e;
	struct pool_file_rec fr;
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
	/* a file naming a dataset that is not there */
	memcpy(bytes, orig, n);
	memcpy(&fr, bytes + h.sec[POOL_SEC_FILES].off, sizeof(fr));
	fr.dataset = h.n_datasets;
	memcpy(bytes + h.sec[POOL_SEC_FILES].off, &fr, sizeof(fr));
	reseal(bytes);
	put_file(idx, bytes, n);
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "section 'files' is inconsistent"));
	/* an entry naming a file that is not there */
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

/* An empty file has no dataset, unless it is given one; it is a source
 * file of the index all the same. */
void
test_empty_dataset_file(void **state)
{
	const char *data = mkpool("[ ]", GQA);
	const struct pool_name nm = { "coco.json", "coco" };
	char idx[600], err[512];
	struct vresult res;
	struct pool *p = build_open(data, &res, idx, sizeof(idx));

	assert_non_null(p);
	assert_int_equal(pool_count(p), 2);
	assert_int_equal(pool_ndatasets(p), 1);
	assert_string_equal(pool_dataset_name(p, 0), "gqa");
	assert_int_equal(pool_nfiles(p), 2);
	assert_string_equal(pool_file_path(p, 0), "coco.json");
	pool_close(p);
	vresult_clear(&res);
	vresult_init(&res);
	assert_int_equal(pool_build_named(data, idx, &nm, 1, &res, err,
	    sizeof(err)), 0);
	p = pool_open(idx, 0, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(pool_ndatasets(p), 2);
	assert_string_equal(pool_dataset_name(p, 0), "coco");
	assert_int_equal(pool_dataset_count(p, 0), 0);
	assert_int_equal(pool_dataset_files(p, 0), 1);
	pool_close(p);
	vresult_clear(&res);
}

/* A fresh empty data directory; returns its path (static). */
static const char *
newdata(void)
{
	static char data[512];

	snprintf(data, sizeof(data), "%s/data", tu_tmpdir());
	assert_int_equal(mkdir(data, 0755), 0);
	return data;
}

/* Write s to data/rel, making the folders on the way. */
static void
put(const char *data, const char *rel, const char *s)
{
	char path[1024];
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", data, rel);
	for (i = strlen(data) + 1; path[i]; i++)
		if (path[i] == '/') {
			path[i] = '\0';
			(void)mkdir(path, 0755);
			path[i] = '/';
		}
	put_file(path, s, strlen(s));
}

/* The index of dataset name in p (fails the test if absent). */
static uint32_t
dataset_index(const struct pool *p, const char *name)
{
	uint32_t d;

	for (d = 0; d < pool_ndatasets(p); d++)
		if (strcmp(pool_dataset_name(p, d), name) == 0)
			return d;
	fail_msg("no dataset %s", name);
	return 0;
}

/* pool_build_named() must fail, with an error on file whose message holds
 * needle (when file is NULL: an I/O error whose message holds it). */
static void
expect_build_error(const char *data, const struct pool_name *nm, size_t n,
    const char *file, const char *needle)
{
	char idx[600], err[512], line[600];
	struct vresult res;
	size_t i;

	snprintf(idx, sizeof(idx), "%s/../pool.idx", data);
	vresult_init(&res);
	assert_int_equal(pool_build_named(data, idx, nm, n, &res, err,
	    sizeof(err)), -1);
	if (file == NULL) {
		if (strstr(err, needle) == NULL)
			fail_msg("want \"%s\", got: %s", needle, err);
		vresult_clear(&res);
		return;
	}
	/* (a verror keeps the first 127 bytes of a file's path) */
	for (i = 0; i < res.n_errors && i < VRESULT_KEEP; i++)
		if (strncmp(res.errors[i].file, file,
		    sizeof(res.errors[i].file) - 1) == 0 &&
		    strstr(res.errors[i].msg, needle) != NULL)
			break;
	if (i == res.n_errors || i == VRESULT_KEEP) {
		for (i = 0; i < res.n_errors && i < VRESULT_KEEP; i++)
			fprintf(stderr, "got: %s\n", verror_format(&res.errors[i],
			    line, sizeof(line)));
		fail_msg("want an error on %s: %s", file, needle);
	}
	vresult_clear(&res);
}

/* Build with names and open; NULL-free result or the test fails. */
static struct pool *
build_named(const char *data, const struct pool_name *nm, size_t n)
{
	char idx[600], err[512], line[600];
	struct vresult res;
	struct pool *p;
	size_t i;

	snprintf(idx, sizeof(idx), "%s/../pool.idx", data);
	vresult_init(&res);
	if (pool_build_named(data, idx, nm, n, &res, err, sizeof(err)) != 0) {
		for (i = 0; i < res.n_errors && i < VRESULT_KEEP; i++)
			fprintf(stderr, "got: %s\n", verror_format(&res.errors[i],
			    line, sizeof(line)));
		fail_msg("build: %s", err);
	}
	vresult_clear(&res);
	p = pool_open(idx, 0, err, sizeof(err));
	if (p == NULL)
		fail_msg("open: %s", err);
	return p;
}

/* Issue 11, item 6: a file's dataset is the prefix its IDs share, whatever
 * the file is called and wherever it sits; only .json files are read,
 * names starting with '.' are skipped. */
void
test_prefix_not_file_name(void **state)
{
	const char *data = newdata();
	char out[600], *got;
	struct pool_item it;
	struct pool *p;
	uint32_t ids[2];
	size_t n;

	put(data, "first.json", "[{\"id\": \"coco_0\", \"image\": \"coco/a.jpg\"},"
	    "\n{\"id\": \"coco_5\"}]");
	put(data, "deep/er/vqa.json", "[{\"id\": \"gqa_1\"},\n"
	    "{\"id\": \"gqa_2\", \"image\": \"coco/a.jpg\"}]");
	put(data, "notes.txt", "not a pool file");
	put(data, "deep/README.md", "[");
	put(data, ".hidden.json", "[ broken");
	put(data, ".git/x.json", "[ broken");
	p = build_named(data, NULL, 0);
	assert_int_equal(pool_count(p), 4);
	assert_int_equal(pool_ndatasets(p), 2);
	assert_string_equal(pool_dataset_name(p, 0), "coco");
	assert_string_equal(pool_dataset_name(p, 1), "gqa");
	assert_int_equal(pool_dataset_images(p, 1), 1);
	assert_int_equal(pool_nfiles(p), 2);
	/* files in bytewise order of their paths */
	assert_string_equal(pool_file_path(p, 0), "deep/er/vqa.json");
	assert_string_equal(pool_file_path(p, 1), "first.json");
	pool_get(p, (uint32_t)pool_find(p, "coco_5", 6), &it);
	assert_int_equal(it.dataset, 0);
	assert_int_equal(it.file, 1);
	pool_get(p, (uint32_t)pool_find(p, "gqa_2", 5), &it);
	assert_int_equal(it.dataset, 1);
	assert_int_equal(it.file, 0);
	/* the materializer reads each item from its own file */
	ids[0] = (uint32_t)pool_find(p, "gqa_2", 5);
	ids[1] = (uint32_t)pool_find(p, "coco_0", 6);
	snprintf(out, sizeof(out), "%s/../train.json", data);
	assert_int_equal(materialize_ids(p, ids, 2, out, out + 300, 300), 0);
	got = util_read_small(out, 4096, &n, out + 300, 300);
	assert_non_null(got);
	assert_string_equal(got, "[\n{\"id\": \"gqa_2\", \"image\": "
	    "\"coco/a.jpg\"},\n{\"id\": \"coco_0\", \"image\": \"coco/a.jpg\"}\n]\n");
	free(got);
	pool_close(p);
}

/* A dataset split over several files, in several folders, is one
 * dataset; duplicates across its files are refused naming both paths;
 * a changed file in a subfolder makes the index stale, named by path. */
void
test_split_dataset(void **state)
{
	const char *data = newdata();
	char idx[600], err[512];
	struct pool *p;

	put(data, "a/part-2.json", "[{\"id\": \"svit_detail_1\"}, "
	    "{\"id\": \"svit_complex_0\"}]");
	put(data, "a/part-1.json", "[{\"id\": \"svit_conversation_0\"}]");
	put(data, "b.json", "[{\"id\": \"llava_3\"}]");
	p = build_named(data, NULL, 0);
	assert_int_equal(pool_ndatasets(p), 2);
	assert_string_equal(pool_dataset_name(p, 1), "svit");
	assert_int_equal(pool_dataset_count(p, 1), 3);
	assert_int_equal(pool_dataset_files(p, 1), 2);
	assert_int_equal(pool_dataset_files(p, 0), 1);
	pool_close(p);
	put(data, "a/part-1.json", "[{\"id\": \"svit_conversation_00\"}]");
	snprintf(idx, sizeof(idx), "%s/../pool.idx", data);
	assert_null(pool_open(idx, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "/data/a/part-1.json changed since"));
	put(data, "b/x.json", "[{\"id\": \"svit_detail_1\"}]");
	expect_build_error(data, NULL, 0, "b/x.json", "duplicate ID "
	    "\"svit_detail_1\": also item 0 of a/part-2.json (byte 1)");
}

/* Issue 11, item 6: a file given a dataset name needs no common prefix
 * (nor any '_'); a name equal to a prefix joins that dataset; a name for
 * no file, a bad name or two names for one file are refused. */
void
test_named_dataset(void **state)
{
	const char *data = newdata();
	const struct pool_name own = { "mix/665k.json", "llava15" };
	const struct pool_name join = { "mix/665k.json", "coco" };
	const struct pool_name bad[] = {
		{ "nope.json", "x" }, { "coco.json", "two words" },
		{ "mix/665k.json", "a" }, { "mix/665k.json", "b" },
	};
	struct pool_item it;
	struct pool *p;

	put(data, "coco.json", "[{\"id\": \"coco_0\"}]");
	put(data, "mix/665k.json", "[{\"id\": \"000000033471\"}, "
	    "{\"id\": \"coco_9\"}, {\"id\": \"gqa_1\"}]");
	expect_build_error(data, NULL, 0, "mix/665k.json",
	    "\"000000033471\" has no dataset prefix");
	p = build_named(data, &own, 1);
	assert_int_equal(pool_ndatasets(p), 2);
	pool_get(p, (uint32_t)pool_find(p, "000000033471", 12), &it);
	assert_int_equal(it.dataset, dataset_index(p, "llava15"));
	pool_get(p, (uint32_t)pool_find(p, "gqa_1", 5), &it);
	assert_int_equal(it.dataset, dataset_index(p, "llava15"));
	assert_int_equal(pool_dataset_count(p, dataset_index(p, "llava15")), 3);
	pool_close(p);
	p = build_named(data, &join, 1);
	assert_int_equal(pool_ndatasets(p), 1);
	assert_int_equal(pool_dataset_count(p, 0), 4);
	assert_int_equal(pool_dataset_files(p, 0), 2);
	pool_close(p);
	expect_build_error(data, bad, 1, "nope.json", "no such .json file");
	expect_build_error(data, bad + 1, 1, "coco.json",
	    "dataset name \"two words\" must be 1 to 63 bytes");
	expect_build_error(data, bad + 2, 2, "mix/665k.json",
	    "given two dataset names (\"a\" and \"b\")");
}

/* The walk's bounds: 8 folder levels, link loops, path length; a link
 * to a file is followed; no pool file at all is an I/O error. */
void
test_walk_rules(void **state)
{
	const char *data = newdata();
	char path[600], target[600];
	char longdir[120];
	struct pool *p;

	put(data, "1/2/3/4/5/6/7/8/ok.json", "[{\"id\": \"coco_0\"}]");
	snprintf(target, sizeof(target), "%s/../outside.json", data);
	put_file(target, "[{\"id\": \"gqa_0\"}]", 17);
	snprintf(path, sizeof(path), "%s/linked.json", data);
	assert_int_equal(symlink(target, path), 0);
	p = build_named(data, NULL, 0);
	assert_int_equal(pool_count(p), 2);
	assert_string_equal(pool_file_path(p, 0), "1/2/3/4/5/6/7/8/ok.json");
	assert_string_equal(pool_file_path(p, 1), "linked.json");
	pool_close(p);
	put(data, "1/2/3/4/5/6/7/8/9/x.json", "[]");
	expect_build_error(data, NULL, 0, "1/2/3/4/5/6/7/8/9",
	    "folder more than 8 levels below the data directory");

	data = newdata();
	put(data, "sub/a.json", "[{\"id\": \"coco_0\"}]");
	snprintf(path, sizeof(path), "%s/sub/up", data);
	assert_int_equal(symlink("..", path), 0);
	expect_build_error(data, NULL, 0, "sub/up", "a symbolic link loop: "
	    "this folder is the data directory");
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub/self", data);
	assert_int_equal(symlink(".", path), 0);
	expect_build_error(data, NULL, 0, "sub/self", "a symbolic link loop: "
	    "this folder is sub");
	unlink(path);

	memset(longdir, 'd', 100);
	longdir[100] = '\0';
	snprintf(path, sizeof(path), "%s/%s/%s/x.json", longdir, longdir,
	    longdir);
	put(data, path, "[]");
	expect_build_error(data, NULL, 0, path, "path longer than 255 bytes");

	data = newdata();
	put(data, "images/a.jpg", "\xff\xd8");
	expect_build_error(data, NULL, 0, NULL, "no .json files in ");
}

/* Issue 11, item 6: the later table's pool builds as it comes: 21
 * prefixes from 25 files in subfolders, split datasets joined. */
void
test_later_synth_pool(void **state)
{
	const char *dir = tu_tmpdir();
	char data[600], err[512];
	const char *img;
	struct pool *p;
	uint32_t i, filckr = 0;
	size_t len;

	assert_int_equal(synth_pool_table(dir, "later", 0.002, 1, err,
	    sizeof(err)), 0);
	snprintf(data, sizeof(data), "%s/data", dir);
	p = build_named(data, NULL, 0);
	assert_int_equal(pool_ndatasets(p), 21);
	assert_int_equal(pool_nfiles(p), 25);
	assert_int_equal(pool_dataset_files(p, dataset_index(p, "dvqa")), 3);
	assert_int_equal(pool_dataset_files(p, dataset_index(p, "svit")), 2);
	assert_int_equal(pool_dataset_count(p, dataset_index(p, "svit")),
	    5986);
	assert_true(pool_find(p, "svit_referring_0", 16) >= 0);
	assert_true(pool_find(p, "llava15_0", 9) >= 0);
	/* example-byod.json's spelling and the README tree's */
	assert_true(pool_has_image(p, "flickr30k/1000092795.jpg", 24));
	for (i = 0; i < pool_nimages(p); i++) {
		img = pool_image(p, i, &len);
		filckr += len > 10 && memcmp(img, "filckr30k/", 10) == 0;
	}
	assert_true(filckr > 0);
	pool_close(p);
}

void
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

int
pool_teardown(void **state)
{
	tu_cleanup();
	return 0;
}
