/* Unit tests: the dataoptim CLI's exit codes and outputs (real binary),
 * and its option parser (cli_parse_ex, cli_parse) in-process. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../server/cli/cli.h"
#include "testutil.h"
#include "tests.h"

static const char *g_dir, *g_idx;
static char g_out[65536];

int
cli_setup(void **state)
{
	g_dir = tu_synth_pool(0.001, &g_idx);
	return 0;
}

int
cli_teardown(void **state)
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

void
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
	assert_non_null(strstr(g_out, "dataoptim: unknown option --bogus\n"));
	assert_int_equal(RUN("validate", "--kind", "standard", "--pool"), 2);
	assert_non_null(strstr(g_out, "dataoptim: --pool needs a value\n"));
	assert_int_equal(RUN("pool", "stats", "a", "b"), 2);
	assert_non_null(strstr(g_out, "dataoptim: unexpected argument b\n"));
	assert_int_equal(RUN("pool", "stats", "--verify=yes", "a"), 2);
	assert_non_null(strstr(g_out, "dataoptim: --verify takes no value\n"));
	assert_int_equal(RUN("pool", "synth", "--out", "/tmp/x", "--scale",
	    "abc"), 2);
	assert_int_equal(RUN("help"), 0);
	assert_non_null(strstr(g_out, "materialize"));
}

void
test_validate_exit_codes(void **state)
{
	const char *bad = tu_writes(g_dir, "bad.txt", "coco_0\nnope_1\ncoco_0\n");
	const char *warn;
	char pool_eq[600];
	json_error_t je;
	json_t *o;

	assert_int_equal(RUN("validate", "--pool", (char *)g_idx, "--kind",
	    "standard", (char *)tu_shared("example-standard.txt")), 0);
	assert_non_null(strstr(g_out, "17 samples"));
	/* --opt=value, and the file before the options */
	snprintf(pool_eq, sizeof(pool_eq), "--pool=%s", g_idx);
	assert_int_equal(RUN("validate",
	    (char *)tu_shared("example-standard.txt"), pool_eq,
	    "--kind=standard"), 0);
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

void
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

void
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
void
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

/* ---- the option parser, in-process ---- */

/* What the last parse() wrote on stderr. */
static char g_err[1024];

/* The values of a repeatable option, in the order handed over. */
struct each_log {
	const char *v[8];
	int n;
};

/* cli_each_fn: logs value; "bad" is refused with a message. */
static int
each_log(void *ctx, char *value)
{
	struct each_log *l = ctx;

	if (strcmp(value, "bad") == 0) {
		fprintf(stderr, "dataoptim: --metric bad\n");
		return -1;
	}
	assert_true(l->n < 8);
	l->v[l->n++] = value;
	return 0;
}

/* The stderr of the code between catch_begin() and catch_end() goes to
 * g_err. */
static int g_catch_fd = -1, g_saved_fd = -1;

static void
catch_begin(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/err", tu_tmpdir());
	g_catch_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(g_catch_fd >= 0);
	fflush(stderr);
	g_saved_fd = dup(2);
	dup2(g_catch_fd, 2);
}

static void
catch_end(void)
{
	ssize_t n;

	fflush(stderr);
	dup2(g_saved_fd, 2);
	close(g_saved_fd);
	n = pread(g_catch_fd, g_err, sizeof(g_err) - 1, 0);
	g_err[n > 0 ? n : 0] = '\0';
	close(g_catch_fd);
}

/* cli_parse_ex() on the NULL-terminated arguments, stderr caught in
 * g_err. */
static int
parse(const struct cli_opt *opts, size_t nopts, const char **pos, ...)
{
	char *argv[32];
	int argc = 0, rc;
	va_list ap;

	va_start(ap, pos);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	catch_begin();
	rc = cli_parse_ex(argc, argv, opts, nopts, pos);
	catch_end();
	return rc;
}

/* The options of the parser tests: two values, a flag, a repeated one. */
static const char *g_pool, *g_kind;
static int g_json;
static struct each_log g_metrics;
static const struct cli_opt g_opts[] = {
	CLI_VALUE("--pool", &g_pool),
	CLI_VALUE("--kind", &g_kind),
	CLI_FLAG("--json", &g_json),
	CLI_EACH("--metric", each_log, &g_metrics),
};
#define PARSE(pos, ...) (memset(&g_metrics, 0, sizeof(g_metrics)), \
	parse(g_opts, sizeof(g_opts) / sizeof(g_opts[0]), pos, __VA_ARGS__, \
	(char *)NULL))

void
test_parse_values(void **state)
{
	const char *pos = "stale";

	/* --opt value, --opt=value, repeated ones in order, the positional */
	assert_int_equal(PARSE(&pos, "--pool", "P", "--metric", "a=vqa",
	    "--kind=standard", "FILE", "--metric=b=exact", "--json",
	    "--metric", "c=choice"), 0);
	assert_string_equal(g_err, "");
	assert_string_equal(g_pool, "P");
	assert_string_equal(g_kind, "standard");
	assert_int_equal(g_json, 1);
	assert_string_equal(pos, "FILE");
	assert_int_equal(g_metrics.n, 3);
	assert_string_equal(g_metrics.v[0], "a=vqa");
	assert_string_equal(g_metrics.v[1], "b=exact");
	assert_string_equal(g_metrics.v[2], "c=choice");

	/* what is not given is reset; the positional first or last */
	assert_int_equal(PARSE(&pos, "FILE2", "--kind", "byod"), 0);
	assert_string_equal(pos, "FILE2");
	assert_null(g_pool);
	assert_int_equal(g_json, 0);
	assert_int_equal(g_metrics.n, 0);
	assert_int_equal(PARSE(&pos, "--kind", "byod", "FILE3"), 0);
	assert_string_equal(pos, "FILE3");
	assert_int_equal(PARSE(&pos, "--kind", "byod"), 0);
	assert_null(pos);

	/* the last value wins; a value may look like an option or be empty */
	assert_int_equal(PARSE(&pos, "--pool", "a", "--pool", "b", "--kind",
	    "--json", "--pool="), 0);
	assert_string_equal(g_pool, "");
	assert_string_equal(g_kind, "--json");
	assert_int_equal(g_json, 0);
	assert_int_equal(PARSE(&pos, "--pool", "-3", "-"), 0);
	assert_string_equal(g_pool, "-3");
	assert_string_equal(pos, "-");

	/* "--" ends the options */
	assert_int_equal(PARSE(&pos, "--json", "--", "--pool"), 0);
	assert_int_equal(g_json, 1);
	assert_null(g_pool);
	assert_string_equal(pos, "--pool");
	assert_int_equal(PARSE(&pos, "--json", "--"), 0);
	assert_null(pos);
}

void
test_parse_errors(void **state)
{
	const char *pos = NULL;

	assert_int_equal(PARSE(&pos, "x", "--pool"), -1);
	assert_string_equal(g_err, "dataoptim: --pool needs a value\n");
	assert_int_equal(PARSE(&pos, "--metric"), -1);
	assert_string_equal(g_err, "dataoptim: --metric needs a value\n");
	assert_int_equal(PARSE(&pos, "--bogus", "x"), -1);
	assert_string_equal(g_err, "dataoptim: unknown option --bogus\n");
	assert_int_equal(PARSE(&pos, "--bogus=1"), -1);
	assert_string_equal(g_err, "dataoptim: unknown option --bogus=1\n");
	/* names are matched whole: no abbreviations */
	assert_int_equal(PARSE(&pos, "--po", "x"), -1);
	assert_string_equal(g_err, "dataoptim: unknown option --po\n");
	assert_int_equal(PARSE(&pos, "--js"), -1);
	assert_string_equal(g_err, "dataoptim: unknown option --js\n");
	assert_int_equal(PARSE(&pos, "--poolx=1"), -1);
	assert_string_equal(g_err, "dataoptim: unknown option --poolx=1\n");
	assert_int_equal(PARSE(&pos, "-p"), -1);
	assert_string_equal(g_err, "dataoptim: unknown option -p\n");
	assert_int_equal(PARSE(&pos, "-pool", "x"), -1);
	assert_string_equal(g_err, "dataoptim: unknown option -pool\n");
	assert_int_equal(PARSE(&pos, "--json=1"), -1);
	assert_string_equal(g_err, "dataoptim: --json takes no value\n");
	assert_int_equal(PARSE(&pos, "a", "--json", "b"), -1);
	assert_string_equal(g_err, "dataoptim: unexpected argument b\n");
	assert_int_equal(PARSE(NULL, "--json", "a"), -1);
	assert_string_equal(g_err, "dataoptim: unexpected argument a\n");
	/* a callback's refusal stops the parse: told once, by it */
	assert_int_equal(PARSE(&pos, "--metric", "ok", "--metric", "bad",
	    "--json"), -1);
	assert_string_equal(g_err, "dataoptim: --metric bad\n");
	assert_int_equal(g_metrics.n, 1);
	assert_int_equal(g_json, 0);
}

/* getopt_long's global state starts afresh: a parse stopped half-way, or
 * one after another, does not leak into the next. */
void
test_parse_twice(void **state)
{
	static const char *const opts[] = { "--pool", "--kind", NULL };
	static const char *const flags[] = { "--json", NULL };
	const char *pos = NULL, *v[2];
	int f;
	char *a1[] = { "--pool", "P", "--bogus", "--kind", "K", "F1" };
	char *a2[] = { "F2", "--kind", "K2" };

	catch_begin();
	assert_int_equal(cli_parse(6, a1, opts, v, flags, &f, &pos), -1);
	catch_end();
	assert_string_equal(g_err, "dataoptim: unknown option --bogus\n");
	assert_int_equal(cli_parse(3, a2, opts, v, flags, &f, &pos), 0);
	assert_null(v[0]);
	assert_string_equal(v[1], "K2");
	assert_string_equal(pos, "F2");
	assert_int_equal(cli_parse(3, a2, opts, v, flags, &f, &pos), 0);
	assert_string_equal(v[1], "K2");
	assert_string_equal(pos, "F2");
	catch_begin();
	assert_int_equal(cli_parse(4, a1 + 2, opts, v, flags, &f, &pos), -1);
	catch_end();
	assert_string_equal(g_err, "dataoptim: unknown option --bogus\n");
	assert_int_equal(cli_parse(2, a1, opts, v, flags, &f, NULL), 0);
	assert_string_equal(v[0], "P");
	assert_int_equal(f, 0);
	/* nothing at all, and no table at all */
	assert_int_equal(cli_parse(0, a1, opts, v, flags, &f, &pos), 0);
	assert_null(pos);
	assert_int_equal(cli_parse(1, a2, NULL, NULL, NULL, NULL, &pos), 0);
	assert_string_equal(pos, "F2");
	/* argv is left as it was */
	assert_string_equal(a1[2], "--bogus");
	assert_string_equal(a2[0], "F2");
}
