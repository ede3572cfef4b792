/* table: text tables for the terminal, with UTF-8 aware widths. */
#include "table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
#include "utf8.h"
#include "util.h"

#define TABLE_MAX_COLS 32

struct table_colspec {
	char *header;
	size_t max;		/* widest allowed, 0: no limit */
	int right;		/* right-aligned */
};

struct table {
	size_t ncols;
	struct table_colspec col[TABLE_MAX_COLS];
	char **cells;		/* rows * ncols, terminal-safe */
	size_t rows, cap;
};

/* Whether code point cp reorders or breaks a terminal's line: the bidi
 * marks, embeddings, overrides and isolates, the line and paragraph
 * separators. */
static int
table_bidi(utf8proc_int32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The character at s (avail bytes): its length in *len and its width;
 * what a terminal must not get (an invalid sequence, a control) is 1
 * column wide and *safe says so (0).
 */
static size_t
table_char(const char *s, size_t avail, size_t *len, int *safe)
{
	int n = utf8_seq((const unsigned char *)s, avail, NULL);
	utf8proc_int32_t cp;
	int w;

	if (n <= 0) {
		*len = 1;
		*safe = 0;
		return 1;
	}
	*len = (size_t)n;
	if (utf8proc_iterate((const utf8proc_uint8_t *)s, n, &cp) != n ||
	    cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	    table_bidi(cp)) {
		*safe = 0;
		return 1;
	}
	*safe = 1;
	w = utf8proc_charwidth(cp);
	return w > 0 ? (size_t)w : 0;
}

size_t
table_width(const char *s, size_t n)
{
	size_t i = 0, w = 0, len;
	int safe;

	while (i < n) {
		w += table_char(s + i, n - i, &len, &safe);
		i += len;
	}
	return w;
}

char *
table_cell(const char *s, size_t max)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(s), i = 0, w = 0, len, cw, keep = 0;
	int safe;

	/* pass 1: the safe text, and where a cut one would end */
	while (i < n) {
		cw = table_char(s + i, n - i, &len, &safe);
		if (safe)
			buf_add(&b, s + i, len);
		else if (len == 1 && (unsigned char)s[i] < 0x80)
			buf_addc(&b, '?');		/* a control */
		else
			buf_adds(&b, "\xef\xbf\xbd");	/* U+FFFD */
		w += cw;
		if (max > 0 && w <= max - 1)
			keep = b.len;
		i += len;
	}
	if (max > 0 && w > max) {
		b.len = keep;
		b.p[b.len] = '\0';
		buf_adds(&b, "\xe2\x80\xa6");		/* … */
	}
	return buf_steal(&b, NULL);
}

struct table *
table_new(size_t ncols, const char *const *headers)
{
	struct table *t = util_xcalloc(1, sizeof(*t));
	size_t i;

	if (ncols < 1 || ncols > TABLE_MAX_COLS)
		abort();		/* a programming error */
	t->ncols = ncols;
	for (i = 0; i < ncols; i++)
		t->col[i].header = table_cell(headers && headers[i] ?
		    headers[i] : "", 0);
	return t;
}

void
table_free(struct table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->rows * t->ncols; i++)
		free(t->cells[i]);
	for (i = 0; i < t->ncols; i++)
		free(t->col[i].header);
	free(t->cells);
	free(t);
}

void
table_col(struct table *t, size_t col, size_t max_width, int right)
{
	if (col >= t->ncols)
		return;
	t->col[col].max = max_width > 0 && max_width < 2 ? 2 : max_width;
	t->col[col].right = right;
}

void
table_add(struct table *t, const char *const *cells)
{
	size_t i;

	if (t->rows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = util_xreallocarray(t->cells, t->cap * t->ncols,
		    sizeof(*t->cells));
	}
	for (i = 0; i < t->ncols; i++)
		t->cells[t->rows * t->ncols + i] = table_cell(cells[i] ?
		    cells[i] : "", 0);
	t->rows++;
}

size_t
table_rows(const struct table *t)
{
	return t->rows;
}

/* Append one cell padded to w columns. */
static void
table_put(struct buf *line, const char *text, size_t w, int right)
{
	size_t have = table_width(text, strlen(text)), pad;

	pad = have < w ? w - have : 0;
	if (right)
		buf_printf(line, "%*s%s", (int)pad, "", text);
	else
		buf_printf(line, "%s%*s", text, (int)pad, "");
}

void
table_print(const struct table *t, FILE *fp)
{
	size_t w[TABLE_MAX_COLS], r, c, total = 0;
	char **cut = util_xcalloc((t->rows + 1) * t->ncols, sizeof(*cut));
	struct buf line = BUF_INIT;

	/* row 0 of cut: the headers; then the rows, each cut to its max */
	for (c = 0; c < t->ncols; c++) {
		cut[c] = table_cell(t->col[c].header, t->col[c].max);
		for (r = 0; r < t->rows; r++)
			cut[(r + 1) * t->ncols + c] = table_cell(
			    t->cells[r * t->ncols + c], t->col[c].max);
		w[c] = 0;
		for (r = 0; r <= t->rows; r++) {
			const char *s = cut[r * t->ncols + c];
			size_t sw = table_width(s, strlen(s));

			if (sw > w[c])
				w[c] = sw;
		}
		total += w[c] + (c > 0 ? 2 : 0);
	}
	for (r = 0; r <= t->rows; r++) {
		buf_reset(&line);
		for (c = 0; c < t->ncols; c++) {
			if (c > 0)
				buf_adds(&line, "  ");
			table_put(&line, cut[r * t->ncols + c], w[c],
			    t->col[c].right);
		}
		while (line.len > 0 && line.p[line.len - 1] == ' ')
			line.p[--line.len] = '\0';
		fprintf(fp, "%s\n", line.p);
		if (r == 0) {
			for (c = 0; c < total; c++)
				fputc('-', fp);
			fputc('\n', fp);
		}
	}
	for (r = 0; r < (t->rows + 1) * t->ncols; r++)
		free(cut[r]);
	free(cut);
	buf_free(&line);
}
