/*
 * job: one claimed attempt of a job, from the claim to the delivered
 * result, driven on the worker's libuv loop.
 *
 * Stages: materialize (download the submission; standard: look its IDs
 * up in the worker's pool index and write LLaVA's training file; BYOD:
 * the upload is the training file), preflight (the training file parses,
 * holds the submission's samples, and every image it names is usable
 * under worker.image_folder, see preflight.h: else the attempt fails in
 * seconds, fault system, naming the first unusable images), train and
 * evaluate (the configured command templates, see stage.h and tmpl.h;
 * each must exit 0 and leave its required files), score (the result files
 * against the validation set, see score.h).  Blocking steps (directory
 * set-up, materializing, the preflight's reads, file checks, scoring,
 * saving the result) run on the thread pool.
 *
 * The download must be the size_bytes and sha256 the claim announces
 * (hashed as it streams): it is stopped as soon as more arrive, and any
 * mismatch fails the attempt (fault system) before a stage runs.  A
 * claim without them (an older server) is downloaded unchecked.
 *
 * While it runs, a heartbeat every lease/3 seconds (or worker.heartbeat)
 * extends the lease and carries the stage, the progress and the new
 * lines of the stage log; an answer "cancelled", or a 409/404 (the lease
 * was lost), stops the stage and drops the attempt.  The result is saved
 * under work_dir/pending/ before it is sent and is retried with backoff
 * until the server answers; a refusal (409: stale attempt or cancelled)
 * drops it.  The attempt's directory work_dir/jobs/<job>-<attempt>/ is
 * removed after a delivered success and kept (marked FAILED, with its
 * log) otherwise.
 */
#ifndef DO_JOB_H
#define DO_JOB_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "score.h"
#include "wkhttp.h"

struct job;
struct pool;
struct wkcfg;

/* What every job of a worker shares; borrowed, must outlive the jobs. */
struct job_env {
	uv_loop_t *loop;
	const struct wkcfg *cfg;
	struct wkhttp *http;
	const struct pool *pool;	/* NULL: no standard submissions */
	const struct score_val *val;
	const struct score_map *map;	/* scorer metric overrides */
	size_t nmap;
	const char *bin_dir;		/* {bin_dir}: the worker's directory */
	const char *self_exe;		/* the worker, as the stage shim */
	char *const *environ;		/* stage environment base ("K=V") */
};

enum job_outcome {
	JOB_DELIVERED = 0,	/* the server took the result */
	JOB_REFUSED,		/* the server refused it (stale, cancelled) */
	JOB_DROPPED,		/* cancelled or lease lost before a result */
	JOB_RELEASED,		/* handed back (worker stopping) */
	JOB_LEFT_PENDING	/* the worker stopped before delivering: the
				   result waits on disk for the next start */
};

/*
 * Called once when the job is over; the job is freed right after it
 * returns.
 */
typedef void job_done_cb(void *arg, enum job_outcome outcome);

/*
 * Start the claimed job described by claim (the "job" object of the
 * claim answer; borrowed).  Returns the job, or NULL with a message in
 * err (a claim the worker cannot read: nothing was started).
 */
struct job *job_start(const struct job_env *env, json_t *claim,
    job_done_cb *cb, void *arg, char *err, size_t errlen);

/*
 * Deliver a result left in pending_path by an earlier run (copied).
 * Never NULL.
 */
struct job *job_deliver(const struct job_env *env, const char *pending_path,
    job_done_cb *cb, void *arg);

/*
 * The worker is stopping: stop the running stage (SIGTERM to its group,
 * SIGKILL after worker.kill_grace) and hand the attempt back to the
 * server at once; a result not yet delivered stays on disk.  Calling it
 * again sends SIGKILL at once.
 */
void job_shutdown(struct job *j);

/*
 * What an earlier run of the worker left of an attempt whose stage runs
 * as a Slurm batch job: its directory, the claim it was started with,
 * the stage and the Slurm job ID, and the log bytes the heartbeats sent.
 */
struct job_adoptee {
	char dir[PATH_MAX];
	json_t *claim;			/* owned */
	char stage[16];			/* train | evaluate */
	char slurm_id[32];
	int64_t log_sent;
};

/*
 * Thread pool only (it reads files): 1 with *a filled in if the attempt
 * directory dir can be adopted (its claim is there, a stage's Slurm job
 * ID, no FAILED marker, no result waiting in pending), else 0.
 */
int job_adoptable(const char *work_dir, const char *dir,
    struct job_adoptee *a);

/*
 * Adopt what a describes (a->claim is taken over): one heartbeat asks the
 * server whether the attempt is still current; then the Slurm job is
 * followed to its end and the pipeline goes on as if the worker had never
 * stopped, or, when the attempt is stale or cancelled, the Slurm job is
 * cancelled.  Returns the job, or NULL with a message in err.
 */
struct job *job_adopt(const struct job_env *env, struct job_adoptee *a,
    job_done_cb *cb, void *arg, char *err, size_t errlen);

/* The job's ID (for log lines). */
const char *job_id(const struct job *j);

/*
 * Hand attempt of job id (at most 100 bytes, borrowed) back to the server:
 * POST /api/v1/worker/jobs/<id>/release {"attempt", "reason", "stop"}
 * through http (reason: "worker stopping" when the worker stops; stop:
 * why the worker stopped the attempt for a retry, "nan_loss", or NULL);
 * only the answer's status matters.  Returns the request, or NULL if it
 * could not be started (cb is then never called).
 */
struct wkhttp_req *job_release(struct wkhttp *http, const char *id,
    int64_t attempt, const char *reason, const char *stop, wkhttp_cb *cb,
    void *arg);

#endif
