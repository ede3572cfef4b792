/* Unit tests: the standard (ID list) validator, every accept and reject rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "stdval.h"
#include "testutil.h"
#include "util.h"
#include "vresult.h"
#include "tests.h"

static struct pool *g_pool;
static const char *g_dir;

int
stdval_setup(void **state)
{
	const char *idx;
	char err[512];

	g_dir = tu_synth_pool(0.001, &idx);
	g_pool = pool_open(idx, 0, err, sizeof(err));
	return g_pool ? 0 : -1;
}

int
stdval_teardown(void **state)
{
	pool_close(g_pool);
	tu_cleanup();
	return 0;
}

/* Validate text written to a file; res must be cleared by the caller. */
static void
run(const char *text, size_t len, uint64_t budget, struct vresult *res)
{
	char err[512];
	const char *path = tu_write(g_dir, "list.txt", text, len);

	vresult_init(res);
	assert_int_equal(stdval_file(g_pool, path, budget, res, NULL, NULL, err,
	    sizeof(err)), 0);
}

/* Expect exactly one error, on line, whose message contains needle. */
static void
expect_one(const char *text, size_t len, uint64_t budget, uint64_t line,
    const char *needle)
{
	struct vresult res;

	run(text, len, budget, &res);
	if (res.n_errors != 1 || res.errors[0].line != line ||
	    strstr(res.errors[0].msg, needle) == NULL)
		fprintf(stderr, "%llu errors; first: line %llu: %s\n",
		    (unsigned long long)res.n_errors, res.n_errors ?
		    (unsigned long long)res.errors[0].line : 0ULL,
		    res.n_errors ? res.errors[0].msg : "");
	assert_int_equal(res.n_errors, 1);
	assert_int_equal(res.errors[0].line, line);
	assert_non_null(strstr(res.errors[0].msg, needle));
	vresult_clear(&res);
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* SHA-256 over the sorted IDs, one per line, computed independently. */
static void
expected_set_hash(char **ids, size_t n, char *hex)
{
	unsigned char md[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t i;

	qsort(ids, n, sizeof(*ids), cmpstr);
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	for (i = 0; i < n; i++) {
		EVP_DigestUpdate(c, ids[i], strlen(ids[i]));
		EVP_DigestUpdate(c, "\n", 1);
	}
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	util_hex(md, 32, hex);
}

void
test_example_accepted(void **state)
{
	char err[512], *text, *ids[32], *save = NULL, *tok, hex[65];
	struct vresult res;
	size_t len, n = 0, i;
	uint64_t total = 0;

	text = util_read_small(tu_shared("example-standard.txt"), 1 << 16, &len,
	    err, sizeof(err));
	assert_non_null(text);
	vresult_init(&res);
	assert_int_equal(stdval_file(g_pool, tu_shared("example-standard.txt"),
	    17, &res, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(res.n_errors, 0);
	assert_int_equal(res.n_samples, 17);
	for (tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n",
	    &save))
		ids[n++] = tok;
	expected_set_hash(ids, n, hex);
	assert_string_equal(res.set_hash, hex);
	for (i = 0; i < res.n_comp; i++)
		total += res.comp[i].n;
	assert_int_equal(total, 17);
	assert_string_equal(res.comp[res.n_comp - 1].name, "vqav2");
	assert_int_equal(strlen(res.sha256), 64);
	vresult_clear(&res);
	free(text);
}

void
test_tolerated_forms(void **state)
{
	static const char clean[] = "coco_0\ngqa_05145757\nllava_157711\n";
	static const char messy[] = "\xef\xbb\xbf  coco_0\t\r\n\r\n\n"
	    "\tgqa_05145757  \r\n   \nllava_157711";
	struct vresult a, b;

	run(clean, sizeof(clean) - 1, 0, &a);
	run(messy, sizeof(messy) - 1, 0, &b);
	assert_int_equal(a.n_errors, 0);
	assert_int_equal(b.n_errors, 0);
	assert_int_equal(b.n_samples, 3);
	assert_string_equal(a.set_hash, b.set_hash);	/* same set */
	assert_string_not_equal(a.sha256, b.sha256);	/* different files */
	vresult_clear(&a);
	vresult_clear(&b);
	/* order does not change the set hash */
	run("llava_157711\ncoco_0\ngqa_05145757\n", 33, 0, &b);
	run(clean, sizeof(clean) - 1, 0, &a);
	assert_string_equal(a.set_hash, b.set_hash);
	vresult_clear(&a);
	vresult_clear(&b);
}

void
test_rejects(void **state)
{
	static const char nul[] = "coco_0\ngqa_0\0x\n";
	char longline[2100];

	expect_one("coco_0\ncoco_999999999\n", 22, 0, 2, "unknown ID \"coco_999999999\"");
	expect_one("coco_0\nfoo_1\n", 13, 0, 2, "no dataset \"foo\"");
	expect_one("coco_0\nnonsense\n", 16, 0, 2, "unknown ID");
	expect_one("Coco_0\n", 7, 0, 1, "unknown ID");	/* case-sensitive */
	expect_one("coco_0\n\ngqa_05145757\ncoco_0\n", 28, 0, 4,
	    "duplicate ID \"coco_0\" (first on line 1)");
	expect_one("", 0, 0, 0, "empty");
	expect_one("\n \r\n\t\n", 6, 0, 0, "no IDs");
	expect_one("coco_0\ngqa_05145757\nllava_157711\n", 33, 2, 3,
	    "budget of 2");
	expect_one(nul, sizeof(nul) - 1, 0, 2, "NUL byte");
	expect_one("coco_0\ncoco_\xc3\x28\n", 14, 0, 2, "invalid UTF-8");
	expect_one("coco_0\ncoco_\xed\xa0\x80\n", 15, 0, 2, "invalid UTF-8");
	expect_one("coco_0 gqa_05145757\n", 20, 0, 1, "more than one ID");
	memset(longline, 'a', sizeof(longline));
	memcpy(longline + 2000, "\ncoco_0\n", 8);
	expect_one(longline, 2008, 0, 1, "longer than 1024");
}

void
test_error_list_bounded(void **state)
{
	struct vresult res;
	char *text = util_xmalloc(300 * 16);
	size_t n = 0;
	int i;

	for (i = 0; i < 300; i++)
		n += (size_t)sprintf(text + n, "nope_%d\n", i);
	run(text, n, 0, &res);
	assert_int_equal(res.n_errors, 300);
	assert_int_equal(res.errors[VRESULT_KEEP - 1].line, VRESULT_KEEP);
	vresult_clear(&res);
	free(text);
}

void
test_ids_out(void **state)
{
	struct vresult res;
	uint32_t *ids;
	uint64_t n;
	size_t len;
	char err[256];
	const char *path = tu_writes(g_dir, "l.txt", "llava_157711\ncoco_0\n");

	vresult_init(&res);
	assert_int_equal(stdval_file(g_pool, path, 0, &res, &ids, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(pool_id(g_pool, ids[0], &len), "llava_157711", 12);
	assert_int_equal(len, 12);
	assert_memory_equal(pool_id(g_pool, ids[1], &len), "coco_0", 6);
	assert_int_equal(len, 6);
	free(ids);
	vresult_clear(&res);
	vresult_init(&res);
	assert_int_equal(stdval_file(g_pool, "/nonexistent", 0, &res, &ids, &n,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
	vresult_clear(&res);
}
