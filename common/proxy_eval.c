/*
 * proxy_eval: the proxy backend's model at evaluation (see proxy.h): the
 * model file's reader (layout in proxy_int.h), the answer to a question
 * and the result files of a validation set.
 */
#include "proxy.h"
#include "proxy_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "score.h"
#include "util.h"

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
	struct proxy_u32v qr;		/* the question's term numbers */
	struct qterm *qt;
	size_t qtcap;
	struct proxy_toks toks;
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
	char *cpath = proxy__path_join(model_dir, "config.json");
	char *mpath = proxy__path_join(model_dir, PROXY_MODEL_FILE);
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
	m->touched = util_xreallocarray(NULL, m->ndocs + 1,
	    sizeof(*m->touched));
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
	proxy__toks_free(&m->toks);
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
	struct proxy_toks *t = &m->toks;
	size_t i, nq = 0, run;

	proxy__tokenize(t, question, len);
	m->qr.n = 0;
	for (i = 0; i < t->off.n; i++) {
		int64_t r = find_term(m, t->buf.p + t->off.p[i], t->len.p[i]);

		if (r >= 0)
			proxy__u32_push(&m->qr, (uint32_t)r);
	}
	if (m->qr.n > m->qtcap) {
		m->qtcap = m->qr.n;
		m->qt = util_xreallocarray(m->qt, m->qtcap, sizeof(*m->qt));
	}
	qsort(m->qr.p, m->qr.n, sizeof(uint32_t), proxy__cmp_u32);
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
	    proxy__make_dir(result_dir, err, errlen) != 0)
		goto out;
	n = score_val_count(val);
	pick = util_xreallocarray(NULL, n + 1, sizeof(*pick));
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
		path = proxy__path_join(result_dir, name);
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
