/*
 * byod: the BYOD-submission validator (a JSON array of LLaVA items),
 * streaming over the file with jsonlex in memory bounded by the limits,
 * whatever the file's size.  Its rules follow what LLaVA's own loader
 * (llava/train/train.py, conversation.py, mm_utils.py at 744cb3e, the
 * llava_llama_2 template) does with an item: an error where LLaVA crashes
 * or masks the whole sample, a warning where it trains on part of it or
 * ignores part of it, nothing where it trains on it; a few errors are the
 * competition's own rules ("policy").  README.md keeps the table.
 * Errors:
 *  - the file is one top-level array, nothing after it, at most
 *    max_items items, at most max_bytes bytes; no integer of more than
 *    4300 digits anywhere (Python's json.load refuses it);
 *  - each item is an object with an "id" (policy: a string, or an integer
 *    taken as its decimal string, unique in the file) and a
 *    "conversations" array of at least 2 turns; each turn an object with
 *    a "from" and a "value";
 *  - "from" is "human" or "gpt"; turns alternate starting with "human"
 *    (a leading "gpt" turn, which LLaVA drops, aside); the last is "gpt";
 *  - a "value" is a string, not empty, without "</s>", "<unk>" or
 *    "[/INST] " and not ending in "[/INST]" (in a turn holding "<image>",
 *    also once LLaVA has taken "<image>" out and stripped it); or a
 *    non-zero number in a later "human" turn of an item without an image
 *    (LLaVA formats it into the prompt);
 *  - "image", when present, is one relative path string, no ".."
 *    segment, no leading '/', no backslash, no NUL, shorter than 4096
 *    bytes, not naming a directory (ending in '/' or "/."); normalised
 *    (empty and "." segments dropped, as the kernel does) it is in the
 *    pool's image set or under one of the allowed image roots;
 *  - with an image, "<image>" is in at most one turn that LLaVA keeps;
 *  - nesting no deeper than the format needs; strings (and numbers) at
 *    most max_string bytes.
 * Warnings (the file stays valid):
 *  - a leading "gpt" turn (dropped); a value of only whitespace; "<s>"
 *    in a value (LLaMA's begin-of-sequence token);
 *  - "<image>" in an item without an image (trained on as text); an image
 *    that no kept turn shows (loaded, never used); "<image>" more than
 *    once in its turn (one is kept) or in a "gpt" turn;
 *  - truncation, by byod_tokens() estimates: the prompt up to the end of
 *    the first human turn at BYOD_MAX_TOKENS or more (no answer token
 *    survives), or the whole prompt over it (the tail is not trained).
 *    LLaVA cuts the token ids at model_max_length in its data collator;
 *    an image is one id there (the "<image>" placeholder, which the
 *    estimate counts as 4) and its 256 patch embeddings are spliced in
 *    later by llava_arch.py, which at this commit cuts nothing, so they
 *    do not count against the limit.
 * Each finding names the item index, the JSON path and the byte offset.
 */
#ifndef DO_BYOD_H
#define DO_BYOD_H

#include <stddef.h>
#include <stdint.h>

struct pool;
struct vresult;

/* LLaVA's model_max_length in the competition's training command. */
#define BYOD_MAX_TOKENS 2048

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
 * Warnings go to res's warnings list with the same locators.
 * Memory: the read buffer, max_string, a copy of the longest value that
 * holds "<image>", 26 KiB for the token estimate (an item's values wait
 * there until their bytes could reach the limit), and 28 bytes per item
 * (at most max_items items are kept).
 */
int byod_file(const struct pool *pool, const char *path,
    const struct byod_limits *lim, struct vresult *res, char *err,
    size_t errlen);

/*
 * An estimate of the LLaMA tokens of the UTF-8 text s (n bytes), meant to
 * err high on ordinary text: a run of ASCII letters counts one token per 4
 * letters or part of 4; an ASCII digit one (LLaMA splits numbers into
 * digits), plus one for a space before it; every other ASCII character
 * one, but a space nothing when it follows a non-space (it joins the next
 * piece); a 2-byte UTF-8 character one, a 3- or 4-byte one a token per
 * byte (LLaMA's byte fallback).  Long runs of letters that are not words
 * (hashes, base64) can take more tokens than this.
 */
uint64_t byod_tokens(const char *s, size_t n);

#endif
