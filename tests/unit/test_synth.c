/* Unit tests: synth (the synthetic pool and its validation set). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "synth.h"
#include "testutil.h"
#include "util.h"

#define MAXFILE (256u << 20)

/* The seed README's table, as files (RefCOCO split in two). */
static const struct {
	const char *name;
	uint64_t count, images;
	int examples;		/* items of example-byod.json in the file */
} files[] = {
	{"coco", 414113, 82783, 1},
	{"flickr30k", 145000, 29000, 1},
	{"textcaps", 109765, 21953, 1},
	{"vqav2", 443757, 82783, 1},
	{"okvqa", 9009, 8998, 1},
	{"ocrvqa", 801673, 166041, 1},
	{"gqa", 943000, 72140, 1},
	{"textvqa", 34602, 21953, 1},
	{"aokvqa", 17056, 16540, 1},
	{"scienceqa", 6218, 6218, 0},
	{"ref3rec", 143802, 24407, 1},
	{"ref3reg", 143802, 24407, 1},
	{"shikra", 5922, 883, 1},
	{"llava", 157712, 81479, 1},
	{"svit", 2992799, 108076, 4},
};
#define NFILES (sizeof(files) / sizeof(files[0]))

/* The datasets whose samples teach the val tasks. */
static const char *const teachers[] = {
	"vqav2", "gqa", "okvqa", "ocrvqa", "textvqa", "aokvqa", "scienceqa",
};

static const char VQA_SUFFIX[] =
    " Answer the question directly with a short sentence or phrase.";
static const char AOK_PREFIX[] =
    "<image>\nChoose the correct option for the following question: ";
static const char CHOICE_SUFFIX[] =
    "\nAnswer with the option's letter from the given choices directly.";

static uint64_t
expected_count(size_t f, double scale)
{
	uint64_t n = (uint64_t)((double)files[f].count * scale + 0.5);
	uint64_t floor = (uint64_t)files[f].examples + (files[f].examples > 0);

	floor = floor ? floor : 1;

	return n < floor ? floor : n;
}

/* A fresh pool; returns its directory. */
static const char *
make_pool(double scale, uint64_t seed)
{
	const char *dir = tu_tmpdir();
	char err[512];

	if (synth_pool(dir, scale, seed, err, sizeof(err)) != 0)
		fail_msg("synth_pool(%g): %s", scale, err);
	return dir;
}

static char *
slurp(const char *dir, const char *name, size_t *len)
{
	char path[600], err[512];
	char *s;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	s = util_read_small(path, MAXFILE, len, err, sizeof(err));
	if (s == NULL)
		fail_msg("%s", err);
	return s;
}

static json_t *
load(const char *dir, const char *name)
{
	char path[600];
	json_error_t je;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	j = json_load_file(path, 0, &je);
	if (j == NULL)
		fail_msg("%s: %s (line %d)", path, je.text, je.line);
	assert_true(json_is_array(j));
	return j;
}

/* Items of data/<name>.json, checking the layout: "[\n", one item per
 * line joined by ",\n", "\n]\n". */
static uint64_t
count_items(const char *dir, const char *name)
{
	char rel[128];
	size_t len, k;
	uint64_t lines = 0;
	char *s;

	snprintf(rel, sizeof(rel), "data/%s.json", name);
	s = slurp(dir, rel, &len);
	assert_true(len >= 4);
	assert_memory_equal(s, "[\n", 2);
	assert_memory_equal(s + len - 3, "\n]\n", 3);
	for (k = 0; k < len; k++)
		if (s[k] == '\n') {
			lines++;
			if (k + 1 < len && s[k + 1] != ']')
				assert_int_equal(s[k + 1], '{');
		}
	free(s);
	return lines - 2;
}

static void
check_counts(double scale)
{
	const char *dir = make_pool(scale, 42);
	uint64_t sum = 0, want = 0, n;
	size_t f;

	for (f = 0; f < NFILES; f++) {
		n = count_items(dir, files[f].name);
		if (n != expected_count(f, scale))
			fail_msg("%s at %g: %llu items, want %llu",
			    files[f].name, scale, (unsigned long long)n,
			    (unsigned long long)expected_count(f, scale));
		sum += n;
		want += expected_count(f, scale);
	}
	assert_int_equal(sum, want);
}

static void
test_counts(void **state)
{
	uint64_t total = 0;
	size_t f;

	for (f = 0; f < NFILES; f++)
		total += expected_count(f, 1.0);
	assert_int_equal(total, 6368230);	/* the README's 6.37M */
	check_counts(0.001);
	check_counts(0.01);
	check_counts(0.00003);	/* most files at their floor */
}

static void
test_determinism(void **state)
{
	const char *a = make_pool(0.001, 42), *b = make_pool(0.001, 42);
	const char *c = make_pool(0.001, 43);
	char rel[128];
	size_t f, la, lb, lc, ndiff = 0;
	char *sa, *sb, *sc;

	for (f = 0; f <= NFILES; f++) {
		if (f < NFILES)
			snprintf(rel, sizeof(rel), "data/%s.json",
			    files[f].name);
		else
			snprintf(rel, sizeof(rel), "val.json");
		sa = slurp(a, rel, &la);
		sb = slurp(b, rel, &lb);
		sc = slurp(c, rel, &lc);
		assert_int_equal(la, lb);
		assert_memory_equal(sa, sb, la);
		ndiff += la != lc || memcmp(sa, sc, la) != 0;
		free(sa);
		free(sb);
		free(sc);
	}
	/* Another seed, another world: every file changes. */
	assert_int_equal(ndiff, NFILES + 1);
}

/* An item of data/<prefix>.json by ID (a borrowed reference). */
static json_t *
find_item(json_t *byfile, const char *dir, const char *id)
{
	char name[64], rel[128];
	json_t *arr, *it;
	size_t n = strcspn(id, "_"), i;

	snprintf(name, sizeof(name), "%.*s", (int)n, id);
	if ((arr = json_object_get(byfile, name)) == NULL) {
		snprintf(rel, sizeof(rel), "data/%s.json", name);
		arr = load(dir, rel);
		json_object_set_new(byfile, name, arr);
	}
	json_array_foreach(arr, i, it)
		if (strcmp(json_string_value(json_object_get(it, "id")),
		    id) == 0)
			return it;
	return NULL;
}

static void
check_examples(double scale)
{
	const char *dir = make_pool(scale, 7);
	json_t *ex = load(tu_shared(""), "example-byod.json");
	json_t *byfile = json_object(), *e, *it;
	char *list, *line, *save = NULL;
	size_t i, len;

	assert_int_equal(json_array_size(ex), 17);
	json_array_foreach(ex, i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));

		it = find_item(byfile, dir, id);
		if (it == NULL)
			fail_msg("%s missing at scale %g", id, scale);
		assert_true(json_equal(it, e));
	}
	list = slurp(tu_shared(""), "example-standard.txt", &len);
	for (line = strtok_r(list, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save))
		if (find_item(byfile, dir, line) == NULL)
			fail_msg("%s missing at scale %g", line, scale);
	free(list);
	json_decref(byfile);
	json_decref(ex);
}

static void
test_examples_verbatim(void **state)
{
	check_examples(0.001);
	check_examples(0.00003);	/* example IDs replace the last items */
	check_examples(1e-7);
}

/* Every item of every file follows the LLaVA loader's rules. */
static void
test_items_wellformed(void **state)
{
	const double scale = 0.001;
	const char *dir = make_pool(scale, 42);
	json_t *seen = json_object(), *images, *arr, *it, *conv, *t;
	char rel[128], prefix[80];
	size_t f, i, k;
	uint64_t want;

	for (f = 0; f < NFILES; f++) {
		snprintf(rel, sizeof(rel), "data/%s.json", files[f].name);
		snprintf(prefix, sizeof(prefix), "%s_", files[f].name);
		arr = load(dir, rel);
		images = json_object();
		json_array_foreach(arr, i, it) {
			const char *id = json_string_value(
			    json_object_get(it, "id"));
			const char *img = json_string_value(
			    json_object_get(it, "image"));

			assert_non_null(id);
			assert_true(strncmp(id, prefix, strlen(prefix)) == 0);
			assert_null(json_object_get(seen, id));
			json_object_set_new(seen, id, json_true());
			assert_non_null(img);
			assert_true(img[0] != '/');
			assert_null(strstr(img, ".."));
			assert_null(strchr(img, '\\'));
			assert_non_null(strchr(img, '/'));
			json_object_set_new(images, img, json_true());
			conv = json_object_get(it, "conversations");
			assert_true(json_array_size(conv) >= 2 &&
			    json_array_size(conv) % 2 == 0 &&
			    json_array_size(conv) <= 16);
			json_array_foreach(conv, k, t) {
				const char *from = json_string_value(
				    json_object_get(t, "from"));
				const char *v = json_string_value(
				    json_object_get(t, "value"));
				const char *im;

				assert_string_equal(from, k % 2 ? "gpt" :
				    "human");
				assert_non_null(v);
				assert_true(v[0] != '\0');
				assert_null(strstr(v, "</s>"));
				assert_null(strstr(v, "[/INST]"));
				assert_null(strstr(v, " ASSISTANT: "));
				im = strstr(v, "<image>");
				if (k == 0) {
					assert_non_null(im);
					assert_null(strstr(im + 1, "<image>"));
				} else
					assert_null(im);
			}
		}
		/* Distinct images: the table's ratio (plus example images). */
		want = (uint64_t)((double)files[f].images * scale + 0.5);
		if (want < 1)
			want = 1;
		if (want > expected_count(f, scale))
			want = expected_count(f, scale);
		assert_true(json_object_size(images) +
		    (size_t)files[f].examples >= want);
		assert_true(json_object_size(images) <=
		    want + (size_t)files[f].examples);
		json_decref(images);
		json_decref(arr);
	}
	json_decref(seen);
}

static void
check_val(double scale, size_t want_min, size_t want_max)
{
	const char *dir = make_pool(scale, 42);
	json_t *val = load(dir, "val.json"), *v, *tasks = json_object();
	size_t i;

	assert_true(json_array_size(val) >= want_min);
	assert_true(json_array_size(val) <= want_max);
	json_array_foreach(val, i, v) {
		const char *q = json_string_value(json_object_get(v,
		    "question"));
		const char *id = json_string_value(json_object_get(v,
		    "image_id"));
		const char *a = json_string_value(json_object_get(v,
		    "answer"));
		char task[32];

		assert_int_equal(json_object_size(v), 3);
		assert_true(q != NULL && q[0] != '\0');
		assert_true(a != NULL && a[0] != '\0');
		assert_non_null(id);
		assert_non_null(strchr(id, '/'));
		snprintf(task, sizeof(task), "%.*s", (int)strcspn(id, "/"), id);
		json_object_set_new(tasks, task, json_true());
	}
	assert_non_null(json_object_get(tasks, "vqa"));
	assert_non_null(json_object_get(tasks, "count"));
	assert_non_null(json_object_get(tasks, "ocr"));
	assert_non_null(json_object_get(tasks, "knowledge"));
	assert_non_null(json_object_get(tasks, "choice"));
	json_decref(tasks);
	json_decref(val);
}

static void
test_val_shape(void **state)
{
	check_val(0.001, 300, 300);
	check_val(0.01, 500, 500);
	check_val(0.00003, 300, 300);
}

/*
 * The property the proxy's scores rest on: every val question is asked,
 * word for word and with its answer, by a sample of a teaching dataset,
 * while no sample of the other datasets asks it.
 */
static void
test_val_covered(void **state)
{
	const char *dir = make_pool(0.01, 42);
	json_t *qa = json_object(), *other = json_object();
	json_t *val, *arr, *it, *conv;
	char rel[128], *key;
	size_t f, i, k, n, covered = 0;
	int teach;

	for (f = 0; f < NFILES; f++) {
		snprintf(rel, sizeof(rel), "data/%s.json", files[f].name);
		arr = load(dir, rel);
		for (teach = 0, k = 0; k < sizeof(teachers) / sizeof(*teachers);
		    k++)
			teach |= strcmp(teachers[k], files[f].name) == 0;
		json_array_foreach(arr, i, it) {
			const char *h, *g, *p = NULL;
			size_t glen;
			json_t *had;

			conv = json_object_get(it, "conversations");
			h = json_string_value(json_object_get(
			    json_array_get(conv, 0), "value"));
			g = json_string_value(json_object_get(
			    json_array_get(conv, 1), "value"));
			if (strncmp(h, "<image>\n", 8) == 0 && !teach) {
				json_object_set_new(other, h + 8, json_true());
				continue;
			}
			if (!teach)
				continue;
			/* The question as val words it, and the answer. */
			key = util_xstrdup(h);
			n = strlen(key);
			if (strncmp(h, AOK_PREFIX, strlen(AOK_PREFIX)) == 0) {
				memmove(key, key + sizeof(AOK_PREFIX) - 1,
				    n - sizeof(AOK_PREFIX) + 2);
				key[strlen(key) - 1] = '\0';	/* final \n */
			} else if ((p = strstr(h, "\nQuestion: ")) != NULL) {
				char *o;

				memmove(key, p + 11, strlen(p + 11) + 1);
				if ((o = strstr(key, "\nOptions: ")) != NULL)
					memmove(o + 1, o + 10,
					    strlen(o + 10) + 1);
				assert_memory_equal(g, "The answer is ", 14);
				g += 14;	/* "X." */
				assert_int_equal(strlen(g), 2);
			} else if (n > sizeof(VQA_SUFFIX) - 1 + 8 &&
			    strcmp(key + n - (sizeof(VQA_SUFFIX) - 1),
			    VQA_SUFFIX) == 0) {
				key[n - (sizeof(VQA_SUFFIX) - 1)] = '\0';
				memmove(key, key + 8, strlen(key + 8) + 1);
			}
			glen = p != NULL ? 1 : strlen(g);
			/* One question, one answer, or null when the pool
			 * gives it several (fine, if val never asks it). */
			had = json_object_get(qa, key);
			if (had == NULL)
				json_object_set_new(qa, key,
				    json_stringn(g, glen));
			else if (json_is_string(had) &&
			    (strlen(json_string_value(had)) != glen ||
			    memcmp(json_string_value(had), g, glen) != 0))
				json_object_set_new(qa, key, json_null());
			free(key);
		}
		json_decref(arr);
	}
	val = load(dir, "val.json");
	json_array_foreach(val, i, it) {
		const char *vq = json_string_value(json_object_get(it,
		    "question"));
		const char *a = json_string_value(json_object_get(it,
		    "answer"));
		char q[1024];
		size_t ql = strlen(vq), sl = sizeof(CHOICE_SUFFIX) - 1;
		json_t *got;

		/* Choice questions end with LLaVA's letter prompt. */
		snprintf(q, sizeof(q), "%s", vq);
		if (ql > sl && strcmp(q + ql - sl, CHOICE_SUFFIX) == 0) {
			q[ql - sl] = '\0';
			assert_int_equal(strlen(a), 1);
			assert_true(a[0] >= 'A' && a[0] <= 'D');
		}
		got = json_object_get(qa, q);

		if (got == NULL)
			fail_msg("val question not asked by its dataset: %s", q);
		if (!json_is_string(got))
			fail_msg("the pool answers %s in several ways", q);
		if (strcmp(json_string_value(got), a) != 0)
			fail_msg("%s: pool says %s, val %s", q,
			    json_string_value(got), a);
		assert_null(json_object_get(other, q));
		covered++;
	}
	assert_int_equal(covered, json_array_size(val));
	json_decref(val);
	json_decref(qa);
	json_decref(other);
}

static void
test_refusals(void **state)
{
	const char *dir = tu_tmpdir();
	char err[256], path[600];

	assert_int_equal(synth_pool(dir, 0, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "scale"));
	assert_int_equal(synth_pool(dir, -1, 1, err, sizeof(err)), -1);
	assert_int_equal(synth_pool(dir, NAN, 1, err, sizeof(err)), -1);
	assert_int_equal(synth_pool(dir, 5, 1, err, sizeof(err)), -1);
	snprintf(path, sizeof(path), "%s/file", dir);
	tu_writes(dir, "file", "x");
	assert_int_equal(synth_pool(path, 0.001, 1, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
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
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_examples_verbatim),
		cmocka_unit_test(test_items_wellformed),
		cmocka_unit_test(test_val_shape),
		cmocka_unit_test(test_val_covered),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
