/*
 * jsonlex: a streaming JSON tokenizer (RFC 8259) over a file descriptor,
 * in bounded memory whatever the input's size.
 *
 * It reads the descriptor in fixed chunks, validates UTF-8 everywhere
 * (strings and between tokens), decodes string escapes (a lone or
 * mis-paired surrogate escape is an error) and reports each token with its
 * byte offset.  A string longer than the max_string given to jl_new() is
 * scanned and validated to its end but only its first max_string bytes
 * are kept (tok.truncated is set, tok.len is the full decoded length), so
 * a 100 MB string costs no memory.  Numbers follow the JSON grammar and
 * are kept as text (bounded the same way); a byte order mark is an error,
 * as in Python's json.  Nesting is not tracked here: callers keep their
 * own depth and bound it.
 */
#ifndef DO_JSONLEX_H
#define DO_JSONLEX_H

#include <stddef.h>
#include <stdint.h>

enum jl_type {
	JL_ERROR = -1,	/* see jl_error(); the lexer stays in error */
	JL_EOF = 0,	/* end of input (only whitespace after the last token) */
	JL_LBRACE, JL_RBRACE, JL_LBRACKET, JL_RBRACKET, JL_COLON, JL_COMMA,
	JL_STRING, JL_NUMBER, JL_TRUE, JL_FALSE, JL_NULL
};

struct jl_token {
	enum jl_type type;
	uint64_t offset;	/* byte offset of the token's first byte */
	uint64_t end;		/* byte offset just past the token */
	const char *str;	/* JL_STRING: decoded bytes, JL_NUMBER: its
				   text; never NUL-terminated (it may point
				   into the read buffer); valid until the next
				   jl_next(); NULL for other tokens */
	size_t len;		/* decoded length (full, even if truncated) */
	int truncated;		/* 1 if only max_string bytes are in str (the
				   cut may fall inside a UTF-8 sequence) */
	int has_nul;		/* JL_STRING: a \u0000 escape decoded to a
				   NUL byte somewhere in it (even past the
				   kept bytes) */
};

struct jl;

/* Chunk observer: called with every chunk read, in order (for hashing). */
typedef void jl_chunk_fn(void *ctx, const void *buf, size_t len);

/*
 * Create a lexer reading fd (not owned, not closed).  max_string bounds
 * the bytes kept per string or number token (at least 64).  Returns NULL
 * only on allocation failure.
 */
struct jl *jl_new(int fd, size_t max_string);

/*
 * The same with the read size chosen (0: the default, 256 KiB).  For tests:
 * a chunk_size of 1 makes every token straddle chunk boundaries.
 */
struct jl *jl_new_chunk(int fd, size_t max_string, size_t chunk_size);

/* Call fn(ctx, chunk, len) for every chunk read from now on. */
void jl_set_chunk_fn(struct jl *jl, jl_chunk_fn *fn, void *ctx);

/* Read the next token into *tok; returns tok->type. */
enum jl_type jl_next(struct jl *jl, struct jl_token *tok);

/* After JL_ERROR: a message ("invalid UTF-8", "unterminated string", ...)
 * and the byte offset where it was found. */
const char *jl_error(const struct jl *jl);
uint64_t jl_error_offset(const struct jl *jl);

/* After JL_ERROR: 1 if it was a read() failure (an I/O error, not bad
 * JSON), else 0. */
int jl_io_error(const struct jl *jl);

/* Bytes consumed so far (the offset of the next unread byte).  Right
 * after a token this is tok.end; after JL_EOF, the file's size. */
uint64_t jl_offset(const struct jl *jl);

/* Free the lexer.  NULL is ignored. */
void jl_free(struct jl *jl);

#endif
