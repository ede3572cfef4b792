/*
 * wkfs: blocking file-system helpers of the worker.  They run only on
 * libuv's thread pool (uv_queue_work) or before the loop starts, never on
 * the loop itself.
 */
#ifndef DO_WKFS_H
#define DO_WKFS_H

#include <stddef.h>

/* mkdir -p path (mode 0755).  0, or -1 with errno set. */
int wkfs_mkdirs(const char *path);

/* rm -rf path, never following symbolic links.  0 (also when path does
 * not exist), or -1 with errno set. */
int wkfs_rmtree(const char *path);

/* Create or truncate path and write the n bytes of data to it.  0 or -1
 * with errno set. */
int wkfs_write_file(const char *path, const char *data, size_t n);

/*
 * Check that every entry of the space-separated list req exists in dir.
 * An entry is one or more '|'-separated glob(7) patterns, any of which
 * may match (e.g. "*.safetensors|pytorch_model*.bin").  Returns 0, or -1
 * with the entries that are missing named in missing.
 */
int wkfs_required(const char *dir, const char *req, char *missing,
    size_t missinglen);

#endif
