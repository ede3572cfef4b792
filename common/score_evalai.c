/*
 * score_evalai: the vqa metric's answer normalisation, a port of LLaVA's
 * m4c_evaluator.EvalAIAnswerProcessor (see score.h for the steps and
 * where it differs from the Python), with Python's str.strip() over UTF-8
 * that it and the other metrics use.  Self-contained: nothing here
 * depends on the rest of the scorer.
 */
#include "score.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

/* ---- Python's notion of whitespace over UTF-8 ---- */

/* Bytes of the whitespace character at s (n bytes left), or 0. */
static size_t
ws_len(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	if ((s[0] >= 0x09 && s[0] <= 0x0d) || (s[0] >= 0x1c && s[0] <= 0x20))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n < 3)
		return 0;
	if (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)		/* 1680 */
		return 3;
	if (s[0] == 0xe2 && s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8a) ||
	    s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))	/* 2000-200a, */
		return 3;				/* 2028, 2029, 202f */
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)		/* 205f */
		return 3;
	if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)		/* 3000 */
		return 3;
	return 0;
}

/* Bytes of the whitespace character that ends s[0..n), or 0. */
static size_t
ws_len_back(const unsigned char *s, size_t n)
{
	size_t k;

	for (k = 1; k <= 3 && k <= n; k++)
		if (ws_len(s + n - k, k) == k)
			return k;
	return 0;
}

const char *
score_strip(const char *s, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = *n, k;

	while ((k = ws_len(u, len)) != 0) {
		u += k;
		len -= k;
	}
	while ((k = ws_len_back(u, len)) != 0)
		len -= k;
	*n = len;
	return (const char *)u;
}

static char *
strip_dup(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	s = score_strip(s, &n);
	buf_add(&b, s, n);
	return buf_steal(&b, NULL);
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
to_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* ---- the vqa metric: EvalAIAnswerProcessor ---- */

/*
 * The processor's CONTRACTIONS table (m4c_evaluator.py), sorted bytewise by
 * key for bsearch.  The keys with capitals never match (words are
 * lowercased first) and "somebody'd" maps to "somebodyd": both as in the
 * original.
 */
static const struct {
	const char *from, *to;
} score_contractions[] = {
	{ "'ow'sat", "'ow's'at" }, { "'ows'at", "'ow's'at" },
	{ "I'dve", "I'd've" }, { "Id've", "I'd've" },
	{ "Im", "I'm" }, { "Ive", "I've" },
	{ "aint", "ain't" }, { "arent", "aren't" },
	{ "cant", "can't" }, { "couldn'tve", "couldn't've" },
	{ "couldnt", "couldn't" }, { "couldnt've", "couldn't've" },
	{ "couldve", "could've" }, { "didnt", "didn't" },
	{ "doesnt", "doesn't" }, { "dont", "don't" },
	{ "hadn'tve", "hadn't've" }, { "hadnt", "hadn't" },
	{ "hadnt've", "hadn't've" }, { "hasnt", "hasn't" },
	{ "havent", "haven't" }, { "he'dve", "he'd've" },
	{ "hed", "he'd" }, { "hed've", "he'd've" },
	{ "hes", "he's" }, { "howd", "how'd" },
	{ "howll", "how'll" }, { "hows", "how's" },
	{ "isnt", "isn't" }, { "it'dve", "it'd've" },
	{ "itd", "it'd" }, { "itd've", "it'd've" },
	{ "itll", "it'll" }, { "let's", "let's" },
	{ "maam", "ma'am" }, { "mightn'tve", "mightn't've" },
	{ "mightnt", "mightn't" }, { "mightnt've", "mightn't've" },
	{ "mightve", "might've" }, { "mustnt", "mustn't" },
	{ "mustve", "must've" }, { "neednt", "needn't" },
	{ "notve", "not've" }, { "oclock", "o'clock" },
	{ "oughtnt", "oughtn't" }, { "ow's'at", "'ow's'at" },
	{ "shant", "shan't" }, { "she'dve", "she'd've" },
	{ "she's", "she's" }, { "shed've", "she'd've" },
	{ "shouldn'tve", "shouldn't've" }, { "shouldnt", "shouldn't" },
	{ "shouldnt've", "shouldn't've" }, { "shouldve", "should've" },
	{ "somebody'd", "somebodyd" }, { "somebody'dve", "somebody'd've" },
	{ "somebodyd've", "somebody'd've" }, { "somebodyll", "somebody'll" },
	{ "somebodys", "somebody's" }, { "someone'dve", "someone'd've" },
	{ "someoned", "someone'd" }, { "someoned've", "someone'd've" },
	{ "someonell", "someone'll" }, { "someones", "someone's" },
	{ "something'dve", "something'd've" }, { "somethingd", "something'd" },
	{ "somethingd've", "something'd've" }, { "somethingll", "something'll" },
	{ "thats", "that's" }, { "there'dve", "there'd've" },
	{ "thered", "there'd" }, { "thered've", "there'd've" },
	{ "therere", "there're" }, { "theres", "there's" },
	{ "they'dve", "they'd've" }, { "theyd", "they'd" },
	{ "theyd've", "they'd've" }, { "theyll", "they'll" },
	{ "theyre", "they're" }, { "theyve", "they've" },
	{ "twas", "'twas" }, { "wasnt", "wasn't" },
	{ "we'dve", "we'd've" }, { "wed've", "we'd've" },
	{ "werent", "weren't" }, { "weve", "we've" },
	{ "whatll", "what'll" }, { "whatre", "what're" },
	{ "whats", "what's" }, { "whatve", "what've" },
	{ "whens", "when's" }, { "whered", "where'd" },
	{ "wheres", "where's" }, { "whereve", "where've" },
	{ "who'dve", "who'd've" }, { "whod", "who'd" },
	{ "whod've", "who'd've" }, { "wholl", "who'll" },
	{ "whos", "who's" }, { "whove", "who've" },
	{ "whyll", "why'll" }, { "whyre", "why're" },
	{ "whys", "why's" }, { "wont", "won't" },
	{ "wouldn'tve", "wouldn't've" }, { "wouldnt", "wouldn't" },
	{ "wouldnt've", "wouldn't've" }, { "wouldve", "would've" },
	{ "y'all'dve", "y'all'd've" }, { "y'alld've", "y'all'd've" },
	{ "y'allll", "y'all'll" }, { "yall", "y'all" },
	{ "yall'd've", "y'all'd've" }, { "yall'll", "y'all'll" },
	{ "you'dve", "you'd've" }, { "youd", "you'd" },
	{ "youd've", "you'd've" }, { "youll", "you'll" },
	{ "youre", "you're" }, { "youve", "you've" },
};

#define NCONTRACTIONS (sizeof(score_contractions) / \
    sizeof(score_contractions[0]))

static const char *const score_numbers[][2] = {
	{ "none", "0" }, { "zero", "0" }, { "one", "1" }, { "two", "2" },
	{ "three", "3" }, { "four", "4" }, { "five", "5" }, { "six", "6" },
	{ "seven", "7" }, { "eight", "8" }, { "nine", "9" }, { "ten", "10" },
};

static const char score_punct[] = ";/[]\"{}()=+\\_-><@`,?!";

static const char *
contraction(const char *w, size_t n)
{
	size_t lo = 0, hi = NCONTRACTIONS;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = score_contractions[mid].from;
		size_t kl = strlen(k);
		int c = memcmp(w, k, n < kl ? n : kl);

		if (c == 0)
			c = n < kl ? -1 : n > kl ? 1 : 0;
		if (c == 0)
			return score_contractions[mid].to;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

char *
score_vqa_tokenize(const char *s)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	size_t i;
	char *out;

	for (i = 0; s[i]; i++)
		if (s[i] != ',' && s[i] != '?')
			buf_addc(&a, (char)to_lower((unsigned char)s[i]));
	buf_reserve(&a, 0);
	for (i = 0; i < a.len; i++) {
		if (a.p[i] == '\'' && a.p[i + 1] == 's') {
			buf_add(&b, " 's", 3);
			i++;
		} else
			buf_addc(&b, a.p[i]);
	}
	buf_reserve(&b, 0);
	out = strip_dup(b.p, b.len);
	buf_free(&a);
	buf_free(&b);
	return out;
}

char *
score_vqa_whitespace(const char *s)
{
	struct buf b = BUF_INIT;
	size_t i;
	char *out;

	for (i = 0; s[i]; i++)
		buf_addc(&b, s[i] == '\n' || s[i] == '\t' ? ' ' : s[i]);
	buf_reserve(&b, 0);
	out = strip_dup(b.p, b.len);
	buf_free(&b);
	return out;
}

char *
score_vqa_punctuation(const char *s)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	unsigned char drop[256];
	size_t i, n = strlen(s), removed = 0;
	int comma = 0;

	/* COMMA_STRIP: a digit, one or more commas, a digit. */
	for (i = 0; i < n && !comma; i++) {
		size_t j = i + 1;

		if (!is_digit((unsigned char)s[i]) || s[j] != ',')
			continue;
		while (s[j] == ',')
			j++;
		comma = is_digit((unsigned char)s[j]);
	}
	memset(drop, 0, sizeof(drop));
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0' || strchr(score_punct, c) == NULL)
			continue;
		if (comma || s[i + 1] == ' ' || (i > 0 && s[i - 1] == ' '))
			drop[c] = 1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (strchr(score_punct, c) == NULL)
			buf_addc(&a, (char)c);
		else if (!drop[c] && !comma)
			buf_addc(&a, ' ');
	}
	buf_reserve(&a, 0);
	/* PERIOD_STRIP, at most 32 substitutions. */
	for (i = 0; i < a.len; i++) {
		if (a.p[i] == '.' && !is_digit((unsigned char)a.p[i + 1]) &&
		    removed < 32) {
			removed++;
			continue;
		}
		buf_addc(&b, a.p[i]);
	}
	buf_free(&a);
	return buf_steal(&b, NULL);
}

char *
score_vqa_digit_article(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	struct buf b = BUF_INIT;
	size_t n = strlen(s), i = 0, k, j;
	char *low = util_xmalloc(n + 1);

	for (j = 0; j <= n; j++)
		low[j] = (char)to_lower(u[j]);
	u = (const unsigned char *)low;
	while (i < n) {
		const char *w, *m;
		size_t wl, start;

		if ((k = ws_len(u + i, n - i)) != 0) {
			i += k;
			continue;
		}
		start = i;
		while (i < n && ws_len(u + i, n - i) == 0)
			i++;
		w = low + start;
		wl = i - start;
		for (j = 0; j < sizeof(score_numbers) / sizeof(score_numbers[0]);
		    j++)
			if (strlen(score_numbers[j][0]) == wl &&
			    memcmp(w, score_numbers[j][0], wl) == 0) {
				w = score_numbers[j][1];
				wl = strlen(w);
				break;
			}
		if ((wl == 1 && w[0] == 'a') || (wl == 2 &&
		    memcmp(w, "an", 2) == 0) || (wl == 3 &&
		    memcmp(w, "the", 3) == 0))
			continue;
		if ((m = contraction(w, wl)) != NULL) {
			w = m;
			wl = strlen(m);
		}
		if (b.len > 0)
			buf_addc(&b, ' ');
		buf_add(&b, w, wl);
	}
	free(low);
	return buf_steal(&b, NULL);
}

char *
score_vqa_normalize(const char *s, size_t len)
{
	struct buf in = BUF_INIT;
	char *a, *b, *c, *d;
	size_t i;

	/* A NUL inside the text would end the C strings early: make it a
	 * space (no answer of ours holds one: val.json rejects \u0000). */
	for (i = 0; i < len; i++)
		buf_addc(&in, s[i] == '\0' ? ' ' : s[i]);
	buf_reserve(&in, 0);
	a = score_vqa_tokenize(in.p);
	b = score_vqa_whitespace(a);
	c = score_vqa_punctuation(b);
	d = score_vqa_digit_article(c);
	buf_free(&in);
	free(a);
	free(b);
	free(c);
	return d;
}
