/*
 * stdval: the standard-submission validator (a text file of pool IDs).
 *
 * Tolerated: CRLF, spaces and tabs around an ID, blank lines, a UTF-8 BOM,
 * a missing final newline.  Rejected, each with its line number: an
 * unknown ID, a duplicate (naming the first line), a NUL byte, invalid
 * UTF-8, a line over STDVAL_MAX_LINE bytes, an empty list, more IDs than
 * the budget.
 */
#ifndef DO_STDVAL_H
#define DO_STDVAL_H

#include <stddef.h>
#include <stdint.h>

struct pool;
struct vresult;

#define STDVAL_MAX_LINE 1024

/*
 * Validate the file at path against pool; budget 0 means no limit.  Fills
 * res (initialised by the caller): n_samples, sha256 of the file,
 * set_hash (SHA-256 of the sorted IDs, one per line, each followed by
 * '\n'), composition by dataset, errors.  If ids is not NULL, *ids gets
 * the entry indexes in file order (caller frees; NULL when invalid) and
 * *n_ids their count.  Returns 0 when the file was read (valid or not:
 * see res->n_errors), -1 on I/O error with a message in err.
 */
int stdval_file(const struct pool *pool, const char *path, uint64_t budget,
    struct vresult *res, uint32_t **ids, uint64_t *n_ids, char *err,
    size_t errlen);

#endif
