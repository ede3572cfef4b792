/*
 * stage: one stage command (train, evaluate) as a child process group.
 *
 * The command is spawned with uv_spawn and UV_PROCESS_DETACHED, so it
 * leads a new session and process group (pgid = its pid); stdin is
 * /dev/null, stdout and stderr go to the log file descriptor.  A timeout
 * or stage_stop() sends SIGTERM to the whole group and SIGKILL after the
 * grace period; when the leader exits, the rest of its group (children it
 * left behind) is killed with SIGKILL too, so no process of a stage
 * outlives it.  With a shim (shim.h) the group also dies with the worker.
 */
#ifndef DO_STAGE_H
#define DO_STAGE_H

#include <stdint.h>
#include <uv.h>

struct stage;

enum stage_end {
	STAGE_EXITED = 0,	/* exited by itself: see status */
	STAGE_TIMEOUT,		/* ran past its timeout and was stopped */
	STAGE_STOPPED		/* stopped by stage_stop() */
};

/*
 * Called once when the leader has exited: how it ended, its exit status
 * (or -1) and the signal that ended it (or 0).  The stage is freed after
 * the call returns; do not use it again.
 */
typedef void stage_cb(void *arg, enum stage_end end, int64_t status,
    int term_signal);

struct stage_spec {
	char **argv;		/* argv[0] is looked up in PATH */
	char **env;		/* NULL-terminated "K=V" list */
	const char *cwd;
	int log_fd;		/* stdout and stderr */
	uint64_t timeout_ms;	/* 0: none */
	uint64_t grace_ms;	/* SIGTERM to SIGKILL */
	const char *shim;	/* the worker's own path: the command runs
				   under its stage shim (shim.h); NULL:
				   directly */
};

/*
 * Start spec's command (the strings are used only during the call).
 * Returns the stage, or NULL with a message in err (a program that does
 * not exist or cannot be run is told here).
 */
struct stage *stage_start(uv_loop_t *loop, const struct stage_spec *spec,
    stage_cb *cb, void *arg, char *err, size_t errlen);

/* Stop the stage: SIGTERM to its group now, SIGKILL after the grace
 * period (at once if kill_now).  The callback still comes, with
 * STAGE_STOPPED unless it had already timed out. */
void stage_stop(struct stage *s, int kill_now);

/* The process group (= the leader's pid). */
int stage_pgid(const struct stage *s);

#endif
