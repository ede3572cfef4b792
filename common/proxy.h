/*
 * proxy: the built-in proxy backend, a small real model that makes the
 * train -> evaluate -> score pipeline run on any machine without a GPU.
 * Its scores are labelled proxy (config.json says "backend": "proxy").
 *
 * The model is BM25 retrieval.  Training streams a LLaVA training file (a
 * JSON array of {"id", "image", "conversations": [{"from", "value"}...]}
 * items) and makes one document per human turn: its text, cleaned of the
 * "<image>" token and of the prompt templates' boilerplate (see proxy_tok.c),
 * tokenized into lowercase words (runs of ASCII letters and digits and
 * of non-ASCII bytes; at most PROXY_MAX_TERM bytes kept), paired with the
 * gpt turn that follows it (consecutive human turns form one document).
 * Scoring is Okapi BM25 with k1 = 1.2, b = 0.75 and the non-negative idf
 * ln(1 + (N - df + 0.5) / (df + 0.5)), summed over the query's words
 * (a repeated word counts each time).  Evaluation answers each validation
 * question with the gpt answer of its best document (ties: the lowest
 * document number, i.e. the earliest in the training file; no document
 * sharing a word: the empty answer), newlines turned into spaces and
 * surrounding whitespace stripped, as run_llava_eval.py does with a
 * model's output.  Everything is deterministic: the same training file
 * gives byte-identical model files and result files.
 *
 * Model directory: proxy_model.bin (the inverted index: sorted terms,
 * postings of (document, precomputed BM25 weight) and the answers, with an
 * xxh3-64 checksum), config.json and trainer_state.json.  Each is written
 * atomically; trainer_state.json is removed first and written last, so its
 * presence means a complete model (the same check as for LLaVA training).
 */
#ifndef DO_PROXY_H
#define DO_PROXY_H

#include <stddef.h>
#include <stdint.h>

#define PROXY_MODEL_FILE "proxy_model.bin"
#define PROXY_MAX_TERM 64		/* bytes kept of a word */
#define PROXY_MAX_STRING (1u << 20)	/* bytes kept of a turn's text */

struct proxy_stats {
	uint64_t samples;	/* items read */
	uint64_t documents;	/* human turns indexed (with a word) */
	uint64_t distinct;	/* documents stored: one per distinct bag of
				   words (a later copy can never be chosen) */
	uint64_t terms;		/* distinct words */
	uint64_t postings;	/* (word, document) pairs */
};

/*
 * Train on the LLaVA training file data_json and write the model into
 * model_dir (created if missing; its parent must exist).  Memory grows
 * with the training file's text, not with anything else.  Fills *st if
 * not NULL.  Returns 0, or -1 with a message in err (a malformed file is
 * reported with its byte offset).
 */
int proxy_train(const char *data_json, const char *model_dir,
    struct proxy_stats *st, char *err, size_t errlen);

struct proxy_model;

/*
 * Load a model directory written by proxy_train() (checks config.json's
 * backend and the model file's checksum).  Returns the model (free with
 * proxy_model_free()) or NULL with a message in err.
 */
struct proxy_model *proxy_model_load(const char *model_dir, char *err,
    size_t errlen);

/* Free a model.  NULL is ignored. */
void proxy_model_free(struct proxy_model *m);

/*
 * The model's answer to question (len bytes): the output text (not
 * NUL-terminated; *outlen set; owned by m, valid until
 * proxy_model_free()), with *doc (if not NULL) set to the chosen stored
 * document's number (stored documents are numbered in training-file
 * order, copies left out) or -1 when none shares a word with the question
 * (the answer is then empty).  Not thread-safe: it uses m's scratch
 * space.
 */
const char *proxy_model_answer(struct proxy_model *m, const char *question,
    size_t len, int64_t *doc, size_t *outlen);

/*
 * The same answer found without pruning, by scoring every document: slow
 * (it reads the whole index for each question), for tests.
 */
const char *proxy_model_answer_exhaustive(struct proxy_model *m,
    const char *question, size_t len, int64_t *doc, size_t *outlen);

/*
 * Answer every question of the validation set val_json (see score.h) with
 * the model in model_dir and write result_dir/<task>.txt (result_dir is
 * created if missing) in run_llava_eval.py's format, one line per item in
 * validation order: {image_id}.jpg TAB question TAB answer TAB output.
 * Sets *answered (if not NULL) to the number of items.  Returns 0, or -1
 * with a message in err.
 */
int proxy_eval(const char *model_dir, const char *val_json,
    const char *result_dir, uint64_t *answered, char *err, size_t errlen);

#endif
