/*
 * proxy: BM25 retrieval as the proxy backend's model (see proxy.h).
 *
 * Training: stream the training file with jsonlex, turn each human turn
 * into a document (term ids with their counts) paired with the next gpt
 * answer, then build the inverted index: terms sorted bytewise, for each
 * term its postings (document, BM25 weight) in document order, and for
 * each document its forward list (term, weight) in term order.  A weight
 * is fixed once the corpus is known (N, df, average length over every
 * document), so it is computed here; evaluation only adds weights up.
 * Documents with the same bag of words as an earlier one are not stored:
 * they tie with it on every question and lose the tie.
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
#include "proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "jsonlex.h"
#include "score.h"
#include "util.h"

#define PROXY_K1 1.2
#define PROXY_B 0.75
#define PROXY_MAGIC "DOPRXY01"
#define PROXY_VERSION 1u
#define PROXY_ENDIAN 0x01020304u
#define PROXY_MAX_DEPTH 64
#define PROXY_MAX_DOCS 0xfffffff0u
#define PROXY_HEADER 96

/*
 * Prompt-template text that says nothing about the question: removed
 * (exact, case-sensitive) before tokenizing, from training turns and
 * validation questions alike: the image token, the seed README's VQA and
 * A-OKVQA templates, and LLaVA's two evaluation prompts (the synthetic
 * validation set uses the first).  Captioning prompts are kept: they are
 * the whole question.
 */
static const char *const proxy_boilerplate[] = {
	"<image>",
	"Answer the question directly with a short sentence or phrase.",
	"Choose the correct option for the following question:",
	"Answer with the option's letter from the given choices directly.",
	"Answer the question using a single word or phrase.",
};

/* ---- small growable arrays ---- */

struct bytes {
	char *p;
	size_t n, cap;
};

struct u32v {
	uint32_t *p;
	size_t n, cap;
};

struct u64v {
	uint64_t *p;
	size_t n, cap;
};

static void
bytes_add(struct bytes *b, const void *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = util_xrealloc(b->p, b->cap);
	}
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void
u32_push(struct u32v *v, uint32_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 1024;
		v->p = util_xrealloc(v->p, v->cap * sizeof(v->p[0]));
	}
	v->p[v->n++] = x;
}

static void
u64_push(struct u64v *v, uint64_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 1024;
		v->p = util_xrealloc(v->p, v->cap * sizeof(v->p[0]));
	}
	v->p[v->n++] = x;
}

/* ---- tokenizer ---- */

/* Words of one text: offsets and lengths into buf. */
struct toks {
	struct bytes buf;	/* the cleaned, lowercased text */
	struct u32v off, len;
};

static int
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static void
tokenize(struct toks *t, const char *s, size_t n)
{
	size_t i, k;

	t->buf.n = 0;
	t->off.n = t->len.n = 0;
	bytes_add(&t->buf, s, n);
	for (k = 0; k < sizeof(proxy_boilerplate) / sizeof(proxy_boilerplate[0]);
	    k++) {
		const char *ph = proxy_boilerplate[k], *hit;
		size_t pl = strlen(ph), at = 0;

		while (at < n && (hit = memmem(t->buf.p + at, n - at, ph,
		    pl)) != NULL) {
			memset((char *)hit, ' ', pl);
			at = (size_t)(hit - t->buf.p) + pl;
		}
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t->buf.p[i];

		if (c >= 'A' && c <= 'Z')
			t->buf.p[i] = (char)(c - 'A' + 'a');
	}
	for (i = 0; i < n;) {
		size_t start;

		if (!word_byte((unsigned char)t->buf.p[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < n && word_byte((unsigned char)t->buf.p[i]))
			i++;
		u32_push(&t->off, (uint32_t)start);
		u32_push(&t->len, (uint32_t)(i - start < PROXY_MAX_TERM ?
		    i - start : PROXY_MAX_TERM));
	}
}

static void
toks_free(struct toks *t)
{
	free(t->buf.p);
	free(t->off.p);
	free(t->len.p);
}

/* ---- training ---- */

/* Term dictionary: open addressing over term ids. */
struct terms {
	uint32_t *slots;	/* term id + 1, or 0 */
	size_t nslots;
	struct bytes text;	/* all terms, back to back */
	struct u64v off;	/* term i is text[off[i] .. off[i + 1]) */
	struct u64v hash;
};

struct trainer {
	const char *path;
	struct jl *jl;
	struct jl_token tok;
	char *err;
	size_t errlen;

	struct terms terms;
	struct toks toks;
	struct u32v tmp;	/* one document's term ids */
	struct u32v dt_term, dt_tf;	/* (term, tf) of every document */
	struct u64v dt_start;	/* document d's pairs: [start[d], [d+1]) */
	struct u32v dl;		/* document lengths in words */
	struct bytes answers;
	struct u64v ans_off;
	uint64_t total_dl, samples;

	/* the item being read */
	struct bytes pending;	/* human text waiting for its answer */
	int have_pending;
	struct bytes value;	/* the current turn's value */
	int from;		/* 0 none, 1 human, 2 gpt, 3 other */
	int have_value;
};

static uint32_t
term_id(struct terms *tt, const char *w, size_t n)
{
	uint64_t h = XXH3_64bits(w, n);
	size_t mask, s, id;

	if (tt->off.n == 0)
		u64_push(&tt->off, 0);
	if ((tt->hash.n + 1) * 2 > tt->nslots) {
		size_t ns = tt->nslots ? tt->nslots * 2 : 1024, i;

		free(tt->slots);
		tt->slots = util_xcalloc(ns, sizeof(tt->slots[0]));
		tt->nslots = ns;
		for (i = 0; i < tt->hash.n; i++) {
			s = tt->hash.p[i] & (ns - 1);
			while (tt->slots[s] != 0)
				s = (s + 1) & (ns - 1);
			tt->slots[s] = (uint32_t)(i + 1);
		}
	}
	mask = tt->nslots - 1;
	for (s = h & mask; tt->slots[s] != 0; s = (s + 1) & mask) {
		id = tt->slots[s] - 1;
		if (tt->hash.p[id] == h && tt->off.p[id + 1] - tt->off.p[id] ==
		    n && memcmp(tt->text.p + tt->off.p[id], w, n) == 0)
			return (uint32_t)id;
	}
	id = tt->hash.n;
	bytes_add(&tt->text, w, n);
	u64_push(&tt->off, tt->text.n);
	u64_push(&tt->hash, h);
	tt->slots[s] = (uint32_t)(id + 1);
	return (uint32_t)id;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Add a document: the pending human text answered by the current value. */
static int
add_document(struct trainer *tr)
{
	struct toks *t = &tr->toks;
	const char *a;
	size_t i, alen, run;
	uint64_t before;

	tokenize(t, tr->pending.p, tr->pending.n);
	if (t->off.n == 0)
		return 0;	/* nothing to match: never retrievable */
	if (tr->dl.n >= PROXY_MAX_DOCS) {
		util_fmt(tr->err, tr->errlen, "%s: more than %u documents",
		    tr->path, PROXY_MAX_DOCS);
		return -1;
	}
	tr->tmp.n = 0;
	for (i = 0; i < t->off.n; i++)
		u32_push(&tr->tmp, term_id(&tr->terms, t->buf.p + t->off.p[i],
		    t->len.p[i]));
	qsort(tr->tmp.p, tr->tmp.n, sizeof(uint32_t), cmp_u32);
	if (tr->dt_start.n == 0)
		u64_push(&tr->dt_start, 0);
	for (i = 0; i < tr->tmp.n; i += run) {
		for (run = 1; i + run < tr->tmp.n &&
		    tr->tmp.p[i + run] == tr->tmp.p[i]; run++)
			;
		u32_push(&tr->dt_term, tr->tmp.p[i]);
		u32_push(&tr->dt_tf, (uint32_t)run);
	}
	u64_push(&tr->dt_start, tr->dt_term.n);
	u32_push(&tr->dl, (uint32_t)tr->tmp.n);
	tr->total_dl += tr->tmp.n;
	/* The answer as run_llava_eval would print it: stripped, newlines
	 * made spaces. */
	alen = tr->value.n;
	a = score_strip(tr->value.p ? tr->value.p : "", &alen);
	if (tr->ans_off.n == 0)
		u64_push(&tr->ans_off, 0);
	before = tr->answers.n;
	bytes_add(&tr->answers, a, alen);
	for (i = before; i < tr->answers.n; i++)
		if (tr->answers.p[i] == '\n')
			tr->answers.p[i] = ' ';
	u64_push(&tr->ans_off, tr->answers.n);
	return 0;
}

static enum jl_type
tr_next(struct trainer *tr)
{
	enum jl_type t = jl_next(tr->jl, &tr->tok);

	if (t == JL_ERROR)
		util_fmt(tr->err, tr->errlen, "%s: byte %llu: %s", tr->path,
		    (unsigned long long)jl_error_offset(tr->jl),
		    jl_error(tr->jl));
	return t;
}

static int
tr_fail(struct trainer *tr, const char *what)
{
	util_fmt(tr->err, tr->errlen, "%s: byte %llu: %s", tr->path,
	    (unsigned long long)tr->tok.offset, what);
	return -1;
}

static int
tok_is(const struct jl_token *t, const char *s)
{
	size_t n = strlen(s);

	return t->type == JL_STRING && t->len == n && !t->truncated &&
	    memcmp(t->str, s, n) == 0;
}

/* Skip the value whose first token is t (nesting bounded). */
static int
skip_value(struct trainer *tr, enum jl_type t, int depth)
{
	if (depth > PROXY_MAX_DEPTH)
		return tr_fail(tr, "nested too deeply");
	switch (t) {
	case JL_STRING: case JL_NUMBER: case JL_TRUE: case JL_FALSE:
	case JL_NULL:
		return 0;
	case JL_LBRACKET:
		if ((t = tr_next(tr)) == JL_RBRACKET)
			return 0;
		for (;;) {
			if (t == JL_ERROR || skip_value(tr, t, depth + 1) != 0)
				return -1;
			t = tr_next(tr);
			if (t == JL_RBRACKET)
				return 0;
			if (t != JL_COMMA)
				return t == JL_ERROR ? -1 :
				    tr_fail(tr, "expected ',' or ']'");
			t = tr_next(tr);
		}
	case JL_LBRACE:
		if ((t = tr_next(tr)) == JL_RBRACE)
			return 0;
		for (;;) {
			if (t != JL_STRING)
				return t == JL_ERROR ? -1 :
				    tr_fail(tr, "expected an object key");
			if ((t = tr_next(tr)) != JL_COLON)
				return t == JL_ERROR ? -1 :
				    tr_fail(tr, "expected ':'");
			t = tr_next(tr);
			if (t == JL_ERROR || skip_value(tr, t, depth + 1) != 0)
				return -1;
			t = tr_next(tr);
			if (t == JL_RBRACE)
				return 0;
			if (t != JL_COMMA)
				return t == JL_ERROR ? -1 :
				    tr_fail(tr, "expected ',' or '}'");
			t = tr_next(tr);
		}
	case JL_ERROR:
		return -1;
	default:
		return tr_fail(tr, "expected a value");
	}
}

/* Keep a string token's text, cut back to a whole UTF-8 character if the
 * lexer truncated it. */
static void
keep_string(struct bytes *b, const struct jl_token *t)
{
	size_t n = t->truncated ? PROXY_MAX_STRING : t->len, k = n;

	if (t->truncated) {
		while (k > 0 && n - k < 3 &&
		    ((unsigned char)t->str[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)t->str[k - 1] >= 0xc0) {
			unsigned char c = (unsigned char)t->str[k - 1];
			size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

			if (n - (k - 1) < need)
				n = k - 1;
		}
	}
	b->n = 0;
	bytes_add(b, t->str, n);
}

/* Read the object of one turn (its '{' already read). */
static int
read_turn(struct trainer *tr, int depth)
{
	enum jl_type t;

	tr->from = 0;
	tr->have_value = 0;
	if ((t = tr_next(tr)) == JL_RBRACE)
		goto done;
	for (;;) {
		int key;	/* 1 from, 2 value, 0 other */

		if (t != JL_STRING)
			return t == JL_ERROR ? -1 :
			    tr_fail(tr, "expected an object key");
		key = tok_is(&tr->tok, "from") ? 1 : tok_is(&tr->tok,
		    "value") ? 2 : 0;
		if ((t = tr_next(tr)) != JL_COLON)
			return t == JL_ERROR ? -1 : tr_fail(tr, "expected ':'");
		t = tr_next(tr);
		if (key == 1 && t == JL_STRING)
			tr->from = tok_is(&tr->tok, "human") ? 1 :
			    tok_is(&tr->tok, "gpt") ? 2 : 3;
		else if (key == 2 && t == JL_STRING) {
			keep_string(&tr->value, &tr->tok);
			tr->have_value = 1;
		} else if (skip_value(tr, t, depth + 1) != 0)
			return -1;
		t = tr_next(tr);
		if (t == JL_RBRACE)
			break;
		if (t != JL_COMMA)
			return t == JL_ERROR ? -1 :
			    tr_fail(tr, "expected ',' or '}'");
		t = tr_next(tr);
	}
done:
	if (!tr->have_value)
		return 0;
	if (tr->from == 1) {
		if (tr->have_pending)
			bytes_add(&tr->pending, "\n", 1);
		bytes_add(&tr->pending, tr->value.p, tr->value.n);
		tr->have_pending = 1;
	} else if (tr->from == 2 && tr->have_pending) {
		if (add_document(tr) != 0)
			return -1;
		tr->pending.n = 0;
		tr->have_pending = 0;
	}
	return 0;
}

/* Read an item's "conversations" array (its '[' already read). */
static int
read_conversations(struct trainer *tr, int depth)
{
	enum jl_type t;

	if ((t = tr_next(tr)) == JL_RBRACKET)
		return 0;
	for (;;) {
		if (t == JL_LBRACE) {
			if (read_turn(tr, depth + 1) != 0)
				return -1;
		} else if (skip_value(tr, t, depth + 1) != 0)
			return -1;
		t = tr_next(tr);
		if (t == JL_RBRACKET)
			return 0;
		if (t != JL_COMMA)
			return t == JL_ERROR ? -1 :
			    tr_fail(tr, "expected ',' or ']'");
		t = tr_next(tr);
	}
}

/* Read one item (its '{' already read). */
static int
read_item(struct trainer *tr)
{
	enum jl_type t;

	tr->pending.n = 0;
	tr->have_pending = 0;
	tr->samples++;
	if ((t = tr_next(tr)) == JL_RBRACE)
		return 0;
	for (;;) {
		int conv;

		if (t != JL_STRING)
			return t == JL_ERROR ? -1 :
			    tr_fail(tr, "expected an object key");
		conv = tok_is(&tr->tok, "conversations");
		if ((t = tr_next(tr)) != JL_COLON)
			return t == JL_ERROR ? -1 : tr_fail(tr, "expected ':'");
		t = tr_next(tr);
		if (conv && t == JL_LBRACKET) {
			if (read_conversations(tr, 2) != 0)
				return -1;
		} else if (skip_value(tr, t, 2) != 0)
			return -1;
		t = tr_next(tr);
		if (t == JL_RBRACE)
			return 0;
		if (t != JL_COMMA)
			return t == JL_ERROR ? -1 :
			    tr_fail(tr, "expected ',' or '}'");
		t = tr_next(tr);
	}
}

static int
read_training(struct trainer *tr)
{
	enum jl_type t;

	if ((t = tr_next(tr)) != JL_LBRACKET)
		return t == JL_ERROR ? -1 : tr_fail(tr, "expected a JSON array");
	if ((t = tr_next(tr)) == JL_RBRACKET)
		goto end;
	for (;;) {
		if (t != JL_LBRACE)
			return t == JL_ERROR ? -1 :
			    tr_fail(tr, "expected an item object");
		if (read_item(tr) != 0)
			return -1;
		t = tr_next(tr);
		if (t == JL_RBRACKET)
			break;
		if (t != JL_COMMA)
			return t == JL_ERROR ? -1 :
			    tr_fail(tr, "expected ',' or ']'");
		t = tr_next(tr);
	}
end:
	if ((t = tr_next(tr)) != JL_EOF)
		return t == JL_ERROR ? -1 :
		    tr_fail(tr, "trailing data after the array");
	return 0;
}

/* Writer that hashes what it writes. */
struct wr {
	FILE *fp;
	XXH3_state_t *xs;
	uint64_t n;
};

static void
wr(struct wr *w, const void *p, size_t n)
{
	static const char zero[8];

	if (p == NULL)
		p = zero;
	fwrite(p, 1, n, w->fp);
	XXH3_64bits_update(w->xs, p, n);
	w->n += n;
}

static void
wr_pad(struct wr *w)
{
	static const char zero[8];

	if (w->n % 8)
		wr(w, zero, 8 - w->n % 8);
}

static int
cmp_terms(const void *a, const void *b, void *ctx)
{
	const struct terms *tt = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t xl = tt->off.p[x + 1] - tt->off.p[x];
	size_t yl = tt->off.p[y + 1] - tt->off.p[y];
	int c = memcmp(tt->text.p + tt->off.p[x], tt->text.p + tt->off.p[y],
	    xl < yl ? xl : yl);

	return c ? c : xl < yl ? -1 : xl > yl;
}

/* Build the index from tr and write the model file; fills *st. */
static int
write_model(struct trainer *tr, const char *path, struct proxy_stats *st)
{
	const struct terms *tt = &tr->terms;
	uint64_t nterms = tt->hash.n, ndocs = tr->dl.n, nkeep = 0;
	uint64_t i, d, k, npost = 0, nslots, *slots = NULL;
	uint32_t *order = NULL, *rank = NULL, *keep = NULL, *pdoc = NULL;
	uint32_t *fterm = NULL, u;
	uint64_t *poff = NULL, *cur = NULL, *toff = NULL, *foff = NULL;
	uint64_t *aoff = NULL, h;
	float *pw = NULL, *fw = NULL;
	double *idf = NULL, avgdl, k1 = PROXY_K1, b = PROXY_B;
	struct util_afile *af = NULL;
	struct wr w = { NULL, NULL, 0 };
	struct bytes ttext = { NULL, 0, 0 }, ans = { NULL, 0, 0 };
	int rc = -1;

	if (tr->dt_start.n == 0)
		u64_push(&tr->dt_start, 0);
	if (tr->ans_off.n == 0)
		u64_push(&tr->ans_off, 0);
	avgdl = ndocs ? (double)tr->total_dl / (double)ndocs : 0.0;
	/* Terms in bytewise order: order[rank] = id, rank[id] = rank. */
	order = util_xmalloc((nterms + 1) * sizeof(*order));
	rank = util_xmalloc((nterms + 1) * sizeof(*rank));
	for (i = 0; i < nterms; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, nterms, sizeof(*order), cmp_terms, (void *)tt);
	for (i = 0; i < nterms; i++)
		rank[order[i]] = (uint32_t)i;
	/* idf from the document frequencies over every document. */
	poff = util_xcalloc(nterms + 1, sizeof(*poff));
	for (i = 0; i < tr->dt_term.n; i++)
		poff[rank[tr->dt_term.p[i]] + 1]++;
	idf = util_xmalloc((nterms + 1) * sizeof(*idf));
	for (i = 0; i < nterms; i++) {
		double df = (double)poff[i + 1];

		idf[i] = log(1.0 + ((double)ndocs - df + 0.5) / (df + 0.5));
		poff[i + 1] = 0;
	}
	/*
	 * Keep one document per distinct bag of words: a later copy has
	 * the same score for every question, so it can never win the tie.
	 * keep[d] = new number + 1, or 0 for a copy.
	 */
	keep = util_xcalloc(ndocs + 1, sizeof(*keep));
	for (nslots = 16; nslots < 2 * ndocs; nslots *= 2)
		;
	slots = util_xcalloc(nslots, sizeof(*slots));
	for (d = 0; d < ndocs; d++) {
		uint64_t s0 = tr->dt_start.p[d], n = tr->dt_start.p[d + 1] - s0;
		uint64_t s;

		h = XXH3_64bits_withSeed(tr->dt_term.p + s0, n * 4,
		    XXH3_64bits(tr->dt_tf.p + s0, n * 4));
		for (s = h & (nslots - 1); slots[s] != 0;
		    s = (s + 1) & (nslots - 1)) {
			uint64_t o = slots[s] - 1, o0 = tr->dt_start.p[o];

			if (tr->dt_start.p[o + 1] - o0 == n &&
			    memcmp(tr->dt_term.p + o0, tr->dt_term.p + s0,
			    n * 4) == 0 && memcmp(tr->dt_tf.p + o0,
			    tr->dt_tf.p + s0, n * 4) == 0)
				break;
		}
		if (slots[s] != 0)
			continue;
		slots[s] = d + 1;
		keep[d] = (uint32_t)++nkeep;
		npost += n;
		for (i = s0; i < s0 + n; i++)
			poff[rank[tr->dt_term.p[i]] + 1]++;
	}
	for (i = 0; i < nterms; i++)
		poff[i + 1] += poff[i];
	/* Postings (by term, documents ascending), the forward lists (by
	 * document, terms ascending) and the kept answers. */
	cur = util_xmalloc((nterms + 1) * sizeof(*cur));
	memcpy(cur, poff, (nterms + 1) * sizeof(*cur));
	pdoc = util_xmalloc((npost + 1) * sizeof(*pdoc));
	pw = util_xmalloc((npost + 1) * sizeof(*pw));
	foff = util_xmalloc((nkeep + 1) * sizeof(*foff));
	fterm = util_xmalloc((npost + 1) * sizeof(*fterm));
	fw = util_xmalloc((npost + 1) * sizeof(*fw));
	aoff = util_xmalloc((nkeep + 1) * sizeof(*aoff));
	foff[0] = aoff[0] = 0;
	for (d = 0, k = 0; d < ndocs; d++) {
		double norm = k1 * (1.0 - b + b * (double)tr->dl.p[d] / avgdl);
		uint64_t s0 = tr->dt_start.p[d], f0;

		if (keep[d] == 0)
			continue;
		f0 = foff[keep[d] - 1];
		for (i = s0; i < tr->dt_start.p[d + 1]; i++) {
			uint32_t r = rank[tr->dt_term.p[i]];
			double tf = (double)tr->dt_tf.p[i];
			uint64_t pos = cur[r]++;

			pdoc[pos] = keep[d] - 1;
			pw[pos] = (float)(idf[r] * tf * (k1 + 1.0) / (tf + norm));
			fterm[k] = r;
			fw[k++] = pw[pos];
		}
		/* Terms of a document by rank (insertion sort: few). */
		for (i = f0 + 1; i < k; i++) {
			uint32_t tr_ = fterm[i];
			float tw = fw[i];
			uint64_t j = i;

			for (; j > f0 && fterm[j - 1] > tr_; j--) {
				fterm[j] = fterm[j - 1];
				fw[j] = fw[j - 1];
			}
			fterm[j] = tr_;
			fw[j] = tw;
		}
		foff[keep[d]] = k;
		bytes_add(&ans, tr->answers.p + tr->ans_off.p[d],
		    tr->ans_off.p[d + 1] - tr->ans_off.p[d]);
		aoff[keep[d]] = ans.n;
	}
	/* Term text in rank order. */
	toff = util_xmalloc((nterms + 1) * sizeof(*toff));
	for (i = 0; i < nterms; i++) {
		uint32_t id = order[i];

		toff[i] = ttext.n;
		bytes_add(&ttext, tt->text.p + tt->off.p[id],
		    tt->off.p[id + 1] - tt->off.p[id]);
	}
	toff[nterms] = ttext.n;

	if ((af = util_afile_open(path, tr->err, tr->errlen)) == NULL)
		goto out;
	w.fp = util_afile_fp(af);
	if ((w.xs = XXH3_createState()) == NULL)
		abort();
	XXH3_64bits_reset(w.xs);
	wr(&w, PROXY_MAGIC, 8);
	u = PROXY_VERSION;
	wr(&w, &u, 4);
	u = PROXY_ENDIAN;
	wr(&w, &u, 4);
	wr(&w, &tr->samples, 8);
	wr(&w, &ndocs, 8);
	wr(&w, &nkeep, 8);
	wr(&w, &nterms, 8);
	wr(&w, &npost, 8);
	h = ttext.n;
	wr(&w, &h, 8);
	h = ans.n;
	wr(&w, &h, 8);
	wr(&w, &k1, 8);
	wr(&w, &b, 8);
	wr(&w, &avgdl, 8);
	wr(&w, toff, (nterms + 1) * 8);
	wr(&w, ttext.p, ttext.n);
	wr_pad(&w);
	wr(&w, poff, (nterms + 1) * 8);
	wr(&w, pdoc, npost * 4);
	wr_pad(&w);
	wr(&w, pw, npost * 4);
	wr_pad(&w);
	wr(&w, foff, (nkeep + 1) * 8);
	wr(&w, fterm, npost * 4);
	wr_pad(&w);
	wr(&w, fw, npost * 4);
	wr_pad(&w);
	wr(&w, aoff, (nkeep + 1) * 8);
	wr(&w, ans.p, ans.n);
	wr_pad(&w);
	h = XXH3_64bits_digest(w.xs);
	fwrite(&h, 1, 8, w.fp);
	if (util_afile_commit(af, tr->err, tr->errlen) != 0) {
		af = NULL;
		goto out;
	}
	af = NULL;
	st->samples = tr->samples;
	st->documents = ndocs;
	st->distinct = nkeep;
	st->terms = nterms;
	st->postings = npost;
	rc = 0;
out:
	util_afile_abort(af);
	if (w.xs)
		XXH3_freeState(w.xs);
	free(ttext.p);
	free(ans.p);
	free(toff);
	free(aoff);
	free(fw);
	free(fterm);
	free(foff);
	free(pw);
	free(pdoc);
	free(cur);
	free(slots);
	free(keep);
	free(idf);
	free(poff);
	free(rank);
	free(order);
	return rc;
}

/* Write a JSON object to path atomically. */
static int
write_json(const char *path, json_t *o, char *err, size_t errlen)
{
	struct util_afile *af = util_afile_open(path, err, errlen);

	if (af == NULL)
		return -1;
	if (json_dumpf(o, util_afile_fp(af), JSON_INDENT(2)) != 0 ||
	    fputc('\n', util_afile_fp(af)) == EOF) {
		util_fmt(err, errlen, "write %s failed", path);
		util_afile_abort(af);
		return -1;
	}
	return util_afile_commit(af, err, errlen);
}

static int
make_dir(const char *dir, char *err, size_t errlen)
{
	struct stat sb;

	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	util_fmt(err, errlen, "cannot create directory %s: %s", dir,
	    errno == EEXIST ? "a file is in the way" : strerror(errno));
	return -1;
}

static char *
path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = util_xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int
proxy_train(const char *data_json, const char *model_dir,
    struct proxy_stats *st, char *err, size_t errlen)
{
	struct trainer tr;
	struct proxy_stats dummy;
	char *mpath = NULL, *cpath = NULL, *spath = NULL;
	json_t *cfg = NULL, *state = NULL;
	int fd = -1, rc = -1;

	if (st == NULL)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	memset(&tr, 0, sizeof(tr));
	tr.path = data_json;
	tr.err = err;
	tr.errlen = errlen;
	if ((fd = open(data_json, O_RDONLY | O_CLOEXEC)) < 0) {
		util_fmt(err, errlen, "cannot open %s: %s", data_json,
		    strerror(errno));
		goto out;
	}
	if ((tr.jl = jl_new(fd, PROXY_MAX_STRING)) == NULL)
		abort();
	if (read_training(&tr) != 0)
		goto out;
	if (make_dir(model_dir, err, errlen) != 0)
		goto out;
	mpath = path_join(model_dir, PROXY_MODEL_FILE);
	cpath = path_join(model_dir, "config.json");
	spath = path_join(model_dir, "trainer_state.json");
	if (unlink(spath) != 0 && errno != ENOENT) {
		util_fmt(err, errlen, "cannot remove %s: %s", spath,
		    strerror(errno));
		goto out;
	}
	if (write_model(&tr, mpath, st) != 0)
		goto out;
	cfg = json_pack("{s:s, s:s, s:s, s:i, s:s, s:f, s:f, s:s, s:I, s:I, "
	    "s:I, s:I, s:I, s:f}",
	    "backend", "proxy",
	    "model_type", "bm25-retrieval",
	    "model_file", PROXY_MODEL_FILE,
	    "format_version", (int)PROXY_VERSION,
	    "description", "answers each question with the gpt answer of its "
	    "most similar training question (Okapi BM25)",
	    "k1", PROXY_K1, "b", PROXY_B,
	    "idf", "ln(1 + (N - df + 0.5) / (df + 0.5))",
	    "samples", (json_int_t)st->samples,
	    "documents", (json_int_t)st->documents,
	    "distinct_documents", (json_int_t)st->distinct,
	    "terms", (json_int_t)st->terms,
	    "postings", (json_int_t)st->postings,
	    "avg_document_length", st->documents ?
	    (double)tr.total_dl / (double)st->documents : 0.0);
	state = json_pack("{s:s, s:f, s:I, s:I, s:I, s:[]}",
	    "backend", "proxy",
	    "epoch", 1.0,
	    "global_step", (json_int_t)st->samples,
	    "max_steps", (json_int_t)st->samples,
	    "num_train_samples", (json_int_t)st->samples,
	    "log_history");
	if (cfg == NULL || state == NULL)
		abort();
	if (write_json(cpath, cfg, err, errlen) != 0 ||
	    write_json(spath, state, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	json_decref(cfg);
	json_decref(state);
	free(mpath);
	free(cpath);
	free(spath);
	jl_free(tr.jl);
	if (fd >= 0)
		close(fd);
	free(tr.terms.slots);
	free(tr.terms.text.p);
	free(tr.terms.off.p);
	free(tr.terms.hash.p);
	toks_free(&tr.toks);
	free(tr.tmp.p);
	free(tr.dt_term.p);
	free(tr.dt_tf.p);
	free(tr.dt_start.p);
	free(tr.dl.p);
	free(tr.answers.p);
	free(tr.ans_off.p);
	free(tr.pending.p);
	free(tr.value.p);
	return rc;
}

/* ---- the model at evaluation ---- */

/* One distinct word of a question. */
struct qterm {
	uint32_t rank;		/* the term's number */
	uint32_t qtf;		/* times it occurs in the question */
	double ub;		/* qtf x the term's largest weight */
};

struct proxy_model {
	char *buf;		/* the whole model file */
	uint64_t ndocs;		/* stored (distinct) documents */
	uint64_t nterms, npost;
	const uint64_t *toff, *poff, *foff, *aoff;
	const char *ttext, *answers;
	const uint32_t *pdoc, *fterm;
	const float *pw, *fw;
	float *maxw;		/* per term: its largest posting weight */

	/* scratch for proxy_model_answer() */
	double *acc;		/* per document: partial score */
	uint32_t *epoch;	/* per document: query that set acc */
	uint32_t *touched, cur;
	float *qw;		/* per term: its qtf in this question, or 0 */
	struct u32v qr;		/* the question's term numbers */
	struct qterm *qt;
	size_t qtcap;
	struct toks toks;
};

static uint64_t
pad8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

/* Check the file's structure and set m's pointers; 0 or -1 with err. */
static int
model_parse(struct proxy_model *m, size_t size, const char *path, char *err,
    size_t errlen)
{
	const char *p = m->buf;
	uint64_t tbytes, abytes, need, i, h, lim = (uint64_t)1 << 40;
	uint32_t ver, endian;

	if (size < PROXY_HEADER + 8 || memcmp(p, PROXY_MAGIC, 8) != 0)
		goto bad;
	memcpy(&ver, p + 8, 4);
	memcpy(&endian, p + 12, 4);
	if (ver != PROXY_VERSION || endian != PROXY_ENDIAN) {
		util_fmt(err, errlen, "%s: model format version %u (or byte "
		    "order) not supported", path, ver);
		return -1;
	}
	memcpy(&h, p + size - 8, 8);
	if (XXH3_64bits(p, size - 8) != h) {
		util_fmt(err, errlen, "%s: checksum mismatch (corrupt model "
		    "file)", path);
		return -1;
	}
	memcpy(&m->ndocs, p + 32, 8);
	memcpy(&m->nterms, p + 40, 8);
	memcpy(&m->npost, p + 48, 8);
	memcpy(&tbytes, p + 56, 8);
	memcpy(&abytes, p + 64, 8);
	if (m->ndocs > PROXY_MAX_DOCS || m->nterms > UINT32_MAX ||
	    m->npost > lim || tbytes > lim || abytes > lim)
		goto bad;
	need = PROXY_HEADER + (m->nterms + 1) * 8 + pad8(tbytes) +
	    (m->nterms + 1) * 8 + 2 * pad8(m->npost * 4) +
	    (m->ndocs + 1) * 8 + 2 * pad8(m->npost * 4) +
	    (m->ndocs + 1) * 8 + pad8(abytes) + 8;
	if (need != size)
		goto bad;
	p += PROXY_HEADER;
	m->toff = (const uint64_t *)p;
	p += (m->nterms + 1) * 8;
	m->ttext = p;
	p += pad8(tbytes);
	m->poff = (const uint64_t *)p;
	p += (m->nterms + 1) * 8;
	m->pdoc = (const uint32_t *)p;
	p += pad8(m->npost * 4);
	m->pw = (const float *)p;
	p += pad8(m->npost * 4);
	m->foff = (const uint64_t *)p;
	p += (m->ndocs + 1) * 8;
	m->fterm = (const uint32_t *)p;
	p += pad8(m->npost * 4);
	m->fw = (const float *)p;
	p += pad8(m->npost * 4);
	m->aoff = (const uint64_t *)p;
	p += (m->ndocs + 1) * 8;
	m->answers = p;
	if (m->toff[0] != 0 || m->toff[m->nterms] != tbytes ||
	    m->poff[0] != 0 || m->poff[m->nterms] != m->npost ||
	    m->foff[0] != 0 || m->foff[m->ndocs] != m->npost ||
	    m->aoff[0] != 0 || m->aoff[m->ndocs] != abytes)
		goto bad;
	for (i = 0; i < m->nterms; i++)
		if (m->toff[i] > m->toff[i + 1] || m->poff[i] > m->poff[i + 1])
			goto bad;
	for (i = 0; i < m->ndocs; i++)
		if (m->aoff[i] > m->aoff[i + 1] || m->foff[i] > m->foff[i + 1])
			goto bad;
	for (i = 0; i < m->npost; i++)
		if (m->pdoc[i] >= m->ndocs || m->fterm[i] >= m->nterms ||
		    !(m->pw[i] >= 0) || !(m->fw[i] >= 0))
			goto bad;
	return 0;
bad:
	util_fmt(err, errlen, "%s: not a proxy model file (or damaged)", path);
	return -1;
}

struct proxy_model *
proxy_model_load(const char *model_dir, char *err, size_t errlen)
{
	struct proxy_model *m = util_xcalloc(1, sizeof(*m));
	char *cpath = path_join(model_dir, "config.json");
	char *mpath = path_join(model_dir, PROXY_MODEL_FILE);
	json_t *cfg = NULL, *be;
	json_error_t je;
	struct stat sb;
	size_t got = 0;
	uint64_t r, k;
	ssize_t n;
	int fd = -1;

	if ((cfg = json_load_file(cpath, 0, &je)) == NULL) {
		util_fmt(err, errlen, "%s: %s", cpath, je.text);
		goto fail;
	}
	be = json_object_get(cfg, "backend");
	if (!json_is_string(be) || strcmp(json_string_value(be), "proxy") != 0) {
		util_fmt(err, errlen, "%s: not a proxy model (\"backend\" is "
		    "not \"proxy\")", cpath);
		goto fail;
	}
	if ((fd = open(mpath, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
		util_fmt(err, errlen, "cannot open %s: %s", mpath,
		    strerror(errno));
		goto fail;
	}
	m->buf = util_xmalloc((size_t)sb.st_size + 8);
	while (got < (size_t)sb.st_size) {
		n = read(fd, m->buf + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			util_fmt(err, errlen, "read %s: %s", mpath,
			    n < 0 ? strerror(errno) : "file shrank");
			goto fail;
		}
		got += (size_t)n;
	}
	if (model_parse(m, got, mpath, err, errlen) != 0)
		goto fail;
	m->maxw = util_xcalloc(m->nterms + 1, sizeof(*m->maxw));
	for (r = 0; r < m->nterms; r++)
		for (k = m->poff[r]; k < m->poff[r + 1]; k++)
			if (m->pw[k] > m->maxw[r])
				m->maxw[r] = m->pw[k];
	m->qw = util_xcalloc(m->nterms + 1, sizeof(*m->qw));
	m->acc = util_xcalloc(m->ndocs + 1, sizeof(*m->acc));
	m->epoch = util_xcalloc(m->ndocs + 1, sizeof(*m->epoch));
	m->touched = util_xmalloc((m->ndocs + 1) * sizeof(*m->touched));
	close(fd);
	json_decref(cfg);
	free(cpath);
	free(mpath);
	return m;
fail:
	if (fd >= 0)
		close(fd);
	json_decref(cfg);
	free(cpath);
	free(mpath);
	proxy_model_free(m);
	return NULL;
}

void
proxy_model_free(struct proxy_model *m)
{
	if (m == NULL)
		return;
	free(m->buf);
	free(m->maxw);
	free(m->qw);
	free(m->acc);
	free(m->epoch);
	free(m->touched);
	free(m->qr.p);
	free(m->qt);
	toks_free(&m->toks);
	free(m);
}

/* Rank of the term w (n bytes) or -1. */
static int64_t
find_term(const struct proxy_model *m, const char *w, size_t n)
{
	uint64_t lo = 0, hi = m->nterms;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		size_t tl = (size_t)(m->toff[mid + 1] - m->toff[mid]);
		int c = memcmp(w, m->ttext + m->toff[mid], n < tl ? n : tl);

		if (c == 0)
			c = n < tl ? -1 : n > tl ? 1 : 0;
		if (c == 0)
			return (int64_t)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Larger bound first; equal bounds by term number. */
static int
cmp_qterm(const void *a, const void *b)
{
	const struct qterm *x = a, *y = b;

	if (x->ub != y->ub)
		return x->ub > y->ub ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/*
 * Set up a question: its distinct known terms in m->qt (with their
 * bounds, largest first) and their qtf in m->qw.  Returns how many.
 */
static size_t
query_setup(struct proxy_model *m, const char *question, size_t len)
{
	struct toks *t = &m->toks;
	size_t i, nq = 0, run;

	tokenize(t, question, len);
	m->qr.n = 0;
	for (i = 0; i < t->off.n; i++) {
		int64_t r = find_term(m, t->buf.p + t->off.p[i], t->len.p[i]);

		if (r >= 0)
			u32_push(&m->qr, (uint32_t)r);
	}
	if (m->qr.n > m->qtcap) {
		m->qtcap = m->qr.n;
		m->qt = util_xrealloc(m->qt, m->qtcap * sizeof(*m->qt));
	}
	qsort(m->qr.p, m->qr.n, sizeof(uint32_t), cmp_u32);
	for (i = 0; i < m->qr.n; i += run) {
		for (run = 1; i + run < m->qr.n &&
		    m->qr.p[i + run] == m->qr.p[i]; run++)
			;
		m->qt[nq].rank = m->qr.p[i];
		m->qt[nq].qtf = (uint32_t)run;
		m->qt[nq].ub = (double)run * m->maxw[m->qr.p[i]];
		m->qw[m->qr.p[i]] = (float)run;
		nq++;
	}
	qsort(m->qt, nq, sizeof(*m->qt), cmp_qterm);
	return nq;
}

/* Document d's score for the question set up in m->qw: the sum over its
 * terms, in term order, of qtf x weight. */
static double
doc_score(const struct proxy_model *m, uint32_t d)
{
	double s = 0;
	uint64_t j;

	for (j = m->foff[d]; j < m->foff[d + 1]; j++)
		s += (double)m->qw[m->fterm[j]] * m->fw[j];
	return s;
}

/* The answer of document best (or the empty one), and the clean-up. */
static const char *
query_finish(struct proxy_model *m, size_t nq, int64_t best, int64_t *doc,
    size_t *outlen)
{
	size_t i;

	for (i = 0; i < nq; i++)
		m->qw[m->qt[i].rank] = 0;
	if (doc)
		*doc = best;
	if (best < 0) {
		*outlen = 0;
		return "";
	}
	*outlen = (size_t)(m->aoff[best + 1] - m->aoff[best]);
	return m->answers + m->aoff[best];
}

/* Take document d with score s if it beats the best so far. */
static void
consider(int64_t *best, double *bestv, uint32_t d, double s)
{
	if (*best < 0 || s > *bestv || (s == *bestv && d < *best)) {
		*best = d;
		*bestv = s;
	}
}

/*
 * The best document, exactly as proxy_model_answer_exhaustive() finds it,
 * with MaxScore-style pruning.  The question's terms are walked from the
 * largest possible contribution down (rare terms first), adding into the
 * documents they reach.  Every score here is a lower bound of the winner's
 * score: the best partial sum, and the exact scores of the documents
 * reached so far, computed from their forward lists while that costs
 * less than the next postings list.  Once the contributions still to come
 * (rest, the sum of the remaining terms' bounds) fall below that, no
 * document not reached yet can win or tie, and the walk stops.  Each
 * document reached is then scored exactly, unless its partial sum plus
 * rest is below the best exact score.  (The margins cover rounding.)
 */
const char *
proxy_model_answer(struct proxy_model *m, const char *question, size_t len,
    int64_t *doc, size_t *outlen)
{
	size_t i, nq, nt = 0, scored = 0;
	int64_t best = -1;
	double bestv = 0, part = 0, rest = 0;

	if (++m->cur == 0) {	/* wrapped: forget every stamp */
		memset(m->epoch, 0, (m->ndocs + 1) * sizeof(*m->epoch));
		m->cur = 1;
	}
	nq = query_setup(m, question, len);
	for (i = 0; i < nq; i++)
		rest += m->qt[i].ub;
	for (i = 0; i < nq; i++) {
		const struct qterm *q = &m->qt[i];
		uint64_t k, plen = m->poff[q->rank + 1] - m->poff[q->rank];

		if (nt > 0) {
			/* Exact scores of the newest documents, if cheap. */
			if ((nt - scored) * 16 <= plen)
				for (; scored < nt; scored++)
					consider(&best, &bestv, m->touched[scored],
					    doc_score(m, m->touched[scored]));
			if (rest * (1 + 1e-9) < (bestv > part ? bestv : part) *
			    (1 - 1e-9))
				break;
		}
		for (k = m->poff[q->rank]; k < m->poff[q->rank + 1]; k++) {
			uint32_t d = m->pdoc[k];

			if (m->epoch[d] != m->cur) {
				m->epoch[d] = m->cur;
				m->acc[d] = 0;
				m->touched[nt++] = d;
			}
			m->acc[d] += (double)q->qtf * m->pw[k];
			if (m->acc[d] > part)
				part = m->acc[d];
		}
		rest -= q->ub;
		if (rest < 0)
			rest = 0;
	}
	if (i == nq)
		rest = 0;
	for (; scored < nt; scored++) {
		uint32_t d = m->touched[scored];

		if (best >= 0 && (m->acc[d] + rest) * (1 + 1e-9) <
		    bestv * (1 - 1e-9))
			continue;	/* cannot reach the best */
		consider(&best, &bestv, d, doc_score(m, d));
	}
	return query_finish(m, nq, best, doc, outlen);
}

const char *
proxy_model_answer_exhaustive(struct proxy_model *m, const char *question,
    size_t len, int64_t *doc, size_t *outlen)
{
	size_t nq = query_setup(m, question, len);
	int64_t best = -1;
	double bestv = 0;
	uint64_t d;

	for (d = 0; d < m->ndocs; d++) {
		double s = doc_score(m, (uint32_t)d);

		if (s > 0)
			consider(&best, &bestv, (uint32_t)d, s);
	}
	return query_finish(m, nq, best, doc, outlen);
}

int
proxy_eval(const char *model_dir, const char *val_json,
    const char *result_dir, uint64_t *answered, char *err, size_t errlen)
{
	struct score_val *val = NULL;
	struct proxy_model *m = NULL;
	struct util_afile *af = NULL;
	int64_t *pick = NULL;
	size_t n, i, t;
	int rc = -1;

	if (answered)
		*answered = 0;
	if ((val = score_val_load(val_json, NULL, err, errlen)) == NULL ||
	    (m = proxy_model_load(model_dir, err, errlen)) == NULL ||
	    make_dir(result_dir, err, errlen) != 0)
		goto out;
	n = score_val_count(val);
	pick = util_xmalloc((n + 1) * sizeof(*pick));
	for (i = 0; i < n; i++) {
		const char *q = score_val_question(val, i);
		size_t olen;

		(void)proxy_model_answer(m, q, strlen(q), &pick[i], &olen);
	}
	for (t = 0; t < score_val_ntasks(val); t++) {
		char name[SCORE_MAX_TASK + 8], *path;
		FILE *fp;

		snprintf(name, sizeof(name), "%s.txt",
		    score_val_task_name(val, t));
		path = path_join(result_dir, name);
		af = util_afile_open(path, err, errlen);
		free(path);
		if (af == NULL)
			goto out;
		fp = util_afile_fp(af);
		for (i = 0; i < n; i++) {
			int64_t d = pick[i];

			if (score_val_task(val, i) != t)
				continue;
			fprintf(fp, "%s.jpg\t%s\t%s\t", score_val_image_id(val, i),
			    score_val_question(val, i), score_val_answer(val, i));
			if (d >= 0)
				fwrite(m->answers + m->aoff[d], 1,
				    (size_t)(m->aoff[d + 1] - m->aoff[d]), fp);
			fputc('\n', fp);
		}
		if (util_afile_commit(af, err, errlen) != 0) {
			af = NULL;
			goto out;
		}
		af = NULL;
	}
	if (answered)
		*answered = n;
	rc = 0;
out:
	util_afile_abort(af);
	free(pick);
	proxy_model_free(m);
	score_val_free(val);
	return rc;
}
