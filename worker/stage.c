/* stage: a stage command in its own process group (see stage.h). */
#include "stage.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"
#include "util.h"

struct stage {
	uv_process_t proc;	/* the group leader */
	uv_timer_t timer;	/* the timeout, then the grace period */
	stage_cb *cb;
	void *arg;
	int pgid;
	uint64_t grace_ms;
	enum stage_end end;	/* how it is being ended */
	int stopping;		/* SIGTERM was sent */
	int killed;		/* SIGKILL was sent */
	int exited;		/* the leader is gone */
	int open;		/* handles not yet closed */
};

static void
stage_closed(uv_handle_t *h)
{
	struct stage *s = h->data;

	if (--s->open == 0)
		free(s);
}

static void
stage_signal_group(struct stage *s, int sig)
{
	if (kill(-s->pgid, sig) != 0 && errno != ESRCH)
		fprintf(stderr, "dataoptim-worker: kill(-%d, %d): %s\n",
		    s->pgid, sig, strerror(errno));
}

static void
stage_grace_over(uv_timer_t *t)
{
	struct stage *s = t->data;

	if (s->exited)
		return;
	s->killed = 1;
	stage_signal_group(s, SIGKILL);
}

/* SIGTERM now, SIGKILL after the grace period. */
static void
stage_term(struct stage *s, enum stage_end why, int kill_now)
{
	if (s->exited)
		return;
	if (!s->stopping) {
		s->stopping = 1;
		s->end = why;
		stage_signal_group(s, SIGTERM);
	}
	uv_timer_stop(&s->timer);
	if (kill_now || s->grace_ms == 0)
		stage_grace_over(&s->timer);
	else
		uv_timer_start(&s->timer, stage_grace_over, s->grace_ms, 0);
}

static void
stage_timed_out(uv_timer_t *t)
{
	stage_term(t->data, STAGE_TIMEOUT, 0);
}

static void
stage_exited(uv_process_t *p, int64_t status, int term_signal)
{
	struct stage *s = p->data;

	s->exited = 1;
	uv_timer_stop(&s->timer);
	/* whatever the leader left behind in its group goes with it */
	stage_signal_group(s, SIGKILL);
	s->cb(s->arg, s->stopping ? s->end : STAGE_EXITED,
	    term_signal ? -1 : status, term_signal);
	uv_close((uv_handle_t *)&s->proc, stage_closed);
	uv_close((uv_handle_t *)&s->timer, stage_closed);
}

struct stage *
stage_start(uv_loop_t *loop, const struct stage_spec *spec, stage_cb *cb,
    void *arg, char *err, size_t errlen)
{
	struct stage *s = util_xcalloc(1, sizeof(*s));
	uv_process_options_t o;
	uv_stdio_container_t io[3];
	char ppid[24], grace[24], **argv = spec->argv;
	size_t n = 0;
	int rc;

	if (spec->shim != NULL) {
		while (spec->argv[n] != NULL)
			n++;
		argv = util_xcalloc(n + 6, sizeof(*argv));
		util_fmt(ppid, sizeof(ppid), "%ld", (long)getpid());
		util_fmt(grace, sizeof(grace), "%llu",
		    (unsigned long long)spec->grace_ms);
		argv[0] = (char *)spec->shim;
		argv[1] = (char *)SHIM_FLAG;
		argv[2] = ppid;
		argv[3] = grace;
		argv[4] = (char *)"--";
		memcpy(argv + 5, spec->argv, (n + 1) * sizeof(*argv));
	}

	memset(&o, 0, sizeof(o));
	memset(io, 0, sizeof(io));
	io[0].flags = UV_IGNORE;
	io[1].flags = UV_INHERIT_FD;
	io[1].data.fd = spec->log_fd;
	io[2].flags = UV_INHERIT_FD;
	io[2].data.fd = spec->log_fd;
	o.exit_cb = stage_exited;
	o.file = argv[0];
	o.args = argv;
	o.env = spec->env;
	o.cwd = spec->cwd;
	o.flags = UV_PROCESS_DETACHED;	/* setsid(): its own group */
	o.stdio_count = 3;
	o.stdio = io;
	s->cb = cb;
	s->arg = arg;
	s->grace_ms = spec->grace_ms;
	s->proc.data = s;
	rc = uv_spawn(loop, &s->proc, &o);
	if (argv != spec->argv)
		free(argv);
	if (rc != 0) {
		util_fmt(err, errlen, "cannot start '%s': %s", spec->argv[0],
		    uv_strerror(rc));
		/* a failed spawn still needs its handle closed */
		s->open = 1;
		uv_close((uv_handle_t *)&s->proc, stage_closed);
		return NULL;
	}
	s->pgid = s->proc.pid;
	uv_timer_init(loop, &s->timer);
	s->timer.data = s;
	s->open = 2;
	if (spec->timeout_ms > 0)
		uv_timer_start(&s->timer, stage_timed_out, spec->timeout_ms, 0);
	return s;
}

void
stage_stop(struct stage *s, int kill_now)
{
	stage_term(s, STAGE_STOPPED, kill_now);
}

int
stage_pgid(const struct stage *s)
{
	return s->pgid;
}
