/*
 * cmd_score: dataoptim score (the scorer) and dataoptim proxy train|eval
 * (the proxy backend).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "proxy.h"
#include "score.h"
#include "util.h"

#define CLI_MAX_METRICS 256

/* Exit status for a scorer error kind. */
static int
cli_score_status(int kind)
{
	return kind == SCORE_EFORMAT ? CLI_INVALID : CLI_ERROR;
}

/* The metric overrides of one dataoptim score, in command-line order. */
struct cli_metrics {
	struct score_map map[CLI_MAX_METRICS];
	size_t n;
};

/* cli_each_fn of "--metric TASK=METRIC[,TASK=METRIC...]": its entries
 * into the map (pointing into value, cut at '=' and ','). */
static int
cli_score_metric(void *ctx, char *value)
{
	struct cli_metrics *m = ctx;
	char err[256];

	if (score_map_parse(value, m->map, CLI_MAX_METRICS, &m->n, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim: --metric %s\n", err);
		return -1;
	}
	return 0;
}

int
cli_score(int argc, char **argv)
{
	struct cli_metrics m = { .n = 0 };
	struct score_val *val = NULL;
	struct score_result *res = NULL;
	const char *v[2];
	size_t t;
	char err[1024], *json;
	int quiet, kind = SCORE_EIO, rc;
	const struct cli_opt opts[] = {
		CLI_VALUE("--val", &v[0]),
		CLI_VALUE("--results", &v[1]),
		CLI_FLAG("--quiet", &quiet),
		CLI_EACH("--metric", cli_score_metric, &m),
	};

	if (cli_parse_ex(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    NULL) != 0 || !v[0] || !v[1]) {
		fprintf(stderr, "usage: dataoptim score --val VAL.json --results "
		    "DIR [--metric TASK=vqa|choice|exact ...] [--quiet]\n"
		    "  default metric: choice for tasks named choice*, else "
		    "vqa; TASK '*' sets it for all\n");
		return CLI_ERROR;
	}
	if ((val = score_val_load(v[0], &kind, err, sizeof(err))) == NULL ||
	    (res = score_dir(val, v[1], m.map, m.n, &kind, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "dataoptim: score: %s\n", err);
		rc = cli_score_status(kind);
		goto out;
	}
	for (t = 0; t < score_result_ntasks(res) && !quiet; t++) {
		struct score_task st;

		score_result_task(res, t, &st);
		if (st.file_missing)
			fprintf(stderr, "dataoptim: score: warning: %s/%s.txt is "
			    "missing: its %llu items count as wrong\n", v[1],
			    st.name, (unsigned long long)st.n);
		else if (st.missing)
			fprintf(stderr, "dataoptim: score: warning: task %s: "
			    "%llu of %llu items have no answer (counted "
			    "wrong)\n", st.name, (unsigned long long)st.missing,
			    (unsigned long long)st.n);
	}
	json = score_result_json(res);
	printf("%s\n", json);
	free(json);
	rc = CLI_OK;
out:
	score_result_free(res);
	score_val_free(val);
	return rc;
}

int
cli_proxy_train(int argc, char **argv)
{
	static const char *const opts[] = { "--data", "--out", NULL };
	struct proxy_stats st;
	const char *v[2];
	uint64_t t0 = util_now_ns();
	char err[1024];

	if (cli_parse(argc, argv, opts, v, NULL, NULL, NULL) != 0 || !v[0] ||
	    !v[1]) {
		fprintf(stderr, "usage: dataoptim proxy train --data TRAIN.json "
		    "--out MODEL_DIR\n");
		return CLI_ERROR;
	}
	if (proxy_train(v[0], v[1], &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim: proxy train: %s\n", err);
		return CLI_ERROR;
	}
	printf("proxy model: %llu samples, %llu documents (%llu distinct), "
	    "%llu terms, written to %s in %.3f s\n",
	    (unsigned long long)st.samples, (unsigned long long)st.documents,
	    (unsigned long long)st.distinct, (unsigned long long)st.terms,
	    v[1], (double)(util_now_ns() - t0) / 1e9);
	return CLI_OK;
}

int
cli_proxy_eval(int argc, char **argv)
{
	static const char *const opts[] = { "--model", "--val", "--result-dir",
	    NULL };
	const char *v[3];
	uint64_t t0 = util_now_ns();
	uint64_t n = 0;
	char err[1024];

	if (cli_parse(argc, argv, opts, v, NULL, NULL, NULL) != 0 || !v[0] ||
	    !v[1] || !v[2]) {
		fprintf(stderr, "usage: dataoptim proxy eval --model MODEL_DIR "
		    "--val VAL.json --result-dir DIR\n");
		return CLI_ERROR;
	}
	if (proxy_eval(v[0], v[1], v[2], &n, err, sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim: proxy eval: %s\n", err);
		return CLI_ERROR;
	}
	printf("proxy eval: %llu questions answered into %s in %.3f s\n",
	    (unsigned long long)n, v[2], (double)(util_now_ns() - t0) / 1e9);
	return CLI_OK;
}
