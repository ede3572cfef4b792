/*
 * proxy_int: what proxy_train.c (the trainer, the model file's writer),
 * proxy_eval.c (its reader, the answers) and proxy_tok.c (the tokenizer
 * and small helpers both use) share.  Private to the proxy module.
 *
 * Model file layout (host byte order, checked by a marker; every section
 * starts 8-byte aligned, padded with zeros):
 *   header      magic "DOPRXY01", u32 version, u32 0x01020304,
 *               u64 samples, documents (all), stored documents (D),
 *               terms (T), postings (P), term bytes, answer bytes,
 *               f64 k1, b, average document length
 *   u64 term_off[T + 1]      char term_text[term bytes]
 *   u64 post_off[T + 1]      u32 post_doc[P]      f32 post_w[P]
 *   u64 fwd_off[D + 1]       u32 fwd_term[P]      f32 fwd_w[P]
 *   u64 ans_off[D + 1]       char answers[answer bytes]
 *   u64 xxh3-64 of everything before it
 */
#ifndef DO_PROXY_INT_H
#define DO_PROXY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define PROXY_MAGIC "DOPRXY01"
#define PROXY_VERSION 1u
#define PROXY_ENDIAN 0x01020304u
#define PROXY_HEADER 96			/* bytes before the first section */
#define PROXY_MAX_DOCS 0xfffffff0u	/* stored documents, at most */

/* Small growable arrays: n used of cap, p owned (free(p)). */
struct proxy_u32v {
	uint32_t *p;
	size_t n, cap;
};

struct proxy_u64v {
	uint64_t *p;
	size_t n, cap;
};

/* Push x. */
void proxy__u32_push(struct proxy_u32v *v, uint32_t x);
void proxy__u64_push(struct proxy_u64v *v, uint64_t x);

/* Words of one text: offsets and lengths into buf. */
struct proxy_toks {
	struct buf buf;	/* the cleaned, lowercased text */
	struct proxy_u32v off, len;
};

/*
 * Split n bytes of s into words as proxy.h says (boilerplate removed,
 * lowercased, words cut to PROXY_MAX_TERM bytes) into t, replacing what
 * t held; t's arrays are reused.
 */
void proxy__tokenize(struct proxy_toks *t, const char *s, size_t n);

/* Free t's arrays. */
void proxy__toks_free(struct proxy_toks *t);

/* qsort comparison of two uint32_t. */
int proxy__cmp_u32(const void *a, const void *b);

/* mkdir dir (0755) unless it is a directory already; 0, or -1 with a
 * message in err. */
int proxy__make_dir(const char *dir, char *err, size_t errlen);

/* "dir/name", a new string (the caller frees it). */
char *proxy__path_join(const char *dir, const char *name);

#endif
