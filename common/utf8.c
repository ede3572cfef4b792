/* utf8: the UTF-8 validator (see utf8.h), once jsonlex's own. */
#include "utf8.h"

int
utf8_seq(const unsigned char *s, size_t avail, const char **why)
{
	unsigned c = s[0], lo = 0x80, hi = 0xbf;
	const char *dummy;
	size_t need, i;

	if (why == NULL)
		why = &dummy;
	if (c < 0x80)
		return 1;
	if (c < 0xc0) {
		*why = "unexpected continuation byte";
		return 0;
	}
	if (c < 0xc2) {
		*why = "overlong sequence";
		return 0;
	}
	if (c < 0xe0)
		need = 2;
	else if (c < 0xf0)
		need = 3;
	else if (c < 0xf5)
		need = 4;
	else {
		*why = c < 0xf8 ? "code point above U+10FFFF" : "invalid byte";
		return 0;
	}
	/* The second byte's range rules out overlongs, surrogates and code
	 * points above U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i < need; i++) {
		if (i >= avail)
			return -1;
		if (s[i] < 0x80 || s[i] > 0xbf) {
			*why = "truncated sequence";
			return 0;
		}
		if (i == 1 && (s[1] < lo || s[1] > hi)) {
			*why = c == 0xed ? "encoded surrogate (U+D800..U+DFFF)" :
			    c == 0xf4 ? "code point above U+10FFFF" :
			    "overlong sequence";
			return 0;
		}
	}
	return (int)need;
}

size_t
utf8_invalid_at(const unsigned char *s, size_t n)
{
	size_t i = 0;
	int k;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_seq(s + i, n - i, NULL)) <= 0)
			return i;
		i += (size_t)k;
	}
	return n;
}
