/*
 * jsonlex: a streaming RFC 8259 tokenizer.
 *
 * The descriptor is read in chunks into one buffer; a chunk is replaced
 * only once every byte of it has been consumed.  A string that lies wholly
 * inside one chunk and has no escape is returned in place (tok.str points
 * into the buffer); otherwise its decoded bytes are gathered, up to
 * max_string, in a second buffer as the scan goes.  So memory is the chunk
 * plus max_string whatever the input.
 */
#include "jsonlex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "utf8.h"
#include "util.h"

#define JL_CHUNK (256 * 1024)
#define JL_MIN_STRING 64

/* jl_getc() / jl_peekc() results besides a byte */
#define JL_C_EOF (-1)
#define JL_C_ERR (-2)

struct jl {
	int fd;
	size_t chunk;		/* read size */
	size_t max_string;	/* bytes kept per string / number */
	unsigned char *buf;	/* chunk bytes */
	const unsigned char *p;	/* next unread byte */
	const unsigned char *end;	/* end of the bytes in buf */
	uint64_t base;		/* file offset of buf[0] */
	int eof;		/* read() returned 0 */
	jl_chunk_fn *fn;
	void *fnctx;
	char *sbuf;		/* gathered string / number bytes */
	size_t slen;		/* bytes in sbuf (at most max_string) */
	size_t dlen;		/* decoded length so far (may exceed slen) */
	int nul;		/* the string so far decoded a \u0000 */
	int failed;		/* an error was reported; sticky */
	int ioerr;		/* ... and it was a read() failure */
	uint64_t err_off;
	char err[192];
};

/* Bytes that end the fast scan of a string body. */
static const unsigned char jl_special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,	/* '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static int
jl_is_ws(int c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static uint64_t
jl_here(const struct jl *jl)
{
	return jl->base + (uint64_t)(jl->p - jl->buf);
}

static void jl_fail(struct jl *jl, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
jl_fail(struct jl *jl, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	if (jl->failed)
		return;
	jl->failed = 1;
	jl->err_off = off;
	va_start(ap, fmt);
	vsnprintf(jl->err, sizeof(jl->err), fmt, ap);
	va_end(ap);
}

/*
 * Read the next chunk; only called once every byte of buf is consumed.
 * Returns 1, 0 at end of file, -1 on a read error (reported).
 */
static int
jl_fill(struct jl *jl)
{
	ssize_t r;

	if (jl->eof)
		return 0;
	jl->base += (uint64_t)(jl->end - jl->buf);
	jl->p = jl->end = jl->buf;
	do
		r = read(jl->fd, jl->buf, jl->chunk);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		jl_fail(jl, jl->base, "read error: %s", strerror(errno));
		jl->ioerr = 1;
		return -1;
	}
	if (r == 0) {
		jl->eof = 1;
		return 0;
	}
	jl->end = jl->buf + r;
	if (jl->fn != NULL)
		jl->fn(jl->fnctx, jl->buf, (size_t)r);
	return 1;
}

static int
jl_peekc(struct jl *jl)
{
	int r;

	if (jl->p == jl->end && (r = jl_fill(jl)) <= 0)
		return r == 0 ? JL_C_EOF : JL_C_ERR;
	return *jl->p;
}

static int
jl_getc(struct jl *jl)
{
	int c = jl_peekc(jl);

	if (c >= 0)
		jl->p++;
	return c;
}

/* Append n decoded bytes; keep at most max_string of them. */
static void
jl_keep(struct jl *jl, const void *s, size_t n)
{
	if (jl->slen < jl->max_string) {
		size_t k = jl->max_string - jl->slen;

		if (k > n)
			k = n;
		memcpy(jl->sbuf + jl->slen, s, k);
		jl->slen += k;
	}
	jl->dlen += n;
}

/* First byte in [p, e) that is '"', '\\', below 0x20 or above 0x7f. */
static const unsigned char *
jl_scan(const unsigned char *p, const unsigned char *e)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);

	while (e - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* signed compare: bytes >= 0x80 are negative, so below 0x20 */
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
		    _mm_cmpeq_epi8(v, bslash)), _mm_cmplt_epi8(v, space));
		int mask = _mm_movemask_epi8(m);

		if (mask != 0)
			return p + __builtin_ctz((unsigned)mask);
		p += 16;
	}
#endif
	while (p < e && !jl_special[*p])
		p++;
	return p;
}

/* The file ended inside the string that starts at byte start. */
static void
jl_eof_in_string(struct jl *jl, uint64_t start)
{
	jl_fail(jl, jl_here(jl), "unexpected end of file inside a string (it "
	    "starts at byte %llu)", (unsigned long long)start);
}

/*
 * A UTF-8 sequence that straddles the end of the buffer (jl->p at its
 * lead byte): gather it byte by byte, validate and keep it.
 */
static int
jl_utf8_slow(struct jl *jl, uint64_t start)
{
	unsigned char tmp[4];
	const char *why = NULL;
	uint64_t off = jl_here(jl);
	size_t n = 0;
	int c, r = -1;

	while (n < sizeof(tmp)) {
		if ((c = jl_getc(jl)) == JL_C_ERR)
			return -1;
		if (c == JL_C_EOF) {
			jl_eof_in_string(jl, start);
			return -1;
		}
		tmp[n++] = (unsigned char)c;
		if ((r = utf8_seq(tmp, n, &why)) >= 0)
			break;
	}
	if (r <= 0) {
		jl_fail(jl, off, "invalid UTF-8 in a string: %s", why);
		return -1;
	}
	jl_keep(jl, tmp, (size_t)r);
	return 0;
}

static int
jl_hex4(struct jl *jl, unsigned *out)
{
	unsigned v = 0;
	int i, c;

	for (i = 0; i < 4; i++) {
		c = jl_getc(jl);
		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (unsigned)(c - 'A' + 10);
		else
			return c == JL_C_ERR ? JL_C_ERR : c == JL_C_EOF ?
			    JL_C_EOF : -3;
	}
	*out = v;
	return 0;
}

static size_t
jl_encode(unsigned cp, unsigned char *o)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A \u escape: jl->p just past the 'u'; esc is the backslash's offset. */
static int
jl_uescape(struct jl *jl, uint64_t esc, uint64_t start)
{
	unsigned char out[4];
	unsigned cp, lo;
	int r, c;

	if ((r = jl_hex4(jl, &cp)) != 0)
		goto bad;
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		jl_fail(jl, esc, "lone surrogate escape \\u%04X (a low "
		    "surrogate without a high one before it)", cp);
		return -1;
	}
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if ((c = jl_getc(jl)) != '\\' || (c = jl_getc(jl)) != 'u')
			goto lone;
		if ((r = jl_hex4(jl, &lo)) != 0)
			goto bad;
		if (lo < 0xdc00 || lo > 0xdfff)
			goto lone;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0)
		jl->nul = 1;
	jl_keep(jl, out, jl_encode(cp, out));
	return 0;
lone:
	if (c == JL_C_ERR)
		return -1;
	if (c == JL_C_EOF) {
		r = JL_C_EOF;
		goto bad;
	}
	jl_fail(jl, esc, "lone surrogate escape \\u%04X (a high surrogate "
	    "must be followed by a \\uDC00-\\uDFFF escape)", cp);
	return -1;
bad:
	if (r == JL_C_ERR)
		return -1;
	if (r == JL_C_EOF)
		jl_eof_in_string(jl, start);
	else
		jl_fail(jl, esc, "invalid \\u escape (4 hex digits expected)");
	return -1;
}

/* An escape: jl->p just past the backslash. */
static int
jl_escape(struct jl *jl, uint64_t start)
{
	uint64_t esc = jl_here(jl) - 1;
	char ch;
	int c = jl_getc(jl);

	switch (c) {
	case '"': case '\\': case '/':
		ch = (char)c;
		break;
	case 'b':
		ch = '\b';
		break;
	case 'f':
		ch = '\f';
		break;
	case 'n':
		ch = '\n';
		break;
	case 'r':
		ch = '\r';
		break;
	case 't':
		ch = '\t';
		break;
	case 'u':
		return jl_uescape(jl, esc, start);
	case JL_C_ERR:
		return -1;
	case JL_C_EOF:
		jl_eof_in_string(jl, start);
		return -1;
	default:
		if (c >= 0x20 && c < 0x7f)
			jl_fail(jl, esc, "invalid escape \\%c in a string", c);
		else
			jl_fail(jl, esc, "invalid escape (backslash before byte "
			    "0x%02x) in a string", (unsigned)c);
		return -1;
	}
	jl_keep(jl, &ch, 1);
	return 0;
}

/* A string: jl->p at the opening quote. */
static enum jl_type
jl_string(struct jl *jl, struct jl_token *tok)
{
	const unsigned char *p = jl->p + 1, *e = jl->end, *run = p;
	const char *why;
	uint64_t start = tok->offset;
	int copied = 0, n, r;

	jl->slen = jl->dlen = 0;
	jl->nul = 0;
	for (;;) {
		p = jl_scan(p, e);
		if (p == e) {
			jl_keep(jl, run, (size_t)(p - run));
			copied = 1;
			jl->p = p;
			if ((r = jl_fill(jl)) <= 0) {
				if (r == 0)
					jl_eof_in_string(jl, start);
				return JL_ERROR;
			}
			p = run = jl->p;
			e = jl->end;
			continue;
		}
		if (*p == '"')
			break;
		if (*p == '\\') {
			jl_keep(jl, run, (size_t)(p - run));
			copied = 1;
			jl->p = p + 1;
			if (jl_escape(jl, start) != 0)
				return JL_ERROR;
			p = run = jl->p;
			e = jl->end;
			continue;
		}
		if (*p < 0x20) {
			jl->p = p;
			jl_fail(jl, jl_here(jl), "control character 0x%02x in a "
			    "string (it must be escaped)", *p);
			return JL_ERROR;
		}
		n = utf8_seq(p, (size_t)(e - p), &why);
		if (n > 0) {
			p += n;
			continue;
		}
		jl->p = p;
		if (n == 0) {
			jl_fail(jl, jl_here(jl), "invalid UTF-8 in a string: %s",
			    why);
			return JL_ERROR;
		}
		jl_keep(jl, run, (size_t)(p - run));
		copied = 1;
		if (jl_utf8_slow(jl, start) != 0)
			return JL_ERROR;
		p = run = jl->p;
		e = jl->end;
	}
	if (copied) {
		jl_keep(jl, run, (size_t)(p - run));
		tok->str = jl->sbuf;
		tok->len = jl->dlen;
	} else {
		tok->str = (const char *)run;
		tok->len = (size_t)(p - run);
	}
	tok->truncated = tok->len > jl->max_string;
	tok->has_nul = jl->nul;
	jl->p = p + 1;
	tok->end = jl_here(jl);
	return tok->type = JL_STRING;
}

static int
jl_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Bytes that may not directly follow a number or a literal. */
static int
jl_is_wordc(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '.' || c == '+' || c == '-' ||
	    c == '_' || c >= 0x80;
}

/* Keep the peeked byte c and advance; returns the next peeked byte. */
static int
jl_take(struct jl *jl, int c)
{
	char ch = (char)c;

	jl_keep(jl, &ch, 1);
	jl->p++;
	return jl_peekc(jl);
}

/* A number: jl->p at its first byte ('-' or a digit). */
static enum jl_type
jl_number(struct jl *jl, struct jl_token *tok)
{
	const char *what;
	int c = *jl->p;

	jl->slen = jl->dlen = 0;
	if (c == '-')
		c = jl_take(jl, c);
	if (c == '0') {
		c = jl_take(jl, c);
		if (jl_is_digit(c)) {
			what = "a leading zero";
			goto bad;
		}
	} else if (jl_is_digit(c)) {
		while (jl_is_digit(c))
			c = jl_take(jl, c);
	} else {
		what = "a digit must follow '-'";
		goto bad;
	}
	if (c == '.') {
		c = jl_take(jl, c);
		if (!jl_is_digit(c)) {
			what = "a digit must follow '.'";
			goto bad;
		}
		while (jl_is_digit(c))
			c = jl_take(jl, c);
	}
	if (c == 'e' || c == 'E') {
		c = jl_take(jl, c);
		if (c == '+' || c == '-')
			c = jl_take(jl, c);
		if (!jl_is_digit(c)) {
			what = "a digit must follow the exponent mark";
			goto bad;
		}
		while (jl_is_digit(c))
			c = jl_take(jl, c);
	}
	if (c >= 0 && jl_is_wordc(c)) {
		what = "unexpected character after it";
		goto bad;
	}
	if (c == JL_C_ERR)
		return JL_ERROR;
	tok->str = jl->sbuf;
	tok->len = jl->dlen;
	tok->truncated = jl->dlen > jl->slen;
	tok->has_nul = 0;
	tok->end = jl_here(jl);
	return tok->type = JL_NUMBER;
bad:
	if (c == JL_C_ERR)
		return JL_ERROR;
	if (c == JL_C_EOF)
		jl_fail(jl, jl_here(jl), "unexpected end of file inside a "
		    "number (it starts at byte %llu)",
		    (unsigned long long)tok->offset);
	else
		jl_fail(jl, jl_here(jl), "invalid number at byte %llu: %s",
		    (unsigned long long)tok->offset, what);
	return JL_ERROR;
}

/* true / false / null: jl->p at the first letter. */
static enum jl_type
jl_literal(struct jl *jl, struct jl_token *tok)
{
	static const char *const words[] = { "true", "false", "null" };
	static const enum jl_type types[] = { JL_TRUE, JL_FALSE, JL_NULL };
	int w = *jl->p == 't' ? 0 : *jl->p == 'f' ? 1 : 2;
	const char *s = words[w];
	int c = 0;

	for (; *s != '\0'; s++) {
		if ((c = jl_peekc(jl)) != (unsigned char)*s)
			goto bad;
		jl->p++;
	}
	c = jl_peekc(jl);
	if (c >= 0 && jl_is_wordc(c))
		goto bad;
	if (c == JL_C_ERR)
		return JL_ERROR;
	tok->end = jl_here(jl);
	return tok->type = types[w];
bad:
	if (c == JL_C_ERR)
		return JL_ERROR;
	if (c == JL_C_EOF)
		jl_fail(jl, jl_here(jl), "unexpected end of file inside a "
		    "literal (true, false or null)");
	else
		jl_fail(jl, tok->offset, "invalid literal (expected true, "
		    "false or null)");
	return JL_ERROR;
}

/* A byte that cannot start a token; jl->p at it.  The lexer fails, so
 * the bytes read here need not be given back. */
static void
jl_unexpected(struct jl *jl)
{
	unsigned char tmp[4];
	const char *why = "truncated sequence";
	uint64_t off = jl_here(jl);
	size_t n = 0;
	int c = *jl->p, r = -1;

	if (c < 0x80) {
		if (c >= 0x20 && c < 0x7f)
			jl_fail(jl, off, "unexpected character '%c'", c);
		else
			jl_fail(jl, off, "unexpected byte 0x%02x", (unsigned)c);
		return;
	}
	while (r < 0 && n < sizeof(tmp) && (c = jl_getc(jl)) >= 0) {
		tmp[n++] = (unsigned char)c;
		r = utf8_seq(tmp, n, &why);
	}
	if (c == JL_C_ERR)
		return;
	if (off == 0 && r == 3 && memcmp(tmp, "\xef\xbb\xbf", 3) == 0)
		jl_fail(jl, off, "byte order mark at the start of the file "
		    "(JSON text must not have one)");
	else if (r <= 0)
		jl_fail(jl, off, "invalid UTF-8: %s", why);
	else
		jl_fail(jl, off, "unexpected non-ASCII character");
}

enum jl_type
jl_next(struct jl *jl, struct jl_token *tok)
{
	const unsigned char *p, *e;
	int r;

	tok->str = NULL;
	tok->len = 0;
	tok->truncated = 0;
	tok->has_nul = 0;
	if (jl->failed)
		goto fail;
	p = jl->p;
	e = jl->end;
	for (;;) {
		while (p < e && jl_is_ws(*p))
			p++;
		if (p < e)
			break;
		jl->p = p;
		if ((r = jl_fill(jl)) <= 0) {
			if (r < 0)
				goto fail;
			tok->offset = tok->end = jl_here(jl);
			return tok->type = JL_EOF;
		}
		p = jl->p;
		e = jl->end;
	}
	jl->p = p;
	tok->offset = jl_here(jl);
	switch (*p) {
	case '{':
		tok->type = JL_LBRACE;
		break;
	case '}':
		tok->type = JL_RBRACE;
		break;
	case '[':
		tok->type = JL_LBRACKET;
		break;
	case ']':
		tok->type = JL_RBRACKET;
		break;
	case ':':
		tok->type = JL_COLON;
		break;
	case ',':
		tok->type = JL_COMMA;
		break;
	case '"':
		if (jl_string(jl, tok) == JL_ERROR)
			goto fail;
		return JL_STRING;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if (jl_number(jl, tok) == JL_ERROR)
			goto fail;
		return JL_NUMBER;
	case 't': case 'f': case 'n':
		if (jl_literal(jl, tok) == JL_ERROR)
			goto fail;
		return tok->type;
	default:
		jl_unexpected(jl);
		goto fail;
	}
	jl->p = p + 1;
	tok->end = tok->offset + 1;
	return tok->type;
fail:
	tok->str = NULL;
	tok->len = 0;
	tok->truncated = 0;
	tok->has_nul = 0;
	tok->offset = tok->end = jl->err_off;
	return tok->type = JL_ERROR;
}

struct jl *
jl_new_chunk(int fd, size_t max_string, size_t chunk_size)
{
	struct jl *jl;

	if (max_string < JL_MIN_STRING)
		max_string = JL_MIN_STRING;
	if (chunk_size == 0)
		chunk_size = JL_CHUNK;
	if ((jl = calloc(1, sizeof(*jl))) == NULL)
		return NULL;
	jl->fd = fd;
	jl->chunk = chunk_size;
	jl->max_string = max_string;
	jl->buf = malloc(chunk_size);
	jl->sbuf = malloc(max_string);
	if (jl->buf == NULL || jl->sbuf == NULL) {
		jl_free(jl);
		return NULL;
	}
	jl->p = jl->end = jl->buf;
	return jl;
}

struct jl *
jl_new(int fd, size_t max_string)
{
	return jl_new_chunk(fd, max_string, 0);
}

void
jl_set_chunk_fn(struct jl *jl, jl_chunk_fn *fn, void *ctx)
{
	jl->fn = fn;
	jl->fnctx = ctx;
}

const char *
jl_error(const struct jl *jl)
{
	return jl->failed ? jl->err : "no error";
}

uint64_t
jl_error_offset(const struct jl *jl)
{
	return jl->err_off;
}

int
jl_io_error(const struct jl *jl)
{
	return jl->ioerr;
}

uint64_t
jl_offset(const struct jl *jl)
{
	return jl_here(jl);
}

void
jl_free(struct jl *jl)
{
	if (jl == NULL)
		return;
	free(jl->buf);
	free(jl->sbuf);
	free(jl);
}
