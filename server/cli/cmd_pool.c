/*
 * cmd_pool: dataoptim pool synth|build|stats.  Every command that opens
 * an index checks its section checksums (pool_open()); stats --verify also
 * checks every source file's and lists the sections it checked.  build's
 * --dataset FILE=NAME may be repeated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pool.h"
#include "synth.h"
#include "util.h"
#include "vresult.h"

int
cli_pool_synth(int argc, char **argv)
{
	static const char *const opts[] = { "--out", "--scale", "--seed",
	    "--table", NULL };
	const char *v[4];
	char err[1024], *end;
	double scale = 0.01;
	unsigned long long seed = 1;
	uint64_t t0 = util_now_ns();

	if (cli_parse(argc, argv, opts, v, NULL, NULL, NULL) != 0 || !v[0]) {
		fprintf(stderr, "usage: dataoptim pool synth --out DIR "
		    "[--scale S] [--seed N] [--table seed|later]\n");
		return CLI_ERROR;
	}
	if (v[1]) {
		scale = strtod(v[1], &end);
		if (*end || !(scale > 0) || scale > 4) {
			fprintf(stderr, "dataoptim: --scale must be a number in "
			    "(0, 4], got '%s'\n", v[1]);
			return CLI_ERROR;
		}
	}
	if (v[2]) {
		seed = strtoull(v[2], &end, 10);
		if (*end || v[2][0] == '-') {
			fprintf(stderr, "dataoptim: --seed must be a non-negative "
			    "integer, got '%s'\n", v[2]);
			return CLI_ERROR;
		}
	}
	if (synth_pool_table(v[0], v[3] ? v[3] : "seed", scale, seed, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim: pool synth: %s\n", err);
		return CLI_ERROR;
	}
	printf("synthetic pool (%s table, scale %g, seed %llu) written to "
	    "%s/data and %s/val.json in %.2f s\n", v[3] ? v[3] : "seed", scale,
	    seed, v[0], v[0], (double)(util_now_ns() - t0) / 1e9);
	return CLI_OK;
}

/* The --dataset FILE=NAME names of pool build, in order. */
struct cli_names {
	struct pool_name *v;	/* the names; their files are copies */
	size_t n;
};

/* A --dataset value (cli_parse_ex's each): split at the last '='. */
static int
cli_pool_name(void *ctx, char *value)
{
	struct cli_names *names = ctx;
	char *c = util_xstrdup(value), *eq = strrchr(c, '=');

	if (eq == NULL || eq == c || eq[1] == '\0') {
		fprintf(stderr, "dataoptim: --dataset wants FILE=NAME (FILE "
		    "below the data directory), got '%s'\n", value);
		free(c);
		return -1;
	}
	*eq = '\0';
	names->v[names->n].file = c;
	names->v[names->n++].name = eq + 1;
	return 0;
}

int
cli_pool_build(int argc, char **argv)
{
	const char *v[2];
	struct cli_names names = { util_xcalloc((size_t)argc + 1,
	    sizeof(struct pool_name)), 0 };
	const struct cli_opt opts[] = {
		CLI_VALUE("--data", &v[0]),
		CLI_VALUE("--out", &v[1]),
		CLI_EACH("--dataset", cli_pool_name, &names),
	};
	struct vresult res;
	struct pool *p;
	char err[1024];
	uint64_t t0 = util_now_ns();
	int rc = CLI_ERROR;
	size_t i;

	vresult_init(&res);
	if (cli_parse_ex(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    NULL) != 0 || !v[0] || !v[1])
		goto usage;
	if (pool_build_named(v[0], v[1], names.v, names.n, &res, err,
	    sizeof(err)) != 0) {
		char line[1024];
		size_t k, kept = res.n_errors < VRESULT_KEEP ?
		    (size_t)res.n_errors : VRESULT_KEEP;

		for (k = 0; k < kept; k++)
			fprintf(stderr, "%s\n", verror_format(&res.errors[k], line,
			    sizeof(line)));
		fprintf(stderr, "dataoptim: pool build: %s\n", err);
		rc = res.n_errors ? CLI_INVALID : CLI_ERROR;
		goto out;
	}
	if ((p = pool_open(v[1], 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dataoptim: %s\n", err);
		goto out;
	}
	printf("pool index %s: %u IDs in %u datasets (%u files), %u images, "
	    "built in %.2f s\n", v[1], pool_count(p), pool_ndatasets(p),
	    pool_nfiles(p), pool_nimages(p),
	    (double)(util_now_ns() - t0) / 1e9);
	pool_close(p);
	rc = CLI_OK;
	goto out;
usage:
	fprintf(stderr, "usage: dataoptim pool build --data DIR --out POOL.idx "
	    "[--dataset FILE=NAME ...]\n");
out:
	for (i = 0; i < names.n; i++)
		free((char *)names.v[i].file);
	free(names.v);
	vresult_clear(&res);
	return rc;
}

int
cli_pool_stats(int argc, char **argv)
{
	static const char *const flags[] = { "--verify", NULL };
	const char *pos = NULL;
	int verify;
	struct pool *p;
	char err[1024];
	uint32_t i;

	if (cli_parse(argc, argv, NULL, NULL, flags, &verify, &pos) != 0 ||
	    pos == NULL) {
		fprintf(stderr, "usage: dataoptim pool stats POOL.idx [--verify]\n");
		return CLI_ERROR;
	}
	if ((p = pool_open(pos, verify ? POOL_OPEN_VERIFY : 0, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "dataoptim: %s\n", err);
		return CLI_ERROR;
	}
	printf("pool %s (data in %s)%s\n", pos, pool_datadir(p),
	    verify ? ", every index section and source checksum verified" :
	    "");
	printf("%-16s %12s %10s %6s\n", "dataset", "samples", "images",
	    "files");
	for (i = 0; i < pool_ndatasets(p); i++)
		printf("%-16s %12llu %10llu %6llu\n", pool_dataset_name(p, i),
		    (unsigned long long)pool_dataset_count(p, i),
		    (unsigned long long)pool_dataset_images(p, i),
		    (unsigned long long)pool_dataset_files(p, i));
	printf("%-16s %12u %10u %6u  (distinct image paths)\n", "total",
	    pool_count(p), pool_nimages(p), pool_nfiles(p));
	if (verify) {
		struct pool_section_info si;

		printf("%-16s %12s %10s  %s\n", "index section", "offset",
		    "bytes", "xxh3-64");
		for (i = 0; pool_section(p, i, &si) == 0; i++)
			printf("%-16s %12llu %10llu  %016llx\n", si.name,
			    (unsigned long long)si.off,
			    (unsigned long long)si.len,
			    (unsigned long long)si.sum);
	}
	pool_close(p);
	return CLI_OK;
}
