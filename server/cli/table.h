/*
 * table: the participant CLI's text tables (submissions, leaderboard,
 * scores).  Column widths are computed from the cells in terminal
 * columns (UTF-8 aware, East Asian wide characters count 2, combining
 * marks 0, through utf8proc); a cell wider than its column's maximum is
 * cut and ends with "…".  Cells are made safe for a terminal: invalid
 * UTF-8 shows as U+FFFD and control characters (ESC, CR, newline, tab,
 * C1) as '?', bidi controls and line separators as U+FFFD, so a team
 * name cannot move the cursor, change colours or reorder the line.
 */
#ifndef DO_TABLE_H
#define DO_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table;

/*
 * A table of ncols columns (1..32) with these headers (copied; NULL for
 * none).  Never NULL (aborts when out of memory, like util_xmalloc).
 */
struct table *table_new(size_t ncols, const char *const *headers);

/* table_free(NULL) does nothing. */
void table_free(struct table *t);

/*
 * Column col's widest cell, in terminal columns (at least 2; 0: no
 * limit, the default), and whether it is right-aligned (numbers).
 */
void table_col(struct table *t, size_t col, size_t max_width, int right);

/*
 * Append a row of ncols cells (copied, after making them terminal-safe;
 * NULL is an empty cell).
 */
void table_add(struct table *t, const char *const *cells);

/* The number of rows added. */
size_t table_rows(const struct table *t);

/*
 * Print the table to fp: the headers, a rule of '-', the rows; columns
 * two spaces apart, no trailing spaces.
 */
void table_print(const struct table *t, FILE *fp);

/*
 * The terminal width of UTF-8 text s (n bytes): each character's
 * utf8proc width (an invalid byte or a control counts 1).
 */
size_t table_width(const char *s, size_t n);

/*
 * s (NUL-terminated) made terminal-safe and cut to at most max columns
 * (0: no limit), with "…" in place of what was cut.  Returns a new string
 * (the caller frees it).
 */
char *table_cell(const char *s, size_t max);

#endif
