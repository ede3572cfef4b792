/*
 * score: the scorer.  Reads the result files that run_llava_eval.py writes
 * (DataOptim's evaluation script), matches every line to its validation
 * item and scores each task with its metric.
 *
 * Validation set (val.json): a JSON array of {"question", "image_id",
 * "answer"} objects (strings; other keys ignored).  An item's task is its
 * image_id up to the first '/' (the whole image_id if it has none).  Task
 * names must be usable as file names: [A-Za-z0-9_.-], not starting with
 * '.', at most 128 bytes.  An image_id holds no tab, newline or CR.
 *
 * Result files: DIR/<task>.txt for every task of the validation set
 * (other files in DIR are ignored), one record per answered item:
 *     {image_id}.jpg \t {question} \t {answer} \t {output} \n
 * run_llava_eval writes the question and the answer unchanged (so they can
 * hold tabs or newlines) and the output with its newlines turned into
 * spaces (so it can hold tabs: it is everything up to the end of the line).
 * A record is matched to the validation item with its image_id: when the
 * text after the first tab starts with that item's question, a tab, its
 * answer and a tab, the output is what follows (this also reads records
 * whose question spans lines); otherwise the physical line must have at
 * least 3 tabs and the output is everything after the third.  When several
 * items share an image_id, the one whose question matches is taken, then
 * the first not yet answered.  The ground truth is always the validation
 * set's answer, never the file's copy.
 *
 * Errors (naming file:line): a line without 3 tabs, a first field without
 * ".jpg" or with an image_id absent from the validation set or belonging
 * to another task, a second record for an item, invalid UTF-8, a line over
 * SCORE_MAX_LINE bytes, a file over SCORE_MAX_FILE bytes.  Blank lines are
 * skipped; a final line without '\n' and a CR before '\n' are accepted.
 * A validation item with no record, or a task whose file is missing,
 * counts as wrong.
 *
 * Metrics (per task; score = correct / n, in [0, 1]):
 *   vqa     both the output and the answer are normalized as LLaVA's
 *           m4c_evaluator.EvalAIAnswerProcessor does, then compared for
 *           equality (see score_vqa_normalize()).
 *   choice  an option letter is extracted from both as LLaVA's ScienceQA
 *           evaluation does (see score_choice_extract()) and compared; an
 *           output with no letter is wrong; an answer with no letter is an
 *           error (the task's metric is misconfigured).
 *   exact   both trimmed of surrounding whitespace, then byte equality.
 * Default metric: "choice" for a task whose name starts with "choice",
 * else "vqa"; score_map entries override it (task "*" sets the default).
 * The overall score is the unweighted mean of the task scores.
 */
#ifndef DO_SCORE_H
#define DO_SCORE_H

#include <stddef.h>
#include <stdint.h>

#define SCORE_MAX_LINE (1u << 20)	/* bytes per physical line */
#define SCORE_MAX_FILE (256u << 20)	/* bytes per result file */
#define SCORE_MAX_VAL (256u << 20)	/* bytes of val.json */
#define SCORE_MAX_TASK 128		/* bytes of a task name */

/* Error kinds returned by the functions below. */
#define SCORE_EIO (-1)		/* a file could not be read or written */
#define SCORE_EFORMAT (-2)	/* malformed input (val.json, result file,
				   metric mapping) */

enum score_metric { SCORE_VQA = 0, SCORE_CHOICE, SCORE_EXACT };

/* "vqa" / "choice" / "exact" and back; parse returns 0 or -1. */
const char *score_metric_name(enum score_metric m);
int score_metric_parse(const char *name, enum score_metric *m);

/* ---- validation set ---- */

struct score_val;

/*
 * Load and check a validation set (at most SCORE_MAX_VAL bytes).  Returns
 * the set (free with score_val_free()), or NULL with a message in err and,
 * if kind is not NULL, *kind = SCORE_EIO or SCORE_EFORMAT.
 */
struct score_val *score_val_load(const char *path, int *kind, char *err,
    size_t errlen);

/* Free the set.  NULL is ignored. */
void score_val_free(struct score_val *v);

/* Number of items and of tasks; tasks are numbered in bytewise name order. */
size_t score_val_count(const struct score_val *v);
size_t score_val_ntasks(const struct score_val *v);
const char *score_val_task_name(const struct score_val *v, size_t t);

/*
 * Item i's fields (NUL-terminated, owned by v, valid until
 * score_val_free(); question and answer may contain tabs and newlines
 * but no NUL) and its task number.
 */
const char *score_val_question(const struct score_val *v, size_t i);
const char *score_val_image_id(const struct score_val *v, size_t i);
const char *score_val_answer(const struct score_val *v, size_t i);
size_t score_val_task(const struct score_val *v, size_t i);

/* ---- scoring ---- */

/* One metric override: task name (or "*" for every task not listed). */
struct score_map {
	const char *task;
	enum score_metric metric;
};

/*
 * Parse "TASK=METRIC" entries separated by commas or spaces in spec (cut
 * in place: the tasks point into it) into map[*n..max), advancing *n.
 * 0, or -1 with the entry and what is wrong in err.
 */
int score_map_parse(char *spec, struct score_map *map, size_t max,
    size_t *n, char *err, size_t errlen);

struct score_result;

/*
 * Score the result files in dir against v.  map[0..nmap) overrides the
 * default metric per task (a task the validation set lacks is an error;
 * the strings are not kept).  Returns the result (free with
 * score_result_free()), or NULL with a message naming file:line in err and
 * *kind (if not NULL) set to SCORE_EIO or SCORE_EFORMAT.
 */
struct score_result *score_dir(const struct score_val *v, const char *dir,
    const struct score_map *map, size_t nmap, int *kind, char *err,
    size_t errlen);

/* Free a result.  NULL is ignored. */
void score_result_free(struct score_result *r);

/* Mean of the task scores (0 if there are none). */
double score_result_overall(const struct score_result *r);

/* Tasks in bytewise name order, as numbered by score_val_ntasks(). */
size_t score_result_ntasks(const struct score_result *r);

struct score_task {
	const char *name;	/* owned by the result */
	enum score_metric metric;
	uint64_t n;		/* validation items of the task */
	uint64_t correct;	/* items answered right */
	uint64_t missing;	/* items with no record (counted wrong) */
	int file_missing;	/* 1 if DIR/<task>.txt did not exist */
	double score;		/* correct / n */
};

/* Task t's figures into *out. */
void score_result_task(const struct score_result *r, size_t t,
    struct score_task *out);

/*
 * The result as JSON text, NUL-terminated, for the caller to free:
 * {"overall": x, "tasks": {"<name>": {"metric": "vqa", "score": x,
 * "n": n}, ...}} with the tasks in name order.
 */
char *score_result_json(const struct score_result *r);

/* ---- metrics, exported for tests and for other scorers ---- */

/*
 * Python's str.strip() on s[0..*n): returns the new start and sets *n.
 * Whitespace is what str.isspace() takes (category Zs or bidirectional
 * class WS, B or S: ASCII \t\n\v\f\r, 0x1c-0x1f and space, U+0085,
 * U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
 * U+3000); a byte that is not part of valid UTF-8 is none.
 */
const char *score_strip(const char *s, size_t *n);

/*
 * 1 if pred (plen bytes) is right for the answer ans (alen bytes) under
 * metric m, 0 if wrong, -1 if the answer itself is unusable (choice: no
 * option letter in it).  Both are taken as they are: stop strings are
 * run_llava_eval's to strip before it writes the output (for
 * llava_llama_2 it strips "<s>" at the end, the template's sep; "</s>",
 * the end-of-sequence token, never reaches the text, as batch_decode()
 * skips special tokens), so a "</s>" or "<s>" that is in the file is
 * scored as text.
 */
int score_match(enum score_metric m, const char *pred, size_t plen,
    const char *ans, size_t alen);

/*
 * EvalAIAnswerProcessor()(s) on s[0..len): the four steps below, in
 * order.  Returns a malloc'd NUL-terminated string for the caller to
 * free, with its length in *outlen if outlen is not NULL (a NUL of s is
 * an ordinary character, as in Python, so the result can hold one too).
 *
 * The text is taken as Python's str of the UTF-8 bytes, with Python 3's
 * semantics: lower() is the full Unicode lowercase mapping ("CAF\u00c9"
 * -> "caf\u00e9", U+0130 -> "i\u0307", U+03A3 -> final sigma U+03C2 by
 * Unicode's Final_Sigma rule, else U+03C3), "\d" is any decimal digit
 * (category Nd: "\u0665", "\uff15"), whitespace is as at score_strip().
 * Character data is utf8proc's (Unicode 15.0 in Debian 12; Debian 12's
 * Python 3.11 has 14.0, so the characters new in 15.0, such as the Kawi
 * and Nag Mundari digits, are letters, digits or marks here and
 * unassigned there).  Bytes that are not valid UTF-8 (which the result
 * reader refuses before any scoring) are each one character that is no
 * letter, digit or space, and come out unchanged: Python's result on
 * s.decode("utf-8", "surrogateescape"), encoded back the same way.
 */
char *score_vqa_normalize(const char *s, size_t len, size_t *outlen);

/*
 * The steps, each on s[0..len) and returning what score_vqa_normalize()
 * does:
 * tokenize     lower(); remove every ',' and '?'; "'s" -> " 's"; strip.
 * whitespace   '\n' and '\t' -> ' '; strip.
 * punctuation  for each of ; / [ ] " { } ( ) = + \ _ - > < @ ` , ? !
 *              every occurrence is removed if the text (as it came in)
 *              holds that mark followed by a space or preceded by a
 *              space (U+0020 only), or holds a digit, one or more commas
 *              and a digit; otherwise each occurrence becomes a space.
 *              Then a '.' not followed by a digit is removed (only the
 *              first 32 such periods: the Python passes re.UNICODE, 32,
 *              as sub()'s count argument).
 * digit_article  lower(), split on whitespace, map "none" and
 *              "zero".."ten" to digits, drop "a", "an" and "the", map
 *              contractions written without their apostrophe ("dont" ->
 *              "don't", per the processor's table), join with one space.
 */
char *score_vqa_tokenize(const char *s, size_t len, size_t *outlen);
char *score_vqa_whitespace(const char *s, size_t len, size_t *outlen);
char *score_vqa_punctuation(const char *s, size_t len, size_t *outlen);
char *score_vqa_digit_article(const char *s, size_t len, size_t *outlen);

/*
 * The option letter in s (len bytes) as LLaVA's eval_science_qa.py reads
 * it, with options A-Z (upper case only): s trimmed of whitespace is one
 * letter; or s starts with a letter, a '.' and a space ("B. cat"); or s
 * holds exactly one match of the regular expression
 * "The answer is ([A-Z])." - note the unescaped '.': the letter must be
 * followed by one more character (any but a newline), so "The answer is
 * B." and "The answer is B," both count, "The answer is B" at the very
 * end does not.  Returns the letter, or 0 if none.
 */
int score_choice_extract(const char *s, size_t len);

#endif
