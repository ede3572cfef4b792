/* Unit tests: the dataoptim CLI's exit codes and outputs (real binary). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

static const char *g_dir, *g_idx;
static char g_out[65536];

static int
setup(void **state)
{
	g_dir = tu_synth_pool(0.001, &g_idx);
	return 0;
}

static int
teardown(void **state)
{
	tu_cleanup();
	return 0;
}

#define RUN(...) run((char *const[]){ (char *)tu_bin("dataoptim"), __VA_ARGS__, NULL })

static int
run(char *const argv[])
{
	return tu_run(argv, g_out, sizeof(g_out));
}

static void
test_usage_errors(void **state)
{
	assert_int_equal(run((char *const[]){ (char *)tu_bin("dataoptim"),
	    NULL }), 2);
	assert_int_equal(RUN("frobnicate"), 2);
	assert_non_null(strstr(g_out, "unknown command"));
	assert_int_equal(RUN("validate", "--kind", "standard", "x"), 2);
	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "weird", "x"), 2);
	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "standard", "--budget", "-3", "x"), 2);
	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "standard", "--bogus", "x"), 2);
	assert_int_equal(RUN("pool", "synth", "--out", "/tmp/x", "--scale",
	    "abc"), 2);
	assert_int_equal(RUN("help"), 0);
	assert_non_null(strstr(g_out, "materialize"));
}

static void
test_validate_exit_codes(void **state)
{
	const char *bad = tu_writes(g_dir, "bad.txt", "coco_0\nnope_1\ncoco_0\n");
	const char *warn;
	json_error_t je;
	json_t *o;

	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "standard", (char *)tu_shared("example-standard.txt")), 0);
	assert_non_null(strstr(g_out, "17 samples"));
	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "standard", "--budget", "10", (char *)tu_shared("example-standard.txt")), 1);
	assert_non_null(strstr(g_out, "budget of 10"));
	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "standard", (char *)bad), 1);
	assert_non_null(strstr(g_out, "line 2:"));
	assert_non_null(strstr(g_out, "line 3: duplicate"));
	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "standard", "--json", (char *)bad), 1);
	o = json_loads(g_out, 0, &je);
	assert_non_null(o);
	assert_true(json_is_false(json_object_get(o, "valid")));
	assert_int_equal(json_integer_value(json_object_get(o, "n_errors")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(o, "errors"), 0), "line")), 2);
	json_decref(o);
	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "byod", (char *)tu_shared("example-byod.json")), 0);
	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "byod", (char *)tu_writes(g_dir, "b.json", "[{\"id\": 1}]")), 1);
	/* only warnings: valid, exit 0, the warnings shown and in --json */
	warn = tu_writes(g_dir, "w.json", "[{\"id\": 1, \"conversations\": ["
	    "{\"from\": \"gpt\", \"value\": \"Hello\"}, {\"from\": \"human\", "
	    "\"value\": \"Hi\"}, {\"from\": \"gpt\", \"value\": \" \"}]}]");
	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "byod", (char *)warn), 0);
	assert_non_null(strstr(g_out, "valid byod submission: 1 samples"));
	assert_non_null(strstr(g_out, "2 warnings (a warning does not reject "
	    "the file)\n  item 0: [0].conversations[0].from: (byte 38) the "
	    "conversation starts with a \"gpt\" turn"));
	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "byod", "--json", (char *)warn), 0);
	o = json_loads(g_out, 0, &je);
	assert_non_null(o);
	assert_true(json_is_true(json_object_get(o, "valid")));
	assert_int_equal(json_integer_value(json_object_get(o, "n_errors")), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "n_warnings")),
	    2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(o, "warnings"), 1), "path")),
	    "[0].conversations[2].value");
	json_decref(o);
	/* I/O errors */
	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "standard", "/nonexistent/list.txt"), 2);
	assert_int_equal(RUN("validate", "--pool", "/nonexistent.idx", "--kind",
	    "standard", (char *)bad), 2);
}

static void
test_materialize_and_stats(void **state)
{
	char out[600];
	struct stat st;

	snprintf(out, sizeof(out), "%s/m.json", g_dir);
	assert_int_equal(RUN("materialize", "--pool", (char *)g_idx, "--ids",
	    (char *)tu_shared("example-standard.txt"), "--out", out), 0);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(RUN("materialize", "--pool", (char *)g_idx, "--ids",
	    (char *)tu_writes(g_dir, "x.txt", "nope_0\n"), "--out", out), 1);
	assert_int_equal(RUN("pool", "stats", (char *)g_idx), 0);
	assert_non_null(strstr(g_out, "svit"));
	assert_non_null(strstr(g_out, "total"));
	assert_int_equal(RUN("pool", "stats", (char *)g_idx, "--verify"), 0);
}

static void
test_build_refusal(void **state)
{
	const char *dir = tu_tmpdir();
	char data[600], idx[600];

	snprintf(data, sizeof(data), "%s/data", dir);
	mkdir(data, 0755);
	tu_writes(data, "coco.json", "[{\"id\":\"coco_1\"},{\"id\":\"gqa_1\"}]");
	snprintf(idx, sizeof(idx), "%s/p.idx", dir);
	assert_int_equal(RUN("pool", "build", "--data", data, "--out", idx), 1);
	assert_non_null(strstr(g_out, "coco.json: item 1"));
	tu_writes(data, "coco.json", "[{\"id\":\"coco_1\"}]");
	assert_int_equal(RUN("pool", "build", "--data", data, "--out", idx), 0);
	assert_non_null(strstr(g_out, "1 IDs"));
}

/* Issue 9, item 7: pool stats --verify exits non-zero on a corrupted index
 * (4 KB overwritten in its middle) and on an old-version one. */
static void
test_stats_verify_corrupt(void **state)
{
	const char *dir = tu_tmpdir();
	char data[600], idx[600], buf[4096];
	struct stat st;
	uint32_t v1 = 1;
	FILE *fp;

	snprintf(data, sizeof(data), "%s/data", g_dir);
	snprintf(idx, sizeof(idx), "%s/p.idx", dir);
	assert_int_equal(RUN("pool", "build", "--data", data, "--out", idx), 0);
	assert_int_equal(RUN("pool", "stats", idx, "--verify"), 0);
	assert_non_null(strstr(g_out, "every index section and source checksum "
	    "verified"));
	assert_non_null(strstr(g_out, "\nids "));
	assert_int_equal(stat(idx, &st), 0);
	assert_true(st.st_size > 3 * (off_t)sizeof(buf));
	memset(buf, 0xa5, sizeof(buf));
	fp = fopen(idx, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseeko(fp, st.st_size / 2 - 2048, SEEK_SET), 0);
	assert_int_equal(fwrite(buf, 1, sizeof(buf), fp), sizeof(buf));
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(RUN("pool", "stats", idx, "--verify"), 2);
	assert_non_null(strstr(g_out, idx));
	assert_non_null(strstr(g_out, "is corrupted (checksum mismatch)"));
	/* without --verify the sections are checked all the same */
	assert_int_equal(RUN("pool", "stats", idx), 2);
	assert_non_null(strstr(g_out, "is corrupted (checksum mismatch)"));
	/* an index of format version 1 */
	assert_int_equal(RUN("pool", "build", "--data", data, "--out", idx), 0);
	fp = fopen(idx, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseeko(fp, 8, SEEK_SET), 0);	/* after the magic */
	assert_int_equal(fwrite(&v1, 1, sizeof(v1), fp), sizeof(v1));
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(RUN("pool", "stats", idx, "--verify"), 2);
	assert_non_null(strstr(g_out, "version 1"));
	assert_non_null(strstr(g_out, "dataoptim pool build"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_validate_exit_codes),
		cmocka_unit_test(test_materialize_and_stats),
		cmocka_unit_test(test_build_refusal),
		cmocka_unit_test(test_stats_verify_corrupt),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
