/*
 * csv: the one CSV writer (RFC 4180: cells quoted when they hold a comma,
 * a quote or a line break; rows end in CRLF), for the leaderboard and the
 * organizers' exports.  A cell that a spreadsheet would run as a formula
 * (it starts with = + - @, a tab or a CR) is prefixed with a quote '
 * unless the whole cell is a plain number ("-0.5", "1e-3").
 *
 * A struct csv set to CSV_INIT (or zeroed) is empty.  Its text is a struct
 * buf (overflow-checked growth; allocation failure aborts); csv_take()
 * hands it to the caller, who frees it.
 */
#ifndef DO_CSV_H
#define DO_CSV_H

#include <stddef.h>

#include "buf.h"

struct csv {
	struct buf text;
	int in_row;		/* a cell was written in this row */
};

#define CSV_INIT { BUF_INIT, 0 }

/* Append one cell (NULL: an empty one). */
void csv_cell(struct csv *c, const char *s);
/* End the row. */
void csv_end_row(struct csv *c);
/* The text so far, NUL-terminated, its length in *len; c is empty after. */
char *csv_take(struct csv *c, size_t *len);

/* 1 if s is a plain decimal number: [+-]digits[.digits][e[+-]digits]. */
int csv_is_number(const char *s);

#endif
