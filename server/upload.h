/*
 * upload: a request body streamed to a temporary file in the state
 * directory, its SHA-256 computed on the way, never held in memory beyond
 * one write buffer.  The file is either moved into place with
 * upload_commit() or removed by upload_free().
 */
#ifndef DO_UPLOAD_H
#define DO_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

struct upload;

#define UPLOAD_OVER 1		/* upload_write(): the limit was passed */
#define UPLOAD_FULL 2		/* the disk is full (ENOSPC, EDQUOT): nothing
				   more is written */

/* A new empty temporary file "upload-XXXXXX" in dir accepting at most
 * max bytes.  NULL with a message in err. */
struct upload *upload_new(const char *dir, uint64_t max, char *err,
    size_t errlen);

/* Append len bytes.  0, UPLOAD_OVER (nothing more is written),
 * UPLOAD_FULL or -1 on another I/O error (told); after an error every
 * later call returns the same. */
int upload_write(struct upload *up, const void *data, size_t len);

/* Flush, fsync and close the file; sha256 (hex) and size of the body.
 * 0, UPLOAD_FULL or -1. */
int upload_finish(struct upload *up, char sha256[65], uint64_t *size);

/* The temporary file's path. */
const char *upload_path(const struct upload *up);

/* Bytes received so far. */
uint64_t upload_size(const struct upload *up);

/* Rename the finished file to dest and fsync dest's directory.  After
 * success the file is no longer removed by upload_free().  0 or -1. */
int upload_commit(struct upload *up, const char *dest);

/* Remove the temporary file (unless committed) and free.  NULL ignored. */
void upload_free(struct upload *up);

#endif
