/*
 * pool_int: what pool_build.c takes from pool_walk.c.  Private to the pool
 * module.
 */
#ifndef DO_POOL_INT_H
#define DO_POOL_INT_H

#include <stddef.h>
#include <stdint.h>

struct vresult;

/* A pool file found by the walk. */
struct pool__file {
	char *path;		/* relative to the data dir; owned */
	uint64_t size;
	int64_t mtime_ns;
};

/*
 * Find the pool files under absdir by the rules of pool.h (".json" files,
 * POOL_MAX_DEPTH folder levels, links followed, loops refused) into
 * *files (*n of them, sorted bytewise by path; the caller frees them with
 * pool__walk_free()).  A folder too deep, a link loop or a path too long
 * is recorded in res (the walk goes on); no file at all, too many files or
 * a folder that cannot be read is an I/O error.  Returns 0, or -1 with a
 * message in err (*files is then NULL).
 */
int pool__walk(const char *absdir, struct pool__file **files, uint32_t *n,
    struct vresult *res, char *err, size_t errlen);

/* Free what pool__walk() returned.  NULL is ignored. */
void pool__walk_free(struct pool__file *files, uint32_t n);

#endif
