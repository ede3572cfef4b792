/* Unit tests: the train stage's output as the Hugging Face Trainer writes
 * it (tqdm's '\r' redraws, the per-step log dicts), read in pieces of any
 * size: progress, the bounded loss series, the NaN stop. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trainlog.h"
#include "tests.h"

/*
 * Recorded from the shape of a LLaVA fine-tuning run (train_mem.py under
 * deepspeed, rank 0): tqdm's bar on stderr redrawn after '\r', and, on
 * stdout, tqdm.write() of each step's log dict (the bar cleared with '\r'
 * and blanks first, redrawn after); the run's summary dict at the end.
 */
static const char RECORDED[] =
    "[2024-03-02 10:01:12,004] [INFO] [real_accelerator.py:161:get_accelerator] Setting ds_accelerator to cuda (auto detect)\n"
    "Formatting inputs...Skip in lazy mode\n"
    "\r  0%|          | 0/625 [00:00<?, ?it/s]"
    "\r  0%|          | 1/625 [00:05<53:10,  5.11s/it]"
    "\r                                                  \r"
    "{'loss': 1.9512, 'learning_rate': 1.0526315789473685e-06, 'epoch': 0.0}\n"
    "\r  0%|          | 1/625 [00:05<53:10,  5.11s/it]"
    "\r  0%|          | 2/625 [00:07<38:02,  3.66s/it]"
    "\r                                                  \r"
    "{'loss': 1.8873, 'learning_rate': 2.105263157894737e-06, 'epoch': 0.0}\n"
    "\r  0%|          | 2/625 [00:07<38:02,  3.66s/it]"
    "\r  0%|          | 3/625 [00:09<30:41,  2.96s/it]"
    "\r                                                  \r"
    "{'loss': 1.9021, 'grad_norm': 3.1416, 'learning_rate': 3.157894736842105e-06, 'epoch': 0.0}\n"
    "\r  0%|          | 3/625 [00:09<30:41,  2.96s/it]"
    "\r  1%|          | 4/625 [00:11<27:12,  2.63s/it]"
    "\r                                                  \r"
    "{'loss': 1.7634, 'learning_rate': 4.210526315789474e-06, 'epoch': 0.01}\n"
    "\r  1%|          | 4/625 [00:11<27:12,  2.63s/it]"
    "\r  1%|          | 5/625 [00:13<25:11,  2.44s/it]"
    "\r                                                  \r"
    "{'loss': nan, 'learning_rate': 5.263157894736842e-06, 'epoch': 0.01}\n"
    "\r  1%|          | 5/625 [00:13<25:11,  2.44s/it]"
    "WARNING: tokenization mismatch: 212 vs. 214. (ignored)\n"
    "\r  1%|          | 6/625 [00:15<24:08,  2.34s/it]"
    "\r                                                  \r"
    "{'loss': 1.6502, 'learning_rate': 6.315789473684211e-06, 'epoch': 0.01}\n"
    "\r  1%|          | 6/625 [00:15<24:08,  2.34s/it]"
    "\r  3%|\xe2\x96\x8e         | 20/625 [00:41<20:32,  2.04s/it]"
    "\r                                                  \r"
    "{'loss': 1.2345, 'learning_rate': 2e-05, 'epoch': 0.03}\n"
    "\r  3%|\xe2\x96\x8e         | 20/625 [00:41<20:32,  2.04s/it]"
    "{'eval_loss': 1.1, 'eval_runtime': 3.2, 'epoch': 0.03}\n"
    "\r100%|\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88| 625/625 [21:14<00:00,  2.04s/it]"
    "\r                                                  \r"
    "{'train_runtime': 1274.5, 'train_samples_per_second': 7.846, 'train_steps_per_second': 0.49, 'train_loss': 1.4113, 'epoch': 1.0}\n"
    "\r100%|\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88| 625/625 [21:14<00:00,  2.04s/it]\n";

static const double RECORDED_LOSS[] = { 1.9512, 1.8873, 1.9021, 1.7634, NAN,
    1.6502, 1.2345 };
#define NREC (sizeof(RECORDED_LOSS) / sizeof(RECORDED_LOSS[0]))

static struct trainlog_point g_pts[TRAINLOG_POINTS];

static void
feed(struct trainlog *t, const char *s)
{
	trainlog_feed(t, s, strlen(s));
}

static void
check_recorded(struct trainlog *t)
{
	struct trainlog_state st;
	size_t i, n;

	trainlog_state(t, &st);
	assert_int_equal(st.step, 625);
	assert_int_equal(st.steps, 625);
	assert_int_equal(st.losses, NREC);
	assert_int_equal(st.bad_run, 0);
	assert_int_equal(st.bad_from, 5);
	assert_int_equal(st.stop, 0);
	n = trainlog_points(t, g_pts);
	assert_int_equal(n, NREC);
	for (i = 0; i < n; i++) {
		assert_int_equal(g_pts[i].step, i + 1);
		if (isnan(RECORDED_LOSS[i]))
			assert_true(isnan(g_pts[i].loss));
		else
			assert_true(g_pts[i].loss == RECORDED_LOSS[i]);
	}
}

void
test_recorded_whole(void **state)
{
	struct trainlog *t = trainlog_new(20);

	(void)state;
	trainlog_feed(t, RECORDED, sizeof(RECORDED) - 1);
	check_recorded(t);
	trainlog_free(t);
}

/* The same text cut anywhere: at every byte, and into reads of 1 to 97
 * bytes (lines, '\r' redraws and UTF-8 bar characters split). */
void
test_recorded_split(void **state)
{
	size_t len = sizeof(RECORDED) - 1, cut, i, step;

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		struct trainlog *t = trainlog_new(20);

		trainlog_feed(t, RECORDED, cut);
		trainlog_feed(t, RECORDED + cut, len - cut);
		check_recorded(t);
		trainlog_free(t);
	}
	for (step = 1; step < 98; step += 8) {
		struct trainlog *t = trainlog_new(20);

		for (i = 0; i < len; i += step)
			trainlog_feed(t, RECORDED + i, len - i < step ? len - i :
			    step);
		check_recorded(t);
		trainlog_free(t);
	}
}

/* Progress as the bar says it, before any loss. */
void
test_bar_progress(void **state)
{
	struct trainlog *t = trainlog_new(20);
	struct trainlog_state st;

	(void)state;
	feed(t, "\r  3%|\xe2\x96\x8e         | 20/625 [00:41<20:32,  "
	    "2.04s/it]");
	trainlog_state(t, &st);
	/* the piece is not over until a '\r' or '\n' */
	assert_int_equal(st.steps, 0);
	feed(t, "\r");
	trainlog_state(t, &st);
	assert_int_equal(st.step, 20);
	assert_int_equal(st.steps, 625);
	assert_int_equal(st.losses, 0);
	assert_int_equal(trainlog_points(t, g_pts), 0);
	/* not bars: no total, a count past it, a word */
	feed(t, "\r20it [00:41,  2.04s/it]\r 50%|##  | 700/625 [0:1]"
	    "\r 50%|##  | x/625 [0:1]\n");
	trainlog_state(t, &st);
	assert_int_equal(st.step, 20);
	trainlog_free(t);
}

/* Dicts that are not a training step, and text that only looks like
 * one. */
void
test_not_steps(void **state)
{
	static const char text[] =
	    "{'train_loss': 1.41, 'epoch': 1.0}\n"
	    "{'eval_loss': 0.9, 'epoch': 1.0}\n"
	    "loss: 1.5\n"
	    "{'loss': 'high'}\n"
	    "{'loss': }\n"
	    "{\"loss\": 1.5}\n"
	    "  {'loss': 2.5, 'epoch': 0.5}\n";
	struct trainlog *t = trainlog_new(20);
	struct trainlog_state st;
	size_t n;
	char *big;

	(void)state;
	trainlog_feed(t, text, sizeof(text) - 1);
	trainlog_state(t, &st);
	assert_int_equal(st.losses, 1);
	n = trainlog_points(t, g_pts);
	assert_int_equal(n, 1);
	assert_true(g_pts[0].loss == 2.5);
	/* a piece longer than TRAINLOG_PIECE is skipped whole */
	big = calloc(1, TRAINLOG_PIECE + 64);
	memcpy(big, "{'loss': 3.5, 'x': '", 20);
	memset(big + 20, 'x', TRAINLOG_PIECE);
	memcpy(big + 20 + TRAINLOG_PIECE, "'}\n{'loss': 4.5}\n", 17);
	trainlog_feed(t, big, 20 + TRAINLOG_PIECE + 17);
	free(big);
	n = trainlog_points(t, g_pts);
	assert_int_equal(n, 2);
	assert_true(g_pts[1].loss == 4.5 && g_pts[1].step == 2);
	trainlog_free(t);
}

static double
curve(uint64_t s)
{
	return 2.0 / (1.0 + (double)s / 1000.0);
}

static void
feed_steps(struct trainlog *t, uint64_t from, uint64_t to)
{
	char line[96];
	uint64_t s;
	int n;

	for (s = from; s <= to; s++) {
		n = snprintf(line, sizeof(line), "{'loss': %.17g, "
		    "'learning_rate': 2e-05, 'epoch': 0.01}\n", curve(s));
		trainlog_feed(t, line, (size_t)n);
	}
}

/* At most TRAINLOG_POINTS points at any length: the first step, every
 * k-th, the last; each a real step's loss. */
void
test_downsampled(void **state)
{
	static const uint64_t lens[] = { 498, 499, 500, 501, 998, 999, 1000,
	    4321, 100000 };
	size_t i, j, n;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct trainlog *t = trainlog_new(20);
		uint64_t gap = 0;

		feed_steps(t, 1, lens[i]);
		n = trainlog_points(t, g_pts);
		assert_true(n <= TRAINLOG_POINTS);
		assert_true(n >= TRAINLOG_POINTS / 2 || n == lens[i]);
		assert_int_equal(g_pts[0].step, 1);
		assert_int_equal(g_pts[n - 1].step, lens[i]);
		for (j = 0; j < n; j++) {
			assert_true(g_pts[j].loss == curve(g_pts[j].step));
			if (j > 0 && j < n - 1) {
				assert_true(g_pts[j].step > g_pts[j - 1].step);
				/* evenly spaced but for the last */
				if (gap == 0)
					gap = g_pts[j].step - g_pts[j - 1].step;
				assert_int_equal(g_pts[j].step -
				    g_pts[j - 1].step, gap);
			}
		}
		trainlog_free(t);
	}
}

/* nan_steps non-finite losses in a row stop the run; fewer do not. */
void
test_nan_stop(void **state)
{
	struct trainlog *t = trainlog_new(20);
	struct trainlog_state st;
	int i;

	(void)state;
	feed_steps(t, 1, 10);
	for (i = 0; i < 19; i++)
		feed(t, i % 3 ? "{'loss': nan, 'epoch': 0.1}\n" :
		    "{'loss': inf, 'epoch': 0.1}\n");
	trainlog_state(t, &st);
	assert_int_equal(st.bad_run, 19);
	assert_int_equal(st.bad_from, 11);
	assert_int_equal(st.stop, 0);
	feed(t, "{'loss': 0.5}\n");
	trainlog_state(t, &st);
	assert_int_equal(st.bad_run, 0);
	assert_int_equal(st.stop, 0);
	for (i = 0; i < 20; i++)
		feed(t, i % 2 ? "{'loss': -inf}\n" : "{'loss': nan}\n");
	trainlog_state(t, &st);
	assert_int_equal(st.bad_run, 20);
	assert_int_equal(st.bad_from, 31);
	assert_int_equal(st.stop, 1);
	/* sticky */
	feed(t, "{'loss': 0.5}\n");
	trainlog_state(t, &st);
	assert_int_equal(st.stop, 1);
	trainlog_free(t);

	/* nan_steps 0: never */
	t = trainlog_new(0);
	for (i = 0; i < 100; i++)
		feed(t, "{'loss': nan}\n");
	trainlog_state(t, &st);
	assert_int_equal(st.bad_run, 100);
	assert_int_equal(st.stop, 0);
	trainlog_free(t);
}
