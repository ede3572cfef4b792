/*
 * materialize: turn a list of pool entries into LLaVA's training file, a
 * JSON array of the items in list order, each item's bytes copied from
 * the pool's source file unchanged (and checked against the index's
 * per-item hash).  Never loads the pool: one pread per item.
 */
#ifndef DO_MATERIALIZE_H
#define DO_MATERIALIZE_H

#include <stddef.h>
#include <stdint.h>

struct pool;

/*
 * Write the items of entries ids[0..n) to out_path atomically.  Returns 0,
 * or -1 with a message in err (nothing left at out_path).
 */
int materialize_ids(const struct pool *pool, const uint32_t *ids, uint64_t n,
    const char *out_path, char *err, size_t errlen);

#endif
