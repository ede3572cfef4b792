/*
 * metrics: process counters (atomic, lock-free) and their Prometheus text
 * rendering, together with the job figures read from the database.
 */
#ifndef DO_METRICS_H
#define DO_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct db;

enum metrics_outcome {
	METRICS_ACCEPTED,	/* stored, job queued */
	METRICS_REUSED,		/* stored, earlier score reused */
	METRICS_INVALID,	/* 422 */
	METRICS_TOO_LARGE,	/* 413 */
	METRICS_QUOTA,		/* 429 */
	METRICS_CLOSED,		/* 409 */
	METRICS_ERROR,		/* 5xx and aborted uploads */
	METRICS_NOUTCOMES
};

/* Count a finished request: route index (route_count for static files,
 * route_count + 1 for no route), status, response bytes, duration. */
void metrics_request(size_t route, unsigned status, uint64_t bytes,
    uint64_t ns);
/* Count an upload of bytes body bytes. */
void metrics_upload(uint64_t bytes);
void metrics_submission(enum metrics_outcome o);

/* The exposition text (malloc'd, *len bytes); db (may be NULL) adds the
 * job states and the queue depth. */
char *metrics_render(struct db *db, size_t *len);

#endif
