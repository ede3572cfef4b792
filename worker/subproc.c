/* subproc: a short program run from the loop (see subproc.h). */
#include "subproc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

struct subproc {
	uv_process_t proc;
	uv_pipe_t pipe[2];		/* stdout, stderr */
	uv_timer_t timer;
	struct buf text[2];
	subproc_cb *cb;
	void *arg;
	uint64_t timeout_ms;
	int64_t status;
	int term_signal;
	int exited;
	int eof[2];
	int timed_out;
	int open;			/* handles not yet closed */
	char rbuf[2][4096];
};

static void
subproc_closed(uv_handle_t *h)
{
	struct subproc *p = h->data;

	if (--p->open > 0)
		return;
	buf_free(&p->text[0]);
	buf_free(&p->text[1]);
	free(p);
}

/* Everything is in: tell, then close the handles. */
static void
subproc_end(struct subproc *p)
{
	struct subproc_res r;
	char why[64];
	int i;

	if (!p->exited || !p->eof[0] || !p->eof[1])
		return;
	memset(&r, 0, sizeof(r));
	r.status = p->status;
	r.term_signal = p->term_signal;
	if (p->timed_out)
		r.err = util_fmt(why, sizeof(why), "timed out after %llu ms",
		    (unsigned long long)p->timeout_ms);
	for (i = 0; i < 2; i++)
		if (p->text[i].p == NULL)
			buf_reserve(&p->text[i], 0);
	r.out = p->text[0].p;
	r.out_len = p->text[0].len;
	r.errout = p->text[1].p;
	p->cb(p->arg, &r);
	uv_close((uv_handle_t *)&p->proc, subproc_closed);
	uv_close((uv_handle_t *)&p->pipe[0], subproc_closed);
	uv_close((uv_handle_t *)&p->pipe[1], subproc_closed);
	uv_close((uv_handle_t *)&p->timer, subproc_closed);
}

static void
subproc_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct subproc *p = h->data;
	int i = h == (uv_handle_t *)&p->pipe[1];

	(void)hint;
	b->base = p->rbuf[i];
	b->len = sizeof(p->rbuf[i]);
}

static void
subproc_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct subproc *p = s->data;
	int i = s == (uv_stream_t *)&p->pipe[1];

	if (n > 0) {
		size_t room = SUBPROC_MAX - p->text[i].len;

		buf_add(&p->text[i], b->base, (size_t)n < room ? (size_t)n :
		    room);
		return;
	}
	if (n == 0)
		return;
	uv_read_stop(s);
	p->eof[i] = 1;
	subproc_end(p);
}

static void
subproc_exited(uv_process_t *h, int64_t status, int term_signal)
{
	struct subproc *p = h->data;

	p->exited = 1;
	p->status = status;
	p->term_signal = term_signal;
	uv_timer_stop(&p->timer);
	subproc_end(p);
}

static void
subproc_timeout(uv_timer_t *t)
{
	struct subproc *p = t->data;

	p->timed_out = 1;
	(void)uv_process_kill(&p->proc, SIGKILL);
}

struct subproc *
subproc_run(uv_loop_t *loop, char *const *argv, char *const *env,
    const char *cwd, uint64_t timeout_ms, subproc_cb *cb, void *arg,
    char *err, size_t errlen)
{
	struct subproc *p = util_xcalloc(1, sizeof(*p));
	uv_process_options_t o;
	uv_stdio_container_t io[3];
	int rc, i;

	p->cb = cb;
	p->arg = arg;
	p->timeout_ms = timeout_ms;
	p->proc.data = p->timer.data = p;
	for (i = 0; i < 2; i++) {
		uv_pipe_init(loop, &p->pipe[i], 0);
		p->pipe[i].data = p;
	}
	uv_timer_init(loop, &p->timer);
	memset(&o, 0, sizeof(o));
	memset(io, 0, sizeof(io));
	io[0].flags = UV_IGNORE;
	io[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[1].data.stream = (uv_stream_t *)&p->pipe[0];
	io[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	io[2].data.stream = (uv_stream_t *)&p->pipe[1];
	o.exit_cb = subproc_exited;
	o.file = argv[0];
	o.args = (char **)argv;
	o.env = (char **)env;
	o.cwd = cwd;
	o.stdio_count = 3;
	o.stdio = io;
	rc = uv_spawn(loop, &p->proc, &o);
	if (rc != 0) {
		util_fmt(err, errlen, "cannot run '%s': %s", argv[0],
		    uv_strerror(rc));
		p->open = 4;
		uv_close((uv_handle_t *)&p->proc, subproc_closed);
		uv_close((uv_handle_t *)&p->pipe[0], subproc_closed);
		uv_close((uv_handle_t *)&p->pipe[1], subproc_closed);
		uv_close((uv_handle_t *)&p->timer, subproc_closed);
		return NULL;
	}
	p->open = 4;
	for (i = 0; i < 2; i++)
		(void)uv_read_start((uv_stream_t *)&p->pipe[i], subproc_alloc,
		    subproc_read);
	if (timeout_ms > 0)
		uv_timer_start(&p->timer, subproc_timeout, timeout_ms, 0);
	return p;
}
