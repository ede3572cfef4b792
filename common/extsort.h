/*
 * extsort: sort a stream of fixed-size records in bounded memory.  Records
 * are collected in a buffer of mem_records; when it fills, it is sorted
 * and written as a run to an unlinked temporary file, and at the end the
 * runs are merged with a heap.  A stream that fits the buffer never
 * touches the disk.  Memory: mem_records * recsize + 4 KiB per run.
 */
#ifndef DO_EXTSORT_H
#define DO_EXTSORT_H

#include <stddef.h>

struct extsort;

/* Strict weak order on two records. */
typedef int extsort_less_fn(const void *a, const void *b);
/* Sort n records at v in place (the caller's typed, non-allocating sort). */
typedef void extsort_sort_fn(void *v, size_t n);

/* A new sorter; NULL only on allocation failure. */
struct extsort *extsort_new(size_t recsize, size_t mem_records,
    extsort_less_fn *less, extsort_sort_fn *sort);

/* Add a copy of one record.  Returns 0, or -1 on a temporary-file error. */
int extsort_add(struct extsort *s, const void *rec);

/* No more records: prepare the sorted read-out.  0 or -1 (I/O error). */
int extsort_finish(struct extsort *s);

/* The next record in sorted order, or NULL at the end (or after an I/O
 * error: see extsort_failed()).  Valid until the next call. */
const void *extsort_next(struct extsort *s);

/* 1 if reading a run failed. */
int extsort_failed(const struct extsort *s);

/* Number of runs spilled to disk (0 when everything fit in memory). */
size_t extsort_runs(const struct extsort *s);

/* Free everything, removing the temporary file.  NULL is ignored. */
void extsort_free(struct extsort *s);

#endif
