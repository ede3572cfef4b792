/*
 * buf: a growable byte buffer, for text built piece by piece.
 *
 * A zeroed struct buf (BUF_INIT) is an empty buffer.  Once anything was
 * added (or room reserved) p is not NULL and p[len] is a NUL that len does
 * not count, so the bytes can be used as a C string.  The buffer owns p
 * until buf_steal() hands it over; buf_free() releases it.  Growth checks
 * len + n for overflow; like util_xmalloc(), running out of memory (or a
 * size past SIZE_MAX) is fatal, so nothing here fails.
 */
#ifndef DO_BUF_H
#define DO_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
	char *p;		/* the bytes, NUL-terminated; NULL if none */
	size_t len;		/* bytes used, the NUL not counted */
	size_t cap;		/* bytes allocated */
};

#define BUF_INIT { NULL, 0, 0 }

/* Make room for n more bytes and the NUL (p is not NULL after). */
void buf_reserve(struct buf *b, size_t n);

/* Append n bytes of s (s may be NULL when n is 0). */
static inline void
buf_add(struct buf *b, const void *s, size_t n)
{
	if (b->cap - b->len <= n)	/* also when p is NULL: cap is 0 */
		buf_reserve(b, n);
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Append the string s, the byte c. */
static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static inline void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

/* Append printf-style text. */
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Empty the buffer, keeping its memory for what comes next. */
void buf_reset(struct buf *b);

/* Release the memory; b is an empty buffer after.  NULL is ignored. */
void buf_free(struct buf *b);

/*
 * Hand the bytes over: returns the NUL-terminated text (never NULL: "" if
 * nothing was added) for the caller to free, with its length in *len if
 * len is not NULL; b is an empty buffer after.
 */
char *buf_steal(struct buf *b, size_t *len);

#endif
