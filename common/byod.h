/*
 * byod: the BYOD-submission validator (a JSON array of LLaVA items),
 * streaming over the file with jsonlex in memory bounded by the limits,
 * whatever the file's size.  Rules (from LLaVA's llava/train/train.py):
 *  - the file is one top-level array, nothing after it, at most
 *    max_items items, at most max_bytes bytes;
 *  - each item is an object with a string "id" (unique in the file) and a
 *    "conversations" array of at least 2 turns; each turn an object with
 *    string "from" and "value";
 *  - "from" is "human" or "gpt"; turns alternate starting with "human";
 *    the last is "gpt"; no "value" is empty;
 *  - no "value" contains "</s>", "[/INST]" or " ASSISTANT: ";
 *  - "image", when present, is one relative path string, no ".." segment,
 *    no leading '/', no backslash, no NUL, in the pool's image set or under
 *    one of the allowed image roots;
 *  - with an image, "<image>" appears in exactly one turn, a human one,
 *    and that is the first human turn; without one, no "<image>" at all;
 *  - nesting no deeper than the format needs; strings at most
 *    max_string bytes.
 * Each error names the item index, the JSON path and the byte offset.
 */
#ifndef DO_BYOD_H
#define DO_BYOD_H

#include <stddef.h>
#include <stdint.h>

struct pool;
struct vresult;

struct byod_limits {
	uint64_t max_items;	/* the track's budget; 0 = no limit */
	uint64_t max_bytes;	/* file size limit; 0 = no limit */
	size_t max_string;	/* longest string value, bytes (0: 1 MiB) */
	const char *const *image_roots;	/* NULL-terminated list of path
				   prefixes ("myimages/") accepted besides the
				   pool's image set; may be NULL */
};

/*
 * Validate the file at path.  pool may be NULL (then only image_roots
 * admit images).  lim may be NULL (no limits, no roots).  Fills res
 * (initialised by the caller):
 *  - n_samples: the number of items in the top-level array;
 *  - sha256 of the file: set only when the file was read to its end (a
 *    JSON syntax error or a refusal stops the scan early);
 *  - set_hash, only for a valid file: SHA-256 over the per-item digests,
 *    sorted bytewise, 16 bytes each (the first 16 bytes of the item's
 *    SHA-256).  An item's SHA-256 is taken over its canonical token stream:
 *    per token one type byte (enum jl_type), and for a string or number
 *    its decoded length (8 bytes, little-endian) and decoded bytes; no
 *    commas or colons.  So whitespace and escapes don't change it; key
 *    order and number spelling do;
 *  - composition by image folder (the image path up to its first '/';
 *    "(top level)" for a path without one; "(no image)" for text-only
 *    items), counting items without errors;
 *  - errors.  Each has the item index (-1 for the file as a whole), the
 *    path ("[3].conversations[1].value", "" for the file) and the byte
 *    offset of the offending token (for a missing key, the item's or
 *    turn's opening brace; -1 for a duplicate id, which is found after
 *    the scan and names the first item with that id).  A JSON syntax
 *    error (including invalid UTF-8 or a lone surrogate escape) or nesting
 *    deeper than 64 stops the scan; every other error is recorded and the
 *    scan goes on.  Duplicate ids are found by a 64-bit hash (xxh3) of the
 *    id.  An image root without a trailing '/' still only matches whole
 *    path segments.
 * Returns 0 when the file was read (see res->n_errors), -1 on I/O error
 * (cannot open, not a regular file, read failure) with a message in err.
 * Memory: the read buffer, max_string, and 28 bytes per item (at most
 * max_items items are kept).
 */
int byod_file(const struct pool *pool, const char *path,
    const struct byod_limits *lim, struct vresult *res, char *err,
    size_t errlen);

#endif
