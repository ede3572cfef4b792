/*
 * utf8_ref: a reference UTF-8 decoder for the tests of utf8.h (test_base
 * and fuzz_base), written from the definition rather than from utf8.c:
 * the length the lead byte's high bits give, 10xxxxxx continuation bytes,
 * then the code point must need that length and be a scalar value.
 */
#ifndef DO_UTF8_REF_H
#define DO_UTF8_REF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The length a lead byte announces (1 for a byte that is no lead). */
static inline size_t
utf8_ref_lead_len(unsigned c)
{
	return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Length of a complete valid sequence at s (n bytes there), or 0. */
static inline int
utf8_ref_full(const unsigned char *s, size_t n)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1fu;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0fu;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return (int)len;
}

/* What utf8_seq() should say of the n bytes at s: the length, 0, or -1
 * when they are cut short but the lowest or the highest completion with
 * continuation bytes is valid. */
static inline int
utf8_ref(const unsigned char *s, size_t n)
{
	unsigned char lo[4], hi[4];
	size_t len = utf8_ref_lead_len(s[0]);

	if (n >= len || s[0] >= 0xf8)
		return utf8_ref_full(s, n);
	memcpy(lo, s, n);
	memcpy(hi, s, n);
	memset(lo + n, 0x80, len - n);
	memset(hi + n, 0xbf, len - n);
	return utf8_ref_full(lo, len) || utf8_ref_full(hi, len) ? -1 : 0;
}

#endif
