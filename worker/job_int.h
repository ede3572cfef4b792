/*
 * job_int: what the job module's files share (job.c: the start, the
 * phase table, the transitions and the end; job_beat.c: heartbeats;
 * job_result.c: the result and the hand-back).  Not for use outside
 * them.
 *
 * A job is always in exactly one phase, and what it has in flight is
 * job__pending(); the two together say what happens next.  Everything
 * runs on the loop thread except the job_w_* functions, which run on the
 * thread pool (job__queue()) and touch only the fields documented as
 * theirs.
 */
#ifndef DO_JOB_INT_H
#define DO_JOB_INT_H

#include <limits.h>
#include <stdint.h>
#include <uv.h>

#include "job.h"

struct preflight;
struct slurm_run;
struct trainlog;

/*
 * The phases, in pipeline order; job.c's table gives each one's stage
 * (as the server names it), its start and the phase that follows.
 */
enum job_phase {
	JOB_P_ADOPT = 0,	/* an earlier run's Slurm job (job_adopt()):
				   the files reopened, then one heartbeat
				   asks whether the attempt is current */
	JOB_P_PREPARE,		/* work: the directory and the files */
	JOB_P_DOWNLOAD,		/* http: the submission, retried */
	JOB_P_MATERIALIZE,	/* work: the training file */
	JOB_P_PREFLIGHT,	/* work: the training file and its images
				   checked (preflight.h) */
	JOB_P_TRAIN,		/* stage: the train command */
	JOB_P_TRAIN_CHECK,	/* work: its required files */
	JOB_P_EVAL,		/* stage: the evaluate command */
	JOB_P_EVAL_CHECK,	/* work: its required files */
	JOB_P_SCORE,		/* work: the scorer */
	/* from here on the result is known (job__has_result()) */
	JOB_P_LOAD,		/* work: the result an earlier run left */
	JOB_P_SAVE,		/* work: the pending result on disk */
	JOB_P_FINAL_WAIT,	/* a heartbeat is in flight; the last one
				   follows it */
	JOB_P_FINAL_BEAT,	/* the last heartbeat: the rest of the log */
	JOB_P_DELIVER,		/* http: the result, retried */
	/* the end */
	JOB_P_DRAINING,		/* over: waiting for what is in flight */
	JOB_P_CLEANUP,		/* work: the files, the directory */
	JOB_P_CLOSING		/* the timers close, then the job is freed */
};

/* The progress at the start of the train and of the evaluate phase: the
 * train output's step of steps maps into the span. */
#define JOB_TRAIN_P0 0.1
#define JOB_TRAIN_P1 0.8

/* Attempts handed back for a Slurm node failure or preemption before the
 * next one that ends so fails instead. */
#define JOB_SLURM_RETRIES 2

/* What a job has in flight (job__pending()). */
enum job_op {
	JOB_OP_WORK = 1 << 0,		/* work on the thread pool */
	JOB_OP_BEAT_READ = 1 << 1,	/* a heartbeat reading the log */
	JOB_OP_BEAT_SEND = 1 << 2,	/* a heartbeat request (hb_req) */
	JOB_OP_HTTP = 1 << 3,		/* download, result or hand-back */
	JOB_OP_STAGE = 1 << 4,		/* a stage command (proc, or sl: a
					   Slurm batch job) */
	JOB_OP_HB_TIMER = 1 << 5,	/* the heartbeat timer is open */
	JOB_OP_RETRY_TIMER = 1 << 6,	/* the retry timer is open */
	JOB_OP_PREFLIGHT = 1 << 7	/* preflight_run() is checking images */
};

#define JOB_OP_TIMERS (JOB_OP_HB_TIMER | JOB_OP_RETRY_TIMER)

/* Why a job is dropped before its result is delivered. */
enum job_abort {
	JOB_A_NONE = 0,
	JOB_A_CANCELLED,	/* the heartbeat said cancelled */
	JOB_A_LOST,		/* the lease is not ours any more (409/404) */
	JOB_A_SHUTDOWN,		/* the worker is stopping */
	JOB_A_RETRY		/* handed back for another attempt: the loss
				   was not finite (error says so) */
};

/* What the result says. */
enum job_verdict {
	JOB_SUCCEEDED = 0,
	JOB_FAILED		/* error says why */
};

struct job {
	const struct job_env *env;
	job_done_cb *cb;
	void *arg;
	/* the attempt */
	char id[72];
	int64_t attempt;
	int64_t lease_s;
	char kind[16];			/* standard | byod */
	char download[200];		/* API path of the submission */
	int64_t size_bytes;		/* its size as the claim says, or -1 */
	char sha256[65];		/* its SHA-256 (lowercase hex) as the
					   claim says, or "" */
	uint64_t n_samples;		/* its samples as the claim says, or 0 */
	/* files (set at start, read by the work functions) */
	char dir[PATH_MAX];		/* work_dir/jobs/<id>-<attempt> */
	char sub[PATH_MAX];		/* the downloaded submission */
	char data[PATH_MAX];		/* {data_json} */
	char out[PATH_MAX];		/* {output_dir} */
	char res[PATH_MAX];		/* {result_dir} */
	char logp[PATH_MAX];		/* the stage log */
	char pending[PATH_MAX];		/* work_dir/pending/
					   <id>-<attempt>.json */
	char **train_argv, **eval_argv;
	char **envp;			/* stage environment */
	char *claim;			/* the claim (JSON text), kept in the
					   directory for an adopting run */
	int sub_fd, log_fd;		/* -1 when closed */
	int64_t nan_before;		/* the claim's stops.nan_loss: earlier
					   attempts stopped for the loss */
	int64_t slurm_before;		/* stops.slurm_fault: earlier attempts
					   whose node failed or was taken */
	const char *retry_stop;		/* JOB_A_RETRY: why, for the server
					   ("nan_loss", "slurm_fault") */
	/* where it is */
	enum job_phase phase;
	enum job_abort abort;		/* set once, when it is dropped */
	const char *stage;		/* as the server names it */
	double progress;
	uint64_t t0;			/* uv_now() at the stage's start */
	/* in flight: ops, and the handles job__pending() looks at */
	unsigned ops;			/* JOB_OP_WORK, _BEAT_READ, _*_TIMER */
	uv_work_t work;
	void (*work_fn)(struct job *);
	void (*after_fn)(struct job *);
	struct stage *proc;		/* the stage command, or ... */
	struct slurm_run *sl;		/* ... its Slurm batch job */
	char adopt_id[32];		/* ADOPT: the Slurm job to follow */
	enum job_phase adopt_phase;	/* ADOPT: its stage's phase */
	struct wkhttp_req *http;	/* download, result or hand-back */
	uv_timer_t hb_timer;		/* heartbeats */
	uv_timer_t retry_timer;		/* download and result backoff */
	uv_work_t hb_work;		/* reads the new log bytes */
	struct wkhttp_req *hb_req;
	int64_t log_sent;		/* log bytes sent (hb work's) */
	char *hb_log;			/* new log text (hb work's output) */
	/* the work functions' outputs */
	int wrc;			/* 0 ok, -1 failed (werr says why) */
	char werr[4096];
	char *wscore;			/* score_result_json() text */
	uint64_t wsamples;
	struct preflight *pf;		/* PREFLIGHT's checks */
	uint64_t pf_t0;			/* util_now_ns() at its start */
	/* the train stage's output (trainlog.h), read by the heartbeats'
	   work and by TRAIN_CHECK's: under tl_lock */
	uv_mutex_t tl_lock;
	struct trainlog *tl;		/* NULL until PREFLIGHT passed */
	int64_t tl_read;		/* the log offset read up to */
	int tl_over;			/* the stage is over: read no more */
	json_t *hb_train;		/* hb work's: the heartbeat's "train" */
	int hb_nan;			/* hb work's: the loss says stop ... */
	char hb_nan_why[256];		/* ... and why */
	int wnan;			/* TRAIN_CHECK work's: the same ... */
	char nan_why[256];		/* ... and why; on the loop: why the
					   stage is being stopped */
	int nan_stopping;		/* the stage is stopped for the loss */
	/* the result */
	enum job_verdict verdict;
	int team_fault;			/* JOB_FAILED: the fault is the team's
					   (else the system's) */
	char error[4096];		/* JOB_FAILED: why; dropped: why */
	char *body;			/* the result to deliver (JSON text) */
	int64_t retry_ms;		/* the next backoff */
	int tries;			/* download retries */
	enum job_outcome outcome;
};

/* ---- job.c ---- */

/* One line on the worker's stderr about j. */
void job__say(const struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A line in the stage log (work functions only: it writes to disk). */
void job__wlog(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Run fn(j) on the thread pool, then after(j) on the loop (unless the
 * job is draining by then). */
void job__queue(struct job *j, void (*fn)(struct job *),
    void (*after)(struct job *));

/* What j has in flight: enum job_op bits. */
unsigned job__pending(const struct job *j);

/* 1 if j's phase is one where the result is known. */
int job__has_result(const struct job *j);

/* Go to phase: set the stage and the progress its table entry names and
 * start it. */
void job__enter(struct job *j, enum job_phase phase);

/* Go to the phase that follows j's in the table. */
void job__next(struct job *j);

/* The end of a work function: fail with werr, or go on. */
void job__advance(struct job *j);

/* The result is a failure (the message, printf-style): save and send it. */
void job__fail(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Drop j (nothing happens if it is already over): stop what runs, hand
 * it back if the worker stops before a result, then drain. */
void job__abort(struct job *j, enum job_abort why);

/* The job is over with outcome: stop the timers and the heartbeat, then
 * drain. */
void job__finish(struct job *j, enum job_outcome outcome);

/* For the completion of something in flight: if j is draining, go on
 * once nothing else is in flight and return 1; else return 0. */
int job__draining(struct job *j);

/* Start the retry timer with cb after retry_ms, and double retry_ms (up
 * to worker.retry_max_ms). */
void job__retry(struct job *j, uv_timer_cb cb);

/* 1 if s is a safe path component: [A-Za-z0-9_-], 1..64 bytes. */
int job__safe_name(const char *s);

/* The train stage's loss was not finite for worker.nan_steps steps
 * (why): stop the stage; its end hands the attempt back for a retry, or
 * fails it as the team's fault when an earlier attempt stopped so too. */
void job__nan_stop(struct job *j, const char *why);

/* ---- job_beat.c ---- */

/*
 * work (a heartbeat's or TRAIN_CHECK's): read the train stage's output
 * written since the last time into j->tl (at most JOB_TRAIN_READ bytes a
 * time: more is skipped); over: the stage has ended, nothing is read
 * after this.  Returns the heartbeat's "train" object {step, steps, loss:
 * [[step, loss | null], ...]} (a new reference), or NULL before the
 * stage; *stop: 1, with why (whylen bytes), if the loss was NaN or
 * infinite for worker.nan_steps steps in a row.
 */
json_t *job__train_read(struct job *j, int over, int *stop, char *why,
    size_t whylen);

/* Start the heartbeats: every worker.heartbeat seconds, or lease/3. */
void job__beat_start(struct job *j);

/* ADOPT: a heartbeat now; its answer decides (the attempt is current:
 * the adopted stage's phase; else the job is dropped). */
void job__beat_now(struct job *j);

/* 1 if j's stage in the current phase runs as a Slurm batch job. */
int job__on_slurm(const struct job *j);

/* FINAL_WAIT: wait for a heartbeat in flight, if any, then FINAL_BEAT. */
void job__beat_wait(struct job *j);

/* FINAL_BEAT: the last heartbeat, then DELIVER. */
void job__beat_last(struct job *j);

/*
 * What the team sees of the worker's paths in s (changed in place): the
 * paths under the job's directory relative to it, the worker's own
 * directories by name only.
 */
void job__scrub(const struct job *j, char *s);

/* ---- job_result.c ---- */

/* SAVE: the result body from verdict / error or wscore, saved to disk. */
void job__result_save(struct job *j);

/* DELIVER: send the result until the server answers. */
void job__result_post(struct job *j);

/* LOAD: read the result an earlier run left at j->pending. */
void job__result_load(struct job *j);

/* Hand the attempt back to the server (the worker stops, or
 * JOB_A_RETRY). */
void job__hand_back(struct job *j);

#endif
