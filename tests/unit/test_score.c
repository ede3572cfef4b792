/*
 * Unit tests: the scorer.  Each step of the VQA answer normalization
 * (LLaVA's EvalAIAnswerProcessor) and each option-letter rule, with
 * hand-worked cases; reading run_llava_eval's result files; the CLI.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "score.h"
#include "testutil.h"
#include "util.h"
#include "tests.h"

typedef char *step_fn(const char *s, size_t len, size_t *outlen);

/* Apply fn to in[0..inlen) and compare with want[0..wantlen). */
static void
step_is(step_fn *fn, const char *in, size_t inlen, const char *want,
    size_t wantlen)
{
	size_t n = (size_t)-1;
	char *got = fn(in, inlen, &n);

	if (n != wantlen || memcmp(got, want, n) != 0 || got[n] != '\0')
		fail_msg("'%s' -> '%s' (%zu bytes), want '%s' (%zu bytes)",
		    in, got, n, want, wantlen);
	free(got);
}

/* The same on string literals, NUL bytes inside counted. */
#define STEP(fn, in, want) \
	step_is(fn, in, sizeof(in) - 1, want, sizeof(want) - 1)

#define norm_is(in, want) STEP(score_vqa_normalize, in, want)

/* score_match() on two string literals, NUL bytes inside counted. */
#define MATCH(m, pred, ans) \
	score_match(m, pred, sizeof(pred) - 1, ans, sizeof(ans) - 1)

/* Step 1: lowercase, drop ',' and '?', "'s" -> " 's", strip. */
void
test_vqa_tokenize(void **state)
{
	STEP(score_vqa_tokenize, "Hello, World?", "hello world");
	STEP(score_vqa_tokenize, "1,000", "1000");
	STEP(score_vqa_tokenize, "It's the dog's", "it 's the dog 's");
	STEP(score_vqa_tokenize, "IT'S", "it 's");	/* lowercased first */
	STEP(score_vqa_tokenize, "  Yes \n", "yes");
	STEP(score_vqa_tokenize, "x'?s", "x 's");	/* '?' goes first */
	/* Python's strip() also takes U+00A0 and U+3000. */
	STEP(score_vqa_tokenize, "\xc2\xa0" "cat\xe3\x80\x80", "cat");
	STEP(score_vqa_tokenize, "", "");
}

/* Step 2: newlines and tabs become spaces; strip. */
void
test_vqa_whitespace(void **state)
{
	STEP(score_vqa_whitespace, "a\tb\nc", "a b c");
	STEP(score_vqa_whitespace, "\n x \t", "x");
	STEP(score_vqa_whitespace, "a\rb", "a\rb");	/* only \n and \t */
}

/* Step 3: punctuation, then periods. */
void
test_vqa_punctuation(void **state)
{
	/* No space next to the mark: each one becomes a space. */
	STEP(score_vqa_punctuation, "red-white", "red white");
	STEP(score_vqa_punctuation, "x;y/z", "x y z");
	STEP(score_vqa_punctuation, "(cat)", " cat ");
	STEP(score_vqa_punctuation, "@home", " home");
	/* A space before or after some occurrence: all are removed. */
	STEP(score_vqa_punctuation, "red - white", "red  white");
	STEP(score_vqa_punctuation, "a-b - c", "ab  c");
	STEP(score_vqa_punctuation, "hi! there", "hi there");
	STEP(score_vqa_punctuation, "yes !", "yes ");
	/* The rule is per mark: '-' is spaced, '/' is not. */
	STEP(score_vqa_punctuation, "a/b - c", "a b  c");
	/* A digit, commas, a digit anywhere: every mark is removed. */
	STEP(score_vqa_punctuation, "1,000-2", "10002");
	STEP(score_vqa_punctuation, "5,,6 (x)", "56 x");
	STEP(score_vqa_punctuation, "a,b-c", "a b c");	/* no digits */
	/* Characters not in the list stay. */
	STEP(score_vqa_punctuation, "10% & #1 'q' :", "10% & #1 'q' :");
	/* Periods: removed unless a digit follows. */
	STEP(score_vqa_punctuation, "3.5", "3.5");
	STEP(score_vqa_punctuation, ".5", ".5");
	STEP(score_vqa_punctuation, "5.", "5");
	STEP(score_vqa_punctuation, "end.", "end");
	STEP(score_vqa_punctuation, "mr. smith", "mr smith");
	STEP(score_vqa_punctuation, "a.b", "ab");
	STEP(score_vqa_punctuation, "..5", ".5");
	/* At most 32 periods go (re.UNICODE passed as sub()'s count). */
	STEP(score_vqa_punctuation,
	    "........................................x",	/* 40 */
	    "........x");
}

/* Step 4: number words, articles, contractions. */
void
test_vqa_digit_article(void **state)
{
	STEP(score_vqa_digit_article, "The two dogs", "2 dogs");
	STEP(score_vqa_digit_article, "none", "0");
	STEP(score_vqa_digit_article, "zero one two three four five",
	    "0 1 2 3 4 5");
	STEP(score_vqa_digit_article, "six seven eight nine ten eleven",
	    "6 7 8 9 10 eleven");
	STEP(score_vqa_digit_article, "a an the", "");
	STEP(score_vqa_digit_article, "an apple  on   the table",
	    "apple on table");
	STEP(score_vqa_digit_article, "theory another", "theory another");
	STEP(score_vqa_digit_article, "dont", "don't");
	STEP(score_vqa_digit_article, "isnt it", "isn't it");
	STEP(score_vqa_digit_article, "wouldnt've", "wouldn't've");
	STEP(score_vqa_digit_article, "yall'll", "y'all'll");
	STEP(score_vqa_digit_article, "oclock", "o'clock");
	/* The table's quirks, kept: capital keys never match, and
	 * "somebody'd" maps to "somebodyd". */
	STEP(score_vqa_digit_article, "Im", "im");
	STEP(score_vqa_digit_article, "somebody'd", "somebodyd");
	/* Python's split() takes U+00A0 as whitespace. */
	STEP(score_vqa_digit_article, "two\xc2\xa0" "cats", "2 cats");
}

/* The whole processor, and the vqa metric built on it. */
void
test_vqa_normalize(void **state)
{
	norm_is("The poster shows a 10% discount.", "poster shows 10% discount");
	norm_is("Two.", "2");
	norm_is("  Yes!\n", "yes");
	norm_is("It's red.", "it 's red");
	norm_is("Don't know", "don't know");
	norm_is("dont know", "don't know");
	norm_is("3.5 inches", "3.5 inches");
	norm_is("1,000", "1000");
	norm_is("black-and-white", "black and white");
	norm_is("black and white", "black and white");
	norm_is("What?", "what");
	norm_is("", "");
	assert_int_equal(score_match(SCORE_VQA, "Two", 3, "2", 1), 1);
	assert_int_equal(score_match(SCORE_VQA, "The cat.", 8, "cat", 3), 1);
	assert_int_equal(score_match(SCORE_VQA, "a dog", 5, "cat", 3), 0);
	assert_int_equal(score_match(SCORE_VQA, "Red", 3, "red.", 4), 1);
}

/*
 * Unicode, case class by case class, each as LLaVA's Python does it: the
 * processor's str.lower() is Python 3's full Unicode lowercase mapping,
 * "\d" in its regular expressions any decimal digit (category Nd),
 * strip() and split() Unicode whitespace.
 */

/* lower(): every script, not only ASCII. */
void
test_vqa_unicode_case(void **state)
{
	/* 'CAFÉ'.lower() == 'café', so "café" and "CAFÉ" are one answer. */
	norm_is("CAF\xc3\x89", "caf\xc3\xa9");
	assert_int_equal(MATCH(SCORE_VQA, "CAF\xc3\x89", "caf\xc3\xa9"), 1);
	/* Cyrillic: 'МОСКВА'.lower() == 'москва'. */
	norm_is("\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90",
	    "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0");
	/* Turkish dotted capital I: 'İ'.lower() == 'i\u0307', two code
	 * points; 'I' is 'i' and 'ı' stays (no Turkish locale). */
	norm_is("\xc4\xb0stanbul", "i\xcc\x87stanbul");
	norm_is("ISTANBUL", "istanbul");
	norm_is("\xc4\xb1i", "\xc4\xb1i");
	/* German: 'ß' has no lowercase of its own, 'ẞ'.lower() == 'ß';
	 * lower() is no case folding: "strasse" != "straße". */
	norm_is("Stra\xc3\x9f" "e", "stra\xc3\x9f" "e");
	norm_is("\xe1\xba\x9e", "\xc3\x9f");
	assert_int_equal(MATCH(SCORE_VQA, "STRASSE", "stra\xc3\x9f" "e"), 0);
	/* Title case: 'ǅ'.lower() == 'ǆ'. */
	norm_is("\xc7\x85", "\xc7\x86");
	/* Letters that lower to ASCII: KELVIN SIGN -> 'k' (and then the
	 * word is a contraction key), ANGSTROM SIGN -> 'å'. */
	norm_is("OCLOC\xe2\x84\xaa", "o'clock");
	norm_is("\xe2\x84\xab", "\xc3\xa5");
	/* The "'s" split sees the lowered text: 'İ'S' -> "i\u0307 's". */
	STEP(score_vqa_tokenize, "\xc4\xb0'S", "i\xcc\x87 's");
	/* Fullwidth letters lower to fullwidth ones, which are not "the". */
	norm_is("\xef\xbc\xb4\xef\xbc\xa8\xef\xbc\xa5 \xef\xbc\xa3",
	    "\xef\xbd\x94\xef\xbd\x88\xef\xbd\x85 \xef\xbd\x83");
	/* process_digit_article lowers too. */
	STEP(score_vqa_digit_article, "TWO CATS", "2 cats");
	STEP(score_vqa_digit_article, "\xce\xa4\xce\x97\xce\x95",
	    "\xcf\x84\xce\xb7\xce\xb5");
}

/*
 * Capital sigma: CPython's lower() writes final sigma 'ς' when a cased
 * letter comes before it and none after it, case-ignorable characters
 * (marks, format characters, modifier letters, "'", '.', ':' ...)
 * skipped; else 'σ'.
 */
void
test_vqa_final_sigma(void **state)
{
	norm_is("\xce\x9f\xce\x94\xce\x9f\xce\xa3",		/* ΟΔΟΣ */
	    "\xce\xbf\xce\xb4\xce\xbf\xcf\x82");		/* οδος */
	norm_is("\xce\xa3\xce\x91\xce\xa3",			/* ΣΑΣ */
	    "\xcf\x83\xce\xb1\xcf\x82");			/* σας */
	norm_is("\xce\xa3", "\xcf\x83");			/* alone: σ */
	norm_is("1\xce\xa3", "1\xcf\x83");	/* a digit is not cased */
	/* '.' is case-ignorable: ΑΣ. -> ας, then the period goes. */
	norm_is("\xce\x91\xce\xa3.", "\xce\xb1\xcf\x82");
	/* "'" is case-ignorable and 'Β' cased: ΑΣ'Β -> ασ'β. */
	norm_is("\xce\x91\xce\xa3'\xce\x92", "\xce\xb1\xcf\x83'\xce\xb2");
	/* ',' is not: lower() runs before the commas go, ΑΣ,Β -> αςβ. */
	norm_is("\xce\x91\xce\xa3,\xce\x92", "\xce\xb1\xcf\x82\xce\xb2");
	/* A combining accent is skipped both ways. */
	norm_is("\xce\x91\xce\xa3\xcc\x81", "\xce\xb1\xcf\x82\xcc\x81");
	norm_is("\xce\x91\xce\xa3\xcc\x81\xce\x92",
	    "\xce\xb1\xcf\x83\xcc\x81\xce\xb2");
	/* Cased beyond letters: Roman numerals and 'ª' (Other_Lowercase,
	 * Other_Uppercase). */
	norm_is("\xe2\x85\xab\xce\xa3", "\xe2\x85\xbb\xcf\x82");
	norm_is("\xc2\xaa\xce\xa3", "\xc2\xaa\xcf\x82");
}

/* "\d": any decimal digit, so a period before one stays. */
void
test_vqa_unicode_digits(void **state)
{
	/* Arabic-Indic: re.sub(r"(?!<=\d)(\.)(?!\d)", ...) keeps '.' in
	 * '3.٥' and '٣.٥'. */
	norm_is("3.\xd9\xa5", "3.\xd9\xa5");
	norm_is("\xd9\xa3.\xd9\xa5", "\xd9\xa3.\xd9\xa5");
	/* Fullwidth and mathematical digits are Nd too. */
	norm_is("x.\xef\xbc\x95", "x.\xef\xbc\x95");
	STEP(score_vqa_punctuation, "x.\xf0\x9d\x9f\x8e", "x.\xf0\x9d\x9f\x8e");
	/* A fullwidth letter is no digit: the period goes. */
	norm_is("end.\xef\xbd\x98", "end\xef\xbd\x98");
	/* COMMA_STRIP r"(?<=\d)(\,)+(?=\d)" on Arabic-Indic digits: every
	 * mark is then removed, not spaced. */
	STEP(score_vqa_punctuation, "\xd9\xa5,\xd9\xa5-x", "\xd9\xa5\xd9\xa5x");
	STEP(score_vqa_punctuation, "\xd9\xa5,x-y", "\xd9\xa5 x y");
}

/* str.strip() and str.split(): Unicode whitespace, and nothing else. */
void
test_vqa_unicode_space(void **state)
{
	/* EM SPACE and IDEOGRAPHIC SPACE split and strip. */
	norm_is("two\xe2\x80\x83" "cats\xe3\x80\x80", "2 cats");
	/* FS (0x1c) and NEL (U+0085) are whitespace to Python. */
	norm_is("\x1ctwo\xc2\x85", "2");
	/* LINE SEPARATOR splits words in process_digit_article. */
	STEP(score_vqa_digit_article, "The\xe2\x80\xa8" "cat", "cat");
	/* ZERO WIDTH SPACE, MONGOLIAN VOWEL SEPARATOR and the BOM are
	 * format characters, not whitespace: they stay, words stay whole. */
	norm_is("two\xe2\x80\x8b" "cats", "two\xe2\x80\x8b" "cats");
	norm_is("\xe1\xa0\x8etwo", "\xe1\xa0\x8etwo");
	norm_is("\xef\xbb\xbfthe cat", "\xef\xbb\xbfthe cat");
	/* process_punctuation's "p + ' '" is U+0020 only: '-' after an
	 * IDEOGRAPHIC SPACE becomes a space. */
	STEP(score_vqa_punctuation, "a\xe3\x80\x80-b", "a\xe3\x80\x80 b");
	/* The same whitespace for the other metrics' strip(). */
	assert_int_equal(MATCH(SCORE_EXACT, "\xe3\x80\x80" "cat"
	    "\xe2\x80\xa9", "cat"), 1);
	assert_int_equal(MATCH(SCORE_EXACT, "\xe2\x80\x8b" "cat", "cat"), 0);
}

/* NUL is an ordinary character in a Python str. */
void
test_vqa_nul(void **state)
{
	norm_is("x\0y", "x\0y");
	norm_is(" \0 ", "\0");		/* not whitespace: strip() keeps it */
	norm_is("on\0e", "on\0e");	/* and no number word */
	assert_int_equal(MATCH(SCORE_VQA, "cat\0", "cat"), 0);
	assert_int_equal(MATCH(SCORE_VQA, "x\0y", "X\0Y."), 1);
}

/*
 * Bytes that are not UTF-8 (the result reader refuses them; a Python str
 * cannot hold them): as Python's processor on the text decoded with
 * errors="surrogateescape" and encoded back: each byte is one character,
 * no letter, digit or space, kept as it is.
 */
void
test_vqa_invalid_utf8(void **state)
{
	norm_is("\xff cat", "\xff cat");
	norm_is("CAF\xc3", "caf\xc3");		/* É cut short */
	norm_is("cat\xe3\x80", "cat\xe3\x80");	/* U+3000 cut short: no space */
	norm_is("\xc0\xa0" "cat", "\xc0\xa0" "cat");	/* overlong space */
	/* An encoded surrogate. */
	norm_is("\xed\xa0\x80" "A", "\xed\xa0\x80" "a");
	norm_is("THE\x80 CAT", "the\x80 cat");	/* "the\x80" is no article */
	STEP(score_vqa_punctuation, "1.\xd9", "1\xd9");	/* no digit after */
	/* strip(): a stray continuation byte and a lone lead byte are no
	 * whitespace, whatever the bytes they would have started. */
	{
		static const char t[] = "\xa0 x \xc2";
		size_t n = sizeof(t) - 1;

		assert_ptr_equal(score_strip(t, &n), t);
		assert_int_equal(n, sizeof(t) - 1);
	}
}

/*
 * Stop strings: run_llava_eval strips its stop string before it writes
 * (for llava_llama_2 "<s>", the template's sep; "</s>" is the tokenizer's
 * end-of-sequence token, which batch_decode(skip_special_tokens=True)
 * never puts in the text).  What is in the file is scored as it is: the
 * processor turns '<', '/' and '>' into spaces, as Python does.
 */
void
test_vqa_stop_strings(void **state)
{
	norm_is("cat</s>", "cat s");
	norm_is("cat<s>", "cat s");
	assert_int_equal(MATCH(SCORE_VQA, "cat</s>", "cat"), 0);
	assert_int_equal(MATCH(SCORE_VQA, "cat <s>", "cat s"), 1);
}

static int
letter(const char *s)
{
	return score_choice_extract(s, strlen(s));
}

/* Option letters, rule by rule. */
void
test_choice_extract(void **state)
{
	/* 1: the whole trimmed text is one capital letter. */
	assert_int_equal(letter("B"), 'B');
	assert_int_equal(letter(" C \n"), 'C');
	assert_int_equal(letter("Z"), 'Z');
	assert_int_equal(letter("b"), 0);		/* capitals only */
	assert_int_equal(letter("AB"), 0);
	assert_int_equal(letter(""), 0);
	/* 2: a letter, '.', a space. */
	assert_int_equal(letter("A. shading the face"), 'A');
	assert_int_equal(letter("D. "), 0);		/* trimmed: "D." */
	assert_int_equal(letter("D. x"), 'D');
	assert_int_equal(letter("A."), 0);
	assert_int_equal(letter("A.cat"), 0);
	assert_int_equal(letter("a. cat"), 0);
	/* 3: exactly one "The answer is X" and one more character. */
	assert_int_equal(letter("The answer is C."), 'C');
	assert_int_equal(letter("I think The answer is D, surely"), 'D');
	assert_int_equal(letter("The answer is B!"), 'B');
	assert_int_equal(letter("The answer is B\xc3\xa9"), 'B');
	assert_int_equal(letter("The answer is A. The answer is B."), 0);
	assert_int_equal(letter("The answer is A. Or the answer is B."), 'A');
	assert_int_equal(letter("The answer is E"), 0);	/* nothing after */
	assert_int_equal(letter("The answer is e."), 0);
	assert_int_equal(letter("the answer is C."), 0);
	assert_int_equal(letter("The answer is A\nok"), 0);	/* '.' != \n */
	assert_int_equal(letter("The answer is  C."), 0);
	/* Matches do not overlap: the 'T' is the first match's '.'. */
	assert_int_equal(letter("The answer is AThe answer is B."), 'A');
	/* Otherwise: none. */
	assert_int_equal(letter("The correct option is B."), 0);
	assert_int_equal(letter("(B)"), 0);
	/* The metric: letters compared; an answer without one is -1. */
	assert_int_equal(score_match(SCORE_CHOICE, "C. x", 4, "C", 1), 1);
	assert_int_equal(score_match(SCORE_CHOICE, "B", 1, "C", 1), 0);
	assert_int_equal(score_match(SCORE_CHOICE, "", 0, "C", 1), 0);
	assert_int_equal(score_match(SCORE_CHOICE, "C", 1, "cat", 3), -1);
	/* exact: trimmed bytes. */
	assert_int_equal(score_match(SCORE_EXACT, " cat\n", 5, "cat", 3), 1);
	assert_int_equal(score_match(SCORE_EXACT, "Cat", 3, "cat", 3), 0);
	assert_int_equal(score_match(SCORE_EXACT, "cat.", 4, "cat", 3), 0);
}

void
test_metric_names(void **state)
{
	enum score_metric m;

	assert_int_equal(score_metric_parse("choice", &m), 0);
	assert_int_equal(m, SCORE_CHOICE);
	assert_int_equal(score_metric_parse("vqa", &m), 0);
	assert_int_equal(m, SCORE_VQA);
	assert_int_equal(score_metric_parse("exact", &m), 0);
	assert_int_equal(m, SCORE_EXACT);
	assert_int_equal(score_metric_parse("VQA", &m), -1);
	assert_string_equal(score_metric_name(SCORE_EXACT), "exact");
}

/* ---- result directories ---- */

static const char g_val[] =
    "[{\"question\":\"What color is the car?\",\"image_id\":\"vqa/0\","
    "\"answer\":\"red\"},"
    "{\"question\":\"How many dogs?\",\"image_id\":\"vqa/1\","
    "\"answer\":\"2\"},"
    "{\"question\":\"Is it\\tsunny?\",\"image_id\":\"vqa/2\","
    "\"answer\":\"yes\"},"
    "{\"question\":\"Which?\\nA. x\\nB. y\",\"image_id\":\"choice/0\","
    "\"answer\":\"B\"},"
    "{\"question\":\"Pick\",\"image_id\":\"choice/1\",\"answer\":\"A\"},"
    "{\"question\":\"Say hi\",\"image_id\":\"echo/0\",\"answer\":\"Hi\"},"
    "{\"question\":\"q1\",\"image_id\":\"echo/same\",\"answer\":\"one\"},"
    "{\"question\":\"q2\",\"image_id\":\"echo/same\",\"answer\":\"two\"}]";

static struct score_val *
load_val(const char *dir, const char *text)
{
	char err[512];
	struct score_val *v;

	v = score_val_load(tu_writes(dir, "val.json", text), NULL, err,
	    sizeof(err));
	if (v == NULL)
		fail_msg("val: %s", err);
	return v;
}

static struct score_result *
score(const struct score_val *v, const char *dir, const struct score_map *map,
    size_t nmap, int *kind, char *err, size_t errlen)
{
	*kind = 0;
	return score_dir(v, dir, map, nmap, kind, err, errlen);
}

static void
task_is(const struct score_result *r, size_t t, const char *name,
    enum score_metric m, uint64_t n, uint64_t correct, uint64_t missing)
{
	struct score_task st;

	score_result_task(r, t, &st);
	assert_string_equal(st.name, name);
	assert_int_equal(st.metric, m);
	assert_int_equal(st.n, n);
	assert_int_equal(st.correct, correct);
	assert_int_equal(st.missing, missing);
	assert_true(st.score == (double)correct / (double)n);
}

void
test_val_load(void **state)
{
	const char *dir = tu_tmpdir();
	struct score_val *v = load_val(dir, g_val);
	char err[512];
	int kind;

	assert_int_equal(score_val_count(v), 8);
	assert_int_equal(score_val_ntasks(v), 3);
	assert_string_equal(score_val_task_name(v, 0), "choice");
	assert_string_equal(score_val_task_name(v, 1), "echo");
	assert_string_equal(score_val_task_name(v, 2), "vqa");
	assert_int_equal(score_val_task(v, 0), 2);
	assert_string_equal(score_val_question(v, 2), "Is it\tsunny?");
	assert_string_equal(score_val_image_id(v, 3), "choice/0");
	assert_string_equal(score_val_answer(v, 5), "Hi");
	score_val_free(v);

	/* Refusals. */
	kind = 0;
	assert_null(score_val_load(tu_writes(dir, "v1", "{}"), &kind, err,
	    sizeof(err)));
	assert_int_equal(kind, SCORE_EFORMAT);
	assert_non_null(strstr(err, "not a JSON array"));
	assert_null(score_val_load(tu_writes(dir, "v2",
	    "[{\"question\":\"q\",\"image_id\":\"a/b\"}]"), &kind, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "[0].answer"));
	assert_null(score_val_load(tu_writes(dir, "v3",
	    "[{\"question\":\"q\",\"image_id\":\"../x\",\"answer\":\"a\"}]"),
	    &kind, err, sizeof(err)));
	assert_non_null(strstr(err, "task name"));
	assert_null(score_val_load(tu_writes(dir, "v4",
	    "[{\"question\":\"q\",\"image_id\":\"a/b\\n\",\"answer\":\"a\"}]"),
	    &kind, err, sizeof(err)));
	assert_null(score_val_load(tu_writes(dir, "v5", "[1,"), &kind, err,
	    sizeof(err)));
	assert_int_equal(kind, SCORE_EFORMAT);
	kind = 0;
	assert_null(score_val_load("/nonexistent/val.json", &kind, err,
	    sizeof(err)));
	assert_int_equal(kind, SCORE_EIO);
}

/* A full directory: every record form, missing items, metrics, JSON. */
void
test_score_dir(void **state)
{
	const char *dir = tu_tmpdir();
	struct score_val *v = load_val(dir, g_val);
	struct score_map map[] = { { "echo", SCORE_EXACT } };
	struct score_result *r;
	char err[512], *json;
	int kind;

	/* vqa: a plain line, a CRLF line, a question holding a tab. */
	tu_writes(dir, "vqa.txt",
	    "vqa/0.jpg\tWhat color is the car?\tred\tThe car is red\n"
	    "vqa/1.jpg\tHow many dogs?\t2\tTwo.\r\n"
	    "vqa/2.jpg\tIs it\tsunny?\tyes\tYes\n");
	/* choice: a question spanning lines; choice/1 has no record; a
	 * blank line; no final newline. */
	tu_writes(dir, "choice.txt",
	    "choice/0.jpg\tWhich?\nA. x\nB. y\tB\tThe answer is B.\n"
	    "\n");
	/* echo (exact): an output holding a tab; two items share an
	 * image_id and are told apart by their questions. */
	tu_writes(dir, "echo.txt",
	    "echo/same.jpg\tq2\ttwo\ttwo\n"
	    "echo/0.jpg\tSay hi\tHi\tHi\tthere\n"
	    "echo/same.jpg\tq1\tone\t one ");
	r = score(v, dir, map, 1, &kind, err, sizeof(err));
	if (r == NULL)
		fail_msg("%s", err);
	assert_int_equal(score_result_ntasks(r), 3);
	task_is(r, 0, "choice", SCORE_CHOICE, 2, 1, 1);
	task_is(r, 1, "echo", SCORE_EXACT, 3, 2, 0);
	/* "The car is red" != "red": the vqa metric is exact match. */
	task_is(r, 2, "vqa", SCORE_VQA, 3, 2, 0);
	assert_true(fabs(score_result_overall(r) -
	    (0.5 + 2.0 / 3 + 2.0 / 3) / 3) < 1e-12);
	json = score_result_json(r);
	assert_non_null(strstr(json, "\"overall\""));
	assert_non_null(strstr(json, "\"echo\": {\n      \"metric\": "
	    "\"exact\""));
	assert_non_null(strstr(json, "\"n\": 3"));
	free(json);
	score_result_free(r);

	/* "*" sets the default; a named task still wins. */
	{
		struct score_map m2[] = { { "*", SCORE_EXACT },
		    { "choice", SCORE_CHOICE } };

		r = score(v, dir, m2, 2, &kind, err, sizeof(err));
		assert_non_null(r);
		task_is(r, 2, "vqa", SCORE_EXACT, 3, 0, 0);
		task_is(r, 0, "choice", SCORE_CHOICE, 2, 1, 1);
		score_result_free(r);
	}
	/* A task with no file: all wrong, flagged. */
	{
		char p[600];
		struct score_task st;

		snprintf(p, sizeof(p), "%s/vqa.txt", dir);
		assert_int_equal(unlink(p), 0);
		r = score(v, dir, map, 1, &kind, err, sizeof(err));
		assert_non_null(r);
		score_result_task(r, 2, &st);
		assert_int_equal(st.file_missing, 1);
		assert_int_equal(st.missing, 3);
		assert_int_equal(st.correct, 0);
		score_result_free(r);
	}
	/* Metric map errors. */
	{
		struct score_map bad[] = { { "nosuch", SCORE_VQA } };
		struct score_map ch[] = { { "echo", SCORE_CHOICE } };

		assert_null(score(v, dir, bad, 1, &kind, err, sizeof(err)));
		assert_int_equal(kind, SCORE_EFORMAT);
		assert_non_null(strstr(err, "nosuch"));
		/* echo's answers are no option letters. */
		assert_null(score(v, dir, ch, 1, &kind, err, sizeof(err)));
		assert_non_null(strstr(err, "no option letter"));
	}
	score_val_free(v);
}

/* Write choice.txt with text and expect an error mentioning want. */
static void
bad_file(const struct score_val *v, const char *dir, const char *text,
    size_t len, const char *want)
{
	struct score_result *r;
	char err[512];
	int kind;

	tu_write(dir, "choice.txt", text, len);
	r = score(v, dir, NULL, 0, &kind, err, sizeof(err));
	if (r != NULL)
		fail_msg("accepted: %s", text);
	assert_int_equal(kind, SCORE_EFORMAT);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err, want);
}

void
test_malformed(void **state)
{
	const char *dir = tu_tmpdir();
	struct score_val *v = load_val(dir, g_val);
	char want[700], *big;
	size_t n;

#define BAD(text, w) bad_file(v, dir, text, sizeof(text) - 1, w)
	snprintf(want, sizeof(want), "%s/choice.txt:2: malformed line", dir);
	BAD("choice/1.jpg\tPick\tA\tA\nchoice/0.jpg no tabs\n", want);
	BAD("choice/1.jpg\tPick\tA\tA\nchoice/0.jpg\tWhich?\tB\n",
	    "choice.txt:2: malformed line: expected 4 tab-separated fields "
	    "({image_id}.jpg, question, answer, output), found 3");
	BAD("choice/1\tPick\tA\tA\n", "choice.txt:1: malformed line: first "
	    "field 'choice/1' is not {image_id}.jpg");
	BAD("choice/9.jpg\tPick\tA\tA\n", "choice.txt:1: unknown image_id "
	    "'choice/9'");
	BAD("vqa/0.jpg\tWhat color is the car?\tred\tred\n",
	    "choice.txt:1: image_id 'vqa/0' belongs to task 'vqa'");
	BAD("choice/1.jpg\tPick\tA\tA\n\nchoice/1.jpg\tPick\tA\tB\n",
	    "choice.txt:3: second record for image_id 'choice/1' (the first "
	    "is at line 1)");
	/* A multi-line record keeps the line count right. */
	BAD("choice/0.jpg\tWhich?\nA. x\nB. y\tB\tB\nchoice/7.jpg\tx\ty\tz\n",
	    "choice.txt:4: unknown image_id 'choice/7'");
	BAD("choice/1.jpg\tPick\tA\t\xff\n", "choice.txt:1: invalid UTF-8");
	BAD("choice/1.jpg\tPick\tA\tA\nchoice/0.jpg\tx\ty\t\xc3\x28\n",
	    "choice.txt:2: invalid UTF-8");
	BAD("choice/1.jpg\tPick\tA\t\xed\xa0\x80\n", "invalid UTF-8");
	/* An over-long line. */
	n = SCORE_MAX_LINE + 100;
	big = malloc(n);
	memset(big, 'x', n);
	memcpy(big, "choice/1.jpg\tPick\tA\t", 20);
	big[n - 1] = '\n';
	bad_file(v, dir, big, n, "choice.txt:1: line longer than");
	free(big);
#undef BAD
	score_val_free(v);
}

/* The CLI: JSON on stdout, exit 0; malformed results exit 1; usage 2. */
void
test_score_cli(void **state)
{
	const char *dir = tu_tmpdir(), *val;
	char out[8192];
	int rc;

	val = tu_writes(dir, "val.json", g_val);
	tu_writes(dir, "vqa.txt",
	    "vqa/0.jpg\tWhat color is the car?\tred\tRed.\n");
	tu_writes(dir, "choice.txt", "choice/1.jpg\tPick\tA\tA. yes\n");
	rc = tu_run((char *const[]){ (char *)tu_bin("dataoptim"), "score",
	    "--val", (char *)val, "--results", (char *)dir, "--metric",
	    "echo=exact", "--quiet", NULL }, out, sizeof(out));
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "\"overall\": 0.27777777777777"));
	assert_non_null(strstr(out, "\"metric\": \"exact\""));
	/* Warnings name what is missing. */
	rc = tu_run((char *const[]){ (char *)tu_bin("dataoptim"), "score",
	    "--val", (char *)val, "--results", (char *)dir, NULL }, out,
	    sizeof(out));
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "echo.txt is missing"));
	assert_non_null(strstr(out, "task vqa: 2 of 3 items have no answer"));
	tu_writes(dir, "vqa.txt", "vqa/0.jpg\tWhat color\n");
	rc = tu_run((char *const[]){ (char *)tu_bin("dataoptim"), "score",
	    "--val", (char *)val, "--results", (char *)dir, NULL }, out,
	    sizeof(out));
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "vqa.txt:1: malformed line"));
	rc = tu_run((char *const[]){ (char *)tu_bin("dataoptim"), "score",
	    "--val", (char *)val, "--results", (char *)dir, "--metric",
	    "vqa=fuzzy", NULL }, out, sizeof(out));
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "unknown metric 'fuzzy'"));
	rc = tu_run((char *const[]){ (char *)tu_bin("dataoptim"), "score",
	    "--val", (char *)val, NULL }, out, sizeof(out));
	assert_int_equal(rc, 2);
	rc = tu_run((char *const[]){ (char *)tu_bin("dataoptim"), "score",
	    "--val", "/nonexistent.json", "--results", (char *)dir, NULL },
	    out, sizeof(out));
	assert_int_equal(rc, 2);
}

int
score_setup(void **state)
{
	return 0;
}

int
score_teardown(void **state)
{
	tu_cleanup();
	return 0;
}
