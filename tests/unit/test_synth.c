/* Unit tests: synth (the synthetic pool and its validation set), with
 * the seed table and the later one. */
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
#include "tests.h"

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

void
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

void
test_synth_determinism(void **state)
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

void
test_examples_verbatim(void **state)
{
	check_examples(0.001);
	check_examples(0.00003);	/* example IDs replace the last items */
	check_examples(1e-7);
}

/*
 * An item follows the LLaVA loader's rules: its ID starts with prefix and
 * is new to seen; an image (then added to images) is a relative path with
 * a folder, and its first human turn holds one <image>; without one, no
 * turn has <image>.
 */
static void
check_item(json_t *it, const char *prefix, json_t *seen, json_t *images)
{
	const char *id = json_string_value(json_object_get(it, "id"));
	const char *img = json_string_value(json_object_get(it, "image"));
	json_t *conv, *t;
	size_t k;

	assert_non_null(id);
	assert_true(strncmp(id, prefix, strlen(prefix)) == 0);
	assert_null(json_object_get(seen, id));
	json_object_set_new(seen, id, json_true());
	if (img != NULL) {
		assert_true(img[0] != '/');
		assert_null(strstr(img, ".."));
		assert_null(strchr(img, '\\'));
		assert_non_null(strchr(img, '/'));
		json_object_set_new(images, img, json_true());
	}
	conv = json_object_get(it, "conversations");
	assert_true(json_array_size(conv) >= 2 &&
	    json_array_size(conv) % 2 == 0 && json_array_size(conv) <= 16);
	json_array_foreach(conv, k, t) {
		const char *from = json_string_value(json_object_get(t,
		    "from"));
		const char *v = json_string_value(json_object_get(t, "value"));
		const char *im;

		assert_string_equal(from, k % 2 ? "gpt" : "human");
		assert_non_null(v);
		assert_true(v[0] != '\0');
		assert_null(strstr(v, "</s>"));
		assert_null(strstr(v, "[/INST]"));
		assert_null(strstr(v, " ASSISTANT: "));
		im = strstr(v, "<image>");
		if (k == 0 && img != NULL) {
			assert_non_null(im);
			assert_null(strstr(im + 1, "<image>"));
		} else
			assert_null(im);
	}
}

/* Every item of every file follows the LLaVA loader's rules. */
void
test_items_wellformed(void **state)
{
	const double scale = 0.001;
	const char *dir = make_pool(scale, 42);
	json_t *seen = json_object(), *images, *arr, *it;
	char rel[128], prefix[80];
	size_t f, i;
	uint64_t want;

	for (f = 0; f < NFILES; f++) {
		snprintf(rel, sizeof(rel), "data/%s.json", files[f].name);
		snprintf(prefix, sizeof(prefix), "%s_", files[f].name);
		arr = load(dir, rel);
		images = json_object();
		json_array_foreach(arr, i, it) {
			assert_non_null(json_object_get(it, "image"));
			check_item(it, prefix, seen, images);
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

void
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
void
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

/* The later README's table (RefCOCO as its two prefixes), and the files
 * of each prefix as the later table lays them out. */
static const struct {
	const char *prefix;
	uint64_t count;
	int examples;
	const char *files[3];
} later[] = {
	{"coco", 414113, 1, {"captioning/COCO-caption-train2014.json"}},
	{"flickr30k", 145000, 1, {"captioning/Flickr30K-karpathy-train.json"}},
	{"textcaps", 109765, 1, {"captioning/TextCaps.json"}},
	{"textocr", 25114, 0, {"captioning/TextOCR-GPT4V.json"}},
	{"vqav2", 443757, 1, {"vqa/VQAv2.json"}},
	{"okvqa", 9009, 1, {"vqa/OK-VQA.json"}},
	{"ocrvqa", 801673, 1, {"vqa/OCR-VQA.json"}},
	{"gqa", 943000, 1, {"vqa/GQA.json"}},
	{"textvqa", 34602, 1, {"vqa/TextVQA.json"}},
	{"aokvqa", 17056, 1, {"vqa/A-OKVQA.json"}},
	{"scienceqa", 6218, 0, {"vqa/ScienceQA.json"}},
	{"vgqa", 1445322, 0, {"vqa/VGQA/part-1.json", "vqa/VGQA/part-2.json"}},
	{"docvqa", 39463, 0, {"vqa/DocVQA.json"}},
	{"dvqa", 2325316, 0, {"vqa/DVQA/part-1.json", "vqa/DVQA/part-2.json",
	    "vqa/DVQA/part-3.json"}},
	{"ref3rec", 143802, 1, {"grounding/RefCOCO-rec.json"}},
	{"ref3reg", 143802, 1, {"grounding/RefCOCO-reg.json"}},
	{"shikra", 5922, 1, {"grounding/Shikra-RD.json"}},
	{"llava", 157712, 1, {"gpt4/LLaVA-Instruct-150K.json"}},
	{"svit", 2992799, 4, {"gpt4/SVIT/part-1.json", "gpt4/SVIT/part-2.json"}},
	{"sharegpt4v", 102025, 0, {"gpt4v/ShareGPT-4V.json"}},
	{"llava15", 665298, 0, {"mixed/llava_v1_5_mix665k.json"}},
};
#define NLATER (sizeof(later) / sizeof(later[0]))

/* The image folders of the later README's tree, as it spells them. */
static const char *const later_folders[] = {
	"coco/", "coco_2017/", "docvqa/", "dvqa/", "filckr30k/",
	"llava/llava_pretrain/images/", "ocrvqa/", "open_images/",
	"sam/images/", "scienceqa/", "share_textvqa/images/", "visual_genome/",
	"web-celebrity/images/", "web-landmark/images/", "wikiart/images/",
};
#define NFOLDERS (sizeof(later_folders) / sizeof(later_folders[0]))

static uint64_t
later_count(size_t d, double scale)
{
	uint64_t n = (uint64_t)((double)later[d].count * scale + 0.5);
	uint64_t floor = (uint64_t)later[d].examples + 1;

	return n < floor ? floor : n;
}

static const char *
make_later(double scale, uint64_t seed)
{
	const char *dir = tu_tmpdir();
	char err[512];

	if (synth_pool_table(dir, "later", scale, seed, err, sizeof(err)) != 0)
		fail_msg("synth_pool_table(later, %g): %s", scale, err);
	return dir;
}

/* Issue 11, item 6: the later table's 20 datasets with their counts, in
 * subfolders under names that are not their prefixes, a dataset split
 * over files in equal parts, images in the README tree's folders. */
void
test_later_table(void **state)
{
	const double scale = 0.005;
	const char *dir = make_later(scale, 42);
	json_t *ex = load(tu_shared(""), "example-byod.json");
	json_t *seen = json_object(), *exids = json_object(), *arr, *it, *e;
	unsigned used[NFOLDERS] = {0};
	uint64_t total = 0, n, parts[3];
	char rel[300], prefix[80], own[96];
	size_t d, k, i, m, np;
	int noimage = 0;

	for (d = 0; d < NLATER; d++)
		total += (uint64_t)((double)later[d].count + 0.5);
	assert_int_equal(total, 10970768);	/* the rows of the README */
	json_array_foreach(ex, i, e)
		json_object_set_new(exids, json_string_value(json_object_get(e,
		    "id")), json_true());
	for (d = 0; d < NLATER; d++) {
		snprintf(prefix, sizeof(prefix), "%s_", later[d].prefix);
		snprintf(own, sizeof(own), "/%s.json", later[d].prefix);
		n = 0;
		for (np = 0; np < 3 && later[d].files[np]; np++) {
			json_t *images = json_object();

			snprintf(rel, sizeof(rel), "data/%s", later[d].files[np]);
			/* not named after its prefix */
			assert_null(strstr(rel, own));
			arr = load(dir, rel);
			json_array_foreach(arr, i, it) {
				const char *img = json_string_value(
				    json_object_get(it, "image"));
				const char *id = json_string_value(
				    json_object_get(it, "id"));

				check_item(it, prefix, seen, images);
				if (img == NULL) {
					noimage++;
					assert_string_equal(later[d].prefix,
					    "llava15");
					continue;
				}
				for (k = 0; k < NFOLDERS && strncmp(img,
				    later_folders[k], strlen(later_folders[k]));
				    k++)
					;
				/* example-byod.json's spelling, its items only */
				if (k == NFOLDERS) {
					assert_true(strncmp(img, "flickr30k/",
					    10) == 0);
					assert_non_null(json_object_get(exids, id));
				} else
					used[k]++;
			}
			parts[np] = json_array_size(arr);
			n += parts[np];
			json_decref(images);
			json_decref(arr);
		}
		if (n != later_count(d, scale))
			fail_msg("%s: %llu items, want %llu", later[d].prefix,
			    (unsigned long long)n,
			    (unsigned long long)later_count(d, scale));
		for (m = 1; m < np; m++)	/* equal parts */
			assert_true(parts[m] - parts[0] <= 1);
	}
	for (k = 0; k < NFOLDERS; k++)
		if (used[k] == 0)
			fail_msg("no image in %s", later_folders[k]);
	assert_true(noimage > 0);
	json_decref(exids);
	json_decref(seen);
	json_decref(ex);
}

/* The later table is deterministic too, and the seed table is not
 * affected by it (its files are where they were). */
void
test_later_determinism(void **state)
{
	const char *a = make_later(0.001, 5), *b = make_later(0.001, 5);
	const char *rels[] = { "data/vqa/DVQA/part-2.json",
	    "data/mixed/llava_v1_5_mix665k.json", "data/gpt4v/ShareGPT-4V.json",
	    "val.json" };
	char err[256], path[600];
	struct stat st;
	size_t k, la, lb;
	char *sa, *sb;

	for (k = 0; k < sizeof(rels) / sizeof(rels[0]); k++) {
		sa = slurp(a, rels[k], &la);
		sb = slurp(b, rels[k], &lb);
		assert_int_equal(la, lb);
		assert_memory_equal(sa, sb, la);
		free(sa);
		free(sb);
	}
	snprintf(path, sizeof(path), "%s/data/coco.json", a);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(synth_pool_table(a, "nope", 0.001, 1, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown table 'nope' (seed or later)"));
}

void
test_synth_refusals(void **state)
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

int
synth_teardown(void **state)
{
	tu_cleanup();
	return 0;
}
