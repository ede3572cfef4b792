/*
 * Unit tests: the proxy backend (BM25 retrieval).  Answers on a hand-made
 * training file, the model and result files, determinism, refusals, the
 * pruned search against an exhaustive one, and - end to end through the
 * materializer, proxy train, proxy eval and the scorer on a synthetic
 * pool - that data chosen to cover the validation set scores clearly
 * higher than random data of the same size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "materialize.h"
#include "pool.h"
#include "proxy.h"
#include "score.h"
#include "testutil.h"
#include "util.h"
#include "tests.h"

/* Hand-made training file: each comment gives the document it makes. */
static const char g_train[] =
    "[\n"
    /* 0: "what color is the car" -> "red" (template removed) */
    "{\"id\":\"vqav2_1\",\"image\":\"coco/a.jpg\",\"conversations\":["
    "{\"from\":\"human\",\"value\":\"<image>\\nWhat color is the car? "
    "Answer the question directly with a short sentence or phrase.\"},"
    "{\"from\":\"gpt\",\"value\":\"red\"}]},\n"
    /* 1: "what color is the sky" -> "blue" ("from" after "value",
     * unknown keys skipped) */
    "{\"id\":\"vqav2_2\",\"extra\":{\"a\":[1,2,{\"b\":null}]},"
    "\"conversations\":[{\"value\":\"What color is the sky?\","
    "\"from\":\"human\",\"x\":true},{\"from\":\"gpt\",\"value\":\"blue\"}]},\n"
    /* 2, 3: a conversation of two rounds; the answer's newlines become
     * spaces and its ends are stripped */
    "{\"id\":\"svit_conversation_0\",\"conversations\":["
    "{\"from\":\"human\",\"value\":\"How many dogs are there?\"},"
    "{\"from\":\"gpt\",\"value\":\"  Three\\nor so \\n\"},"
    "{\"from\":\"human\",\"value\":\"Where are the bicycles?\"},"
    "{\"from\":\"gpt\",\"value\":\"On the sidewalk.\"}]},\n"
    /* a copy of 1's question with another answer: never chosen */
    "{\"id\":\"gqa_9\",\"conversations\":["
    "{\"from\":\"human\",\"value\":\"what COLOR is the sky\"},"
    "{\"from\":\"gpt\",\"value\":\"grey\"}]},\n"
    /* 4: two human turns in a row make one document */
    "{\"id\":\"llava_5\",\"conversations\":["
    "{\"from\":\"human\",\"value\":\"Look at the zebra.\"},"
    "{\"from\":\"human\",\"value\":\"Is it striped?\"},"
    "{\"from\":\"gpt\",\"value\":\"Yes, it is striped.\"}]},\n"
    /* nothing: no conversations, an empty one, only "<image>" */
    "{\"id\":\"coco_1\"},\n"
    "{\"id\":\"coco_2\",\"conversations\":[]},\n"
    "{\"id\":\"coco_3\",\"conversations\":[{\"from\":\"human\","
    "\"value\":\"<image>\"},{\"from\":\"gpt\",\"value\":\"a cat\"}]},\n"
    /* 5: a multiple-choice question (template removed) */
    "{\"id\":\"aokvqa_x\",\"conversations\":[{\"from\":\"human\",\"value\":"
    "\"<image>\\nChoose the correct option for the following question: "
    "What is the kite used for?\\nA. flying\\nB. eating\"},"
    "{\"from\":\"gpt\",\"value\":\"A\"}]}\n"
    "]\n";

static const char *
train_dir(const char *data, struct proxy_stats *st)
{
	static char dir[600];
	const char *tmp = tu_tmpdir();
	char err[512];

	snprintf(dir, sizeof(dir), "%s/model", tmp);
	if (proxy_train(tu_writes(tmp, "train.json", data), dir, st, err,
	    sizeof(err)) != 0)
		fail_msg("train: %s", err);
	return dir;
}

static void
answer_is(struct proxy_model *m, const char *q, int64_t want_doc,
    const char *want)
{
	int64_t doc = -2;
	size_t n;
	const char *a = proxy_model_answer(m, q, strlen(q), &doc, &n);

	if (doc != want_doc || n != strlen(want) || memcmp(a, want, n) != 0)
		fail_msg("'%s': got doc %lld '%.*s', want doc %lld '%s'", q,
		    (long long)doc, (int)n, a, (long long)want_doc, want);
	/* The exhaustive search agrees. */
	a = proxy_model_answer_exhaustive(m, q, strlen(q), &doc, &n);
	assert_int_equal(doc, want_doc);
	assert_memory_equal(a, want, n);
}

void
test_answers(void **state)
{
	struct proxy_stats st;
	const char *dir = train_dir(g_train, &st);
	struct proxy_model *m;
	char err[512];

	assert_int_equal(st.samples, 9);
	assert_int_equal(st.documents, 7);	/* the sky twice */
	assert_int_equal(st.distinct, 6);
	m = proxy_model_load(dir, err, sizeof(err));
	if (m == NULL)
		fail_msg("load: %s", err);
	answer_is(m, "What color is the car?", 0, "red");
	answer_is(m, "<image>\nWhat color is the sky? Answer the question "
	    "directly with a short sentence or phrase.", 1, "blue");
	answer_is(m, "sky", 1, "blue");
	answer_is(m, "how many DOGS", 2, "Three or so");
	answer_is(m, "bicycles", 3, "On the sidewalk.");
	answer_is(m, "is the zebra striped", 4, "Yes, it is striped.");
	answer_is(m, "What is the kite used for?\nA. flying\nB. eating\n"
	    "Answer with the option's letter from the given choices "
	    "directly.", 5, "A");
	/* Words the model never saw: no document, the empty answer. */
	answer_is(m, "quantum chromodynamics", -1, "");
	answer_is(m, "", -1, "");
	answer_is(m, "<image>", -1, "");
	/* "what color is the" ties car and sky: the first document wins. */
	answer_is(m, "what color is the", 0, "red");
	proxy_model_free(m);
}

/* Read a whole file (test helper). */
static char *
slurp(const char *dir, const char *name, size_t *len)
{
	char path[700], err[256], *s;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	s = util_read_small(path, 1u << 30, len, err, sizeof(err));
	if (s == NULL)
		fail_msg("%s", err);
	return s;
}

static const char g_val[] =
    "[{\"question\":\"What color is the car?\",\"image_id\":\"vqa/0\","
    "\"answer\":\"red\"},"
    "{\"question\":\"What is the kite used for?\\nA. flying\\nB. eating\","
    "\"image_id\":\"choice/0\",\"answer\":\"A\"},"
    "{\"question\":\"Quelle\\theure?\",\"image_id\":\"vqa/1\","
    "\"answer\":\"no\"},"
    "{\"question\":\"How many dogs?\",\"image_id\":\"count/0\","
    "\"answer\":\"3\"}]";

/* The model directory, the result files byte for byte, and scoring. */
void
test_files(void **state)
{
	const char *dir = train_dir(g_train, NULL), *tmp = tu_tmpdir();
	char res[600], err[512], *s;
	struct score_val *v;
	struct score_result *r;
	struct score_task t;
	uint64_t n = 0;
	size_t len;
	json_t *j;

	/* Required files; config.json labels the backend. */
	s = slurp(dir, "config.json", &len);
	j = json_loads(s, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "backend")),
	    "proxy");
	assert_string_equal(json_string_value(json_object_get(j,
	    "model_file")), PROXY_MODEL_FILE);
	assert_true(json_real_value(json_object_get(j, "k1")) == 1.2);
	assert_true(json_real_value(json_object_get(j, "b")) == 0.75);
	json_decref(j);
	free(s);
	s = slurp(dir, "trainer_state.json", &len);
	j = json_loads(s, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "global_step")), 9);
	json_decref(j);
	free(s);
	free(slurp(dir, PROXY_MODEL_FILE, &len));

	snprintf(res, sizeof(res), "%s/results", tmp);
	if (proxy_eval(dir, tu_writes(tmp, "val.json", g_val), res, &n, err,
	    sizeof(err)) != 0)
		fail_msg("eval: %s", err);
	assert_int_equal(n, 4);
	/* run_llava_eval's format: one file per task, validation order. */
	s = slurp(res, "vqa.txt", &len);
	assert_string_equal(s,
	    "vqa/0.jpg\tWhat color is the car?\tred\tred\n"
	    "vqa/1.jpg\tQuelle\theure?\tno\t\n");
	free(s);
	s = slurp(res, "choice.txt", &len);
	assert_string_equal(s, "choice/0.jpg\tWhat is the kite used for?\n"
	    "A. flying\nB. eating\tA\tA\n");
	free(s);
	s = slurp(res, "count.txt", &len);
	assert_string_equal(s, "count/0.jpg\tHow many dogs?\t3\tThree or so\n");
	free(s);

	/* The scorer reads them back. */
	v = score_val_load(tu_writes(tmp, "val.json", g_val), NULL, err,
	    sizeof(err));
	assert_non_null(v);
	r = score_dir(v, res, NULL, 0, NULL, err, sizeof(err));
	if (r == NULL)
		fail_msg("score: %s", err);
	score_result_task(r, 0, &t);
	assert_string_equal(t.name, "choice");
	assert_int_equal(t.correct, 1);
	score_result_task(r, 1, &t);
	assert_string_equal(t.name, "count");
	assert_int_equal(t.correct, 0);		/* "Three or so" != "3" */
	score_result_task(r, 2, &t);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.correct, 1);
	assert_int_equal(t.missing, 0);
	score_result_free(r);
	score_val_free(v);
}

/* The same input gives the same bytes; retraining replaces a model. */
void
test_proxy_determinism(void **state)
{
	const char *tmp = tu_tmpdir(), *data, *val;
	char d1[600], d2[600], r1[600], r2[600], err[512];
	char *a, *b;
	size_t la, lb;

	data = tu_writes(tmp, "train.json", g_train);
	val = tu_writes(tmp, "val.json", g_val);
	snprintf(d1, sizeof(d1), "%s/m1", tmp);
	snprintf(d2, sizeof(d2), "%s/m2", tmp);
	snprintf(r1, sizeof(r1), "%s/r1", tmp);
	snprintf(r2, sizeof(r2), "%s/r2", tmp);
	/* m2 first holds a model of other data, then is retrained. */
	assert_int_equal(proxy_train(tu_writes(tmp, "other.json",
	    "[{\"id\":\"a_1\",\"conversations\":[{\"from\":\"human\","
	    "\"value\":\"hi\"},{\"from\":\"gpt\",\"value\":\"ho\"}]}]"), d2,
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(proxy_train(data, d1, NULL, err, sizeof(err)), 0);
	assert_int_equal(proxy_train(data, d2, NULL, err, sizeof(err)), 0);
	a = slurp(d1, PROXY_MODEL_FILE, &la);
	b = slurp(d2, PROXY_MODEL_FILE, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
	a = slurp(d1, "config.json", &la);
	b = slurp(d2, "config.json", &lb);
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(proxy_eval(d1, val, r1, NULL, err, sizeof(err)), 0);
	assert_int_equal(proxy_eval(d2, val, r2, NULL, err, sizeof(err)), 0);
	a = slurp(r1, "vqa.txt", &la);
	b = slurp(r2, "vqa.txt", &lb);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
train_fails(const char *data, const char *want)
{
	const char *tmp = tu_tmpdir();
	char dir[600], err[512];

	snprintf(dir, sizeof(dir), "%s/model", tmp);
	if (proxy_train(tu_writes(tmp, "bad.json", data), dir, NULL, err,
	    sizeof(err)) == 0)
		fail_msg("accepted: %s", data);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err, want);
	/* Nothing that looks like a model is left. */
	snprintf(dir, sizeof(dir), "%s/model/trainer_state.json", tmp);
	assert_int_not_equal(access(dir, F_OK), 0);
}

void
test_proxy_refusals(void **state)
{
	const char *tmp = tu_tmpdir(), *dir;
	char path[700], err[512], *s;
	struct proxy_model *m;
	size_t len;
	FILE *fp;

	train_fails("{}", "byte 0: expected a JSON array");
	train_fails("[{\"id\":\"a\"} {}]", "byte 12: expected ',' or ']'");
	train_fails("[{\"conversations\":[{\"from\":\"human\" \"value\":1}]}]",
	    "expected ',' or '}'");
	train_fails("[{\"conversations\" []}]", "expected ':'");
	train_fails("[] x", "byte 3");
	train_fails("[{\"id\":\"\xff\"}]", "invalid UTF-8");
	train_fails("[[[[", "expected an item object");
	{
		/* Nesting beyond the bound. */
		char deep[400];
		int i, o = 0;

		o += sprintf(deep + o, "[{\"x\":");
		for (i = 0; i < 100; i++)
			deep[o++] = '[';
		deep[o] = '\0';
		train_fails(deep, "nested too deeply");
	}
	snprintf(path, sizeof(path), "%s/none.json", tmp);
	assert_int_not_equal(proxy_train(path, tmp, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "cannot open"));

	/* A damaged model file is refused. */
	dir = train_dir(g_train, NULL);
	s = slurp(dir, PROXY_MODEL_FILE, &len);
	s[len / 2] ^= 1;
	snprintf(path, sizeof(path), "%s/%s", dir, PROXY_MODEL_FILE);
	fp = fopen(path, "wb");
	fwrite(s, 1, len, fp);
	fclose(fp);
	free(s);
	assert_null(m = proxy_model_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "checksum"));
	/* Not a proxy model. */
	tu_writes(dir, "config.json", "{\"backend\": \"llava\"}");
	assert_null(proxy_model_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "not a proxy model"));
	assert_int_not_equal(proxy_eval(dir, tu_writes(tmp, "val.json", g_val),
	    tmp, NULL, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	unlink(path);
	assert_null(proxy_model_load(dir, err, sizeof(err)));
}

/* ---- on a synthetic pool ---- */

static struct pool *g_pool;
static const char *g_pooldir;

static uint64_t
mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* n entries of the pool drawn at random (fixed seed). */
static uint32_t *
random_ids(uint32_t n)
{
	uint32_t total = pool_count(g_pool), i, *all, *ids;
	uint64_t seed = 5;

	all = util_xmalloc(total * sizeof(*all));
	for (i = 0; i < total; i++)
		all[i] = i;
	for (i = 0; i < n; i++) {
		uint32_t j = i + (uint32_t)(mix(&seed) % (total - i)), t = all[i];

		all[i] = all[j];
		all[j] = t;
	}
	ids = util_xmalloc(n * sizeof(*ids));
	memcpy(ids, all, n * sizeof(*ids));
	free(all);
	return ids;
}

/*
 * n entries chosen to cover the validation set: the samples of the
 * datasets that teach its tasks (synth.c: VQAv2, GQA, OCR-VQA, TextVQA,
 * OK-VQA, A-OKVQA, ScienceQA), taken in turn from each until n.
 */
static uint32_t *
covering_ids(uint32_t n)
{
	static const char *const teach[] = { "vqav2", "gqa", "ocrvqa",
	    "textvqa", "okvqa", "aokvqa", "scienceqa" };
	enum { NT = sizeof(teach) / sizeof(teach[0]) };
	uint32_t total = pool_count(g_pool), *ids, got = 0, i;
	uint32_t pos[NT] = { 0 };
	int k, d, progress = 1, dsi[NT];

	for (k = 0; k < NT; k++) {
		dsi[k] = -1;
		for (d = 0; d < (int)pool_ndatasets(g_pool); d++)
			if (strcmp(pool_dataset_name(g_pool, (uint32_t)d),
			    teach[k]) == 0)
				dsi[k] = d;
		assert_int_not_equal(dsi[k], -1);
	}
	ids = util_xmalloc(n * sizeof(*ids));
	while (got < n && progress) {
		progress = 0;
		for (k = 0; k < NT && got < n; k++) {
			/* The next entry of dataset k after pos[k]. */
			for (i = pos[k]; i < total; i++) {
				struct pool_item it;

				pool_get(g_pool, i, &it);
				if ((int)it.dataset == dsi[k])
					break;
			}
			pos[k] = i + 1;
			if (i < total) {
				ids[got++] = i;
				progress = 1;
			}
		}
	}
	assert_int_equal(got, n);
	return ids;
}

/* materialize -> proxy train -> proxy eval -> score; the overall score. */
static double
pipeline(const uint32_t *ids, uint32_t n, const char *name,
    struct score_result **out)
{
	const char *tmp = tu_tmpdir();
	char data[600], model[600], res[600], val[600], err[512];
	struct score_val *v;
	struct score_result *r;
	double overall;

	snprintf(data, sizeof(data), "%s/%s.json", tmp, name);
	snprintf(model, sizeof(model), "%s/%s.model", tmp, name);
	snprintf(res, sizeof(res), "%s/%s.results", tmp, name);
	snprintf(val, sizeof(val), "%s/val.json", g_pooldir);
	if (materialize_ids(g_pool, ids, n, data, err, sizeof(err)) != 0 ||
	    proxy_train(data, model, NULL, err, sizeof(err)) != 0 ||
	    proxy_eval(model, val, res, NULL, err, sizeof(err)) != 0)
		fail_msg("%s: %s", name, err);
	if ((v = score_val_load(val, NULL, err, sizeof(err))) == NULL ||
	    (r = score_dir(v, res, NULL, 0, NULL, err, sizeof(err))) == NULL)
		fail_msg("%s: score: %s", name, err);
	overall = score_result_overall(r);
	score_val_free(v);
	if (out)
		*out = r;
	else
		score_result_free(r);
	return overall;
}

#define SUBSET 2000
#define MARGIN 0.25

void
test_covering_beats_random(void **state)
{
	uint32_t *cov = covering_ids(SUBSET), *rnd = random_ids(SUBSET);
	struct score_result *rc, *rr;
	double sc = pipeline(cov, SUBSET, "covering", &rc);
	double sr = pipeline(rnd, SUBSET, "random", &rr);
	size_t t, wins = 0;

	printf("# proxy on synth(0.01): %d covering samples %.3f, %d random "
	    "%.3f\n", SUBSET, sc, SUBSET, sr);
	for (t = 0; t < score_result_ntasks(rc); t++) {
		struct score_task a, b;

		score_result_task(rc, t, &a);
		score_result_task(rr, t, &b);
		printf("#   %-10s covering %.3f random %.3f\n", a.name, a.score,
		    b.score);
		wins += a.score > b.score;
	}
	/* Clearly higher overall, and on every task. */
	assert_true(sc >= sr + MARGIN);
	assert_int_equal(wins, score_result_ntasks(rc));
	/* Same subset, same score. */
	assert_true(pipeline(cov, SUBSET, "covering2", NULL) == sc);
	score_result_free(rc);
	score_result_free(rr);
	free(cov);
	free(rnd);
}

/* The pruned search finds exactly what scoring every document finds. */
void
test_pruning_is_exact(void **state)
{
	uint32_t *ids = random_ids(6000);
	const char *tmp = tu_tmpdir();
	char data[600], model[600], val[600], err[512];
	const char *extra[] = { "the the the the", "what is the", "is",
	    "image", "What is in the image?", "How many",
	    "Describe the image briefly.", "red blue green", "" };
	struct score_val *v;
	struct proxy_model *m;
	size_t i, k;

	snprintf(data, sizeof(data), "%s/d.json", tmp);
	snprintf(model, sizeof(model), "%s/m", tmp);
	snprintf(val, sizeof(val), "%s/val.json", g_pooldir);
	if (materialize_ids(g_pool, ids, 6000, data, err, sizeof(err)) != 0 ||
	    proxy_train(data, model, NULL, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	m = proxy_model_load(model, err, sizeof(err));
	v = score_val_load(val, NULL, err, sizeof(err));
	assert_non_null(m);
	assert_non_null(v);
	for (i = 0; i < score_val_count(v) + sizeof(extra) / sizeof(extra[0]);
	    i++) {
		const char *q = i < score_val_count(v) ?
		    score_val_question(v, i) : extra[i - score_val_count(v)];
		int64_t d1, d2;
		size_t n1, n2;
		char *a1;
		const char *a;

		a = proxy_model_answer(m, q, strlen(q), &d1, &n1);
		a1 = util_xmalloc(n1 + 1);
		memcpy(a1, a, n1);
		a = proxy_model_answer_exhaustive(m, q, strlen(q), &d2, &n2);
		if (d1 != d2)
			fail_msg("'%s': pruned doc %lld, exhaustive %lld", q,
			    (long long)d1, (long long)d2);
		assert_int_equal(n1, n2);
		assert_memory_equal(a1, a, n1);
		free(a1);
	}
	/* Asking again (the scratch space is reused) changes nothing. */
	for (k = 0; k < 2; k++) {
		int64_t d;
		size_t n;

		proxy_model_answer(m, "what is the", 11, &d, &n);
		assert_true(d >= 0);
	}
	score_val_free(v);
	proxy_model_free(m);
	free(ids);
}

/* The CLI commands. */
void
test_proxy_cli(void **state)
{
	const char *tmp = tu_tmpdir(), *data, *val;
	char model[600], res[600], out[4096];
	int rc;

	data = tu_writes(tmp, "train.json", g_train);
	val = tu_writes(tmp, "val.json", g_val);
	snprintf(model, sizeof(model), "%s/model", tmp);
	snprintf(res, sizeof(res), "%s/res", tmp);
	rc = tu_run((char *const[]){ (char *)tu_bin("dataoptim"), "proxy",
	    "train", "--data", (char *)data, "--out", model, NULL }, out,
	    sizeof(out));
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "9 samples, 7 documents (6 distinct)"));
	rc = tu_run((char *const[]){ (char *)tu_bin("dataoptim"), "proxy",
	    "eval", "--model", model, "--val", (char *)val, "--result-dir",
	    res, NULL }, out, sizeof(out));
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "4 questions answered"));
	rc = tu_run((char *const[]){ (char *)tu_bin("dataoptim"), "score",
	    "--val", (char *)val, "--results", res, NULL }, out, sizeof(out));
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "\"overall\": 0.5"));
	rc = tu_run((char *const[]){ (char *)tu_bin("dataoptim"), "proxy",
	    "eval", "--model", (char *)tmp, "--val", (char *)val,
	    "--result-dir", res, NULL }, out, sizeof(out));
	assert_int_equal(rc, 2);
	rc = tu_run((char *const[]){ (char *)tu_bin("dataoptim"), "proxy",
	    "train", "--data", (char *)data, NULL }, out, sizeof(out));
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "usage"));
}

int
proxy_setup(void **state)
{
	const char *idx;
	char err[512];

	g_pooldir = tu_synth_pool(0.01, &idx);
	g_pool = pool_open(idx, 0, err, sizeof(err));
	if (g_pool == NULL)
		fprintf(stderr, "pool: %s\n", err);
	return g_pool ? 0 : -1;
}

int
proxy_teardown(void **state)
{
	pool_close(g_pool);
	tu_cleanup();
	return 0;
}
