/*
 * cmd_validate: dataoptim validate and dataoptim materialize.
 *
 * validate prints the report of vresult_print() (or, with --json, the
 * object of vresult_to_json(), with "kind" added): errors and warnings,
 * the first 100 of each and their counts.  Its exit status is CLI_OK for a
 * valid file, warnings or not (a warning never rejects a file), and
 * CLI_INVALID when there is at least one error.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byod.h"
#include "cli.h"
#include "materialize.h"
#include "pool.h"
#include "stdval.h"
#include "util.h"
#include "vresult.h"

/* Parse a non-negative integer option; -1 if malformed. */
static int
cli_u64(const char *name, const char *s, uint64_t *out)
{
	char *end;

	if (s == NULL)
		return 0;
	*out = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0' || s[0] == '-') {
		fprintf(stderr, "dataoptim: %s must be a non-negative integer, "
		    "got '%s'\n", name, s);
		return -1;
	}
	return 0;
}

int
cli_validate_run(const char *pool_path, const char *kind, uint64_t budget,
    uint64_t max_bytes, const char *image_root, const char *file, int json,
    int quiet_ok, FILE *fp)
{
	const char *roots[2] = { NULL, NULL };
	int rc = CLI_ERROR;
	struct vresult res;
	struct pool *pool = NULL;
	char err[1024];

	vresult_init(&res);
	if (pool_path && (pool = pool_open(pool_path, 0, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "dataoptim: %s\n", err);
		return CLI_ERROR;
	}
	if (strcmp(kind, "standard") == 0) {
		if (stdval_file(pool, file, budget, &res, NULL, NULL, err,
		    sizeof(err)) != 0)
			goto ioerr;
	} else {
		struct byod_limits lim;

		memset(&lim, 0, sizeof(lim));
		lim.max_items = budget;
		lim.max_bytes = max_bytes;
		roots[0] = image_root;
		lim.image_roots = roots;
		if (byod_file(pool, file, &lim, &res, err, sizeof(err)) != 0)
			goto ioerr;
	}
	if (json && (!quiet_ok || res.n_errors)) {
		json_t *o = vresult_to_json(&res);

		json_object_set_new(o, "kind", json_string(kind));
		json_dumpf(o, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputs("\n", fp);
		json_decref(o);
	} else if (!quiet_ok || res.n_errors)
		vresult_print(&res, kind, fp);
	rc = res.n_errors ? CLI_INVALID : CLI_OK;
	goto out;
ioerr:
	fprintf(stderr, "dataoptim: %s\n", err);
out:
	vresult_clear(&res);
	pool_close(pool);
	return rc;
}

int
cli_validate(int argc, char **argv)
{
	static const char *const opts[] = { "--pool", "--kind", "--budget",
	    "--max-bytes", "--image-root", NULL };
	static const char *const flags[] = { "--json", NULL };
	const char *v[5], *file = NULL;
	uint64_t budget = 0, max_bytes = 0;
	int json;

	if (cli_parse(argc, argv, opts, v, flags, &json, &file) != 0 ||
	    !v[1] || !file || (strcmp(v[1], "standard") != 0 &&
	    strcmp(v[1], "byod") != 0) || (!v[0] && strcmp(v[1], "standard") == 0) ||
	    cli_u64("--budget", v[2], &budget) != 0 ||
	    cli_u64("--max-bytes", v[3], &max_bytes) != 0) {
		fprintf(stderr, "usage: dataoptim validate --pool POOL.idx --kind "
		    "standard|byod [--budget N] [--json] FILE\n"
		    "  byod also: [--max-bytes N] [--image-root PREFIX]\n");
		return CLI_ERROR;
	}
	return cli_validate_run(v[0], v[1], budget, max_bytes, v[4], file,
	    json, 0, stdout);
}

int
cli_materialize(int argc, char **argv)
{
	static const char *const opts[] = { "--pool", "--ids", "--out", NULL };
	const char *v[3];
	struct vresult res;
	struct pool *pool = NULL;
	uint32_t *ids = NULL;
	uint64_t n = 0, t0 = util_now_ns();
	char err[1024];
	int rc = CLI_ERROR;

	if (cli_parse(argc, argv, opts, v, NULL, NULL, NULL) != 0 || !v[0] ||
	    !v[1] || !v[2]) {
		fprintf(stderr, "usage: dataoptim materialize --pool POOL.idx "
		    "--ids FILE --out OUT.json\n");
		return CLI_ERROR;
	}
	vresult_init(&res);
	if ((pool = pool_open(v[0], 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dataoptim: %s\n", err);
		goto out;
	}
	if (stdval_file(pool, v[1], 0, &res, &ids, &n, err, sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim: %s\n", err);
		goto out;
	}
	if (res.n_errors) {
		vresult_print(&res, "standard", stderr);
		rc = CLI_INVALID;
		goto out;
	}
	if (materialize_ids(pool, ids, n, v[2], err, sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim: materialize: %s\n", err);
		goto out;
	}
	printf("%llu items written to %s in %.3f s\n", (unsigned long long)n,
	    v[2], (double)(util_now_ns() - t0) / 1e9);
	rc = CLI_OK;
out:
	free(ids);
	vresult_clear(&res);
	pool_close(pool);
	return rc;
}
