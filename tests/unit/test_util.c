/* Unit tests: util (quoting, atomic files, hex) and vresult. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "util.h"
#include "vresult.h"
#include "tests.h"

void
test_quote(void **state)
{
	char q[32];

	assert_string_equal(util_quote(q, sizeof(q), "coco_1", 6), "coco_1");
	assert_string_equal(util_quote(q, sizeof(q), "a\tb\\\xff", 5),
	    "a\\x09b\\x5c\\xff");
	util_quote(q, sizeof(q), "0123456789012345678901234567890123456789", 40);
	assert_true(strlen(q) < sizeof(q));
	assert_non_null(strstr(q, "..."));
}

void
test_afile_commit_and_abort(void **state)
{
	const char *dir = tu_tmpdir();
	char path[512], err[256], buf[64];
	struct util_afile *af;
	struct stat st;
	size_t len;
	char *s;

	snprintf(path, sizeof(path), "%s/out.txt", dir);
	af = util_afile_open(path, err, sizeof(err));
	assert_non_null(af);
	fputs("hello", util_afile_fp(af));
	assert_int_equal(stat(path, &st), -1);	/* nothing before commit */
	assert_int_equal(util_afile_commit(af, err, sizeof(err)), 0);
	s = util_read_small(path, 100, &len, err, sizeof(err));
	assert_non_null(s);
	assert_string_equal(s, "hello");
	free(s);

	af = util_afile_open(path, err, sizeof(err));
	fputs("partial", util_afile_fp(af));
	util_afile_abort(af);
	s = util_read_small(path, 100, &len, err, sizeof(err));
	assert_string_equal(s, "hello");	/* old content intact */
	free(s);
	snprintf(buf, sizeof(buf), "ls %s | wc -l | grep -qx 1", dir);
	assert_int_equal(system(buf), 0);	/* no temporary left */
}

void
test_vresult_bounded(void **state)
{
	struct vresult r;
	json_t *o;
	int i;

	vresult_init(&r);
	for (i = 0; i < 250; i++)
		vresult_error(&r, (uint64_t)i + 1, -1, -1, NULL, NULL, "bad %d", i);
	assert_int_equal(r.n_errors, 250);
	o = vresult_to_json(&r);
	assert_int_equal(json_array_size(json_object_get(o, "errors")),
	    VRESULT_KEEP);
	assert_int_equal(json_integer_value(json_object_get(o, "n_errors")), 250);
	assert_false(json_is_true(json_object_get(o, "valid")));
	json_decref(o);
	vresult_clear(&r);
	vresult_clear(NULL);
}

int
util_teardown(void **state)
{
	tu_cleanup();
	return 0;
}

void
test_abspath(void **state)
{
	char cwd[4096], want[4200], *p;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	p = util_abspath("state/worker");
	util_fmt(want, sizeof(want), "%s/state/worker", cwd);
	assert_string_equal(p, want);
	free(p);
	p = util_abspath("./state//./worker/");
	assert_string_equal(p, want);
	free(p);
	p = util_abspath("/a//b/./c/");
	assert_string_equal(p, "/a/b/c");
	free(p);
	p = util_abspath("/a/../b/.");	/* ".." is kept, not resolved */
	assert_string_equal(p, "/a/../b");
	free(p);
	p = util_abspath("/");
	assert_string_equal(p, "/");
	free(p);
	p = util_abspath(".");
	assert_string_equal(p, cwd);
	free(p);
	p = util_abspath("");
	assert_string_equal(p, "");
	free(p);
}

void
test_replace_all(void **state)
{
	char s[128];

	util_fmt(s, sizeof(s), "/w/jobs/j-1/data.json and /w/jobs/j-1/model");
	assert_int_equal(util_replace_all(s, "/w/jobs/j-1/", ""), 2);
	assert_string_equal(s, "data.json and model");
	util_fmt(s, sizeof(s), "aaaa");
	assert_int_equal(util_replace_all(s, "aa", "b"), 2);
	assert_string_equal(s, "bb");
	/* a longer replacement or an empty pattern changes nothing */
	assert_int_equal(util_replace_all(s, "b", "cc"), 0);
	assert_int_equal(util_replace_all(s, "", ""), 0);
	assert_string_equal(s, "bb");
}

void
test_list_next(void **state)
{
	const char *p = " coco/ ,, \tvg/x,last", *a;
	size_t n;

	a = util_list_next(&p, &n);
	assert_int_equal(n, 5);
	assert_memory_equal(a, "coco/", 5);
	a = util_list_next(&p, &n);
	assert_non_null(a);
	assert_int_equal(n, 0);		/* an empty item */
	a = util_list_next(&p, &n);
	assert_int_equal(n, 4);
	assert_memory_equal(a, "vg/x", 4);
	a = util_list_next(&p, &n);
	assert_int_equal(n, 4);
	assert_memory_equal(a, "last", 4);
	assert_null(util_list_next(&p, &n));
	p = "";
	assert_null(util_list_next(&p, &n));
}

/* util_fold_name(): team names' keys (teams.name_key); for ASCII the
 * folding of migration 0008. */
void
test_fold_name(void **state)
{
	char k[16];

	(void)state;
	assert_int_equal(util_fold_name("ALPHA", k, sizeof(k)), 5);
	assert_string_equal(k, "alpha");
	assert_int_equal(util_fold_name("alpha ", k, sizeof(k)), 5);
	assert_string_equal(k, "alpha");
	assert_int_equal(util_fold_name(" \t Al\r\n  Pha\n", k, sizeof(k)), 6);
	assert_string_equal(k, "al pha");
	assert_int_equal(util_fold_name("a     b", k, sizeof(k)), 3);
	assert_string_equal(k, "a b");
	/* Unicode case, compatibility forms and look-alike spaces and
	 * dashes fold too */
	assert_int_equal(util_fold_name("\xc3\x89QUIPE-2", k, sizeof(k)), 9);
	assert_string_equal(k, "\xc3\xa9quipe-2");		/* équipe-2 */
	assert_int_equal(util_fold_name("\xc3\xa9quipe-2", k, sizeof(k)), 9);
	assert_string_equal(k, "\xc3\xa9quipe-2");
	/* full-width ＡＬＰＨＡ */
	assert_int_equal(util_fold_name("\xef\xbc\xa1\xef\xbc\xac\xef\xbc\xb0"
	    "\xef\xbc\xa8\xef\xbc\xa1", k, sizeof(k)), 5);
	assert_string_equal(k, "alpha");
	assert_int_equal(util_fold_name("Stra\xc3\x9f" "e", k, sizeof(k)), 7);
	assert_string_equal(k, "strasse");
	/* NBSP and an ideographic space are spaces; U+2010 is a '-' */
	assert_int_equal(util_fold_name("al\xc2\xa0pha\xe3\x80\x80",
	    k, sizeof(k)), 6);
	assert_string_equal(k, "al pha");
	assert_int_equal(util_fold_name("a\xe2\x80\x90" "b", k, sizeof(k)), 3);
	assert_string_equal(k, "a-b");
	/* a default-ignorable mark (U+034F) is dropped */
	assert_int_equal(util_fold_name("alpha\xcd\x8f", k, sizeof(k)), 5);
	assert_string_equal(k, "alpha");
	/* refused: invisible formatting characters (zero-width space, a
	 * right-to-left override, BOM), controls, bytes that are not UTF-8 */
	assert_int_equal(util_fold_name("alpha\xe2\x80\x8b", k, sizeof(k)), -2);
	assert_int_equal(util_fold_name("\xe2\x80\xae" "ahpla", k, sizeof(k)),
	    -2);
	assert_int_equal(util_fold_name("\xef\xbb\xbf" "a", k, sizeof(k)), -2);
	assert_int_equal(util_fold_name("a\x1b" "b", k, sizeof(k)), -2);
	assert_int_equal(util_fold_name("a\x7f", k, sizeof(k)), -2);
	assert_int_equal(util_fold_name("a\xc2\x85", k, sizeof(k)), -2);
	assert_int_equal(util_fold_name("a\xff", k, sizeof(k)), -1);
	assert_int_equal(util_fold_name("a\xc3", k, sizeof(k)), -1);
	/* blank only: empty */
	assert_int_equal(util_fold_name(" \t ", k, sizeof(k)), 0);
	assert_string_equal(k, "");
	/* exactly fits (15 bytes + NUL), one more does not; trailing blanks
	 * do not count */
	assert_int_equal(util_fold_name("ABCDEFGHIJKLMNO   ", k, sizeof(k)), 15);
	assert_string_equal(k, "abcdefghijklmno");
	assert_int_equal(util_fold_name("ABCDEFGHIJKLMNOP", k, sizeof(k)), -1);
	assert_string_equal(k, "");
	assert_int_equal(util_fold_name("ABCDEFGHIJKLMN P", k, sizeof(k)), -1);
	assert_int_equal(util_fold_name("x", k, 1), -1);
	assert_int_equal(util_fold_name("", k, 1), 0);
}
