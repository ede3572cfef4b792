/*
 * joblog: the full log of each attempt of a job.  The job
 * keeps only a tail in the database (jobs.log_tail); every piece of log a
 * heartbeat brings is also appended to <state>/logs/job-<id>-<attempt>.log,
 * up to JOBLOG_MAX bytes an attempt, after which one "[truncated]" line
 * ends it and later pieces are dropped.  Whenever a new attempt's log is
 * made, logs not written for JOBLOG_MAX_AGE seconds go, and then the
 * oldest ones while all of them hold more than JOBLOG_MAX_TOTAL bytes.
 */
#ifndef DO_JOBLOG_H
#define DO_JOBLOG_H

#include <stddef.h>
#include <stdint.h>

#define JOBLOG_MAX (16u << 20)
#define JOBLOG_MAX_AGE (30 * 86400)
#define JOBLOG_MAX_TOTAL ((uint64_t)4 << 30)

/* Append len bytes of text to the log of attempt of job_id (logs/ made
 * if absent; old logs removed first when this attempt's is new).  0, or -1 with a message in err (the caller goes on: the
 * tail is still kept). */
int joblog_append(const char *state_dir, const char *job_id, int64_t attempt,
    const char *text, size_t len, char *err, size_t errlen);

/* Open the log of attempt of job_id for reading; its size in *size.  The
 * fd, or -1 when there is none (errno ENOENT) or job_id is not an ID. */
int joblog_open(const char *state_dir, const char *job_id, int64_t attempt,
    uint64_t *size);

#endif
