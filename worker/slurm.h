/*
 * slurm: a stage command run as a Slurm batch job, followed from the
 * worker's loop without blocking it.
 *
 * slurm_start() writes the batch script <dir>/<tag>.sbatch (the [slurm]
 * section's #SBATCH options, the stage's own after them, --time from the
 * time limit, the job name, the output appended to the stage log,
 * --no-requeue so that a node failure ends the attempt instead of
 * restarting the job behind the worker's back), submits it with `sbatch
 * --parsable`, keeps the Slurm job ID in <dir>/<tag>.slurm-id (an
 * adopting worker reads it back, see slurm_spec.adopt), and then asks
 * `scontrol show job -o ID` every poll_ms.  Every Slurm command runs
 * through subproc.h; the files are written and read on the thread pool.
 * The script's last lines record the command's exit status in
 * <dir>/<tag>.exit, which decides a finished job's result, so nothing
 * depends on Slurm's accounting; the directory must therefore be on
 * storage that the compute nodes share.
 *
 * While the job waits, slurm_note() says why ("waiting in Slurm:
 * Resources"); while it runs, where ("Slurm job 12 on gpu07").  The time
 * limit counts from the job's start, not from its submission (a job may
 * wait for hours), and from Slurm's RunTime for an adopted job.
 */
#ifndef DO_SLURM_H
#define DO_SLURM_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "buf.h"

struct slurm_run;

/* What every batch job gets, borrowed (the [slurm] section).  Strings are
 * "" when unset; each is one token without blanks (wkcfg checks). */
struct slurm_opts {
	const char *bin_dir;	/* sbatch, scontrol, scancel; "": PATH */
	const char *partition, *account, *qos;
	const char *gpus, *gres, *constraint, *mem;
	int64_t cpus_per_task;	/* 0: unset */
	const char *extra;	/* more options, ';'-separated */
	uint64_t poll_ms;	/* scontrol every poll_ms */
	uint64_t cmd_timeout_ms;	/* each sbatch, scontrol, scancel */
};

struct slurm_spec {
	const char *name;	/* --job-name */
	const char *dir;	/* --chdir, and where the files go */
	const char *tag;	/* <dir>/<tag>.sbatch, .slurm-id, .exit */
	const char *output;	/* --output (appended) */
	char *const *argv;	/* the command */
	char *const *env;	/* sbatch's environment, exported to the
				   job; borrowed for the run's life (NULL:
				   the worker's) */
	const char *extra;	/* the stage's own options (';'-separated,
				   after the common ones: Slurm takes the
				   last of a repeated option) */
	int minimal;		/* 1: only partition, account and qos of
				   the common options (the probe) */
	uint64_t timeout_ms;	/* the time limit; 0: none */
	const char *adopt;	/* follow this Slurm job (an earlier run's)
				   instead of submitting; NULL: submit */
};

enum slurm_how {
	SLURM_EXITED = 0,	/* the command ran and exited: status */
	SLURM_TIMEOUT,		/* ran past its time limit (ours or
				   Slurm's --time) and was stopped */
	SLURM_STOPPED,		/* slurm_stop(): cancelled */
	SLURM_ENDED		/* Slurm ended it (node failure,
				   preemption, ...), or it could not be
				   submitted or followed: why says so */
};

struct slurm_end {
	enum slurm_how how;
	int64_t status;		/* SLURM_EXITED: the exit status */
	const char *why;	/* SLURM_ENDED: what happened, readable */
	int requeue;		/* SLURM_ENDED: the cluster's fault (a node
				   failed, preemption): another attempt may
				   do */
	const char *job_id;	/* Slurm's ID, "" if none */
};

/* Called once, when the job is over (for a stop: when Slurm reports it
 * gone); the run is freed after it returns. */
typedef void slurm_cb(void *arg, const struct slurm_end *e);

/*
 * Submit (or adopt) and follow sp's job; the strings of o and sp are
 * copied, except sp->env.  Never NULL: a failure comes through cb, never
 * from inside this call.
 */
struct slurm_run *slurm_start(uv_loop_t *loop, const struct slurm_opts *o,
    const struct slurm_spec *sp, slurm_cb *cb, void *arg);

/* Cancel the job (scancel, also when it is still being submitted), then
 * wait until Slurm reports it over; cb comes with SLURM_STOPPED. */
void slurm_stop(struct slurm_run *r);

/* Where the job is, for the heartbeat: "waiting in Slurm: REASON",
 * "Slurm job ID on NODES", or NULL before it is submitted. */
const char *slurm_note(const struct slurm_run *r);

/* ---- the pure parts, for the tests ---- */

/* The batch script of sp under o into out.  0, or -1 with a message
 * (an option that holds a line break or does not start with '-'). */
int slurm_script(const struct slurm_opts *o, const struct slurm_spec *sp,
    struct buf *out, char *err, size_t errlen);

/* Check a ';'-separated option list (slurm_opts.extra): 0, or -1 with a
 * message. */
int slurm_extra_check(const char *list, char *err, size_t errlen);

/* What a JobState means. */
enum slurm_class {
	SLURM_C_WAITING = 0,	/* PENDING, CONFIGURING, REQUEUED, ... */
	SLURM_C_RUNNING,	/* RUNNING, COMPLETING, SUSPENDED, ... */
	SLURM_C_FINISHED,	/* COMPLETED, FAILED: the exit file says */
	SLURM_C_TIMEOUT,	/* TIMEOUT, DEADLINE */
	SLURM_C_CANCELLED,
	SLURM_C_FAULT		/* NODE_FAIL, PREEMPTED, OUT_OF_MEMORY,
				   BOOT_FAIL, or a state we do not know */
};
enum slurm_class slurm_classify(const char *state);

/* Field name of one `scontrol show job -o` line into out (outlen bytes):
 * 0, or -1 if the line has no such field. */
int slurm_field(const char *line, const char *name, char *out,
    size_t outlen);

/* Slurm's [D-][HH:]MM:SS as seconds, or -1. */
int64_t slurm_duration(const char *s);

#endif
