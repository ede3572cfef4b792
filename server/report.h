/*
 * report: the full error report of a rejected upload.  The
 * answer to an upload carries the validator's first 100 errors; every
 * error goes to a text file <state>/reports/<team>-<name>.txt instead,
 * for the team that uploaded it: the team's id is in the file's name and
 * name is 32 random URL-safe characters, so nobody finds another team's
 * report.  Each report holds at most REPORT_MAX_BYTES; whenever one is
 * made, reports older than REPORT_MAX_AGE seconds go, and then the oldest
 * beyond REPORT_MAX_FILES or REPORT_MAX_TOTAL bytes in all (the new one
 * counted at its most).
 */
#ifndef DO_REPORT_H
#define DO_REPORT_H

#include <stdint.h>
#include <stdio.h>

#define REPORT_MAX_BYTES (8u << 20)
#define REPORT_MAX_AGE (7 * 86400)
#define REPORT_MAX_FILES 2000
#define REPORT_MAX_TOTAL ((uint64_t)1 << 30)
#define REPORT_NAME_LEN 32

struct report;

/* Start a report for team_id under state_dir (reports/ is made if
 * absent; old reports are removed first).  NULL with a message in err. */
struct report *report_new(const char *state_dir, int64_t team_id,
    char *err, size_t errlen);

/* The file to write to (owned by rp). */
FILE *report_fp(struct report *rp);

/* The report's name (REPORT_NAME_LEN characters), for its URL
 * /api/v1/reports/<name>. */
const char *report_name(const struct report *rp);

/* Close the file and put it in place.  0, or -1 (told on stderr; the file
 * is removed by report_free()). */
int report_commit(struct report *rp);

/* Remove the file unless committed, and free.  NULL is ignored. */
void report_free(struct report *rp);

/*
 * Open the report name of team_id (-1: of any team, for an organizer)
 * for reading; its size in *size.  The open fd, or -1 when the name is
 * not a report name or there is no such report of that team.
 */
int report_open(const char *state_dir, const char *name, int64_t team_id,
    uint64_t *size);

#endif
