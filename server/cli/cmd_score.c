/*
 * cmd_score: dataoptim score (the scorer) and dataoptim proxy train|eval
 * (the proxy backend).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * Move every "--metric TASK=METRIC[,TASK=METRIC...]" out of argv into map
 * (the strings point into argv, cut at '=' and ','); the remaining
 * arguments are packed to the front of argv.  Returns the count left, or
 * -1 with a message.
 */
static int
cli_take_metrics(int argc, char **argv, struct score_map *map, size_t *nmap)
{
	int i, o = 0;

	*nmap = 0;
	for (i = 0; i < argc; i++) {
		char err[256];

		if (strcmp(argv[i], "--metric") != 0) {
			argv[o++] = argv[i];
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "dataoptim: --metric needs a value\n");
			return -1;
		}
		if (score_map_parse(argv[++i], map, CLI_MAX_METRICS, nmap,
		    err, sizeof(err)) != 0) {
			fprintf(stderr, "dataoptim: --metric %s\n", err);
			return -1;
		}
	}
	return o;
}

int
cli_score(int argc, char **argv)
{
	static const char *const opts[] = { "--val", "--results", NULL };
	static const char *const flags[] = { "--quiet", NULL };
	struct score_map map[CLI_MAX_METRICS];
	struct score_val *val = NULL;
	struct score_result *res = NULL;
	const char *v[2];
	size_t nmap, t;
	char err[1024], *json;
	int quiet, kind = SCORE_EIO, rc;

	if ((argc = cli_take_metrics(argc, argv, map, &nmap)) < 0 ||
	    cli_parse(argc, argv, opts, v, flags, &quiet, NULL) != 0 ||
	    !v[0] || !v[1]) {
		fprintf(stderr, "usage: dataoptim score --val VAL.json --results "
		    "DIR [--metric TASK=vqa|choice|exact ...] [--quiet]\n"
		    "  default metric: choice for tasks named choice*, else "
		    "vqa; TASK '*' sets it for all\n");
		return CLI_ERROR;
	}
	if ((val = score_val_load(v[0], &kind, err, sizeof(err))) == NULL ||
	    (res = score_dir(val, v[1], map, nmap, &kind, err,
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
