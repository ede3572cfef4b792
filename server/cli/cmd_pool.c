/*
 * cmd_pool: dataoptim pool synth|build|stats.  Every command that opens
 * an index checks its section checksums (pool_open()); stats --verify also
 * checks every source file's and lists the sections it checked.  build's
 * --dataset FILE=NAME may be repeated: the option is taken out of the
 * arguments before cli_parse() sees the rest.
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

/*
 * Move every "--dataset FILE=NAME" (or "--dataset=FILE=NAME") of argv
 * into names (split at the last '=', copies the caller frees) and the
 * other arguments, in order, into rest.  Returns the number of names, or
 * -1 after a message.
 */
static int
cli_pool_names(int argc, char **argv, struct pool_name *names, char **rest,
    int *nrest)
{
	int i, n = 0;

	*nrest = 0;
	for (i = 0; i < argc; i++) {
		const char *v;
		char *c, *eq;

		if (strcmp(argv[i], "--dataset") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "dataoptim: --dataset needs a "
				    "value\n");
				goto fail;
			}
			v = argv[++i];
		} else if (strncmp(argv[i], "--dataset=", 10) == 0) {
			v = argv[i] + 10;
		} else {
			rest[(*nrest)++] = argv[i];
			continue;
		}
		c = util_xstrdup(v);
		if ((eq = strrchr(c, '=')) == NULL || eq == c || eq[1] == '\0') {
			fprintf(stderr, "dataoptim: --dataset wants FILE=NAME (FILE "
			    "below the data directory), got '%s'\n", v);
			free(c);
			goto fail;
		}
		*eq = '\0';
		names[n].file = c;
		names[n++].name = eq + 1;
	}
	return n;
fail:
	while (n > 0)
		free((char *)names[--n].file);
	return -1;
}

int
cli_pool_build(int argc, char **argv)
{
	static const char *const opts[] = { "--data", "--out", NULL };
	const char *v[2];
	struct pool_name *names = util_xcalloc((size_t)argc + 1, sizeof(*names));
	char **rest = util_xcalloc((size_t)argc + 1, sizeof(*rest));
	struct vresult res;
	struct pool *p;
	char err[1024];
	uint64_t t0 = util_now_ns();
	int rc = CLI_ERROR, nnames, nrest, i;

	vresult_init(&res);
	if ((nnames = cli_pool_names(argc, argv, names, rest, &nrest)) < 0)
		goto usage;
	if (cli_parse(nrest, rest, opts, v, NULL, NULL, NULL) != 0 || !v[0] ||
	    !v[1])
		goto usage;
	if (pool_build_named(v[0], v[1], names, (size_t)nnames, &res, err,
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
	for (i = 0; i < nnames; i++)
		free((char *)names[i].file);
	free(names);
	free(rest);
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
