/* Unit tests: the base library (buf, util_xreallocarray, utf8, csv). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "csv.h"
#include "utf8.h"
#include "util.h"
#include "tests.h"
#include "utf8_ref.h"

/* ---- helpers ---- */

/* Run fn in a child with stderr on /dev/null; 1 if it died of SIGABRT. */
static int
aborts(void (*fn)(void))
{
	pid_t pid;
	int st, fd;

	fflush(NULL);
	if ((pid = fork()) < 0)
		fail_msg("fork failed");
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) >= 0)
			dup2(fd, 2);
		fn();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		fail_msg("waitpid failed");
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

/* ---- buf ---- */

void
test_buf_add(void **state)
{
	struct buf b = BUF_INIT;
	size_t len;
	char *s;

	buf_add(&b, NULL, 0);
	assert_non_null(b.p);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	buf_add(&b, "ab\0cd", 5);
	buf_adds(&b, "ef");
	buf_addc(&b, 'g');
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.p, "ab\0cdefg", 9);	/* and the NUL */
	buf_printf(&b, "[%d %s]", 42, "x");
	assert_int_equal(b.len, 14);
	assert_string_equal(b.p + 3, "cdefg[42 x]");
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	assert_true(b.cap >= 15);	/* the memory is kept */
	buf_adds(&b, "tail");
	s = buf_steal(&b, &len);
	assert_string_equal(s, "tail");
	assert_int_equal(len, 4);
	assert_null(b.p);
	assert_int_equal(b.len + b.cap, 0);
	free(s);
	s = buf_steal(&b, NULL);	/* nothing added: "" */
	assert_string_equal(s, "");
	free(s);
	buf_free(&b);
	buf_free(NULL);
}

/* Growth across many sizes keeps every byte; printf larger than the room
 * left takes the second pass. */
void
test_buf_growth(void **state)
{
	struct buf b = BUF_INIT;
	char big[3000];
	size_t i, want = 0;

	for (i = 0; i < 20000; i++) {
		buf_addc(&b, (char)('a' + i % 26));
		want++;
		assert_true(b.cap > b.len);
	}
	for (i = 0; i < 20000; i++)
		assert_int_equal(b.p[i], 'a' + i % 26);
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_reset(&b);
	buf_printf(&b, "<%s>", big);
	assert_int_equal(b.len, sizeof(big) + 1);
	assert_int_equal(b.p[0], '<');
	assert_int_equal(b.p[b.len - 1], '>');
	assert_int_equal(b.p[b.len], '\0');
	buf_free(&b);
	buf_printf(&b, "%s", "");	/* empty text into an empty buffer */
	assert_non_null(b.p);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
buf_overflow_child(void)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "xy");
	buf_reserve(&b, SIZE_MAX - 2);	/* len + n + 1 wraps */
}

void
test_buf_overflow(void **state)
{
	assert_true(aborts(buf_overflow_child));
}

/* ---- util_xreallocarray ---- */

static void
xra_overflow_child(void)
{
	(void)util_xreallocarray(NULL, SIZE_MAX / 2 + 1, 2);
}

static void
xra_overflow_keep_child(void)
{
	uint64_t *p = util_xreallocarray(NULL, 4, sizeof(*p));

	(void)util_xreallocarray(p, SIZE_MAX / 4, sizeof(*p));
}

void
test_xreallocarray(void **state)
{
	uint64_t *p = util_xreallocarray(NULL, 16, sizeof(*p));
	size_t i;

	for (i = 0; i < 16; i++)
		p[i] = i * 3;
	p = util_xreallocarray(p, 100000, sizeof(*p));
	for (i = 0; i < 16; i++)
		assert_int_equal(p[i], i * 3);
	p[99999] = 7;
	free(p);
	p = util_xreallocarray(NULL, 0, sizeof(*p));	/* never NULL */
	assert_non_null(p);
	free(p);
	assert_true(aborts(xra_overflow_child));
	assert_true(aborts(xra_overflow_keep_child));
}

/* ---- utf8 ---- */

/* Every 1-, 2- and 3-byte input, and 4-byte ones over every lead, second
 * and third byte: utf8_seq agrees with the reference, complete or cut. */
void
test_utf8_exhaustive(void **state)
{
	unsigned char s[4];
	unsigned a, b, c, k;
	const unsigned last[] = { 0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff };
	int r;

	for (a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		r = utf8_seq(s, 1, NULL);
		assert_int_equal(r, utf8_ref(s, 1));
		for (b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			r = utf8_seq(s, 2, NULL);
			assert_int_equal(r, utf8_ref(s, 2));
			if (utf8_ref_lead_len(a) < 3)
				continue;
			for (c = 0; c < 256; c++) {
				s[2] = (unsigned char)c;
				r = utf8_seq(s, 3, NULL);
				assert_int_equal(r, utf8_ref(s, 3));
				if (utf8_ref_lead_len(a) == 3)
					continue;
				for (k = 0; k < sizeof(last) / sizeof(last[0]);
				    k++) {
					s[3] = (unsigned char)last[k];
					assert_int_equal(utf8_seq(s, 4, NULL),
					    utf8_ref(s, 4));
				}
			}
		}
	}
}

void
test_utf8_why(void **state)
{
	static const struct {
		const char *s;
		const char *why;
	} cases[] = {
		{ "\x80", "unexpected continuation byte" },
		{ "\xc0\xaf", "overlong sequence" },
		{ "\xe0\x80\x80", "overlong sequence" },
		{ "\xf0\x80\x80\x80", "overlong sequence" },
		{ "\xed\xa0\x80", "encoded surrogate (U+D800..U+DFFF)" },
		{ "\xf4\x90\x80\x80", "code point above U+10FFFF" },
		{ "\xf5\x80\x80\x80", "code point above U+10FFFF" },
		{ "\xff", "invalid byte" },
		{ "\xc3(", "truncated sequence" },
	};
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		assert_int_equal(utf8_seq((const unsigned char *)cases[i].s,
		    strlen(cases[i].s), &why), 0);
		assert_string_equal(why, cases[i].why);
	}
	why = "untouched";
	assert_int_equal(utf8_seq((const unsigned char *)"\xe2\x82\xac", 3,
	    &why), 3);
	assert_int_equal(utf8_seq((const unsigned char *)"\xe2\x82", 2, &why),
	    -1);
	assert_int_equal(utf8_seq((const unsigned char *)"", 1, &why), 1);
	assert_string_equal(why, "untouched");
}

void
test_utf8_invalid_at(void **state)
{
	static const struct {
		const char *s;
		size_t at;	/* (size_t)-1: valid */
	} cases[] = {
		{ "", (size_t)-1 },
		{ "plain ascii", (size_t)-1 },
		{ "caf\xc3\xa9 \xe6\x9d\xb1\xf0\x9f\x98\x80", (size_t)-1 },
		{ "ab\xc3", 2 },		/* cut by the end */
		{ "ab\xe6\x9d", 2 },
		{ "x\xc0\x80y", 1 },
		{ "ok\xed\xa0\x80", 2 },
		{ "\xc3\xa9\x80", 2 },
		{ "\xf4\x8f\xbf\xbf!", (size_t)-1 },
	};
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = strlen(cases[i].s);
		assert_int_equal(utf8_invalid_at(
		    (const unsigned char *)cases[i].s, n),
		    cases[i].at == (size_t)-1 ? n : cases[i].at);
	}
	/* a NUL is a valid (ASCII) byte */
	assert_int_equal(utf8_invalid_at((const unsigned char *)"a\0b", 3), 3);
}

/* ---- csv ---- */

/*
 * An RFC 4180 reader for the test: the cells of text (CRLF rows) into
 * cells[] (each a malloc'd string) and the cell count of each row into
 * rowlen[].  Returns the number of rows, or -1 if malformed.
 */
static int
csv_parse(const char *t, char **cells, size_t maxcells, size_t *rowlen,
    size_t maxrows)
{
	size_t nc = 0, nr = 0, inrow = 0;
	struct buf b = BUF_INIT;

	while (*t != '\0') {
		buf_reset(&b);
		if (*t == '"') {
			for (t++;; t++) {
				if (*t == '\0')
					return -1;
				if (*t == '"' && t[1] == '"')
					buf_addc(&b, *t++);
				else if (*t == '"')
					break;
				else
					buf_addc(&b, *t);
			}
			t++;
		} else
			while (*t != ',' && *t != '\r' && *t != '\0') {
				if (*t == '"' || *t == '\n')
					return -1;
				buf_addc(&b, *t++);
			}
		if (nc == maxcells || nr == maxrows)
			return -1;
		cells[nc++] = buf_steal(&b, NULL);
		inrow++;
		if (*t == ',')
			t++;
		else if (t[0] == '\r' && t[1] == '\n') {
			t += 2;
			rowlen[nr++] = inrow;
			inrow = 0;
		} else
			return -1;
	}
	buf_free(&b);
	return inrow == 0 ? (int)nr : -1;
}

/* What a cell reads as: the formula guard adds a quote in front. */
static int
csv_same(const char *written, const char *read)
{
	int guard = written[0] != '\0' &&
	    strchr("=+-@\t\r", written[0]) != NULL &&
	    !csv_is_number(written);

	if (guard)
		return read[0] == '\'' && strcmp(read + 1, written) == 0;
	return strcmp(read, written) == 0;
}

void
test_csv_roundtrip(void **state)
{
	static const char *const rows[][4] = {
		{ "plain", "with,comma", "say \"hi\"", "two\r\nlines" },
		{ "=1+1", "-0.5", "-x", "@home" },
		{ "", "\ttab", "\"", "1e-3" },
	};
	struct csv c = CSV_INIT;
	char *cells[16], *t, longcell[5000];
	size_t rowlen[8], len, r, k, nc = 0;
	int nr;

	for (r = 0; r < 3; r++) {
		for (k = 0; k < 4; k++)
			csv_cell(&c, rows[r][k]);
		csv_end_row(&c);
	}
	memset(longcell, '"', sizeof(longcell) - 1);	/* doubles to 2x */
	longcell[sizeof(longcell) - 1] = '\0';
	csv_cell(&c, longcell);
	csv_cell(&c, NULL);
	csv_end_row(&c);
	t = csv_take(&c, &len);
	assert_int_equal(len, strlen(t));
	assert_null(c.text.p);
	nr = csv_parse(t, cells, 16, rowlen, 8);
	assert_int_equal(nr, 4);
	for (r = 0; r < 3; r++) {
		assert_int_equal(rowlen[r], 4);
		for (k = 0; k < 4; k++, nc++)
			assert_true(csv_same(rows[r][k], cells[nc]));
	}
	assert_int_equal(rowlen[3], 2);
	assert_string_equal(cells[nc], longcell);
	assert_string_equal(cells[nc + 1], "");
	for (k = 0; k < nc + 2; k++)
		free(cells[k]);
	free(t);
	t = csv_take(&c, &len);		/* nothing written */
	assert_string_equal(t, "");
	assert_int_equal(len, 0);
	free(t);
}
