/*
 * byod: the BYOD validator.
 *
 * Two layers over the token stream, both explicit state machines:
 *  - the syntax layer (byod_token) checks the JSON grammar with a bounded
 *    stack of open containers and turns tokens into events: a value
 *    (scalar or container start) at depth d, a key at depth d, a container
 *    end back at depth d;
 *  - the format layer (byod_value, byod_key, byod_close) knows what each
 *    depth holds: 0 the file, 1 the top array, 2 an item object, 3 its
 *    conversations array, 4 a turn object.  Any other container is either
 *    an error (reported, then skipped) or an unknown key's value (skipped
 *    silently); skipping only counts depth.
 * A JSON syntax error stops the scan; a format error is recorded and the
 * scan goes on.  Per item, nothing is allocated: the item's canonical
 * token stream goes through a fixed buffer into SHA-256, and only 16 bytes
 * of its digest and 12 bytes of its id's hash are kept, in two external
 * sorters (extsort.h) that spill sorted runs to a temporary file past
 * 8 MiB each, so memory stays bounded whatever the item count.
 */
#include "byod.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "extsort.h"
#include "jsonlex.h"
#include "pool.h"
#include "util.h"
#include "vresult.h"

#define BYOD_MAX_DEPTH 64	/* deepest nesting, unknown keys' values too */
#define BYOD_MAX_KEYS 256	/* distinct unknown keys per object */
#define BYOD_DIGEST 16		/* bytes kept of each item's SHA-256 */
#define BYOD_DBUF (64 * 1024)	/* canonical stream buffer */
#define BYOD_KEYTXT 64		/* bytes of a key kept for messages */
#define BYOD_DEFAULT_STRING (1024 * 1024)
#define BYOD_NO_OFFSET UINT64_MAX	/* reported as offset -1 */
#define BYOD_SORT_MEM (8u << 20)	/* per sorter; more spills to disk */
#define BYOD_PATH_MAX 4096	/* open() refuses a path this long */
#define BYOD_PY_INT_DIGITS 4300	/* Python's int limit (json.load) */

/* Why LLaVA never reads "id", and why it is checked all the same. */
#define BYOD_ID_RULE " (a competition rule, not LLaVA's, which never reads " \
	"\"id\": the server needs a handle for each item)"

/* What the syntax layer expects next. */
enum byod_expect {
	X_VALUE,		/* a value (after ':' or ',' in an array) */
	X_FIRST_VALUE,		/* a value or ']' (after '[') */
	X_KEY,			/* a key (after ',' in an object) */
	X_FIRST_KEY,		/* a key or '}' (after '{') */
	X_COLON,
	X_NEXT,			/* ',' or the closing bracket */
	X_DONE			/* end of file */
};

enum byod_key {
	K_OTHER,		/* unknown: its value is skipped */
	K_DUP,			/* repeated: reported, value skipped */
	K_ID, K_IMAGE, K_CONV,	/* item keys */
	K_FROM, K_VALUE		/* turn keys */
};

enum byod_role { R_NONE, R_HUMAN, R_GPT, R_BAD };

/* What a turn's "value" was. */
enum byod_vkind {
	V_NONE,			/* none, or one already refused */
	V_STRING,
	V_NUMBER,		/* a number other than zero */
	V_ZERO			/* a number equal to zero (false in Python) */
};

/* What a string value holds (byod_scan_text() and byod_text()) */
#define T_EMPTY	1	/* nothing */
#define T_EOS	2	/* "</s>" */
#define T_UNK	4	/* "<unk>" */
#define T_SPLIT	8	/* "[/INST] " */
#define T_END	16	/* "[/INST]" at its end */
#define T_IMAGE	32	/* "<image>", only where LLaVA made it anew */
#define T_BOS	64	/* "<s>" */
#define T_BLANK	128	/* only whitespace */

/* Seen-key flags */
#define F_ID	1
#define F_IMAGE	2
#define F_CONV	4
#define F_FROM	8
#define F_VALUE	16

/* A kept turn whose value waits in tbuf for its token estimate. */
struct byod_tseg {
	size_t len;		/* its value's bytes in tbuf */
	uint64_t ov;		/* LLaVA's prompt around it, in tokens */
	int64_t turn;
};

/* The first BYOD_DIGEST bytes of an item's SHA-256. */
struct byod_dig {
	unsigned char d[BYOD_DIGEST];
};

/* An id's xxh3-64 hash and its item index (12 bytes, 4-aligned). */
struct byod_idh {
	uint32_t hi, lo, item;
};

/* Keys of one object, for the duplicate check. */
struct byod_keys {
	unsigned seen;		/* F_* of the known keys */
	size_t n;		/* unknown keys' hashes in h */
	int full;		/* more than BYOD_MAX_KEYS reported */
	uint64_t h[BYOD_MAX_KEYS];
};

struct byod {
	const struct pool *pool;
	const struct byod_limits *lim;
	size_t max_string;
	struct vresult *res;
	struct jl *jl;
	int stop;		/* a fatal error was reported */

	/* syntax layer */
	enum byod_expect expect;
	int depth;
	unsigned char open[BYOD_MAX_DEPTH];	/* '{' or '[' per level */
	int skip;		/* depth of the container being skipped, or 0 */
	int64_t skip_turn;	/* where it is, for messages: turn or -1 */
	char skip_field[96];	/* and its key, quoted ("" if none) */

	/* file */
	uint64_t n_items;
	uint64_t cap_items;	/* items whose digests are kept */

	/* the current item (depth >= 2) */
	int64_t item;
	uint64_t item_off;
	uint64_t item_err0;	/* res->n_errors when it began */
	struct byod_keys ikeys;
	enum byod_key ikey;
	char ikey_txt[BYOD_KEYTXT];	/* the current item key, for paths */
	size_t ikey_len;
	int has_image;		/* "image" present, whatever its type */
	int image_ok;
	uint64_t image_off;	/* its value */
	char folder[64];
	int conv_ok;		/* "conversations" was an array */
	uint64_t conv_off;	/* its '[' */

	/* its conversation; "kept" turns are those LLaVA does not drop */
	int64_t n_turns;
	enum byod_role last_role;
	int drop;		/* turn 0 is from "gpt": LLaVA drops it */
	int64_t first_human;	/* first kept human turn, -1 if none */
	uint64_t img_total;	/* "<image>" occurrences in kept turns */
	uint64_t img_turns;	/* kept turns holding one or more */
	int64_t img_turn;	/* the first such turn, -1 if none */
	enum byod_role img_role;
	uint64_t img_off;
	uint64_t img_n;		/* occurrences in that turn */
	unsigned img_extra;	/* T_* that turn gains once LLaVA has taken
				   its "<image>"s out and stripped it */
	int64_t num_turn;	/* the first number value that crashes LLaVA
				   only in an item with an image, -1 if none */
	uint64_t num_off;
	uint64_t tok_conv;	/* estimated tokens of the prompt so far */
	uint64_t tok_first;	/* of the prompt up to the first human turn */
	uint64_t first_off;	/* the first human turn's value */
	int64_t tok_cut;	/* the turn passing BYOD_MAX_TOKENS, or -1 */

	/*
	 * A value's bytes bound its estimate, so the estimates (the costly
	 * part) wait until the bytes of an item's kept values and their
	 * prompt could reach BYOD_MAX_TOKENS: until then the values wait in
	 * tbuf (tok_exact 0), then all are estimated in turn order and every
	 * later value as it comes (tok_exact 1).  Most items never need it.
	 */
	int tok_exact;
	uint64_t tb_bound;	/* bytes + prompt of the waiting turns */
	size_t tb_len;		/* bytes in tbuf */
	size_t tb_n;		/* turns in tb */
	size_t tb_pend;		/* the current turn's value, at tb_len */
	struct byod_tseg tb[BYOD_MAX_TOKENS / 2];	/* a turn's prompt is
				   2 tokens or more */
	char tbuf[BYOD_MAX_TOKENS];

	/* the current turn (depth 4) */
	int64_t turn;
	uint64_t turn_off;
	struct byod_keys tkeys;
	enum byod_key tkey;
	char tkey_txt[BYOD_KEYTXT];
	size_t tkey_len;
	enum byod_role role;
	uint64_t from_off;
	uint64_t n_img;
	uint64_t value_off;
	enum byod_vkind vkind;
	unsigned tflags;	/* T_* of its value */
	unsigned textra;	/* T_* its value gains in LLaVA's hands */
	uint64_t tok;		/* its value's estimated tokens (tok_exact) */

	/* LLaVA's prompt around a turn, in estimated tokens (byod_file()) */
	uint64_t ov_first;	/* BOS, system prompt, [INST] ... [/INST] */
	uint64_t ov_human;	/* <s>[INST] ... [/INST] */
	uint64_t ov_gpt;	/* " " ... " </s>" */

	/* a value holding "<image>" as LLaVA rewrites it; grown as needed */
	char *ubuf;
	size_t ucap;

	/* hashing */
	EVP_MD *md;
	EVP_MD_CTX *fctx;	/* the whole file */
	EVP_MD_CTX *ictx;	/* the current item's canonical stream */
	int digesting;
	size_t dlen;
	unsigned char dbuf[BYOD_DBUF];
	struct extsort *dig;	/* item digests, sorted in bounded memory */
	struct extsort *ids;	/* id hashes, likewise */
	int spill_failed;	/* a temporary-file write failed */

	/* composition: runs of one folder are added at once */
	char comp_name[64];
	uint64_t comp_n;
};

static const char *
byod_tname(enum jl_type t)
{
	switch (t) {
	case JL_LBRACE:
		return "an object";
	case JL_LBRACKET:
		return "an array";
	case JL_STRING:
		return "a string";
	case JL_NUMBER:
		return "a number";
	case JL_TRUE:
		return "true";
	case JL_FALSE:
		return "false";
	case JL_NULL:
		return "null";
	case JL_RBRACE:
		return "'}'";
	case JL_RBRACKET:
		return "']'";
	case JL_COLON:
		return "':'";
	case JL_COMMA:
		return "','";
	case JL_EOF:
		return "the end of the file";
	default:
		return "an error";
	}
}

static size_t
byod_kept(const struct byod *b, const struct jl_token *t)
{
	return t->truncated ? b->max_string : t->len;
}

/*
 * Record a finding: an error, or with warn a warning.  turn < 0: at item
 * level (or file level when item < 0); field: NULL, or a printable name
 * appended to the path.
 */
static void
byod_vfind(struct byod *b, int warn, int64_t item, int64_t turn,
    const char *field, uint64_t off, const char *fmt, va_list ap)
{
	char path[160], msg[256];
	size_t n = 0;

	if ((warn ? b->res->n_warnings : b->res->n_errors) >= VRESULT_KEEP) {
		/* counted only: spare the formatting */
		(warn ? vresult_warning : vresult_error)(b->res, 0, item,
		    (int64_t)off, NULL, NULL, "-");
		return;
	}
	path[0] = '\0';
	if (item >= 0)
		n += (size_t)snprintf(path, sizeof(path), "[%lld]",
		    (long long)item);
	if (turn >= 0 && n < sizeof(path))
		n += (size_t)snprintf(path + n, sizeof(path) - n,
		    ".conversations[%lld]", (long long)turn);
	if (field != NULL && n < sizeof(path))
		snprintf(path + n, sizeof(path) - n, "%s%s", n ? "." : "",
		    field);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	(warn ? vresult_warning : vresult_error)(b->res, 0, item, (int64_t)off,
	    NULL, path, "%s", msg);
}

static void byod_err(struct byod *b, int64_t item, int64_t turn,
    const char *field, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void byod_warn(struct byod *b, int64_t item, int64_t turn,
    const char *field, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void
byod_err(struct byod *b, int64_t item, int64_t turn, const char *field,
    uint64_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	byod_vfind(b, 0, item, turn, field, off, fmt, ap);
	va_end(ap);
}

static void
byod_warn(struct byod *b, int64_t item, int64_t turn, const char *field,
    uint64_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	byod_vfind(b, 1, item, turn, field, off, fmt, ap);
	va_end(ap);
}

/* The current item key / turn key, quoted, as a path element. */
static const char *
byod_ikey(struct byod *b, char *buf, size_t n)
{
	return util_quote(buf, n, b->ikey_txt, b->ikey_len);
}

static const char *
byod_tkey(struct byod *b, char *buf, size_t n)
{
	return util_quote(buf, n, b->tkey_txt, b->tkey_len);
}

/* ---- hashing -------------------------------------------------------- */

static void
byod_file_chunk(void *ctx, const void *buf, size_t len)
{
	struct byod *b = ctx;

	EVP_DigestUpdate(b->fctx, buf, len);
}

static void
byod_dflush(struct byod *b)
{
	if (b->dlen > 0)
		EVP_DigestUpdate(b->ictx, b->dbuf, b->dlen);
	b->dlen = 0;
}

/*
 * Feed a token to the item's canonical stream: its type byte, and for a
 * string or number its decoded length (8 bytes, little-endian) and bytes.
 * Commas and colons carry nothing the brackets and keys do not.
 */
static void
byod_dfeed(struct byod *b, const struct jl_token *t)
{
	size_t n, i;

	if (t->type == JL_COMMA || t->type == JL_COLON)
		return;
	if (b->dlen + 9 > BYOD_DBUF)
		byod_dflush(b);
	b->dbuf[b->dlen++] = (unsigned char)t->type;
	if (t->type != JL_STRING && t->type != JL_NUMBER)
		return;
	n = byod_kept(b, t);
	for (i = 0; i < 8; i++)
		b->dbuf[b->dlen++] = (unsigned char)((uint64_t)t->len >> (8 * i));
	if (b->dlen + n > BYOD_DBUF) {
		byod_dflush(b);
		if (n > BYOD_DBUF) {
			EVP_DigestUpdate(b->ictx, t->str, n);
			return;
		}
	}
	memcpy(b->dbuf + b->dlen, t->str, n);
	b->dlen += n;
}

static void
byod_dbegin(struct byod *b, const struct jl_token *t)
{
	EVP_DigestInit_ex(b->ictx, b->md, NULL);
	b->dlen = 0;
	b->digesting = 1;
	byod_dfeed(b, t);
}

static void
byod_dend(struct byod *b)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	byod_dflush(b);
	EVP_DigestFinal_ex(b->ictx, md, &mdlen);
	b->digesting = 0;
	if ((uint64_t)b->item >= b->cap_items)
		return;
	if (extsort_add(b->dig, md) != 0)
		b->spill_failed = 1;
}

static void
byod_id_add(struct byod *b, const char *s, size_t n)
{
	uint64_t h = XXH3_64bits(s, n);
	struct byod_idh e;

	if ((uint64_t)b->item >= b->cap_items)
		return;
	e.hi = (uint32_t)(h >> 32);
	e.lo = (uint32_t)h;
	e.item = (uint32_t)b->item;
	if (extsort_add(b->ids, &e) != 0)
		b->spill_failed = 1;
}

static void
byod_comp(struct byod *b, const char *name)
{
	if (b->comp_n > 0 && strcmp(b->comp_name, name) != 0) {
		vresult_comp_add(b->res, b->comp_name, b->comp_n);
		b->comp_n = 0;
	}
	if (b->comp_n == 0)
		snprintf(b->comp_name, sizeof(b->comp_name), "%s", name);
	b->comp_n++;
}

/* ---- in-place quicksorts of the kept digests and id hashes ----------- */

static uint64_t
byod_be64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* Bytewise order, compared as two big-endian words. */
static int
byod_dig_less(const struct byod_dig *a, const struct byod_dig *b)
{
	uint64_t x = byod_be64(a->d), y = byod_be64(b->d);

	if (x != y)
		return x < y;
	return byod_be64(a->d + 8) < byod_be64(b->d + 8);
}

static int
byod_idh_less(const struct byod_idh *a, const struct byod_idh *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi;
	if (a->lo != b->lo)
		return a->lo < b->lo;
	return a->item < b->item;
}

/*
 * Hoare quicksort (equal keys split evenly) with a median-of-three pivot,
 * insertion sort for short ranges, and a loop on the larger side so the
 * stack stays O(log n).  glibc's qsort() would malloc a copy of the array.
 */
#define BYOD_QSORT(name, T, LESS)					\
static void								\
name(T *v, size_t n)							\
{									\
	T p, x;								\
	size_t i, j, m;							\
									\
	while (n > 16) {						\
		m = (n - 1) / 2;					\
		if (LESS(&v[m], &v[0])) {				\
			x = v[m]; v[m] = v[0]; v[0] = x;		\
		}							\
		if (LESS(&v[n - 1], &v[m])) {				\
			x = v[m]; v[m] = v[n - 1]; v[n - 1] = x;	\
			if (LESS(&v[m], &v[0])) {			\
				x = v[m]; v[m] = v[0]; v[0] = x;	\
			}						\
		}							\
		p = v[m];						\
		for (i = 0, j = n - 1;; i++, j--) {			\
			while (LESS(&v[i], &p))				\
				i++;					\
			while (LESS(&p, &v[j]))				\
				j--;					\
			if (i >= j)					\
				break;					\
			x = v[i]; v[i] = v[j]; v[j] = x;		\
		}							\
		if (j + 1 < n - j - 1) {				\
			name(v, j + 1);					\
			v += j + 1;					\
			n -= j + 1;					\
		} else {						\
			name(v + j + 1, n - j - 1);			\
			n = j + 1;					\
		}							\
	}								\
	for (i = 1; i < n; i++)						\
		for (j = i; j > 0 && LESS(&v[j], &v[j - 1]); j--) {	\
			x = v[j]; v[j] = v[j - 1]; v[j - 1] = x;	\
		}							\
}

BYOD_QSORT(byod_dig_sort, struct byod_dig, byod_dig_less)
BYOD_QSORT(byod_idh_sort, struct byod_idh, byod_idh_less)

/* ---- the format layer --------------------------------------------------- */

static int
byod_is(const struct jl_token *t, size_t kept, const char *s, size_t n)
{
	return !t->truncated && kept == n && memcmp(t->str, s, n) == 0;
}

/*
 * Begin skipping the value t at depth d if it is a container (its
 * contents are ignored until it closes).
 */
static void
byod_skip_value(struct byod *b, const struct jl_token *t, int d)
{
	if (t->type != JL_LBRACE && t->type != JL_LBRACKET)
		return;
	b->skip = d + 1;
	b->skip_turn = d >= 3 ? b->turn : -1;
	b->skip_field[0] = '\0';
	if (d == 2)
		util_quote(b->skip_field, sizeof(b->skip_field), b->ikey_txt,
		    b->ikey_len);
	else if (d == 4)
		util_quote(b->skip_field, sizeof(b->skip_field), b->tkey_txt,
		    b->tkey_len);
}

/* A string inside a skipped value must still fit max_string. */
static void
byod_skipped_string(struct byod *b, const struct jl_token *t)
{
	if (t->truncated)
		byod_err(b, b->item, b->skip_turn, b->skip_field[0] ?
		    b->skip_field : NULL, t->offset, "a string is %zu bytes "
		    "long; the limit is %zu", t->len, b->max_string);
}

static void
byod_long(struct byod *b, int64_t turn, const char *field,
    const struct jl_token *t, const char *what)
{
	byod_err(b, b->item, turn, field, t->offset, "%s is %zu bytes long; "
	    "the limit is %zu", what, t->len, b->max_string);
}

/* A key of an item or a turn: classify it and check it is not repeated. */
static enum byod_key
byod_keyof(struct byod *b, struct byod_keys *ks, const struct jl_token *t,
    int64_t turn)
{
	static const struct {
		const char *name;
		size_t len;
		unsigned flag;
		enum byod_key key;
	} known[] = {
		{ "id", 2, F_ID, K_ID },
		{ "image", 5, F_IMAGE, K_IMAGE },
		{ "conversations", 13, F_CONV, K_CONV },
		{ "from", 4, F_FROM, K_FROM },
		{ "value", 5, F_VALUE, K_VALUE },
	};
	size_t kept = byod_kept(b, t), i, lo = turn < 0 ? 0 : 3,
	    hi = turn < 0 ? 3 : 5;
	char q[96];
	uint64_t h;

	for (i = lo; i < hi; i++)
		if (byod_is(t, kept, known[i].name, known[i].len)) {
			if (ks->seen & known[i].flag)
				goto dup;
			ks->seen |= known[i].flag;
			return known[i].key;
		}
	if (t->truncated)
		byod_long(b, turn, NULL, t, "a key");
	h = XXH3_64bits_withSeed(t->str, kept, t->len);
	for (i = 0; i < ks->n; i++)
		if (ks->h[i] == h)
			goto dup;
	if (ks->n < BYOD_MAX_KEYS)
		ks->h[ks->n++] = h;
	else if (!ks->full) {
		ks->full = 1;
		byod_err(b, b->item, turn, NULL, t->offset, "more than %d "
		    "different keys in one object", BYOD_MAX_KEYS);
	}
	return K_OTHER;
dup:
	byod_err(b, b->item, turn, util_quote(q, sizeof(q), t->str, kept),
	    t->offset, "duplicate key \"%s\" in one object", q);
	return K_DUP;
}

static void
byod_key(struct byod *b, const struct jl_token *t, int d)
{
	size_t kept;

	if (b->skip) {
		byod_skipped_string(b, t);
		return;
	}
	kept = byod_kept(b, t) < BYOD_KEYTXT ? byod_kept(b, t) : BYOD_KEYTXT;
	if (d == 2) {
		b->ikey = byod_keyof(b, &b->ikeys, t, -1);
		memcpy(b->ikey_txt, t->str, kept);
		b->ikey_len = kept;
	} else {
		b->tkey = byod_keyof(b, &b->tkeys, t, b->turn);
		memcpy(b->tkey_txt, t->str, kept);
		b->tkey_len = kept;
	}
}

static void
byod_item_begin(struct byod *b, const struct jl_token *t, int d)
{
	b->item = (int64_t)b->n_items++;
	b->item_off = t->offset;
	b->item_err0 = b->res->n_errors;
	if (b->lim->max_items && b->n_items == b->lim->max_items + 1)
		byod_err(b, b->item, -1, NULL, t->offset, "more items than "
		    "the track's budget of %llu",
		    (unsigned long long)b->lim->max_items);
	if (t->type != JL_LBRACE) {
		byod_err(b, b->item, -1, NULL, t->offset, "an item must be an "
		    "object, not %s", byod_tname(t->type));
		byod_skip_value(b, t, d);
		return;
	}
	memset(&b->ikeys, 0, offsetof(struct byod_keys, h));
	b->has_image = b->image_ok = b->conv_ok = 0;
	b->n_turns = 0;
	b->last_role = R_NONE;
	b->drop = 0;
	b->first_human = b->img_turn = b->num_turn = b->tok_cut = -1;
	b->img_total = b->img_turns = b->img_n = 0;
	b->img_extra = 0;
	b->tok_conv = b->tok_first = 0;
	b->tok_exact = 0;
	b->tb_bound = b->tb_len = b->tb_n = 0;
	byod_dbegin(b, t);
}

/*
 * Normalise the image path t (under BYOD_PATH_MAX bytes) into out as the
 * kernel resolves LLaVA's os.path.join(image_folder, image): empty and "."
 * segments go.  Returns its length, or (size_t)-1 after an error (a ".."
 * segment; q is the path quoted for the message).
 */
static size_t
byod_image_norm(struct byod *b, const struct jl_token *t, const char *q,
    char *out)
{
	const char *s = t->str, *e = s + t->len, *seg, *slash;
	size_t len = 0, sl;

	for (seg = s; seg < e; seg = slash + 1) {
		if ((slash = memchr(seg, '/', (size_t)(e - seg))) == NULL)
			slash = e;
		sl = (size_t)(slash - seg);
		if (sl == 0 || (sl == 1 && seg[0] == '.'))
			continue;
		if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
			byod_err(b, b->item, -1, "image", t->offset, "the "
			    "image path \"%s\" has a \"..\" segment", q);
			return (size_t)-1;
		}
		if (len > 0)
			out[len++] = '/';
		memcpy(out + len, seg, sl);
		len += sl;
	}
	return len;
}

/* Whether the normalised path p (n bytes) is in the pool or under a
 * root. */
static int
byod_image_known(const struct byod *b, const char *p, size_t n)
{
	const char *const *r;
	size_t rl;

	if (b->pool != NULL && pool_has_image(b->pool, p, n))
		return 1;
	for (r = b->lim->image_roots; r != NULL && *r != NULL; r++) {
		rl = strlen(*r);
		if (rl > 0 && n > rl && memcmp(p, *r, rl) == 0 &&
		    ((*r)[rl - 1] == '/' || p[rl] == '/'))
			return 1;
	}
	return 0;
}

static void
byod_image(struct byod *b, const struct jl_token *t)
{
	const char *s = t->str, *slash;
	size_t n = byod_kept(b, t), fl;
	char q[128], p[BYOD_PATH_MAX];

	if (t->truncated) {
		byod_long(b, -1, "image", t, "the image path");
		return;
	}
	if (n == 0) {
		byod_err(b, b->item, -1, "image", t->offset, "the image path "
		    "is empty");
		return;
	}
	util_quote(q, sizeof(q), s, n);
	if (memchr(s, '\\', n) != NULL) {
		byod_err(b, b->item, -1, "image", t->offset, "the image path "
		    "\"%s\" contains a backslash", q);
		return;
	}
	if (s[0] == '/') {
		byod_err(b, b->item, -1, "image", t->offset, "the image path "
		    "\"%s\" is absolute; it must be relative", q);
		return;
	}
	if (n >= BYOD_PATH_MAX) {
		byod_err(b, b->item, -1, "image", t->offset, "the image path "
		    "is %zu bytes long: open() refuses %d or more, so LLaVA "
		    "crashes", n, BYOD_PATH_MAX);
		return;
	}
	if ((n = byod_image_norm(b, t, q, p)) == (size_t)-1)
		return;
	/* its last segment is "" or ".": what is left names a directory */
	if (s[t->len - 1] == '/' || (s[t->len - 1] == '.' && (t->len == 1 ||
	    s[t->len - 2] == '/'))) {
		byod_err(b, b->item, -1, "image", t->offset, "the image path "
		    "\"%s\" names a directory, which LLaVA cannot open as an "
		    "image (a crash)", q);
		return;
	}
	if (!byod_image_known(b, p, n)) {
		byod_err(b, b->item, -1, "image", t->offset, "the image \"%s\" "
		    "is not in the pool%s", q, b->lim->image_roots != NULL &&
		    b->lim->image_roots[0] != NULL ?
		    " nor under an allowed image root" : "");
		return;
	}
	slash = memchr(p, '/', n);
	if (slash == NULL)
		snprintf(b->folder, sizeof(b->folder), "(top level)");
	else {
		fl = (size_t)(slash - p);
		if (fl >= sizeof(b->folder))
			fl = sizeof(b->folder) - 1;
		memcpy(b->folder, p, fl);
		b->folder[fl] = '\0';
	}
	b->image_ok = 1;
}

/* A NUL (\u0000) in a string of an item: LLaVA's data would carry it
 * into the tokenizer and the server's records (ids are handles). */
static int
byod_nul(struct byod *b, const struct jl_token *t, int64_t turn,
    const char *field)
{
	if (t->type != JL_STRING || !t->has_nul)
		return 0;
	byod_err(b, b->item, turn, field, t->offset, "the string holds a NUL "
	    "character (\\u0000), which is not allowed");
	return 1;
}

/* Whether the number t (not truncated) is an integer: no fraction, no
 * exponent (Python's json.load makes it an int, any other a float). */
static int
byod_integer(const struct jl_token *t)
{
	return memchr(t->str, '.', t->len) == NULL &&
	    memchr(t->str, 'e', t->len) == NULL &&
	    memchr(t->str, 'E', t->len) == NULL;
}

/*
 * A number that Python's json.load(), which LLaVA reads the file with,
 * refuses: an integer (no fraction, no exponent) of more than 4300 digits,
 * Python's int limit.  Past max_string bytes a number is refused like a
 * string.  Returns 1 after an error.
 */
static int
byod_bignum(struct byod *b, const struct jl_token *t, int64_t turn,
    const char *field)
{
	size_t n;

	if (t->type != JL_NUMBER)
		return 0;
	if (t->truncated) {
		byod_err(b, b->item, turn, field, t->offset, "a number is %zu "
		    "bytes long; the limit is %zu", t->len, b->max_string);
		return 1;
	}
	n = t->len - (t->str[0] == '-');
	if (n <= BYOD_PY_INT_DIGITS || !byod_integer(t))
		return 0;
	byod_err(b, b->item, turn, field, t->offset, "an integer of %zu "
	    "digits: Python's json.load(), which LLaVA reads the file with, "
	    "refuses more than %d, so training crashes at the start", n,
	    BYOD_PY_INT_DIGITS);
	return 1;
}

/* Room for n bytes in b->ubuf. */
static char *
byod_ubuf(struct byod *b, size_t n)
{
	if (n > b->ucap) {
		b->ubuf = util_xrealloc(b->ubuf, n);
		b->ucap = n;
	}
	return b->ubuf;
}

/*
 * Whether the number t (not truncated) is zero in Python: its digits
 * before any exponent are all '0', or it is so small that float() makes it
 * 0.0 (strtod() rounds the same way; the programs keep the C locale).
 */
static int
byod_zero(struct byod *b, const struct jl_token *t)
{
	const char *p = t->str, *e = p + t->len;
	char *c;

	for (; p < e && *p != 'e' && *p != 'E'; p++)
		if (*p >= '1' && *p <= '9')
			break;
	if (p == e || *p == 'e' || *p == 'E')
		return 1;
	if (memchr(p, 'e', (size_t)(e - p)) == NULL &&
	    memchr(p, 'E', (size_t)(e - p)) == NULL)
		return 0;
	c = byod_ubuf(b, t->len + 1);
	memcpy(c, t->str, t->len);
	c[t->len] = '\0';
	return strtod(c, NULL) == 0.0;
}

/*
 * The item's "id": a string, or an integer taken as its decimal string
 * ("-0" as "0"), for the duplicate check and the item's digest alike (the
 * driver leaves a number here out of the digest for this).
 */
static void
byod_id(struct byod *b, const struct jl_token *t)
{
	struct jl_token c;

	if (t->type == JL_NUMBER) {
		if (!byod_integer(t)) {
			byod_err(b, b->item, -1, "id", t->offset, "\"id\" must "
			    "be a string or an integer, not a number with a "
			    "fraction or an exponent" BYOD_ID_RULE);
			return;
		}
		c = *t;
		c.type = JL_STRING;
		if (t->len == 2 && t->str[0] == '-' && t->str[1] == '0') {
			c.str = "0";
			c.len = 1;
		}
		byod_dfeed(b, &c);
		byod_id_add(b, c.str, c.len);
		return;
	}
	if (t->type != JL_STRING)
		byod_err(b, b->item, -1, "id", t->offset, "\"id\" must be a "
		    "string or an integer, not %s" BYOD_ID_RULE,
		    byod_tname(t->type));
	else if (t->truncated)
		byod_long(b, -1, "id", t, "the id");
	else if (t->len == 0)
		byod_err(b, b->item, -1, "id", t->offset, "the id is empty"
		    BYOD_ID_RULE);
	else
		byod_id_add(b, t->str, t->len);
}

static void
byod_item_value(struct byod *b, const struct jl_token *t, int d)
{
	char q[96];

	if (b->ikey == K_IMAGE) {
		b->has_image = 1;	/* there, whatever it is */
		b->image_off = t->offset;
	}
	if (byod_nul(b, t, -1, byod_ikey(b, q, sizeof(q))) ||
	    byod_bignum(b, t, -1, byod_ikey(b, q, sizeof(q)))) {
		byod_skip_value(b, t, d);
		return;
	}
	switch (b->ikey) {
	case K_ID:
		byod_id(b, t);
		break;
	case K_IMAGE:
		if (t->type != JL_STRING)
			byod_err(b, b->item, -1, "image", t->offset, "\"image\" "
			    "must be one path string, not %s",
			    byod_tname(t->type));
		else
			byod_image(b, t);
		break;
	case K_CONV:
		if (t->type != JL_LBRACKET) {
			byod_err(b, b->item, -1, "conversations", t->offset,
			    "\"conversations\" must be an array of turns, not "
			    "%s", byod_tname(t->type));
			break;
		}
		b->conv_ok = 1;
		b->conv_off = t->offset;
		return;
	case K_OTHER:
	case K_DUP:
	default:
		if (t->type == JL_STRING && t->truncated)
			byod_long(b, -1, byod_ikey(b, q, sizeof(q)), t,
			    "a string");
		break;
	}
	byod_skip_value(b, t, d);
}

static void
byod_turn_begin(struct byod *b, const struct jl_token *t, int d)
{
	b->turn = b->n_turns++;
	b->turn_off = t->offset;
	if (t->type != JL_LBRACE) {
		byod_err(b, b->item, b->turn, NULL, t->offset, "a turn must be "
		    "an object with \"from\" and \"value\", not %s",
		    byod_tname(t->type));
		b->last_role = R_BAD;
		byod_skip_value(b, t, d);
		return;
	}
	memset(&b->tkeys, 0, offsetof(struct byod_keys, h));
	b->role = R_NONE;
	b->n_img = 0;
	b->vkind = V_NONE;
	b->tflags = b->textra = 0;
	b->tok = b->tb_pend = 0;
}

/*
 * Find what matters to LLaVA's prompt format in s ("</s>", "<unk>",
 * "<s>", "[/INST] ", "[/INST]" at the end) and count "<image>": one
 * memchr() pass per first byte, far cheaper than a memmem() per needle on
 * short values.  Returns T_* bits.
 */
static unsigned
byod_scan_text(const char *s, size_t n, uint64_t *n_img)
{
	const char *p, *e = s + n;
	unsigned found = 0;

	for (p = s; (p = memchr(p, '<', (size_t)(e - p))) != NULL; p++) {
		if (e - p >= 7 && memcmp(p, "<image>", 7) == 0)
			(*n_img)++;
		else if (e - p >= 4 && memcmp(p, "</s>", 4) == 0)
			found |= T_EOS;
		else if (e - p >= 5 && memcmp(p, "<unk>", 5) == 0)
			found |= T_UNK;
		else if (e - p >= 3 && memcmp(p, "<s>", 3) == 0)
			found |= T_BOS;
	}
	for (p = s; (p = memchr(p, '[', (size_t)(e - p))) != NULL; p++)
		if (e - p >= 7 && memcmp(p, "[/INST]", 7) == 0)
			found |= e - p == 7 ? T_END : p[7] == ' ' ? T_SPLIT : 0;
	return found;
}

/* Python's str.isspace() code points, as ranges. */
static const struct {
	uint32_t lo, hi;
} byod_space[] = {
	{ 0x09, 0x0d }, { 0x1c, 0x20 }, { 0x85, 0x85 }, { 0xa0, 0xa0 },
	{ 0x1680, 0x1680 }, { 0x2000, 0x200a }, { 0x2028, 0x2029 },
	{ 0x202f, 0x202f }, { 0x205f, 0x205f }, { 0x3000, 0x3000 },
};

/*
 * The length of s (n bytes of UTF-8, perhaps cut inside a sequence) once
 * Python's str.strip() has taken whitespace off its end.
 */
static size_t
byod_rstrip(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k;
	uint32_t c;

	while (n > 0) {
		for (i = n - 1; i > 0 && n - i < 3 && (u[i] & 0xc0) == 0x80;)
			i--;
		if (n - i == 1)
			c = u[i];
		else if (n - i == 2 && (u[i] & 0xe0) == 0xc0)
			c = (uint32_t)(u[i] & 0x1f) << 6 | (u[i + 1] & 0x3f);
		else if (n - i == 3 && (u[i] & 0xf0) == 0xe0)
			c = (uint32_t)(u[i] & 0x0f) << 12 |
			    (uint32_t)(u[i + 1] & 0x3f) << 6 |
			    (u[i + 2] & 0x3f);
		else
			return n;
		for (k = 0; k < sizeof(byod_space) / sizeof(byod_space[0]); k++)
			if (c >= byod_space[k].lo && c <= byod_space[k].hi)
				break;
		if (k == sizeof(byod_space) / sizeof(byod_space[0]))
			return n;
		n = i;
	}
	return 0;
}

/* Whether c is an ASCII letter. */
static int
byod_letter(unsigned c)
{
	return (c | 0x20) - 'a' < 26u;
}

uint64_t
byod_tokens(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n, *q;
	uint64_t t = 0;
	unsigned c;
	int space = 0;

	while (p < e) {
		if (byod_letter(*p)) {
			for (q = p++; p < e && byod_letter(*p); p++)
				;
			t += (uint64_t)(p - q + 3) / 4;
			space = 0;
			continue;
		}
		c = *p++;
		if (c == ' ') {
			t += (uint64_t)space;	/* only the first is free */
			space = 1;
			continue;
		}
		if (c >= '0' && c <= '9')
			t += 1 + (uint64_t)space;	/* a lone "▁" first */
		else if (c < 0x80)
			t++;
		else if (c >= 0xc0)
			t += c < 0xe0 ? 1 : c < 0xf0 ? 3 : 4;
		space = 0;
	}
	return t;
}

/*
 * The T_* a value holding "<image>" gains in LLaVA's preprocess_multimodal:
 * every "<image>" taken out (which joins its neighbours), then stripped
 * and put after one "<image>\n".  The copy is in b->ubuf.
 */
static unsigned
byod_image_turn(struct byod *b, const char *s, size_t n)
{
	const char *p = s, *e = s + n, *q;
	uint64_t again = 0;
	unsigned f;
	size_t len = 0;
	char *c;

	/* what it gains starts with '<' or '[': without a '[' and with no
	 * '<' but those of "<image>", there is nothing to gain */
	if (memchr(s, '[', n) == NULL) {
		for (q = s; (q = memchr(q, '<', (size_t)(e - q))) != NULL; q++)
			if (e - q < 7 || memcmp(q, "<image>", 7) != 0)
				break;
		if (q == NULL)
			return 0;
	}
	c = byod_ubuf(b, n);
	while ((q = memmem(p, (size_t)(e - p), "<image>", 7)) != NULL) {
		memcpy(c + len, p, (size_t)(q - p));
		len += (size_t)(q - p);
		p = q + 7;
	}
	memcpy(c + len, p, (size_t)(e - p));
	len += (size_t)(e - p);
	f = byod_scan_text(c, byod_rstrip(c, len), &again);
	return again > 0 ? f | T_IMAGE : f;
}

/* Count a kept turn of ov + est estimated tokens. */
static void
byod_tok_add(struct byod *b, int64_t turn, uint64_t ov, uint64_t est)
{
	b->tok_conv += ov + est;
	if (turn == b->first_human)
		b->tok_first = b->tok_conv;
	if (b->tok_cut < 0 && b->tok_conv > BYOD_MAX_TOKENS)
		b->tok_cut = turn;
}

/* From now on the item needs its estimates: those of the waiting turns
 * first. */
static void
byod_tok_exact(struct byod *b)
{
	size_t i, off = 0;

	if (b->tok_exact)
		return;
	b->tok_exact = 1;
	for (i = 0; i < b->tb_n; i++) {
		byod_tok_add(b, b->tb[i].turn, b->tb[i].ov,
		    byod_tokens(b->tbuf + off, b->tb[i].len));
		off += b->tb[i].len;
	}
}

/* A value of n bytes: estimated now, or set aside while the item's bytes
 * (with the largest prompt a turn gets) stay under the limit. */
static void
byod_value_tokens(struct byod *b, const char *s, size_t n)
{
	if (!b->tok_exact && b->tb_bound + n + b->ov_first < BYOD_MAX_TOKENS) {
		memcpy(b->tbuf + b->tb_len, s, n);
		b->tb_pend = n;
		return;
	}
	byod_tok_exact(b);
	b->tok = byod_tokens(s, n);
}

static void
byod_text(struct byod *b, const struct jl_token *t)
{
	size_t n = byod_kept(b, t);

	b->vkind = V_STRING;
	if (t->truncated)
		byod_long(b, b->turn, "value", t, "the value");
	if (t->len == 0) {
		b->tflags = T_EMPTY;
		return;
	}
	b->tflags = byod_scan_text(t->str, n, &b->n_img);
	if (byod_rstrip(t->str, n) == 0)
		b->tflags |= T_BLANK;
	byod_value_tokens(b, t->str, n);
	if (b->n_img > 0)
		b->textra = byod_image_turn(b, t->str, n) & ~b->tflags;
}

static void
byod_turn_value(struct byod *b, const struct jl_token *t, int d)
{
	char q[96];
	size_t n;

	if (byod_nul(b, t, b->turn, byod_tkey(b, q, sizeof(q))) ||
	    byod_bignum(b, t, b->turn, byod_tkey(b, q, sizeof(q)))) {
		if (b->tkey == K_FROM)
			b->role = R_BAD;
		byod_skip_value(b, t, d);
		return;
	}
	switch (b->tkey) {
	case K_FROM:
		b->from_off = t->offset;
		n = byod_kept(b, t);
		if (t->type == JL_STRING && byod_is(t, n, "human", 5))
			b->role = R_HUMAN;
		else if (t->type == JL_STRING && byod_is(t, n, "gpt", 3))
			b->role = R_GPT;
		else {
			b->role = R_BAD;
			if (t->type == JL_STRING)
				byod_err(b, b->item, b->turn, "from", t->offset,
				    "\"from\" must be \"human\" or \"gpt\", not "
				    "\"%s\"", util_quote(q, sizeof(q), t->str,
				    n));
			else
				byod_err(b, b->item, b->turn, "from", t->offset,
				    "\"from\" must be \"human\" or \"gpt\", not "
				    "%s", byod_tname(t->type));
		}
		break;
	case K_VALUE:
		b->value_off = t->offset;
		if (t->type == JL_STRING)
			byod_text(b, t);
		else if (t->type == JL_NUMBER) {
			b->vkind = byod_zero(b, t) ? V_ZERO : V_NUMBER;
			byod_value_tokens(b, t->str, t->len);
		} else
			byod_err(b, b->item, b->turn, "value", t->offset,
			    "\"value\" must be a string, not %s",
			    byod_tname(t->type));
		break;
	case K_OTHER:
	case K_DUP:
	default:
		if (t->type == JL_STRING && t->truncated)
			byod_long(b, b->turn, byod_tkey(b, q, sizeof(q)), t,
			    "a string");
		break;
	}
	byod_skip_value(b, t, d);
}

static int
byod_value(struct byod *b, const struct jl_token *t, int d)
{
	if (b->skip) {
		if (t->type == JL_STRING)
			byod_skipped_string(b, t);
		else
			(void)byod_bignum(b, t, b->skip_turn,
			    b->skip_field[0] ? b->skip_field : NULL);
		return 0;
	}
	switch (d) {
	case 0:
		if (t->type != JL_LBRACKET) {
			byod_err(b, -1, -1, NULL, t->offset, "the file must be "
			    "one JSON array of items, not %s",
			    byod_tname(t->type));
			return -1;
		}
		return 0;
	case 1:
		byod_item_begin(b, t, d);
		return 0;
	case 2:
		byod_item_value(b, t, d);
		return 0;
	case 3:
		byod_turn_begin(b, t, d);
		return 0;
	default:
		byod_turn_value(b, t, d);
		return 0;
	}
}

/* What each T_* of a value means in LLaVA's hands; warn: a warning. */
static const struct {
	unsigned flag;
	int warn;
	const char *msg;
} byod_text_rules[] = {
	{ T_EMPTY, 0, "\"value\" is empty: LLaVA asserts on an empty first "
	    "turn and leaves any other out of the prompt, which masks the "
	    "whole sample" },
	{ T_EOS, 0, "\"value\" contains \"</s>\", a separator of LLaVA's "
	    "prompt format: the rounds no longer line up and LLaVA masks the "
	    "whole sample" },
	{ T_UNK, 0, "\"value\" contains \"<unk>\": LLaMA's tokenizer makes it "
	    "the padding id, so LLaVA's token count does not add up and it "
	    "masks the whole sample" },
	{ T_SPLIT, 0, "\"value\" contains \"[/INST] \", a separator of "
	    "LLaVA's prompt format: the round no longer splits in two and "
	    "LLaVA masks the whole sample" },
	{ T_END, 0, "\"value\" ends with \"[/INST]\", which LLaVA's prompt "
	    "format follows with a space: the round no longer splits in two "
	    "and LLaVA masks the whole sample" },
	{ T_IMAGE, 0, "\"value\" holds \"<image>\" again: two image slots for "
	    "one image, which crashes training" },
	{ T_BOS, 1, "\"value\" contains \"<s>\": LLaMA's tokenizer reads it as "
	    "the begin-of-sequence token, not as text, and LLaVA's evaluation "
	    "stops an answer at \"<s>\"" },
	{ T_BLANK, 1, "\"value\" is only whitespace: LLaVA trains on it, but "
	    "the turn carries no text" },
};

/* Report the T_* in flags of turn's value at off; why: appended. */
static void
byod_text_findings(struct byod *b, unsigned flags, int64_t turn,
    uint64_t off, const char *why)
{
	size_t i;

	for (i = 0; i < sizeof(byod_text_rules) / sizeof(byod_text_rules[0]);
	    i++) {
		if (!(flags & byod_text_rules[i].flag))
			continue;
		if (byod_text_rules[i].warn)
			byod_warn(b, b->item, turn, "value", off, "%s%s",
			    byod_text_rules[i].msg, why);
		else
			byod_err(b, b->item, turn, "value", off, "%s%s",
			    byod_text_rules[i].msg, why);
	}
}

/*
 * A number as a kept turn's value (dropped: the leading "gpt" turn).
 * LLaVA's get_prompt() adds a "gpt" value and the first "human" one to
 * text (a TypeError), formats a later "human" one into "[INST] {} [/INST]"
 * (fine) and leaves a zero out; preprocess_multimodal(), for an item with
 * an image, looks for "<image>" in every value, even a dropped one (a
 * TypeError).  That last case is decided at the item's end.
 */
static void
byod_turn_number(struct byod *b, int dropped)
{
	if (b->vkind != V_NUMBER && b->vkind != V_ZERO)
		return;
	if (dropped || (b->role == R_HUMAN && b->turn != b->first_human &&
	    b->vkind == V_NUMBER)) {
		if (b->num_turn < 0) {
			b->num_turn = b->turn;
			b->num_off = b->value_off;
		}
		return;
	}
	if (b->role == R_GPT)
		byod_err(b, b->item, b->turn, "value", b->value_off,
		    "\"value\" is a number: LLaVA adds a \"gpt\" value to "
		    "text, a TypeError that crashes training");
	else if (b->role == R_HUMAN && b->turn == b->first_human)
		byod_err(b, b->item, b->turn, "value", b->value_off,
		    "\"value\" is a number: LLaVA adds the first \"human\" "
		    "value to the system prompt, a TypeError that crashes "
		    "training");
	else if (b->role == R_HUMAN)
		byod_err(b, b->item, b->turn, "value", b->value_off,
		    "\"value\" is zero: LLaVA leaves a value that Python "
		    "counts as false out of the prompt, which masks the whole "
		    "sample");
}

/* The estimated tokens of a kept turn, with LLaVA's prompt around it. */
static void
byod_turn_tokens(struct byod *b)
{
	uint64_t ov;

	if (b->role == R_GPT)
		ov = b->ov_gpt;
	else if (b->role == R_HUMAN)
		ov = b->turn == b->first_human ? b->ov_first : b->ov_human;
	else
		return;
	if (b->turn == b->first_human)
		b->first_off = b->value_off;
	/* a value passed byod_value_tokens()'s test, which covers this one;
	 * a turn without one did not */
	if (!b->tok_exact && b->tb_bound + b->tb_pend + ov >= BYOD_MAX_TOKENS)
		byod_tok_exact(b);
	if (b->tok_exact) {
		byod_tok_add(b, b->turn, ov, b->tok);
		return;
	}
	b->tb[b->tb_n].len = b->tb_pend;
	b->tb[b->tb_n].ov = ov;
	b->tb[b->tb_n++].turn = b->turn;
	b->tb_len += b->tb_pend;
	b->tb_bound += b->tb_pend + ov;
}

static void
byod_turn_end(struct byod *b)
{
	int dropped = b->turn == 0 && b->role == R_GPT;
	enum byod_role want;

	if (!(b->tkeys.seen & F_FROM)) {
		byod_err(b, b->item, b->turn, NULL, b->turn_off, "the turn has "
		    "no \"from\"");
		b->role = R_BAD;
	}
	if (!(b->tkeys.seen & F_VALUE))
		byod_err(b, b->item, b->turn, NULL, b->turn_off, "the turn has "
		    "no \"value\"");
	if (dropped) {
		b->drop = 1;
		byod_warn(b, b->item, 0, "from", b->from_off, "the "
		    "conversation starts with a \"gpt\" turn: LLaVA drops it "
		    "and trains on the rest");
	}
	want = (b->turn - b->drop) % 2 == 0 ? R_HUMAN : R_GPT;
	if (!dropped && b->role != R_BAD && b->role != want)
		byod_err(b, b->item, b->turn, "from", b->from_off, "turn %lld "
		    "is from \"%s\"; turns must alternate \"human\", \"gpt\", "
		    "starting with \"human\"", (long long)b->turn,
		    b->role == R_HUMAN ? "human" : "gpt");
	if (!dropped && b->role == R_HUMAN && b->first_human < 0)
		b->first_human = b->turn;
	byod_turn_number(b, dropped);
	if (!dropped) {
		byod_text_findings(b, b->tflags, b->turn, b->value_off, "");
		if (b->n_img > 0) {
			b->img_total += b->n_img;
			if (b->img_turns++ == 0) {
				b->img_turn = b->turn;
				b->img_role = b->role;
				b->img_off = b->value_off;
				b->img_n = b->n_img;
				b->img_extra = b->textra;
			}
		}
		byod_turn_tokens(b);
	}
	b->last_role = b->role;
}

static void
byod_conv_end(struct byod *b, const struct jl_token *t)
{
	if (b->n_turns < 2)
		byod_err(b, b->item, -1, "conversations", t->offset, "a "
		    "conversation needs at least 2 turns, not %lld",
		    (long long)b->n_turns);
	else if (b->last_role == R_HUMAN &&
	    (b->n_turns - 1 - b->drop) % 2 == 0)
		byod_err(b, b->item, b->n_turns - 1, "from", t->offset, "the "
		    "last turn must be from \"gpt\", not \"human\"");
}

/* The "<image>" rules, once the whole item is known. */
static void
byod_image_rules(struct byod *b)
{
	if (!b->has_image) {
		if (b->img_total > 0)
			byod_warn(b, b->item, b->img_turn, "value", b->img_off,
			    "\"<image>\" in an item without an \"image\": "
			    "LLaVA trains on it as plain text");
		return;
	}
	if (b->num_turn >= 0)
		byod_err(b, b->item, b->num_turn, "value", b->num_off,
		    "\"value\" is a number in an item with an \"image\": LLaVA "
		    "looks for \"<image>\" in it, a TypeError that crashes "
		    "training");
	if (b->img_turns == 0)
		byod_warn(b, b->item, -1, "image", b->image_off, "no turn that "
		    "LLaVA trains on holds \"<image>\": it loads the image but "
		    "never shows it to the model");
	else if (b->img_turns > 1)
		byod_err(b, b->item, -1, "conversations", b->img_off,
		    "\"<image>\" appears in %llu turns: LLaVA makes an image "
		    "slot of each but has one image per item, which crashes "
		    "training", (unsigned long long)b->img_turns);
	else {
		if (b->img_n > 1)
			byod_warn(b, b->item, b->img_turn, "value", b->img_off,
			    "\"<image>\" appears %llu times in this turn: "
			    "LLaVA keeps one, at the start of the turn",
			    (unsigned long long)b->img_n);
		if (b->img_role == R_GPT)
			byod_warn(b, b->item, b->img_turn, "value", b->img_off,
			    "\"<image>\" is in a \"gpt\" turn: LLaVA puts the "
			    "image at the start of the answer, after the "
			    "question");
		byod_text_findings(b, b->img_extra, b->img_turn, b->img_off,
		    " (once LLaVA has taken \"<image>\" out of the turn and "
		    "stripped it)");
	}
}

/* Truncation: LLaVA cuts every sample's tokens at BYOD_MAX_TOKENS. */
static void
byod_length_rules(struct byod *b)
{
	if (b->first_human >= 0 && b->tok_first >= BYOD_MAX_TOKENS)
		byod_warn(b, b->item, b->first_human, "value", b->first_off,
		    "the first \"human\" turn is about %llu tokens (estimated, "
		    "with LLaVA's system prompt): LLaVA cuts a sample at %d "
		    "tokens, so no answer token is left and it teaches nothing",
		    (unsigned long long)b->tok_first, BYOD_MAX_TOKENS);
	else if (b->tok_cut >= 0)
		byod_warn(b, b->item, -1, "conversations", b->conv_off, "the "
		    "conversation is about %llu tokens (estimated): LLaVA cuts "
		    "a sample at %d tokens, so it does not train on the rest "
		    "from inside turn %lld on", (unsigned long long)b->tok_conv,
		    BYOD_MAX_TOKENS, (long long)b->tok_cut);
}

static void
byod_item_end(struct byod *b)
{
	if (!(b->ikeys.seen & F_ID))
		byod_err(b, b->item, -1, NULL, b->item_off, "the item has no "
		    "\"id\"" BYOD_ID_RULE);
	if (!(b->ikeys.seen & F_CONV))
		byod_err(b, b->item, -1, NULL, b->item_off, "the item has no "
		    "\"conversations\"");
	if (b->conv_ok) {
		byod_image_rules(b);
		byod_length_rules(b);
	}
	byod_dend(b);
	if (b->res->n_errors == b->item_err0)
		byod_comp(b, b->has_image ? b->folder : "(no image)");
}

/* A container closed; d is the depth after it. */
static void
byod_close(struct byod *b, const struct jl_token *t, int d)
{
	if (b->skip) {
		if (d < b->skip)
			b->skip = 0;
		return;
	}
	switch (d) {
	case 0:
		if (b->n_items == 0)
			byod_err(b, -1, -1, NULL, t->offset, "the array has no "
			    "items");
		break;
	case 1:
		byod_item_end(b);
		break;
	case 2:
		byod_conv_end(b, t);
		break;
	case 3:
		byod_turn_end(b);
		break;
	}
}

/* ---- the syntax layer --------------------------------------------------- */

/* A syntax error: the scan stops. */
static int
byod_syntax(struct byod *b, uint64_t off, const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	byod_err(b, b->depth >= 2 ? b->item : -1, -1, NULL, off,
	    "JSON syntax error: %s", msg);
	return -1;
}

static int
byod_push(struct byod *b, const struct jl_token *t)
{
	if (byod_value(b, t, b->depth) != 0)
		return -1;
	if (t->type != JL_LBRACE && t->type != JL_LBRACKET) {
		b->expect = b->depth == 0 ? X_DONE : X_NEXT;
		return 0;
	}
	if (b->depth == BYOD_MAX_DEPTH) {
		byod_err(b, b->depth >= 2 ? b->item : -1, -1, NULL, t->offset,
		    "arrays and objects nested deeper than %d levels",
		    BYOD_MAX_DEPTH);
		return -1;
	}
	b->open[b->depth++] = t->type == JL_LBRACE ? '{' : '[';
	b->expect = t->type == JL_LBRACE ? X_FIRST_KEY : X_FIRST_VALUE;
	return 0;
}

static int
byod_pop(struct byod *b, const struct jl_token *t)
{
	char want = t->type == JL_RBRACE ? '{' : '[';

	if (b->open[b->depth - 1] != want)
		return byod_syntax(b, t->offset, "%s does not close the open "
		    "array or object", byod_tname(t->type));
	b->depth--;
	b->expect = b->depth == 0 ? X_DONE : X_NEXT;
	byod_close(b, t, b->depth);
	return 0;
}

/* One token through the grammar; -1 when the scan must stop. */
static int
byod_token(struct byod *b, const struct jl_token *t)
{
	switch (b->expect) {
	case X_FIRST_VALUE:
		if (t->type == JL_RBRACKET)
			return byod_pop(b, t);
		/* FALLTHROUGH */
	case X_VALUE:
		if (t->type == JL_LBRACE || t->type == JL_LBRACKET ||
		    t->type >= JL_STRING)
			return byod_push(b, t);
		if (t->type == JL_EOF && b->depth == 0)
			return byod_syntax(b, t->offset, "%s", "the file is "
			    "empty; a JSON array of items was expected");
		break;
	case X_FIRST_KEY:
		if (t->type == JL_RBRACE)
			return byod_pop(b, t);
		/* FALLTHROUGH */
	case X_KEY:
		if (t->type == JL_STRING) {
			byod_key(b, t, b->depth);
			b->expect = X_COLON;
			return 0;
		}
		if (t->type != JL_EOF)
			return byod_syntax(b, t->offset, "expected a string "
			    "key, found %s", byod_tname(t->type));
		break;
	case X_COLON:
		if (t->type == JL_COLON) {
			b->expect = X_VALUE;
			return 0;
		}
		if (t->type != JL_EOF)
			return byod_syntax(b, t->offset, "expected ':' after "
			    "a key, found %s", byod_tname(t->type));
		break;
	case X_NEXT:
		if (t->type == JL_COMMA) {
			b->expect = b->open[b->depth - 1] == '{' ? X_KEY :
			    X_VALUE;
			return 0;
		}
		if (t->type == JL_RBRACE || t->type == JL_RBRACKET)
			return byod_pop(b, t);
		if (t->type != JL_EOF)
			return byod_syntax(b, t->offset, b->open[b->depth - 1]
			    == '{' ? "expected ',' or '}', found %s" :
			    "expected ',' or ']', found %s",
			    byod_tname(t->type));
		break;
	case X_DONE:
		if (t->type == JL_EOF)
			return 0;
		return byod_syntax(b, t->offset, "%s after the end of the "
		    "top-level array (only whitespace may follow it)",
		    byod_tname(t->type));
	}
	if (t->type == JL_EOF)
		return byod_syntax(b, t->offset, "%s", "unexpected end of file "
		    "(the file is truncated)");
	return byod_syntax(b, t->offset, "unexpected %s", byod_tname(t->type));
}

/* ---- the driver --------------------------------------------------------- */

/* Whether t is a number as an item's "id", which byod_id() feeds to the
 * item's digest as its decimal string. */
static int
byod_id_number(const struct byod *b, const struct jl_token *t)
{
	return t->type == JL_NUMBER && !b->skip && b->depth == 2 &&
	    b->expect == X_VALUE && b->ikey == K_ID;
}

/* LLaVA's llava_llama_2 prompt (conversation.py at the pinned commit)
 * before the first human turn's value. */
static const char byod_sys_prompt[] = "[INST] <<SYS>>\nYou are a helpful "
    "language and vision assistant. You are able to understand the visual "
    "content that the user provides, and assist the user with a variety of "
    "tasks using natural language.\n<</SYS>>\n\n";

/*
 * The estimated tokens LLaVA's prompt adds around each turn: the first
 * human turn gets BOS, the system prompt and " [/INST]"; a later one "<s>"
 * (one token), "[INST] " and " [/INST]"; a gpt turn the space before "</s>"
 * and "</s>" (one token each).
 */
static void
byod_overheads(struct byod *b)
{
	static const char inst_end[] = " [/INST]";

	b->ov_first = 1 + byod_tokens(byod_sys_prompt,
	    sizeof(byod_sys_prompt) - 1) + byod_tokens(inst_end,
	    sizeof(inst_end) - 1);
	b->ov_human = 1 + byod_tokens("[INST] ", 7) + byod_tokens(inst_end,
	    sizeof(inst_end) - 1);
	b->ov_gpt = 2;
}

static int
byod_dig_less_v(const void *x, const void *y)
{
	return byod_dig_less(x, y);
}

static void
byod_dig_sort_v(void *v, size_t n)
{
	byod_dig_sort(v, n);
}

static int
byod_idh_less_v(const void *x, const void *y)
{
	return byod_idh_less(x, y);
}

static void
byod_idh_sort_v(void *v, size_t n)
{
	byod_idh_sort(v, n);
}

/* Equal id hashes, met in sorted order, are duplicates.  -1: I/O error. */
static int
byod_duplicates(struct byod *b)
{
	const struct byod_idh *e;
	struct byod_idh first;
	int have = 0;

	if (extsort_finish(b->ids) != 0)
		return -1;
	while ((e = extsort_next(b->ids)) != NULL) {
		if (!have || e->hi != first.hi || e->lo != first.lo) {
			first = *e;
			have = 1;
			continue;
		}
		byod_err(b, e->item, -1, "id", BYOD_NO_OFFSET,
		    "duplicate id: item %lu has the same id" BYOD_ID_RULE,
		    (unsigned long)first.item);
	}
	return extsort_failed(b->ids) ? -1 : 0;
}

static int
byod_set_hash(struct byod *b)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	const struct byod_dig *d;
	unsigned mdlen = 0;

	if (extsort_finish(b->dig) != 0)
		return -1;
	EVP_DigestInit_ex(b->ictx, b->md, NULL);
	while ((d = extsort_next(b->dig)) != NULL)
		EVP_DigestUpdate(b->ictx, d->d, BYOD_DIGEST);
	EVP_DigestFinal_ex(b->ictx, md, &mdlen);
	if (extsort_failed(b->dig))
		return -1;
	util_hex(md, 32, b->res->set_hash);
	return 0;
}

static void
byod_free(struct byod *b)
{
	jl_free(b->jl);
	EVP_MD_CTX_free(b->fctx);
	EVP_MD_CTX_free(b->ictx);
	EVP_MD_free(b->md);
	extsort_free(b->dig);
	extsort_free(b->ids);
	free(b->ubuf);
	free(b);
}

int
byod_file(const struct pool *pool, const char *path,
    const struct byod_limits *lim, struct vresult *res, char *err,
    size_t errlen)
{
	static const struct byod_limits nolim;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	struct jl_token t;
	struct byod *b = NULL;
	struct stat st;
	int fd, rc = -1, r = 0;

	if (lim == NULL)
		lim = &nolim;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		util_fmt(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		util_fmt(err, errlen, "cannot stat %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		util_fmt(err, errlen, "%s is not a regular file", path);
		goto out;
	}
	if (lim->max_bytes && (uint64_t)st.st_size > lim->max_bytes) {
		vresult_error(res, 0, -1, -1, NULL, NULL, "the file is %llu "
		    "bytes, over the limit of %llu bytes",
		    (unsigned long long)st.st_size,
		    (unsigned long long)lim->max_bytes);
		rc = 0;
		goto out;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

	b = util_xcalloc(1, sizeof(*b));
	b->pool = pool;
	b->lim = lim;
	b->res = res;
	b->max_string = lim->max_string ? lim->max_string : BYOD_DEFAULT_STRING;
	b->cap_items = lim->max_items ? lim->max_items : UINT32_MAX;
	b->item = -1;
	byod_overheads(b);
	b->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	b->fctx = EVP_MD_CTX_new();
	b->ictx = EVP_MD_CTX_new();
	b->jl = jl_new(fd, b->max_string);
	b->dig = extsort_new(sizeof(struct byod_dig), BYOD_SORT_MEM /
	    sizeof(struct byod_dig), byod_dig_less_v, byod_dig_sort_v);
	b->ids = extsort_new(sizeof(struct byod_idh), BYOD_SORT_MEM /
	    sizeof(struct byod_idh), byod_idh_less_v, byod_idh_sort_v);
	if (b->md == NULL || b->fctx == NULL || b->ictx == NULL ||
	    b->jl == NULL || !EVP_DigestInit_ex(b->fctx, b->md, NULL)) {
		util_fmt(err, errlen, "cannot set up SHA-256 or the reader");
		goto out;
	}
	jl_set_chunk_fn(b->jl, byod_file_chunk, b);

	for (;;) {
		if (jl_next(b->jl, &t) == JL_ERROR) {
			if (jl_io_error(b->jl)) {
				util_fmt(err, errlen, "%s: %s", path,
				    jl_error(b->jl));
				goto out;
			}
			byod_err(b, b->depth >= 2 ? b->item : -1, -1, NULL,
			    jl_error_offset(b->jl), "JSON syntax error: %s",
			    jl_error(b->jl));
			break;
		}
		if (b->digesting && !byod_id_number(b, &t))
			byod_dfeed(b, &t);
		if ((r = byod_token(b, &t)) != 0 || t.type == JL_EOF)
			break;
		if (lim->max_bytes && jl_offset(b->jl) > lim->max_bytes) {
			byod_err(b, -1, -1, NULL, jl_offset(b->jl), "the file "
			    "grew past the limit of %llu bytes while being read",
			    (unsigned long long)lim->max_bytes);
			break;
		}
		if (b->n_items > UINT32_MAX) {
			byod_err(b, b->item, -1, NULL, t.offset, "too many "
			    "items");
			break;
		}
	}
	res->n_samples = b->n_items;
	if (t.type == JL_EOF && r == 0) {
		EVP_DigestFinal_ex(b->fctx, md, &mdlen);
		util_hex(md, 32, res->sha256);
		if (b->spill_failed || byod_duplicates(b) != 0 ||
		    (res->n_errors == 0 && byod_set_hash(b) != 0)) {
			util_fmt(err, errlen, "%s: cannot sort the item digests: "
			    "temporary file error: %s", path, strerror(errno));
			goto out;
		}
	}
	if (b->comp_n > 0)
		vresult_comp_add(res, b->comp_name, b->comp_n);
	vresult_comp_sort(res);
	rc = 0;
out:
	if (b != NULL)
		byod_free(b);
	close(fd);
	return rc;
}
