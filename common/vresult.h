/*
 * vresult: the outcome of validating a submission (standard or BYOD) or of
 * building a pool index: counts, hashes, composition and two bounded lists
 * of findings with the same locators: errors, which reject the file, and
 * warnings, which do not (a file with only warnings is valid).  The first
 * VRESULT_KEEP of each are kept in full; every one is counted (n_errors,
 * n_warnings).
 */
#ifndef DO_VRESULT_H
#define DO_VRESULT_H

#include <stdint.h>
#include <stdio.h>

#define VRESULT_KEEP 100

/* One finding (an error or a warning).  Unused locators are 0 / -1 / ""
 * as documented. */
struct verror {
	uint64_t line;		/* 1-based line (standard lists), 0 if none */
	int64_t item;		/* 0-based item index (JSON), -1 if none */
	int64_t offset;		/* byte offset in the file, -1 if none */
	char file[128];		/* file name (pool build), "" if none */
	char path[160];		/* JSON path such as "[3].conversations[1].from" */
	char msg[256];		/* what is wrong, for a person */
};

struct vcomp {
	char name[64];		/* dataset (standard) or image folder (BYOD) */
	uint64_t n;
};

struct vresult {
	uint64_t n_samples;	/* samples accepted (valid lines / items) */
	char sha256[65];	/* SHA-256 of the whole file, hex */
	char set_hash[65];	/* canonical, order-free hash of the set, hex */
	struct vcomp *comp;	/* composition, sorted by name */
	size_t n_comp;
	struct verror *errors;	/* the first min(n_errors, VRESULT_KEEP) */
	uint64_t n_errors;	/* total number of errors found */
	struct verror *warnings;	/* the first min(n_warnings,
				   VRESULT_KEEP) */
	uint64_t n_warnings;	/* total number of warnings found */
	/* every error, as one line each, to a report */
	FILE *sink;		/* not owned; NULL: none */
	uint64_t sink_max;	/* at most this many bytes go to sink */
	uint64_t sink_bytes;	/* written so far */
	uint64_t sink_lines;	/* errors written (the rest were cut) */
};

/* Initialise an empty result (no allocation yet). */
void vresult_init(struct vresult *r);

/* Free what r owns and re-initialise it.  NULL is ignored. */
void vresult_clear(struct vresult *r);

/*
 * Record an error.  line: 0 if none; item / offset: -1 if none; file and
 * path may be NULL.  Counted always, stored only while fewer than
 * VRESULT_KEEP are stored.
 */
void vresult_error(struct vresult *r, uint64_t line, int64_t item,
    int64_t offset, const char *file, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/*
 * Record a warning: the same as vresult_error(), into the warnings list.
 * A warning never makes the result invalid.
 */
void vresult_warning(struct vresult *r, uint64_t line, int64_t item,
    int64_t offset, const char *file, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* write every error from now on (not only the kept ones) to
 * fp as one line (verror_format()), up to max bytes in all; fp stays the
 * caller's.  sink_lines then says how many were written; a write error
 * counts as reaching max.  fp NULL stops the writing and keeps the
 * counts. */
void vresult_set_sink(struct vresult *r, FILE *fp, uint64_t max);

/* Add n to the composition entry name (created if absent). */
void vresult_comp_add(struct vresult *r, const char *name, uint64_t n);

/* Sort the composition by name (call once when done). */
void vresult_comp_sort(struct vresult *r);

/*
 * Write a human-readable report to fp: either a summary of a valid
 * submission or its errors ("line 12: unknown ID ..."), then its warnings
 * if it has any (the first VRESULT_KEEP of each and their counts).  kind
 * is "standard" or "byod".
 */
void vresult_print(const struct vresult *r, const char *kind, FILE *fp);

/*
 * Return a jansson object (caller owns the reference):
 * {"valid", "n_samples", "sha256", "set_hash", "composition": {name: n},
 *  "errors": [{"line"|"item"|"offset"|"file"|"path", "message"}],
 *  "n_errors", "warnings": [the same shape], "n_warnings"}.  "valid" is
 * true when there are no errors, whatever the warnings.  Declared with
 * void * so this header needs no jansson.
 */
void *vresult_to_json(const struct vresult *r);

/*
 * The kept errors, or the kept warnings, as a new jansson array (caller
 * owns the reference) of objects shaped as in vresult_to_json(): for an
 * answer that carries only the list (an HTTP error's details, a
 * submission's warnings).
 */
void *vresult_errors_json(const struct vresult *r);
void *vresult_warnings_json(const struct vresult *r);

/* Format one finding as a single line ("line 3: ...") into buf. */
const char *verror_format(const struct verror *e, char *buf, size_t bufsz);

#endif
