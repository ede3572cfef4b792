/*
 * pool_build: scan a pool directory and write its index (see pool.h and
 * pool_format.h).  The files come from pool__walk() (pool_walk.c).  Pass 1
 * streams each file through jsonlex, checks the JSON strictly, records
 * every item's ID, image, offset and length and the prefix the file's IDs
 * share; pass 2 maps the file to hash each item's bytes.  Then the files
 * are grouped into datasets by prefix (or given name), the IDs sorted,
 * duplicates refused, and the sections written, each with its checksum in
 * the header's section table, through an atomic file.
 */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include "buf.h"
#include "jsonlex.h"
#include "pool_format.h"
#include "pool_int.h"
#include "util.h"
#include "vresult.h"

#define PB_MAX_DEPTH 512	/* nesting accepted inside pool items */
#define PB_MAX_STRING 4096	/* bytes kept of a string token */

/* One item seen during the scan. */
struct pb_item {
	uint64_t offset;
	uint32_t length;
	uint32_t id_off;	/* in the build's id blob */
	uint32_t image;
	uint32_t item;		/* index of the item in its file */
	uint32_t hash;		/* low 32 bits of xxh3-64 of the item bytes */
	uint16_t id_len;
	uint16_t file;
};

/* A source file being read. */
struct pb_file {
	struct pool_file_rec rec;
	const char *name;	/* the dataset name given to it, or NULL */
	char prefix[POOL_MAX_NAME + 1];	/* its IDs' prefix, once one is seen */
	char first_id[POOL_MAX_ID];	/* the first ID with that prefix */
	size_t first_len;
	int64_t first_item;	/* its item index, -1 before it */
	int told;		/* a second prefix was reported */
};

/* Image set under construction: open addressing over image indexes. */
struct pb_images {
	struct buf blob;
	pool_image_rec *recs;
	uint32_t n, cap;
	uint32_t *slots;	/* image index + 1, 0 = empty */
	uint64_t nslots;
};

struct pb {
	struct vresult *res;
	char *err;
	size_t errlen;
	struct pb_file *files;
	uint32_t nfiles;
	struct pool_dataset_rec *ds;
	uint32_t nds;
	struct pb_item *items;
	uint64_t nitems, capitems;
	struct buf ids;
	struct pb_images img;
	XXH3_state_t *xx;
};

static uint64_t
pb_pow2(uint64_t n)
{
	uint64_t s = 16;

	while (s < n)
		s <<= 1;
	return s;
}

static void
pb_img_rehash(struct pb_images *im)
{
	uint64_t mask, i, h;
	uint32_t k;

	free(im->slots);
	im->nslots = pb_pow2((uint64_t)im->cap * 2);
	im->slots = util_xcalloc(im->nslots, sizeof(*im->slots));
	mask = im->nslots - 1;
	for (k = 0; k < im->n; k++) {
		h = XXH3_64bits(im->blob.p + (im->recs[k] & 0xffffffffffffu),
		    im->recs[k] >> 48);
		for (i = h & mask; im->slots[i]; i = (i + 1) & mask)
			;
		im->slots[i] = k + 1;
	}
}

/* Index of image s, added if new. */
static uint32_t
pb_img_intern(struct pb_images *im, const char *s, size_t len)
{
	uint64_t h = XXH3_64bits(s, len), mask, i;
	uint32_t k;

	if (im->n == im->cap) {
		im->cap = im->cap ? im->cap * 2 : 4096;
		im->recs = util_xreallocarray(im->recs, im->cap,
		    sizeof(*im->recs));
		pb_img_rehash(im);
	}
	mask = im->nslots - 1;
	for (i = h & mask; (k = im->slots[i]) != 0; i = (i + 1) & mask) {
		pool_image_rec r = im->recs[k - 1];

		if ((r >> 48) == len &&
		    memcmp(im->blob.p + (r & 0xffffffffffffu), s, len) == 0)
			return k - 1;
	}
	im->recs[im->n] = im->blob.len | ((uint64_t)len << 48);
	buf_add(&im->blob, s, len);
	im->slots[i] = im->n + 1;
	return im->n++;
}

static void
pb_chunk(void *ctx, const void *buf, size_t len)
{
	XXH3_64bits_update(ctx, buf, len);
}

static const char *
pb_tokname(enum jl_type t)
{
	static const char *const names[] = { "end of file", "'{'", "'}'",
	    "'['", "']'", "':'", "','", "a string", "a number", "true",
	    "false", "null" };

	return t >= 0 && (size_t)t < sizeof(names) / sizeof(names[0]) ?
	    names[t] : "an invalid token";
}

/* Read the next token; on a lexer error record it and return -1. */
static int
pb_next(struct pb *b, struct jl *jl, struct jl_token *t, const char *file,
    int64_t item)
{
	if (jl_next(jl, t) == JL_ERROR) {
		vresult_error(b->res, 0, item, (int64_t)jl_error_offset(jl),
		    file, NULL, "malformed JSON: %s", jl_error(jl));
		return -1;
	}
	return 0;
}

static int
pb_unexpected(struct pb *b, const struct jl_token *t, const char *file,
    int64_t item, const char *want)
{
	vresult_error(b->res, 0, item, (int64_t)t->offset, file, NULL,
	    "malformed JSON: expected %s, found %s", want, pb_tokname(t->type));
	return -1;
}

/*
 * Consume one JSON value whose first token is *t, checking its grammar
 * with an explicit stack (no recursion on input).  Returns 0 or -1.
 */
static int
pb_skip(struct pb *b, struct jl *jl, struct jl_token *t, const char *file,
    int64_t item)
{
	char stack[PB_MAX_DEPTH];
	int d = 0;
	enum { VAL, FIRST, ELEM, NEXT } st = VAL;

	for (;;) {
		switch (st) {
		case VAL:
			if (t->type == JL_LBRACE || t->type == JL_LBRACKET) {
				if (d == PB_MAX_DEPTH) {
					vresult_error(b->res, 0, item,
					    (int64_t)t->offset, file, NULL,
					    "nesting deeper than %d levels",
					    PB_MAX_DEPTH);
					return -1;
				}
				stack[d++] = t->type == JL_LBRACE ? '{' : '[';
				st = FIRST;
				break;
			}
			if (t->type < JL_STRING)
				return pb_unexpected(b, t, file, item, "a value");
			if (d == 0)
				return 0;
			st = NEXT;
			break;
		case FIRST:
		case ELEM:
			if (st == FIRST && t->type == (stack[d - 1] == '{' ?
			    JL_RBRACE : JL_RBRACKET)) {
				if (--d == 0)
					return 0;
				st = NEXT;
				break;
			}
			if (stack[d - 1] == '[') {
				st = VAL;
				continue;	/* t starts the element */
			}
			if (t->type != JL_STRING)
				return pb_unexpected(b, t, file, item,
				    "a string key");
			if (pb_next(b, jl, t, file, item) != 0)
				return -1;
			if (t->type != JL_COLON)
				return pb_unexpected(b, t, file, item, "':'");
			st = VAL;
			break;
		case NEXT:
			if (t->type == JL_COMMA) {
				st = ELEM;
				break;
			}
			if (t->type == (stack[d - 1] == '{' ? JL_RBRACE :
			    JL_RBRACKET)) {
				if (--d == 0)
					return 0;
				break;
			}
			return pb_unexpected(b, t, file, item,
			    stack[d - 1] == '{' ? "',' or '}'" : "',' or ']'");
		}
		if (pb_next(b, jl, t, file, item) != 0)
			return -1;
	}
}

/* Check an ID's form; 0 if fine. */
static int
pb_check_id(struct pb *b, const struct jl_token *t, const char *file,
    int64_t item, uint64_t off)
{
	char q[96];
	size_t i;

	if (t->truncated || t->len == 0 || t->len > POOL_MAX_ID) {
		vresult_error(b->res, 0, item, (int64_t)off, file, "id",
		    "ID must be 1 to %d bytes long", POOL_MAX_ID);
		return -1;
	}
	for (i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->str[i];

		if (c <= 0x20 || c == 0x7f) {
			vresult_error(b->res, 0, item, (int64_t)off, file, "id",
			    "ID \"%s\" contains whitespace or a control "
			    "character", util_quote(q, sizeof(q), t->str, t->len));
			return -1;
		}
	}
	return 0;
}

/*
 * Check that an ID (well formed) has a prefix, the one of the file's
 * earlier IDs; a file with a given name needs neither.  A second prefix
 * is told once per file, naming both IDs.  0 if fine.
 */
static int
pb_check_prefix(struct pb *b, struct pb_file *f, const struct jl_token *t,
    int64_t item, uint64_t off)
{
	const char *us;
	char q[64], q2[64];
	size_t plen;

	if (f->name != NULL)
		return 0;
	us = memchr(t->str, '_', t->len);
	plen = us ? (size_t)(us - t->str) : 0;
	if (plen == 0 || plen > POOL_MAX_NAME) {
		vresult_error(b->res, 0, item, (int64_t)off, f->rec.path, "id",
		    "ID \"%s\" has no dataset prefix of 1 to %d bytes "
		    "(IDs are <dataset>_<rest>, or the file is given a dataset "
		    "name: --dataset FILE=NAME)",
		    util_quote(q, sizeof(q), t->str, t->len), POOL_MAX_NAME);
		return -1;
	}
	if (f->first_item < 0) {
		memcpy(f->prefix, t->str, plen);
		f->prefix[plen] = '\0';
		memcpy(f->first_id, t->str, t->len);
		f->first_len = t->len;
		f->first_item = item;
		return 0;
	}
	if (strlen(f->prefix) == plen && memcmp(f->prefix, t->str, plen) == 0)
		return 0;
	if (!f->told)
		vresult_error(b->res, 0, item, (int64_t)off, f->rec.path, "id",
		    "IDs of two datasets in one file: \"%s\" and \"%s\" "
		    "(item %lld); a file's IDs share one prefix, or the file "
		    "is given a dataset name (--dataset FILE=NAME)",
		    util_quote(q, sizeof(q), t->str, t->len),
		    util_quote(q2, sizeof(q2), f->first_id, f->first_len),
		    (long long)f->first_item);
	f->told = 1;
	return -1;
}

/*
 * Pass 1 over one source file.  Returns 0 (item errors may have been
 * recorded), -1 on malformed JSON (recorded) or I/O error (b->err).
 */
static int
pb_scan(struct pb *b, uint32_t fi, const char *path)
{
	struct pb_file *f = &b->files[fi];
	const char *file = f->rec.path;
	struct jl_token t;
	struct jl *jl = NULL;
	int fd, rc = -1;
	int64_t item = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		util_fmt(b->err, b->errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	jl = jl_new(fd, PB_MAX_STRING);
	XXH3_64bits_reset(b->xx);
	jl_set_chunk_fn(jl, pb_chunk, b->xx);
	if (pb_next(b, jl, &t, file, -1) != 0)
		goto out;
	if (t.type != JL_LBRACKET) {
		pb_unexpected(b, &t, file, -1, "'[' (a file is one JSON array)");
		goto out;
	}
	if (pb_next(b, jl, &t, file, 0) != 0)
		goto out;
	if (t.type == JL_RBRACKET)
		goto end;
	for (;; item++) {
		struct pb_item it;
		char id[POOL_MAX_ID];
		size_t idlen = 0;
		int have_id = 0, bad = 0, first = 1;
		uint64_t start = t.offset;

		if (t.type != JL_LBRACE) {
			pb_unexpected(b, &t, file, item, "an item object '{'");
			goto out;
		}
		memset(&it, 0, sizeof(it));
		it.image = POOL_NO_IMAGE;
		for (;;) {
			int which;

			if (pb_next(b, jl, &t, file, item) != 0)
				goto out;
			if (first && t.type == JL_RBRACE)
				break;
			if (t.type != JL_STRING) {
				pb_unexpected(b, &t, file, item, "a string key");
				goto out;
			}
			which = (t.len == 2 && memcmp(t.str, "id", 2) == 0) ? 1 :
			    (t.len == 5 && memcmp(t.str, "image", 5) == 0) ? 2 : 0;
			if (pb_next(b, jl, &t, file, item) != 0)
				goto out;
			if (t.type != JL_COLON) {
				pb_unexpected(b, &t, file, item, "':'");
				goto out;
			}
			if (pb_next(b, jl, &t, file, item) != 0)
				goto out;
			if (which == 1 && t.type == JL_STRING) {
				if (pb_check_id(b, &t, file, item, t.offset) != 0 ||
				    pb_check_prefix(b, f, &t, item, t.offset) != 0)
					bad = 1;
				else {
					idlen = t.len;
					memcpy(id, t.str, idlen);
				}
				have_id = 1;
			} else if (which == 2 && t.type == JL_STRING &&
			    !t.truncated && t.len > 0 && t.len < 65536) {
				it.image = pb_img_intern(&b->img, t.str, t.len);
			} else {
				if (which == 1) {
					vresult_error(b->res, 0, item,
					    (int64_t)t.offset, file, "id",
					    "\"id\" is not a string");
					bad = have_id = 1;
				}
				if (pb_skip(b, jl, &t, file, item) != 0)
					goto out;
			}
			if (pb_next(b, jl, &t, file, item) != 0)
				goto out;
			if (t.type == JL_RBRACE)
				break;
			if (t.type != JL_COMMA) {
				pb_unexpected(b, &t, file, item, "',' or '}'");
				goto out;
			}
			first = 0;
		}
		if (!have_id) {
			vresult_error(b->res, 0, item, (int64_t)start, file, NULL,
			    "item has no \"id\"");
			bad = 1;
		}
		if (t.end - start > UINT32_MAX) {
			vresult_error(b->res, 0, item, (int64_t)start, file, NULL,
			    "item larger than 4 GiB");
			bad = 1;
		}
		if (!bad) {
			if (b->nitems == b->capitems) {
				b->capitems = b->capitems ? b->capitems * 2 : 65536;
				b->items = util_xreallocarray(b->items,
				    b->capitems, sizeof(*b->items));
			}
			it.offset = start;
			it.length = (uint32_t)(t.end - start);
			it.id_off = (uint32_t)b->ids.len;
			it.id_len = (uint16_t)idlen;
			it.item = (uint32_t)item;
			it.file = (uint16_t)fi;
			if (b->ids.len + idlen > UINT32_MAX) {
				util_fmt(b->err, b->errlen, "too many IDs: the "
				    "ID table would exceed 4 GiB");
				goto out;
			}
			buf_add(&b->ids, id, idlen);
			b->items[b->nitems++] = it;
			f->rec.n_items++;
		}
		if (pb_next(b, jl, &t, file, item) != 0)
			goto out;
		if (t.type == JL_RBRACKET)
			break;
		if (t.type != JL_COMMA) {
			pb_unexpected(b, &t, file, item, "',' or ']'");
			goto out;
		}
		if (pb_next(b, jl, &t, file, item + 1) != 0)
			goto out;
	}
end:
	if (pb_next(b, jl, &t, file, -1) != 0)
		goto out;
	if (t.type != JL_EOF) {
		pb_unexpected(b, &t, file, -1, "the end of the file");
		goto out;
	}
	f->rec.checksum = XXH3_64bits_digest(b->xx);
	if (jl_offset(jl) != f->rec.size) {
		util_fmt(b->err, b->errlen, "%s changed while it was read", path);
		goto out;
	}
	rc = 0;
out:
	jl_free(jl);
	close(fd);
	return rc;
}

/* Pass 2: hash the bytes of items [first, first + n), all of one file. */
static int
pb_hash_items(struct pb *b, const char *path, uint64_t first, uint64_t n,
    uint64_t size)
{
	unsigned char *map;
	uint64_t i;
	int fd;

	if (n == 0)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		util_fmt(b->err, b->errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		util_fmt(b->err, b->errlen, "cannot map %s: %s", path,
		    strerror(errno));
		return -1;
	}
	(void)madvise(map, size, MADV_SEQUENTIAL);
	for (i = first; i < first + n; i++) {
		struct pb_item *it = &b->items[i];

		it->hash = (uint32_t)XXH3_64bits(map + it->offset, it->length);
	}
	munmap(map, size);
	return 0;
}

/* Distinct images of each dataset: one pass, one bitmap per dataset. */
static void
pb_count_images(struct pb *b)
{
	uint64_t words = ((uint64_t)b->img.n + 63) / 64 + 1, i, *seen;
	uint32_t d;

	seen = util_xcalloc((size_t)(words * (b->nds ? b->nds : 1)),
	    sizeof(*seen));
	for (d = 0; d < b->nds; d++)
		b->ds[d].n_images = 0;
	for (i = 0; i < b->nitems; i++) {
		uint32_t im = b->items[i].image;
		uint64_t *w;

		if (im == POOL_NO_IMAGE)
			continue;
		d = b->files[b->items[i].file].rec.dataset;
		w = &seen[d * words + im / 64];
		if (!(*w & (UINT64_C(1) << (im % 64)))) {
			*w |= UINT64_C(1) << (im % 64);
			b->ds[d].n_images++;
		}
	}
	free(seen);
}

static const char *pb_sort_blob;
static const struct pb_item *pb_sort_items;

static int
pb_cmp(const void *x, const void *y)
{
	const struct pb_item *a = &pb_sort_items[*(const uint32_t *)x];
	const struct pb_item *c = &pb_sort_items[*(const uint32_t *)y];
	size_t n = a->id_len < c->id_len ? a->id_len : c->id_len;
	int r = memcmp(pb_sort_blob + a->id_off, pb_sort_blob + c->id_off, n);

	if (r != 0)
		return r;
	return (a->id_len > c->id_len) - (a->id_len < c->id_len);
}

/* Sort item indexes by ID; refuse duplicates (naming both places). */
static uint32_t *
pb_sort(struct pb *b)
{
	uint32_t *order = util_xreallocarray(NULL, b->nitems, sizeof(*order));
	uint64_t i;

	for (i = 0; i < b->nitems; i++)
		order[i] = (uint32_t)i;
	pb_sort_blob = b->ids.p;
	pb_sort_items = b->items;
	qsort(order, b->nitems, sizeof(*order), pb_cmp);
	for (i = 1; i < b->nitems; i++) {
		if (pb_cmp(&order[i - 1], &order[i]) == 0) {
			const struct pb_item *a = &b->items[order[i - 1]];
			const struct pb_item *c = &b->items[order[i]];
			char q[96];

			/* report the later one, naming the earlier */
			if (a->file > c->file || (a->file == c->file &&
			    a->item > c->item)) {
				const struct pb_item *tmp = a;

				a = c;
				c = tmp;
			}
			vresult_error(b->res, 0, c->item, (int64_t)c->offset,
			    b->files[c->file].rec.path, "id", "duplicate ID "
			    "\"%s\": also item %u of %s (byte %llu)",
			    util_quote(q, sizeof(q), b->ids.p + c->id_off,
			    c->id_len), a->item, b->files[a->file].rec.path,
			    (unsigned long long)a->offset);
		}
	}
	return order;
}

static int
pb_write(FILE *fp, const void *p, uint64_t n)
{
	static const char zero[8];

	if (n && fwrite(p, 1, n, fp) != n)
		return -1;
	if (n % 8 && fwrite(zero, 1, 8 - n % 8, fp) != 8 - n % 8)
		return -1;
	return 0;
}

static uint64_t
pb_pad8(uint64_t n)
{
	return (n + 7) & ~UINT64_C(7);
}

/* xxh3-64 of a section's n bytes at p and the zeros that pad it to 8. */
static uint64_t
pb_section_sum(XXH3_state_t *st, const void *p, uint64_t n)
{
	static const char zero[8];

	XXH3_64bits_reset(st);
	if (n > 0)
		XXH3_64bits_update(st, p, n);
	if (n % 8)
		XXH3_64bits_update(st, zero, 8 - n % 8);
	return XXH3_64bits_digest(st);
}

/*
 * Lay out and write the index through an atomic file: the header with its
 * section table (offset, length, checksum of each), then the sections.
 */
static int
pb_emit(struct pb *b, const uint32_t *order, const char *datadir,
    const char *out_path)
{
	struct pool_header h;
	struct pool_file_rec *frecs = NULL;
	struct pool_entry *ents = NULL;
	uint64_t *idhash = NULL, i, mask, slot, hv, off;
	uint32_t *imghash = NULL, k;
	char *blob = NULL;
	uint64_t blen = 0;
	struct { const void *p; uint64_t len; } sec[POOL_NSEC];
	struct util_afile *af = NULL;
	FILE *fp;
	int werr, rc = -1;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, POOL_MAGIC, 8);
	h.version = POOL_VERSION;
	h.n_datasets = b->nds;
	h.n_files = b->nfiles;
	h.n_ids = (uint32_t)b->nitems;
	h.n_images = b->img.n;
	h.id_slots = pb_pow2(b->nitems * 2);
	h.img_slots = pb_pow2((uint64_t)b->img.n * 2);

	frecs = util_xcalloc(b->nfiles, sizeof(*frecs));
	for (k = 0; k < b->nfiles; k++)
		frecs[k] = b->files[k].rec;
	/* entries and id blob in ID order */
	ents = util_xreallocarray(NULL, b->nitems, sizeof(*ents));
	blob = util_xmalloc(b->ids.len ? b->ids.len : 1);
	for (i = 0; i < b->nitems; i++) {
		const struct pb_item *it = &b->items[order[i]];

		ents[i].packed = it->offset | ((uint64_t)it->file <<
		    POOL_OFF_BITS) | ((uint64_t)it->id_len << POOL_LEN_SHIFT);
		ents[i].length = it->length;
		ents[i].hash = it->hash;
		ents[i].id_off = (uint32_t)blen;
		ents[i].image = it->image;
		memcpy(blob + blen, b->ids.p + it->id_off, it->id_len);
		blen += it->id_len;
	}
	idhash = util_xcalloc(h.id_slots, sizeof(*idhash));
	mask = h.id_slots - 1;
	for (i = 0; i < b->nitems; i++) {
		hv = XXH3_64bits(blob + ents[i].id_off, pool_ent_idlen(&ents[i]));
		for (slot = hv & mask; idhash[slot]; slot = (slot + 1) & mask)
			;
		idhash[slot] = ((hv >> 32) << 32) | (i + 1);
	}
	imghash = util_xcalloc(h.img_slots, sizeof(*imghash));
	mask = h.img_slots - 1;
	for (k = 0; k < b->img.n; k++) {
		pool_image_rec r = b->img.recs[k];

		hv = XXH3_64bits(b->img.blob.p + (r & 0xffffffffffffu), r >> 48);
		for (slot = hv & mask; imghash[slot]; slot = (slot + 1) & mask)
			;
		imghash[slot] = k + 1;
	}

	sec[POOL_SEC_DATASETS].p = b->ds;
	sec[POOL_SEC_DATASETS].len = (uint64_t)b->nds * sizeof(*b->ds);
	sec[POOL_SEC_FILES].p = frecs;
	sec[POOL_SEC_FILES].len = (uint64_t)b->nfiles * sizeof(*frecs);
	sec[POOL_SEC_ENTRIES].p = ents;
	sec[POOL_SEC_ENTRIES].len = b->nitems * sizeof(*ents);
	sec[POOL_SEC_IDBLOB].p = blob;
	sec[POOL_SEC_IDBLOB].len = b->ids.len;
	sec[POOL_SEC_IDHASH].p = idhash;
	sec[POOL_SEC_IDHASH].len = h.id_slots * sizeof(*idhash);
	sec[POOL_SEC_IMAGES].p = b->img.recs;
	sec[POOL_SEC_IMAGES].len = (uint64_t)b->img.n * sizeof(pool_image_rec);
	sec[POOL_SEC_IMGBLOB].p = b->img.blob.p;
	sec[POOL_SEC_IMGBLOB].len = b->img.blob.len;
	sec[POOL_SEC_IMGHASH].p = imghash;
	sec[POOL_SEC_IMGHASH].len = h.img_slots * sizeof(*imghash);
	sec[POOL_SEC_DATADIR].p = datadir;
	sec[POOL_SEC_DATADIR].len = strlen(datadir) + 1;
	off = sizeof(h);
	for (k = 0; k < POOL_NSEC; k++) {
		h.sec[k].off = off;
		h.sec[k].len = sec[k].len;
		h.sec[k].sum = pb_section_sum(b->xx, sec[k].p, sec[k].len);
		off += pb_pad8(sec[k].len);
	}
	h.file_size = off;
	h.header_sum = XXH3_64bits(&h, offsetof(struct pool_header,
	    header_sum));

	if ((af = util_afile_open(out_path, b->err, b->errlen)) == NULL)
		goto out;
	fp = util_afile_fp(af);
	werr = pb_write(fp, &h, sizeof(h));
	for (k = 0; k < POOL_NSEC && werr == 0; k++)
		werr = pb_write(fp, sec[k].p, sec[k].len);
	if (werr != 0) {
		util_fmt(b->err, b->errlen, "write %s: %s", out_path,
		    strerror(errno));
		util_afile_abort(af);
		goto out;
	}
	if (util_afile_commit(af, b->err, b->errlen) != 0)
		goto out;
	rc = 0;
out:
	free(imghash);
	free(idhash);
	free(blob);
	free(ents);
	free(frecs);
	return rc;
}

/* 0 if name is a valid dataset name (see pool.h), else -1. */
static int
pb_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > POOL_MAX_NAME)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] <= 0x20 || name[i] == 0x7f)
			return -1;
	return 0;
}

static int
pb_cmp_file(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pb_file *)elem)->rec.path);
}

/* The walk's files as b->files, with the names given to some of them. */
static void
pb_files(struct pb *b, const struct pool__file *wf, uint32_t n,
    const struct pool_name *names, size_t nnames)
{
	struct pb_file *f;
	size_t k;
	char q[96];

	b->files = util_xcalloc(n ? n : 1, sizeof(*b->files));
	b->nfiles = n;
	for (k = 0; k < n; k++) {
		f = &b->files[k];
		memcpy(f->rec.path, wf[k].path, strlen(wf[k].path) + 1);
		f->rec.size = wf[k].size;
		f->rec.mtime_ns = wf[k].mtime_ns;
		f->rec.dataset = POOL_NO_DATASET;
		f->first_item = -1;
	}
	for (k = 0; k < nnames; k++) {
		f = bsearch(names[k].file, b->files, n, sizeof(*b->files),
		    pb_cmp_file);
		if (pb_name_ok(names[k].name) != 0)
			vresult_error(b->res, 0, -1, -1, names[k].file, NULL,
			    "dataset name \"%s\" must be 1 to %d bytes, without "
			    "blanks or control characters", util_quote(q,
			    sizeof(q), names[k].name, strlen(names[k].name)),
			    POOL_MAX_NAME);
		else if (f == NULL)
			vresult_error(b->res, 0, -1, -1, names[k].file, NULL,
			    "given a dataset name, but no such .json file was "
			    "found under the data directory");
		else if (f->name != NULL)
			vresult_error(b->res, 0, -1, -1, names[k].file, NULL,
			    "given two dataset names (\"%s\" and \"%s\")",
			    f->name, names[k].name);
		else
			f->name = names[k].name;
	}
}

/* The dataset of file f: its given name, else its IDs' prefix, else none. */
static const char *
pb_file_dataset(const struct pb_file *f)
{
	return f->name ? f->name : f->first_item >= 0 ? f->prefix : NULL;
}

static int
pb_cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int
pb_cmp_dataset(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pool_dataset_rec *)elem)->name);
}

/* Group the files into datasets (sorted by name) and count them. */
static int
pb_datasets(struct pb *b)
{
	const char **nm = util_xcalloc(b->nfiles ? b->nfiles : 1, sizeof(*nm));
	const struct pool_dataset_rec *d;
	uint32_t i, n = 0;
	int rc = -1;

	for (i = 0; i < b->nfiles; i++)
		if ((nm[n] = pb_file_dataset(&b->files[i])) != NULL)
			n++;
	qsort(nm, n, sizeof(*nm), pb_cmp_str);
	b->ds = util_xcalloc(n ? n : 1, sizeof(*b->ds));
	for (i = 0; i < n; i++) {
		if (b->nds > 0 && strcmp(b->ds[b->nds - 1].name, nm[i]) == 0)
			continue;
		if (b->nds == POOL_MAX_DATASETS) {
			util_fmt(b->err, b->errlen, "more than %d datasets in the "
			    "pool", POOL_MAX_DATASETS);
			goto out;
		}
		memcpy(b->ds[b->nds++].name, nm[i], strlen(nm[i]) + 1);
	}
	for (i = 0; i < b->nfiles; i++) {
		struct pb_file *f = &b->files[i];
		const char *name = pb_file_dataset(f);

		if (name == NULL)
			continue;
		d = bsearch(name, b->ds, b->nds, sizeof(*b->ds), pb_cmp_dataset);
		f->rec.dataset = (uint32_t)(d - b->ds);
		b->ds[f->rec.dataset].n_items += f->rec.n_items;
		b->ds[f->rec.dataset].n_files++;
	}
	rc = 0;
out:
	free(nm);
	return rc;
}

int
pool_build_named(const char *datadir, const char *out_path,
    const struct pool_name *names, size_t nnames, struct vresult *res,
    char *err, size_t errlen)
{
	struct pb b;
	struct pool__file *wf = NULL;
	char absdir[PATH_MAX], path[PATH_MAX + POOL_MAX_PATH + 2];
	uint32_t *order = NULL, nwf = 0, i;
	uint64_t first;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	b.res = res;
	b.err = err;
	b.errlen = errlen;
	err[0] = '\0';
	if (realpath(datadir, absdir) == NULL) {
		util_fmt(err, errlen, "cannot resolve %s: %s", datadir,
		    strerror(errno));
		return -1;
	}
	if (pool__walk(absdir, &wf, &nwf, res, err, errlen) != 0)
		goto out;
	pb_files(&b, wf, nwf, names, nnames);
	b.xx = XXH3_createState();
	for (i = 0; i < b.nfiles; i++) {
		util_fmt(path, sizeof(path), "%s/%s", absdir, b.files[i].rec.path);
		first = b.nitems;
		if (pb_scan(&b, i, path) != 0) {
			if (err[0])
				goto out;
			continue;	/* malformed: reported; check the rest */
		}
		if (pb_hash_items(&b, path, first, b.nitems - first,
		    b.files[i].rec.size) != 0)
			goto out;
	}
	if (res->n_errors == 0) {
		if (pb_datasets(&b) != 0)
			goto out;
		pb_count_images(&b);
		order = pb_sort(&b);
	}
	if (res->n_errors > 0) {
		util_fmt(err, errlen, "%llu error%s in the pool data; no index "
		    "written", (unsigned long long)res->n_errors,
		    res->n_errors == 1 ? "" : "s");
		goto out;
	}
	if (pb_emit(&b, order, absdir, out_path) != 0)
		goto out;
	rc = 0;
out:
	free(order);
	if (b.xx)
		XXH3_freeState(b.xx);
	free(b.ds);
	free(b.files);
	pool__walk_free(wf, nwf);
	free(b.items);
	buf_free(&b.ids);
	buf_free(&b.img.blob);
	free(b.img.recs);
	free(b.img.slots);
	return rc;
}

int
pool_build(const char *datadir, const char *out_path, struct vresult *res,
    char *err, size_t errlen)
{
	return pool_build_named(datadir, out_path, NULL, 0, res, err, errlen);
}
