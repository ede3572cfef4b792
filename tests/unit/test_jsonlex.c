/*
 * Unit tests for jsonlex: tokens and offsets, escapes, UTF-8, numbers,
 * literals, truncation, errors, and that every chunk size gives the same
 * tokens (tokens straddling chunk boundaries).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "jsonlex.h"
#include "testutil.h"
#include "tests.h"

#define MAXTOK 64

struct tk {
	enum jl_type type;
	uint64_t off, end;
	size_t len;
	int trunc;
	size_t slen;		/* bytes copied into s */
	char s[512];
};

struct lexed {
	int n;			/* tokens, the last one JL_EOF or JL_ERROR */
	struct tk t[MAXTOK];
	char err[256];
	uint64_t err_off;
	uint64_t end_off;	/* jl_offset() at the end */
	int ioerr;
};

/* Chunk sizes every case is lexed with: 0 is the default (256 KiB). */
static const size_t chunks[] = { 0, 1, 2, 3, 5, 7, 16 };

static const char *dir;

static const char *
tdir(void)
{
	if (dir == NULL)
		dir = tu_tmpdir();
	return dir;
}

static void
lex_fd(int fd, size_t chunk, size_t max, struct lexed *out)
{
	struct jl *jl = jl_new_chunk(fd, max, chunk);
	struct jl_token t;

	assert_non_null(jl);
	memset(out, 0, sizeof(*out));
	do {
		struct tk *k;

		jl_next(jl, &t);
		assert_true(out->n < MAXTOK);
		k = &out->t[out->n++];
		k->type = t.type;
		k->off = t.offset;
		k->end = t.end;
		k->len = t.len;
		k->trunc = t.truncated;
		if (t.str != NULL) {
			k->slen = t.truncated ? max : t.len;
			if (k->slen > sizeof(k->s))
				k->slen = sizeof(k->s);
			memcpy(k->s, t.str, k->slen);
		}
	} while (t.type != JL_EOF && t.type != JL_ERROR);
	if (t.type == JL_ERROR) {
		snprintf(out->err, sizeof(out->err), "%s", jl_error(jl));
		out->err_off = jl_error_offset(jl);
		out->ioerr = jl_io_error(jl);
		/* errors are sticky */
		assert_int_equal(jl_next(jl, &t), JL_ERROR);
	} else
		assert_int_equal(jl_next(jl, &t), JL_EOF);
	out->end_off = jl_offset(jl);
	jl_free(jl);
}

static void
lex(const void *data, size_t len, size_t chunk, size_t max,
    struct lexed *out)
{
	const char *path = tu_write(tdir(), "in.json", data, len);
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	lex_fd(fd, chunk, max, out);
	close(fd);
}

static void
same(const struct lexed *a, const struct lexed *b)
{
	int i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->t[i].type, b->t[i].type);
		assert_int_equal(a->t[i].off, b->t[i].off);
		assert_int_equal(a->t[i].end, b->t[i].end);
		assert_int_equal(a->t[i].len, b->t[i].len);
		assert_int_equal(a->t[i].trunc, b->t[i].trunc);
		assert_int_equal(a->t[i].slen, b->t[i].slen);
		assert_memory_equal(a->t[i].s, b->t[i].s, a->t[i].slen);
	}
	assert_string_equal(a->err, b->err);
	assert_int_equal(a->err_off, b->err_off);
	if (a->err[0] == '\0')	/* after an error it depends on the chunks */
		assert_int_equal(a->end_off, b->end_off);
}

/* Lex with every chunk size; all must agree; *out gets the result. */
static void
lex_all(const void *data, size_t len, size_t max, struct lexed *out)
{
	static struct lexed other;
	size_t i;

	lex(data, len, chunks[0], max, out);
	for (i = 1; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		lex(data, len, chunks[i], max, &other);
		same(out, &other);
	}
}

/* The document (len bytes) must fail with a message holding needle at
 * byte off, whatever the chunk size. */
static void
check_error(const char *doc, size_t len, const char *needle, uint64_t off)
{
	static struct lexed r;

	lex_all(doc, len, 64, &r);
	assert_int_equal(r.t[r.n - 1].type, JL_ERROR);
	if (strstr(r.err, needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", r.err, needle);
	assert_int_equal(r.err_off, off);
	assert_int_equal(r.t[r.n - 1].off, off);
	assert_int_equal(r.ioerr, 0);
}

#define EXPECT_ERROR(lit, needle, off) \
	check_error(lit, sizeof(lit) - 1, needle, off)

/* The document must hold exactly one string token decoding to want. */
static void
check_string(const char *doc, size_t len, const char *want, size_t wlen)
{
	static struct lexed r;

	lex_all(doc, len, 512, &r);
	if (r.t[0].type != JL_STRING)
		fail_msg("not a string: %s", r.err);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.t[0].len, wlen);
	assert_memory_equal(r.t[0].s, want, wlen);
	assert_int_equal(r.t[0].off, 0);
	assert_int_equal(r.t[0].end, len);
	assert_int_equal(r.t[1].type, JL_EOF);
}

#define EXPECT_STRING(lit, want) \
	check_string(lit, sizeof(lit) - 1, want, sizeof(want) - 1)

void
test_structure_offsets(void **state)
{
	static const char doc[] =
	    " {\"a\" :[1,-2.5e+3,true,false,null],\n\t\"b\":{}}\r\n ";
	static const struct {
		enum jl_type type;
		uint64_t off, end;
	} want[] = {
		{ JL_LBRACE, 1, 2 }, { JL_STRING, 2, 5 }, { JL_COLON, 6, 7 },
		{ JL_LBRACKET, 7, 8 }, { JL_NUMBER, 8, 9 }, { JL_COMMA, 9, 10 },
		{ JL_NUMBER, 10, 17 }, { JL_COMMA, 17, 18 },
		{ JL_TRUE, 18, 22 }, { JL_COMMA, 22, 23 },
		{ JL_FALSE, 23, 28 }, { JL_COMMA, 28, 29 },
		{ JL_NULL, 29, 33 }, { JL_RBRACKET, 33, 34 },
		{ JL_COMMA, 34, 35 }, { JL_STRING, 37, 40 },
		{ JL_COLON, 40, 41 }, { JL_LBRACE, 41, 42 },
		{ JL_RBRACE, 42, 43 }, { JL_RBRACE, 43, 44 },
		{ JL_EOF, 47, 47 },
	};
	static struct lexed r;
	size_t i;

	(void)state;
	lex_all(doc, sizeof(doc) - 1, 64, &r);
	assert_int_equal(r.n, (int)(sizeof(want) / sizeof(want[0])));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(r.t[i].type, want[i].type);
		assert_int_equal(r.t[i].off, want[i].off);
		assert_int_equal(r.t[i].end, want[i].end);
	}
	assert_int_equal(r.t[1].len, 1);
	assert_memory_equal(r.t[1].s, "a", 1);
	assert_int_equal(r.t[6].len, 7);
	assert_memory_equal(r.t[6].s, "-2.5e+3", 7);
	assert_int_equal(r.end_off, sizeof(doc) - 1);
}

void
test_eof_only_whitespace(void **state)
{
	static struct lexed r;

	(void)state;
	lex_all("", 0, 64, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.t[0].type, JL_EOF);
	assert_int_equal(r.end_off, 0);
	lex_all(" \n\r\t  ", 6, 64, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.t[0].type, JL_EOF);
	assert_int_equal(r.t[0].off, 6);
	assert_int_equal(r.end_off, 6);
	lex_all("[] \n", 4, 64, &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.t[2].type, JL_EOF);
	assert_int_equal(r.end_off, 4);
}

void
test_simple_escapes(void **state)
{
	(void)state;
	EXPECT_STRING("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t");
	EXPECT_STRING("\"a\\nb\"", "a\nb");
	EXPECT_STRING("\"\"", "");
	EXPECT_STRING("\"plain text, no escapes\"", "plain text, no escapes");
}

void
test_unicode_escapes(void **state)
{
	(void)state;
	EXPECT_STRING("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac");
	EXPECT_STRING("\"\\u0000\"", "\0");
	EXPECT_STRING("\"\\u007f\\u0080\\u07FF\\u0800\\uFFFF\"",
	    "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf");
	/* surrogate pairs: U+1F600, U+10000, U+10FFFF */
	EXPECT_STRING("\"\\uD83D\\uDE00\"", "\xf0\x9f\x98\x80");
	EXPECT_STRING("\"\\ud800\\udc00x\\uDBFF\\uDFFF\"",
	    "\xf0\x90\x80\x80x\xf4\x8f\xbf\xbf");
}

void
test_lone_surrogates(void **state)
{
	(void)state;
	EXPECT_ERROR("\"ab\\uD800\"", "lone surrogate", 3);
	EXPECT_ERROR("\"\\uDC00\"", "lone surrogate", 1);
	EXPECT_ERROR("\"\\uD800x\"", "lone surrogate", 1);
	EXPECT_ERROR("\"\\uD83D\\u0041\"", "lone surrogate", 1);
	EXPECT_ERROR("\"\\uD83D\\uD83D\"", "lone surrogate", 1);
	EXPECT_ERROR("\"\\uD83D\\n\"", "lone surrogate", 1);
}

void
test_bad_escapes(void **state)
{
	(void)state;
	EXPECT_ERROR("\"a\\x\"", "invalid escape \\x", 2);
	EXPECT_ERROR("\"a\\'\"", "invalid escape", 2);
	EXPECT_ERROR("\"\\u12G4\"", "4 hex digits", 1);
	EXPECT_ERROR("\"\\u12\"", "4 hex digits", 1);
}

void
test_control_chars(void **state)
{
	(void)state;
	EXPECT_ERROR("\"a\nb\"", "control character 0x0a", 2);
	EXPECT_ERROR("\"ab\tc\"", "control character 0x09", 3);
	check_error("\"a\0b\"", 4, "control character 0x00", 2);
	EXPECT_ERROR("\"\x1f\"", "control character 0x1f", 1);
}

void
test_utf8_valid(void **state)
{
	(void)state;
	/* boundaries of each length: U+0080, U+07FF, U+0800, U+D7FF, U+E000,
	 * U+FFFF, U+10000, U+10FFFF */
	EXPECT_STRING("\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\"",
	    "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf");
	EXPECT_STRING("\"\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"",
	    "\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
	EXPECT_STRING("\"caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80\"",
	    "caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80");
}

void
test_utf8_invalid(void **state)
{
	(void)state;
	EXPECT_ERROR("\"a\xc0\x80\"", "invalid UTF-8 in a string: overlong", 2);
	EXPECT_ERROR("\"a\xc1\xbf\"", "overlong", 2);
	EXPECT_ERROR("\"ab\xe0\x80\x80\"", "overlong", 3);
	EXPECT_ERROR("\"\xf0\x80\x80\x80\"", "overlong", 1);
	EXPECT_ERROR("\"\xed\xa0\x80\"", "surrogate", 1);
	EXPECT_ERROR("\"\xed\xbf\xbf\"", "surrogate", 1);
	EXPECT_ERROR("\"\xf4\x90\x80\x80\"", "above U+10FFFF", 1);
	EXPECT_ERROR("\"\xf5\x80\x80\x80\"", "above U+10FFFF", 1);
	EXPECT_ERROR("\"\xff\"", "invalid UTF-8", 1);
	EXPECT_ERROR("\"a\x80\"", "continuation", 2);
	EXPECT_ERROR("\"\xc3\"", "truncated sequence", 1);
	EXPECT_ERROR("\"\xe6\x9d\"", "truncated sequence", 1);
	EXPECT_ERROR("\"\xf0\x9f\x98 \"", "truncated sequence", 1);
	/* a sequence cut by the end of the file: the string never ends */
	EXPECT_ERROR("\"\xe6\x9d", "unexpected end of file inside a string", 3);
	/* outside strings */
	EXPECT_ERROR("[\xc3\x28]", "invalid UTF-8", 1);
	EXPECT_ERROR("[ \xe2\x82\xac]", "unexpected non-ASCII", 2);
}

void
test_bom(void **state)
{
	(void)state;
	EXPECT_ERROR("\xef\xbb\xbf[]", "byte order mark", 0);
}

void
test_numbers(void **state)
{
	static const char *const ok[] = {
		"0", "-0", "7", "-12", "1.5", "0.25", "-0.0", "1e10", "1E-2",
		"-12.34e+5", "123456789012345678901234567890",
	};
	static struct lexed r;
	char doc[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(doc, sizeof(doc), "[%s]", ok[i]);
		lex_all(doc, strlen(doc), 64, &r);
		assert_int_equal(r.n, 4);
		assert_int_equal(r.t[1].type, JL_NUMBER);
		assert_int_equal(r.t[1].len, strlen(ok[i]));
		assert_memory_equal(r.t[1].s, ok[i], strlen(ok[i]));
		assert_int_equal(r.t[1].end, 1 + strlen(ok[i]));
	}
}

void
test_bad_numbers(void **state)
{
	(void)state;
	EXPECT_ERROR("[01]", "leading zero", 2);
	EXPECT_ERROR("[-]", "digit must follow '-'", 2);
	EXPECT_ERROR("[-a]", "digit must follow '-'", 2);
	EXPECT_ERROR("[1.]", "digit must follow '.'", 3);
	EXPECT_ERROR("[1.e5]", "digit must follow '.'", 3);
	EXPECT_ERROR("[1e]", "exponent", 3);
	EXPECT_ERROR("[1e+]", "exponent", 4);
	EXPECT_ERROR("[1x]", "invalid number", 2);
	EXPECT_ERROR("[0x10]", "invalid number", 2);
	EXPECT_ERROR("[.5]", "unexpected character '.'", 1);
	EXPECT_ERROR("[+1]", "unexpected character '+'", 1);
	EXPECT_ERROR("-", "unexpected end of file inside a number", 1);
}

void
test_literals(void **state)
{
	static struct lexed r;

	(void)state;
	lex_all("[true,false,null]", 17, 64, &r);
	assert_int_equal(r.t[1].type, JL_TRUE);
	assert_int_equal(r.t[3].type, JL_FALSE);
	assert_int_equal(r.t[5].type, JL_NULL);
	assert_int_equal(r.t[5].end, 16);
	EXPECT_ERROR("[tru]", "invalid literal", 1);
	EXPECT_ERROR("[True]", "unexpected character 'T'", 1);
	EXPECT_ERROR("[truex]", "invalid literal", 1);
	EXPECT_ERROR("[nul", "unexpected end of file inside a literal", 4);
	EXPECT_ERROR("[fals", "unexpected end of file inside a literal", 5);
	EXPECT_ERROR("nan", "invalid literal", 0);
}

void
test_truncated(void **state)
{
	(void)state;
	EXPECT_ERROR("[\"abc", "unexpected end of file inside a string "
	    "(it starts at byte 1)", 5);
	EXPECT_ERROR("[\"abc\\", "unexpected end of file inside a string", 6);
	EXPECT_ERROR("[\"abc\\u00", "unexpected end of file inside a string",
	    9);
	EXPECT_ERROR("[\"\\uD83D", "unexpected end of file inside a string", 8);
	EXPECT_ERROR("[\"\\uD83D\\", "unexpected end of file inside a string",
	    9);
}

void
test_unexpected_chars(void **state)
{
	(void)state;
	EXPECT_ERROR("[@]", "unexpected character '@'", 1);
	EXPECT_ERROR("['a']", "unexpected character '''", 1);
	check_error("[\0]", 3, "unexpected byte 0x00", 1);
	EXPECT_ERROR("[\x0b]", "unexpected byte 0x0b", 1);
}

void
test_sticky_error(void **state)
{
	static struct lexed r;

	(void)state;
	lex_all("[1, @, 2]", 9, 64, &r);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.t[3].type, JL_ERROR);	/* lex_fd checks the next */
}

void
test_max_string(void **state)
{
	static char doc[3100], want[3000];
	static struct lexed r;
	size_t i, n = 0;

	(void)state;
	/* plain: returned in place (default chunk) or gathered */
	doc[n++] = '"';
	for (i = 0; i < 1000; i++)
		doc[n++] = want[i] = (char)('a' + i % 26);
	doc[n++] = '"';
	lex_all(doc, n, 64, &r);
	assert_int_equal(r.t[0].type, JL_STRING);
	assert_int_equal(r.t[0].len, 1000);
	assert_int_equal(r.t[0].trunc, 1);
	assert_int_equal(r.t[0].slen, 64);
	assert_memory_equal(r.t[0].s, want, 64);
	assert_int_equal(r.t[0].end, n);

	/* with escapes: decoded length counted, first 64 decoded bytes kept */
	n = 0;
	doc[n++] = '"';
	for (i = 0; i < 500; i++) {
		memcpy(doc + n, "\\u00e9", 6);
		n += 6;
		want[2 * i] = '\xc3';
		want[2 * i + 1] = '\xa9';
	}
	doc[n++] = '"';
	lex_all(doc, n, 64, &r);
	assert_int_equal(r.t[0].len, 1000);
	assert_int_equal(r.t[0].trunc, 1);
	assert_memory_equal(r.t[0].s, want, 64);

	/* exactly max_string bytes is not truncated */
	lex_all("\"0123456789012345678901234567890123456789012345678901234567890123\"",
	    66, 64, &r);
	assert_int_equal(r.t[0].len, 64);
	assert_int_equal(r.t[0].trunc, 0);

	/* numbers are bounded the same way */
	n = 0;
	for (i = 0; i < 100; i++)
		doc[n++] = '7';
	lex_all(doc, n, 64, &r);
	assert_int_equal(r.t[0].type, JL_NUMBER);
	assert_int_equal(r.t[0].len, 100);
	assert_int_equal(r.t[0].trunc, 1);
}

struct sink {
	char *buf;
	size_t len, calls;
};

static void
sink_chunk(void *ctx, const void *buf, size_t len)
{
	struct sink *s = ctx;

	s->buf = realloc(s->buf, s->len + len);
	assert_non_null(s->buf);
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	s->calls++;
}

void
test_chunk_fn(void **state)
{
	static const char doc[] = "[{\"a\": \"b\\u00e9\"}, 1, 2.5, null]  \n";
	size_t ci;

	(void)state;
	for (ci = 0; ci < sizeof(chunks) / sizeof(chunks[0]); ci++) {
		const char *path = tu_write(tdir(), "c.json", doc,
		    sizeof(doc) - 1);
		struct sink s = { NULL, 0, 0 };
		struct jl_token t;
		struct jl *jl;
		int fd = open(path, O_RDONLY);

		assert_true(fd >= 0);
		jl = jl_new_chunk(fd, 64, chunks[ci]);
		jl_set_chunk_fn(jl, sink_chunk, &s);
		while (jl_next(jl, &t) > JL_EOF)
			assert_int_equal(jl_offset(jl), t.end);
		assert_int_equal(t.type, JL_EOF);
		assert_int_equal(s.len, sizeof(doc) - 1);
		assert_memory_equal(s.buf, doc, s.len);
		if (chunks[ci] == 1)
			assert_int_equal(s.calls, sizeof(doc) - 1);
		free(s.buf);
		jl_free(jl);
		close(fd);
	}
}

/* A document with every kind of token, lexed with chunk sizes 1..40:
 * every token straddles some boundary at some size. */
void
test_chunk_boundaries(void **state)
{
	static const char doc[] =
	    "[{\"id\": \"coco_1\", \"v\": \"caf\xc3\xa9 \xe6\x9d\xb1\xf0\x9f\x98\x80"
	    "\\n\\\"q\\\" \\uD83D\\uDE00 \\u00e9\\/\", \"n\": [-12.5e-3, 0, 17],"
	    "\n  \"t\": true, \"f\": false, \"z\": null, \"e\": \"\", "
	    "\"k\\u0041\": {\"x\": [[], {}]}}]\n";
	static struct lexed ref, r;
	size_t c;

	(void)state;
	lex(doc, sizeof(doc) - 1, 0, 512, &ref);
	assert_int_equal(ref.t[ref.n - 1].type, JL_EOF);
	assert_int_equal(ref.t[8].type, JL_STRING);
	assert_string_equal(ref.t[8].s, "caf\xc3\xa9 \xe6\x9d\xb1\xf0\x9f\x98\x80"
	    "\n\"q\" \xf0\x9f\x98\x80 \xc3\xa9/");
	for (c = 1; c <= 40; c++) {
		lex(doc, sizeof(doc) - 1, c, 512, &r);
		same(&ref, &r);
	}
}

void
test_read_error(void **state)
{
	static struct lexed r;
	int fd = open(tdir(), O_RDONLY | O_DIRECTORY);

	(void)state;
	assert_true(fd >= 0);
	lex_fd(fd, 0, 64, &r);
	close(fd);
	assert_int_equal(r.t[r.n - 1].type, JL_ERROR);
	assert_int_equal(r.ioerr, 1);
	assert_non_null(strstr(r.err, "read error"));
}

/* A 20 MB string: scanned to its end, only max_string bytes kept. */
void
test_huge_string(void **state)
{
	const size_t n = 20u << 20;
	const char *path;
	struct jl_token t;
	struct jl *jl;
	char *doc = malloc(n + 2);
	int fd;

	(void)state;
	assert_non_null(doc);
	memset(doc + 1, 'x', n);
	doc[0] = doc[n + 1] = '"';
	path = tu_write(tdir(), "huge.json", doc, n + 2);
	free(doc);
	fd = open(path, O_RDONLY);
	jl = jl_new(fd, 1024);
	assert_int_equal(jl_next(jl, &t), JL_STRING);
	assert_int_equal(t.len, n);
	assert_int_equal(t.truncated, 1);
	assert_int_equal(t.str[1023], 'x');
	assert_int_equal(jl_next(jl, &t), JL_EOF);
	jl_free(jl);
	close(fd);
	unlink(path);
}

int
jsonlex_teardown(void **state)
{
	(void)state;
	tu_cleanup();
	return 0;
}
