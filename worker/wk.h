/*
 * wk: the worker itself.  One libuv loop: claims a job when idle (backing
 * off while the queue is empty or the server unreachable), runs it (see
 * job.h), and on start delivers the results an earlier run left pending
 * under work_dir/pending/.  SIGTERM / SIGINT: the running job's stage is
 * stopped and the job handed back, then the worker exits; a second signal
 * kills the stage at once.  Old attempt directories are swept after
 * worker.keep_failed seconds.
 */
#ifndef DO_WK_H
#define DO_WK_H

#include <stddef.h>
#include <uv.h>

struct wk;
struct wkcfg;

#define WK_VERSION "0.1"

/*
 * A worker on loop with configuration cfg (taken over, freed by
 * wk_free(), even on failure); self_exe is this program (the stage shim,
 * see shim.h), bin_dir its directory.  Opens the pool index and the validation
 * set, checks the command templates.  Returns NULL with a message in err.
 */
struct wk *wk_new(uv_loop_t *loop, struct wkcfg *cfg, const char *self_exe,
    const char *bin_dir, char *err, size_t errlen);

/* Start working; the loop runs until the worker has stopped. */
void wk_start(struct wk *w);

/* 1 if the worker stopped for an error (the Slurm probe failed). */
int wk_failed(const struct wk *w);

/* Free a stopped worker (after the loop returned).  NULL is ignored. */
void wk_free(struct wk *w);

#endif
