/*
 * subproc: a short program (sbatch, scontrol, scancel) run from the
 * loop, never blocking it: uv_spawn, its stdout and stderr collected
 * through pipes (the first SUBPROC_MAX bytes of each; more is read and
 * dropped), and a time limit after which it is killed.
 */
#ifndef DO_SUBPROC_H
#define DO_SUBPROC_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define SUBPROC_MAX 65536

struct subproc;

/* What came of it.  err: NULL if the program ran to its end by itself
 * (then status / term_signal say how), else why not ("timed out after N
 * ms"); out and errout: what it wrote, NUL-terminated (borrowed for the
 * call). */
struct subproc_res {
	int64_t status;
	int term_signal;
	const char *err;
	const char *out;
	size_t out_len;
	const char *errout;
};

/* Called once, when the program has exited and its pipes are drained;
 * the subproc is freed after it returns. */
typedef void subproc_cb(void *arg, const struct subproc_res *r);

/*
 * Run argv (argv[0] looked up in PATH) with env (NULL: the worker's) in
 * cwd (NULL: the worker's), stdin /dev/null, killed (SIGKILL) after
 * timeout_ms.  Returns the subproc, or NULL with a message in err (the
 * callback never comes then).
 */
struct subproc *subproc_run(uv_loop_t *loop, char *const *argv,
    char *const *env, const char *cwd, uint64_t timeout_ms, subproc_cb *cb,
    void *arg, char *err, size_t errlen);

#endif
