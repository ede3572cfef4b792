/*
 * utf8: the one UTF-8 validator (RFC 3629: no overlong form, no encoded
 * surrogate U+D800..U+DFFF, nothing above U+10FFFF).  Every check of
 * UTF-8 in the programs goes through utf8_seq().
 */
#ifndef DO_UTF8_H
#define DO_UTF8_H

#include <stddef.h>

/*
 * The sequence that starts at s (avail bytes there, at least 1): returns
 * its length (1 for an ASCII byte, NUL included), 0 if it is invalid
 * (with the reason in *why when why is not NULL: "overlong sequence",
 * "truncated sequence", ...), or -1 if its first avail bytes are a valid
 * start but more bytes are needed to tell.
 */
int utf8_seq(const unsigned char *s, size_t avail, const char **why);

/*
 * The offset of the first byte of s[0..n) that does not start a valid
 * sequence (a sequence cut short by the end counts as invalid), or n if
 * all of it is valid UTF-8.
 */
size_t utf8_invalid_at(const unsigned char *s, size_t n);

#endif
