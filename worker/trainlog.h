/*
 * trainlog: the train stage's output as LLaVA's Hugging Face Trainer
 * writes it, read piece by piece as it grows: the progress and the loss
 * series.  Pure functions on memory: no I/O, no locks (one caller at a
 * time).
 *
 * The output is cut into pieces at '\r' and '\n' (tqdm redraws its bar
 * after a '\r'; a piece may arrive split over several feeds).  Of the
 * pieces it knows two:
 *  - tqdm's bar, "  3%|▎         | 20/625 [00:41<20:32,  2.04s/it]": the
 *    step and the number of steps;
 *  - the Trainer's per-step log, a Python dict repr such as "{'loss':
 *    1.2345, 'learning_rate': 2e-05, 'epoch': 0.01}", where the loss may
 *    be nan or inf.  The n-th of them is step n (the competition trains
 *    with logging_steps 1); dicts without 'loss' ('train_loss' at the end,
 *    'eval_loss') are not steps.
 * Everything else is ignored, and so is a piece longer than
 * TRAINLOG_PIECE bytes.
 *
 * The series is bounded: it keeps the first step and then every k-th,
 * k doubling whenever TRAINLOG_POINTS - 1 points are kept, plus the last
 * step, so the curve keeps its shape at any length.
 */
#ifndef DO_TRAINLOG_H
#define DO_TRAINLOG_H

#include <stddef.h>
#include <stdint.h>

#define TRAINLOG_POINTS 500	/* points trainlog_points() gives at most */
#define TRAINLOG_PIECE 4096	/* the longest piece read */

struct trainlog_point {
	uint64_t step;		/* 1, 2, ... */
	double loss;		/* may be NaN or infinite */
};

struct trainlog_state {
	uint64_t step, steps;	/* tqdm's last "step/steps" (0/0: none) */
	uint64_t losses;	/* steps with a loss so far */
	uint64_t bad_run;	/* the last steps whose loss was NaN or
				   infinite, in a row */
	uint64_t bad_from;	/* the first step of that run */
	int stop;		/* 1 once a run reached nan_steps (sticky) */
};

struct trainlog;

/* A reader that stops (trainlog_state().stop) after nan_steps non-finite
 * losses in a row; 0: never.  Never NULL; free with trainlog_free(). */
struct trainlog *trainlog_new(uint64_t nan_steps);

/* Free t.  NULL is ignored. */
void trainlog_free(struct trainlog *t);

/* Read the n next bytes of the output. */
void trainlog_feed(struct trainlog *t, const char *buf, size_t n);

/* What was read so far into *st. */
void trainlog_state(const struct trainlog *t, struct trainlog_state *st);

/*
 * The loss series so far into out (room for TRAINLOG_POINTS), in step
 * order, the first and the last step included.  Returns the count.
 */
size_t trainlog_points(const struct trainlog *t,
    struct trainlog_point *out);

#endif
