/*
 * materialize: write LLaVA's training file for a list of pool entries (see
 * materialize.h).  One pread per item from its source file, the
 * bytes checked against the index's per-item hash, then appended to the
 * output; the pool is never loaded.
 */
#include "materialize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "pool.h"
#include "util.h"

int
materialize_ids(const struct pool *pool, const uint32_t *ids, uint64_t n,
    const char *out_path, char *err, size_t errlen)
{
	uint32_t nf = pool_nfiles(pool), f;
	int *fds = util_xreallocarray(NULL, nf ? nf : 1, sizeof(*fds));
	struct util_afile *af = NULL;
	char *buf = NULL, path[4200];
	size_t cap = 0;
	uint64_t i;
	FILE *fp;
	int rc = -1;

	for (f = 0; f < nf; f++)
		fds[f] = -1;
	if ((af = util_afile_open(out_path, err, errlen)) == NULL)
		goto out;
	fp = util_afile_fp(af);
	fputs("[\n", fp);
	for (i = 0; i < n; i++) {
		struct pool_item it;
		size_t got = 0, idlen;
		const char *id;
		ssize_t r;

		pool_get(pool, ids[i], &it);
		if (fds[it.file] < 0) {
			util_fmt(path, sizeof(path), "%s/%s", pool_datadir(pool),
			    pool_file_path(pool, it.file));
			if ((fds[it.file] = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
				util_fmt(err, errlen, "cannot open %s: %s", path,
				    strerror(errno));
				goto out;
			}
		}
		if (it.length > cap) {
			cap = it.length * 2;
			buf = util_xrealloc(buf, cap);
		}
		while (got < it.length) {
			r = pread(fds[it.file], buf + got, it.length - got,
			    (off_t)(it.offset + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		id = pool_id(pool, ids[i], &idlen);
		if (got != it.length ||
		    (uint32_t)XXH3_64bits(buf, it.length) != it.hash) {
			util_fmt(err, errlen, "item %.*s in %s does not match "
			    "the pool index (the source changed); rebuild the index",
			    (int)idlen, id, pool_file_path(pool, it.file));
			goto out;
		}
		if (i > 0)
			fputs(",\n", fp);
		fwrite(buf, 1, it.length, fp);
	}
	fputs(n ? "\n]\n" : "]\n", fp);
	if (ferror(fp)) {
		util_fmt(err, errlen, "write %s: %s", out_path, strerror(errno));
		goto out;
	}
	rc = util_afile_commit(af, err, errlen);
	af = NULL;
out:
	util_afile_abort(af);
	for (f = 0; f < nf; f++)
		if (fds[f] >= 0)
			close(fds[f]);
	free(fds);
	free(buf);
	return rc;
}
