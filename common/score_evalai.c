/*
 * score_evalai: the vqa metric's answer normalisation, a port of LLaVA's
 * m4c_evaluator.EvalAIAnswerProcessor (see score.h), with Python's
 * str.strip() over UTF-8 that it and the other metrics use.  The text is
 * worked on as Python holds it, as code points: a byte that is not part
 * of valid UTF-8 becomes U+DC80..U+DCFF, the lone surrogate that Python's
 * "surrogateescape" decoding makes of it, and that byte again on the way
 * out.  Character properties and case mapping come from utf8proc; the
 * two properties that it lacks and lower() needs are small tables here.
 * Self-contained: nothing here depends on the rest of the scorer.
 */
#include "score.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
#include "utf8.h"
#include "util.h"

/* ---- Python's str: code points and their properties ---- */

/* A text as code points; a zeroed one (USTR_INIT) is empty. */
struct ustr {
	int32_t *p;		/* NULL while nothing was added */
	size_t n;		/* code points used */
	size_t cap;		/* code points allocated */
};

#define USTR_INIT { NULL, 0, 0 }

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* An undecodable byte b (0x80..0xff) is held as ESC_BASE + b. */
#define ESC_BASE 0xdc00

static void
us_push(struct ustr *u, int32_t c)
{
	if (u->n == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 64;
		u->p = util_xreallocarray(u->p, u->cap, sizeof(u->p[0]));
	}
	u->p[u->n++] = c;
}

static void
us_push_ascii(struct ustr *u, const char *s)
{
	while (*s != '\0')
		us_push(u, (unsigned char)*s++);
}

static void
us_free(struct ustr *u)
{
	free(u->p);
	u->p = NULL;
	u->n = u->cap = 0;
}

/* The code point at s (n > 0 bytes there) into *c; returns its bytes. */
static size_t
cp_next(const unsigned char *s, size_t n, int32_t *c)
{
	int k = utf8_seq(s, n, NULL);

	if (k <= 0 || utf8proc_iterate(s, k, c) != k) {
		*c = ESC_BASE + s[0];	/* s[0] >= 0x80: ASCII is valid */
		return 1;
	}
	return (size_t)k;
}

static void
us_decode(struct ustr *u, const char *s, size_t n)
{
	const unsigned char *b = (const unsigned char *)s;
	size_t i = 0;
	int32_t c;

	while (i < n) {
		i += cp_next(b + i, n - i, &c);
		us_push(u, c);
	}
}

static char *
us_encode(const struct ustr *u, size_t *outlen)
{
	struct buf b = BUF_INIT;
	unsigned char tmp[4];
	size_t i;

	buf_reserve(&b, u->n);
	for (i = 0; i < u->n; i++) {
		int32_t c = u->p[i];

		if (c >= ESC_BASE + 0x80 && c <= ESC_BASE + 0xff)
			buf_addc(&b, (char)(c - ESC_BASE));
		else
			buf_add(&b, tmp, (size_t)utf8proc_encode_char(c, tmp));
	}
	return buf_steal(&b, outlen);
}

/*
 * Python's str.isspace(), what strip() and split() take away: category Zs
 * or bidirectional class WS, B or S.
 */
static int
ucs_space(int32_t c)
{
	const utf8proc_property_t *p = utf8proc_get_property(c);

	return p->category == UTF8PROC_CATEGORY_ZS ||
	    p->bidi_class == UTF8PROC_BIDI_CLASS_WS ||
	    p->bidi_class == UTF8PROC_BIDI_CLASS_B ||
	    p->bidi_class == UTF8PROC_BIDI_CLASS_S;
}

/* What re's \d matches in a str: category Nd, any script. */
static int
ucs_digit(int32_t c)
{
	return utf8proc_category(c) == UTF8PROC_CATEGORY_ND;
}

struct ucs_range {
	int32_t lo, hi;
};

static int
ucs_in(int32_t c, const struct ucs_range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c < r[mid].lo)
			hi = mid;
		else if (c > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* Word_Break MidLetter, MidNumLet and Single_Quote (WordBreakProperty). */
static const struct ucs_range ucs_wb_mid[] = {
	{ 0x0027, 0x0027 }, { 0x002e, 0x002e }, { 0x003a, 0x003a },
	{ 0x00b7, 0x00b7 }, { 0x0387, 0x0387 }, { 0x055f, 0x055f },
	{ 0x05f4, 0x05f4 }, { 0x2018, 0x2019 }, { 0x2024, 0x2024 },
	{ 0x2027, 0x2027 }, { 0xfe13, 0xfe13 }, { 0xfe52, 0xfe52 },
	{ 0xfe55, 0xfe55 }, { 0xff07, 0xff07 }, { 0xff0e, 0xff0e },
	{ 0xff1a, 0xff1a },
};

/*
 * Unicode's Case_Ignorable: categories Mn, Me, Cf, Lm and Sk, and the
 * characters above (utf8proc has no Word_Break property).
 */
static int
ucs_ignorable(int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_CF:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_SK:
		return 1;
	default:
		return ucs_in(c, ucs_wb_mid, NELEM(ucs_wb_mid));
	}
}

/*
 * Other_Lowercase and Other_Uppercase (PropList) less the characters that
 * are Case_Ignorable too: ordinal indicators, Roman numerals, circled and
 * squared letters.
 */
static const struct ucs_range ucs_other_cased[] = {
	{ 0x00aa, 0x00aa }, { 0x00ba, 0x00ba }, { 0x2160, 0x217f },
	{ 0x24b6, 0x24e9 }, { 0x1f130, 0x1f149 }, { 0x1f150, 0x1f169 },
	{ 0x1f170, 0x1f189 },
};

/*
 * Unicode's Cased (Lu, Ll, Lt, Other_Lowercase, Other_Uppercase) for a
 * character that is not Case_Ignorable; whether an ignorable character is
 * cased never matters to the rule below.
 */
static int
ucs_cased(int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
		return 1;
	default:
		return ucs_in(c, ucs_other_cased, NELEM(ucs_other_cased));
	}
}

/*
 * The lowercase of U+03A3 at u->p[i], as CPython's lower() picks it:
 * final sigma (U+03C2) when a cased character comes before it and none
 * after it, case-ignorable characters skipped either way (Unicode's
 * Final_Sigma condition); else U+03C3.
 */
static int32_t
sigma_at(const struct ustr *u, size_t i)
{
	size_t j = i;

	while (j > 0 && ucs_ignorable(u->p[j - 1]))
		j--;
	if (j == 0 || !ucs_cased(u->p[j - 1]))
		return 0x3c3;
	for (j = i + 1; j < u->n && ucs_ignorable(u->p[j]); j++)
		;
	return j < u->n && ucs_cased(u->p[j]) ? 0x3c3 : 0x3c2;
}

/*
 * Python's str.lower(): the full lowercase mapping, appended to out.  It
 * differs from utf8proc's simple mapping in two places only: U+0130
 * lowercases to two code points (SpecialCasing's one unconditional
 * lowercase entry), and U+03A3 by its context (the one condition that
 * Python applies; the language-specific ones it does not).
 */
static void
us_lower(struct ustr *out, const struct ustr *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		int32_t c = in->p[i];

		if (c == 0x130) {
			us_push(out, 'i');
			us_push(out, 0x307);
		} else if (c == 0x3a3)
			us_push(out, sigma_at(in, i));
		else
			us_push(out, utf8proc_tolower(c));
	}
}

/* Python's str.strip(), in place. */
static void
us_strip(struct ustr *u)
{
	size_t a = 0, b = u->n;

	while (a < b && ucs_space(u->p[a]))
		a++;
	while (b > a && ucs_space(u->p[b - 1]))
		b--;
	if (a > 0)
		memmove(u->p, u->p + a, (b - a) * sizeof(u->p[0]));
	u->n = b - a;
}

/* Bytes of the whitespace character at s (n > 0 bytes there), or 0. */
static size_t
space_at(const unsigned char *s, size_t n)
{
	int32_t c;
	size_t k = cp_next(s, n, &c);

	return ucs_space(c) ? k : 0;
}

/* Bytes of the whitespace character that ends s[0..n) (n > 0), or 0. */
static size_t
space_before(const unsigned char *s, size_t n)
{
	size_t k = 1;

	/* The last lead byte: its sequence must end at n exactly, or the
	 * last byte is an undecodable one, no space. */
	while (k < 4 && k < n && (s[n - k] & 0xc0) == 0x80)
		k++;
	if (utf8_seq(s + n - k, k, NULL) != (int)k)
		return 0;
	return space_at(s + n - k, k);
}

const char *
score_strip(const char *s, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = *n, k;

	while (len > 0 && (k = space_at(u, len)) != 0) {
		u += k;
		len -= k;
	}
	while (len > 0 && (k = space_before(u, len)) != 0)
		len -= k;
	*n = len;
	return (const char *)u;
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

static const char *const score_numbers[][2] = {
	{ "none", "0" }, { "zero", "0" }, { "one", "1" }, { "two", "2" },
	{ "three", "3" }, { "four", "4" }, { "five", "5" }, { "six", "6" },
	{ "seven", "7" }, { "eight", "8" }, { "nine", "9" }, { "ten", "10" },
};

static const char *const score_articles[] = { "a", "an", "the" };

static const char score_punct[] = ";/[]\"{}()=+\\_-><@`,?!";

/* Code points w[0..n) against the ASCII string k, like strcmp(). */
static int
ucmp(const int32_t *w, size_t n, const char *k)
{
	size_t i;

	for (i = 0; i < n && k[i] != '\0'; i++)
		if (w[i] != (unsigned char)k[i])
			return w[i] < (unsigned char)k[i] ? -1 : 1;
	return i < n ? 1 : k[i] != '\0' ? -1 : 0;
}

static const char *
contraction(const int32_t *w, size_t n)
{
	size_t lo = 0, hi = NELEM(score_contractions);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = ucmp(w, n, score_contractions[mid].from);

		if (c == 0)
			return score_contractions[mid].to;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* One step: in to out (empty on entry). */
typedef void vqa_step(struct ustr *out, const struct ustr *in);

/* word_tokenize: lower(); drop ',' and '?'; "'s" -> " 's"; strip(). */
static void
step_tokenize(struct ustr *out, const struct ustr *in)
{
	struct ustr low = USTR_INIT;
	size_t i;

	us_lower(&low, in);
	for (i = 0; i < low.n; i++) {
		int32_t c = low.p[i];

		if (c == ',' || c == '?')
			continue;
		if (c == 's' && out->n > 0 && out->p[out->n - 1] == '\'') {
			out->p[out->n - 1] = ' ';
			us_push(out, '\'');
		}
		us_push(out, c);
	}
	us_strip(out);
	us_free(&low);
}

/* __call__'s second line: '\n' and '\t' -> ' '; strip(). */
static void
step_whitespace(struct ustr *out, const struct ustr *in)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		us_push(out, in->p[i] == '\n' || in->p[i] == '\t' ? ' ' :
		    in->p[i]);
	us_strip(out);
}

static int
is_mark(int32_t c)
{
	return c > 0 && c < 0x80 && strchr(score_punct, (int)c) != NULL;
}

/* COMMA_STRIP.search(): a digit, one or more commas, a digit. */
static int
has_digit_commas(const struct ustr *in)
{
	size_t i, j;

	for (i = 0; i + 1 < in->n; i++) {
		if (!ucs_digit(in->p[i]) || in->p[i + 1] != ',')
			continue;
		for (j = i + 1; j < in->n && in->p[j] == ','; j++)
			;
		if (j < in->n && ucs_digit(in->p[j]))
			return 1;
	}
	return 0;
}

/* process_punctuation (see score.h). */
static void
step_punctuation(struct ustr *out, const struct ustr *in)
{
	struct ustr a = USTR_INIT;
	unsigned char drop[0x80];
	size_t i, removed = 0;
	int comma = has_digit_commas(in);

	memset(drop, 0, sizeof(drop));
	for (i = 0; i < in->n; i++)
		if (is_mark(in->p[i]) && (comma || (i + 1 < in->n &&
		    in->p[i + 1] == ' ') || (i > 0 && in->p[i - 1] == ' ')))
			drop[in->p[i]] = 1;
	for (i = 0; i < in->n; i++) {
		int32_t c = in->p[i];

		if (!is_mark(c))
			us_push(&a, c);
		else if (!drop[c])
			us_push(&a, ' ');
	}
	/* PERIOD_STRIP, at most 32 substitutions. */
	for (i = 0; i < a.n; i++) {
		if (a.p[i] == '.' && removed < 32 && !(i + 1 < a.n &&
		    ucs_digit(a.p[i + 1]))) {
			removed++;
			continue;
		}
		us_push(out, a.p[i]);
	}
	us_free(&a);
}

/* One word of process_digit_article, joined to out with a space. */
static void
add_word(struct ustr *out, const int32_t *w, size_t n)
{
	const char *m = NULL;
	size_t i;

	for (i = 0; i < NELEM(score_numbers) && m == NULL; i++)
		if (ucmp(w, n, score_numbers[i][0]) == 0)
			m = score_numbers[i][1];
	for (i = 0; i < NELEM(score_articles) && m == NULL; i++)
		if (ucmp(w, n, score_articles[i]) == 0)
			return;
	if (m == NULL)
		m = contraction(w, n);
	if (out->n > 0)
		us_push(out, ' ');
	if (m != NULL)
		us_push_ascii(out, m);
	else
		for (i = 0; i < n; i++)
			us_push(out, w[i]);
}

/* process_digit_article: lower(), split(), map and drop, join. */
static void
step_digit_article(struct ustr *out, const struct ustr *in)
{
	struct ustr low = USTR_INIT;
	size_t i = 0, start;

	us_lower(&low, in);
	while (i < low.n) {
		if (ucs_space(low.p[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < low.n && !ucs_space(low.p[i]))
			i++;
		add_word(out, low.p + start, i - start);
	}
	us_free(&low);
}

/* __call__: the steps in order. */
static vqa_step *const score_vqa_steps[] = {
	step_tokenize, step_whitespace, step_punctuation, step_digit_article,
};

/* Steps steps[0..n) on s[0..len), encoded back as UTF-8. */
static char *
run_steps(vqa_step *const *steps, size_t n, const char *s, size_t len,
    size_t *outlen)
{
	struct ustr a = USTR_INIT, b = USTR_INIT, t;
	char *out;
	size_t i;

	us_decode(&a, s, len);
	for (i = 0; i < n; i++) {
		b.n = 0;
		steps[i](&b, &a);
		t = a;
		a = b;
		b = t;
	}
	out = us_encode(&a, outlen);
	us_free(&a);
	us_free(&b);
	return out;
}

char *
score_vqa_normalize(const char *s, size_t len, size_t *outlen)
{
	return run_steps(score_vqa_steps, NELEM(score_vqa_steps), s, len,
	    outlen);
}

char *
score_vqa_tokenize(const char *s, size_t len, size_t *outlen)
{
	return run_steps(score_vqa_steps, 1, s, len, outlen);
}

char *
score_vqa_whitespace(const char *s, size_t len, size_t *outlen)
{
	return run_steps(score_vqa_steps + 1, 1, s, len, outlen);
}

char *
score_vqa_punctuation(const char *s, size_t len, size_t *outlen)
{
	return run_steps(score_vqa_steps + 2, 1, s, len, outlen);
}

char *
score_vqa_digit_article(const char *s, size_t len, size_t *outlen)
{
	return run_steps(score_vqa_steps + 3, 1, s, len, outlen);
}
