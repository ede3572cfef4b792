/*
 * proxy_train: BM25 retrieval as the proxy backend's model (see proxy.h);
 * training and the model file's writer (layout in proxy_int.h).
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
 */
#include "proxy.h"
#include "proxy_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "jsonlex.h"
#include "score.h"
#include "util.h"

#define PROXY_K1 1.2
#define PROXY_B 0.75
#define PROXY_MAX_DEPTH 64

/* Term dictionary: open addressing over term ids. */
struct terms {
	uint32_t *slots;	/* term id + 1, or 0 */
	size_t nslots;
	struct buf text;	/* all terms, back to back */
	struct proxy_u64v off;	/* term i is text[off[i] .. off[i + 1]) */
	struct proxy_u64v hash;
};

struct trainer {
	const char *path;
	struct jl *jl;
	struct jl_token tok;
	char *err;
	size_t errlen;

	struct terms terms;
	struct proxy_toks toks;
	struct proxy_u32v tmp;	/* one document's term ids */
	/* (term, tf) of every document; document d's pairs are
	 * [dt_start[d], dt_start[d + 1]) */
	struct proxy_u32v dt_term, dt_tf;
	struct proxy_u64v dt_start;
	struct proxy_u32v dl;		/* document lengths in words */
	struct buf answers;
	struct proxy_u64v ans_off;
	uint64_t total_dl, samples;

	/* the item being read */
	struct buf pending;	/* human text waiting for its answer */
	int have_pending;
	struct buf value;	/* the current turn's value */
	int from;		/* 0 none, 1 human, 2 gpt, 3 other */
	int have_value;
};

static uint32_t
term_id(struct terms *tt, const char *w, size_t n)
{
	uint64_t h = XXH3_64bits(w, n);
	size_t mask, s, id;

	if (tt->off.n == 0)
		proxy__u64_push(&tt->off, 0);
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
	buf_add(&tt->text, w, n);
	proxy__u64_push(&tt->off, tt->text.len);
	proxy__u64_push(&tt->hash, h);
	tt->slots[s] = (uint32_t)(id + 1);
	return (uint32_t)id;
}

/* Add a document: the pending human text answered by the current value. */
static int
add_document(struct trainer *tr)
{
	struct proxy_toks *t = &tr->toks;
	const char *a;
	size_t i, alen, run;
	uint64_t before;

	proxy__tokenize(t, tr->pending.p, tr->pending.len);
	if (t->off.n == 0)
		return 0;	/* nothing to match: never retrievable */
	if (tr->dl.n >= PROXY_MAX_DOCS) {
		util_fmt(tr->err, tr->errlen, "%s: more than %u documents",
		    tr->path, PROXY_MAX_DOCS);
		return -1;
	}
	tr->tmp.n = 0;
	for (i = 0; i < t->off.n; i++)
		proxy__u32_push(&tr->tmp, term_id(&tr->terms,
		    t->buf.p + t->off.p[i], t->len.p[i]));
	qsort(tr->tmp.p, tr->tmp.n, sizeof(uint32_t), proxy__cmp_u32);
	if (tr->dt_start.n == 0)
		proxy__u64_push(&tr->dt_start, 0);
	for (i = 0; i < tr->tmp.n; i += run) {
		for (run = 1; i + run < tr->tmp.n &&
		    tr->tmp.p[i + run] == tr->tmp.p[i]; run++)
			;
		proxy__u32_push(&tr->dt_term, tr->tmp.p[i]);
		proxy__u32_push(&tr->dt_tf, (uint32_t)run);
	}
	proxy__u64_push(&tr->dt_start, tr->dt_term.n);
	proxy__u32_push(&tr->dl, (uint32_t)tr->tmp.n);
	tr->total_dl += tr->tmp.n;
	/* The answer as run_llava_eval would print it: stripped, newlines
	 * made spaces. */
	alen = tr->value.len;
	a = score_strip(tr->value.p ? tr->value.p : "", &alen);
	if (tr->ans_off.n == 0)
		proxy__u64_push(&tr->ans_off, 0);
	before = tr->answers.len;
	buf_add(&tr->answers, a, alen);
	for (i = before; i < tr->answers.len; i++)
		if (tr->answers.p[i] == '\n')
			tr->answers.p[i] = ' ';
	proxy__u64_push(&tr->ans_off, tr->answers.len);
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
keep_string(struct buf *b, const struct jl_token *t)
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
	buf_reset(b);
	buf_add(b, t->str, n);
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
			buf_add(&tr->pending, "\n", 1);
		buf_add(&tr->pending, tr->value.p, tr->value.len);
		tr->have_pending = 1;
	} else if (tr->from == 2 && tr->have_pending) {
		if (add_document(tr) != 0)
			return -1;
		buf_reset(&tr->pending);
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

	buf_reset(&tr->pending);
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
	struct buf ttext = BUF_INIT, ans = BUF_INIT;
	int rc = -1;

	if (tr->dt_start.n == 0)
		proxy__u64_push(&tr->dt_start, 0);
	if (tr->ans_off.n == 0)
		proxy__u64_push(&tr->ans_off, 0);
	avgdl = ndocs ? (double)tr->total_dl / (double)ndocs : 0.0;
	/* Terms in bytewise order: order[rank] = id, rank[id] = rank. */
	order = util_xreallocarray(NULL, nterms + 1, sizeof(*order));
	rank = util_xreallocarray(NULL, nterms + 1, sizeof(*rank));
	for (i = 0; i < nterms; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, nterms, sizeof(*order), cmp_terms, (void *)tt);
	for (i = 0; i < nterms; i++)
		rank[order[i]] = (uint32_t)i;
	/* idf from the document frequencies over every document. */
	poff = util_xcalloc(nterms + 1, sizeof(*poff));
	for (i = 0; i < tr->dt_term.n; i++)
		poff[rank[tr->dt_term.p[i]] + 1]++;
	idf = util_xreallocarray(NULL, nterms + 1, sizeof(*idf));
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
	cur = util_xreallocarray(NULL, nterms + 1, sizeof(*cur));
	memcpy(cur, poff, (nterms + 1) * sizeof(*cur));
	pdoc = util_xreallocarray(NULL, npost + 1, sizeof(*pdoc));
	pw = util_xreallocarray(NULL, npost + 1, sizeof(*pw));
	foff = util_xreallocarray(NULL, nkeep + 1, sizeof(*foff));
	fterm = util_xreallocarray(NULL, npost + 1, sizeof(*fterm));
	fw = util_xreallocarray(NULL, npost + 1, sizeof(*fw));
	aoff = util_xreallocarray(NULL, nkeep + 1, sizeof(*aoff));
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
		buf_add(&ans, tr->answers.p + tr->ans_off.p[d],
		    tr->ans_off.p[d + 1] - tr->ans_off.p[d]);
		aoff[keep[d]] = ans.len;
	}
	/* Term text in rank order. */
	toff = util_xreallocarray(NULL, nterms + 1, sizeof(*toff));
	for (i = 0; i < nterms; i++) {
		uint32_t id = order[i];

		toff[i] = ttext.len;
		buf_add(&ttext, tt->text.p + tt->off.p[id],
		    tt->off.p[id + 1] - tt->off.p[id]);
	}
	toff[nterms] = ttext.len;

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
	h = ttext.len;
	wr(&w, &h, 8);
	h = ans.len;
	wr(&w, &h, 8);
	wr(&w, &k1, 8);
	wr(&w, &b, 8);
	wr(&w, &avgdl, 8);
	wr(&w, toff, (nterms + 1) * 8);
	wr(&w, ttext.p, ttext.len);
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
	wr(&w, ans.p, ans.len);
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
	if (proxy__make_dir(model_dir, err, errlen) != 0)
		goto out;
	mpath = proxy__path_join(model_dir, PROXY_MODEL_FILE);
	cpath = proxy__path_join(model_dir, "config.json");
	spath = proxy__path_join(model_dir, "trainer_state.json");
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
	proxy__toks_free(&tr.toks);
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

