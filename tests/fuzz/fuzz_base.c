/*
 * libFuzzer target: the base library on arbitrary bytes.
 *
 * UTF-8: utf8_seq() at every offset and utf8_invalid_at() over the whole
 * input agree with a simple reference decoder (the code point from the
 * bits, then the range rules), and util_utf8_repair() always returns
 * valid UTF-8 without a NUL.
 * CSV: the input split into cells at NUL bytes and into rows at 0x01 is
 * written with csv_cell() / csv_end_row() and read back with a strict RFC
 * 4180 reader: the same rows and cells (a guarded cell reads with its ').
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "utf8.h"
#include "util.h"
#include "../unit/utf8_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(c) do { if (!(c)) abort(); } while (0)

static void
fz_utf8(const unsigned char *s, size_t n)
{
	size_t i, first_bad = n, k;
	const char *why;
	char *fixed;
	int r;

	for (i = 0; i < n; i++) {
		why = NULL;
		r = utf8_seq(s + i, n - i, &why);
		FZ_CHECK(r == utf8_ref(s + i, n - i));
		FZ_CHECK((r == 0) == (why != NULL));
	}
	for (i = 0; i < n; i += (size_t)r)
		if ((r = utf8_ref_full(s + i, n - i)) == 0) {
			first_bad = i;
			break;
		}
	FZ_CHECK(utf8_invalid_at(s, n) == first_bad);
	fixed = util_utf8_repair((const char *)s, n);
	k = strlen(fixed);
	FZ_CHECK(utf8_invalid_at((const unsigned char *)fixed, k) == k);
	if (first_bad == n && memchr(s, '\0', n) == NULL)
		FZ_CHECK(k == n && memcmp(fixed, s, n) == 0);
	free(fixed);
}

/* Read one cell of t (a strict RFC 4180 reader) into b; returns the
 * position after it, or NULL if malformed. */
static const char *
fz_csv_cell(const char *t, struct buf *b)
{
	buf_reset(b);
	if (*t != '"') {
		while (*t != ',' && *t != '\r' && *t != '\0') {
			if (*t == '"' || *t == '\n')
				return NULL;
			buf_addc(b, *t++);
		}
		return t;
	}
	for (t++;; t++) {
		if (*t == '\0')
			return NULL;
		if (*t == '"' && t[1] == '"')
			buf_addc(b, *t++);
		else if (*t == '"')
			return t + 1;
		else
			buf_addc(b, *t);
	}
}

/* Whether cell (as written) reads back as got. */
static int
fz_csv_same(const char *cell, size_t len, const struct buf *got)
{
	int guard = len > 0 && strchr("=+-@\t\r", cell[0]) != NULL &&
	    !csv_is_number(cell);

	if (guard)
		return got->len == len + 1 && got->p[0] == '\'' &&
		    memcmp(got->p + 1, cell, len) == 0;
	return got->len == len && (len == 0 || memcmp(got->p, cell, len) == 0);
}

static void
fz_csv(const uint8_t *data, size_t size)
{
	struct csv c = CSV_INIT;
	struct buf cell = BUF_INIT, got = BUF_INIT;
	const char *t, *p;
	size_t i, start, rows = 0;
	char *text;

	/* write: cells end at NUL, 0x01 or the end; 0x01 also ends the row */
	for (start = 0, i = 0; i <= size; i++) {
		if (i < size && data[i] != '\0' && data[i] != 0x01)
			continue;
		buf_reset(&cell);
		buf_add(&cell, data + start, i - start);
		csv_cell(&c, cell.p);
		if (i == size || data[i] == 0x01) {
			csv_end_row(&c);
			rows++;
		}
		start = i + 1;
	}
	text = csv_take(&c, &i);
	FZ_CHECK(i == strlen(text));
	/* read back, cell by cell, in the same order */
	t = text;
	for (start = 0, i = 0; i <= size; i++) {
		if (i < size && data[i] != '\0' && data[i] != 0x01)
			continue;
		p = fz_csv_cell(t, &got);
		FZ_CHECK(p != NULL);
		buf_reset(&cell);
		buf_add(&cell, data + start, i - start);
		FZ_CHECK(fz_csv_same(cell.p, cell.len, &got));
		if (i == size || data[i] == 0x01) {
			FZ_CHECK(p[0] == '\r' && p[1] == '\n');
			t = p + 2;
			rows--;
		} else {
			FZ_CHECK(*p == ',');
			t = p + 1;
		}
		start = i + 1;
	}
	FZ_CHECK(*t == '\0' && rows == 0);
	free(text);
	buf_free(&cell);
	buf_free(&got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_utf8(data, size);
	fz_csv(data, size);
	return 0;
}
