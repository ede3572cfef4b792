/* slurm: a stage command as a Slurm batch job (see slurm.h). */
#include "slurm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "subproc.h"
#include "util.h"
#include "wkfs.h"

#define SLURM_EXIT_READS 5		/* exit-file reads (shared storage may
					   lag) before it counts as missing */
#define SLURM_CANCEL_POLL_MS 500	/* after scancel */
#define SLURM_CANCEL_WAIT_MS 120000	/* scancel to "gone", at most */

enum slurm_step {
	SL_WRITE = 0,	/* work: the script */
	SL_SUBMIT,	/* sbatch */
	SL_SAVE,	/* work: the ID file */
	SL_FOLLOW,	/* scontrol now and then */
	SL_READ,	/* work: the exit file */
	SL_DONE
};

struct slurm_run {
	uv_loop_t *loop;
	slurm_cb *cb;
	void *arg;
	char *const *env;
	char sbatch[PATH_MAX], scontrol[PATH_MAX], scancel[PATH_MAX];
	char dir[PATH_MAX];
	char script_path[PATH_MAX], id_path[PATH_MAX], exit_path[PATH_MAX];
	char *script;			/* its text; NULL: see why */
	uint64_t poll_ms, cmd_ms, limit_ms;
	enum slurm_step step;
	char id[32];			/* Slurm's job ID */
	char state[32];			/* the last JobState seen */
	char note[256];
	struct subproc *cmd;		/* the Slurm command in flight */
	uv_work_t work;
	int work_busy;
	uv_timer_t poll;		/* the next poll, or exit-file read */
	uv_timer_t limit;		/* the time limit, from the start */
	int limit_on;
	int stop_req;			/* slurm_stop() */
	int timed_out;			/* the limit fired */
	int cancel_due;			/* scancel once nothing is in flight */
	int cancel_sent;
	uint64_t cancel_t0;
	int reads;			/* exit-file reads so far */
	int open;			/* handles not yet closed */
	/* the work's outputs */
	int wrc;
	int have_exit;
	int64_t exit_status;
	char why[768];
};

static void sl_poll_now(struct slurm_run *r);
static void sl_cancel(struct slurm_run *r);
static void sl_limit_fire(uv_timer_t *t);

/* ---- the pure parts ---- */

/* s in single quotes for sh. */
static void
sl_quote(struct buf *b, const char *s)
{
	buf_addc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '\'');
}

/* One "#SBATCH --key=value" line, when value is set. */
static void
sl_opt(struct buf *b, const char *key, const char *value)
{
	if (value != NULL && value[0] != '\0')
		buf_printf(b, "#SBATCH --%s=%s\n", key, value);
}

/* The ';'-separated options of list, one line each (blanks around an
 * item dropped, empty items skipped).  0, or -1 with a message. */
static int
sl_extra(struct buf *b, const char *list, char *err, size_t errlen)
{
	const char *p = list, *e;

	while (p != NULL && *p != '\0') {
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		e = strchr(p, ';');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n > 0) {
			if (p[0] != '-' || memchr(p, '\n', n) != NULL ||
			    memchr(p, '\r', n) != NULL) {
				util_fmt(err, errlen, "the Slurm option "
				    "\"%.*s\" must be one line starting with "
				    "'-'", (int)(n < 80 ? n : 80), p);
				return -1;
			}
			buf_printf(b, "#SBATCH %.*s\n", (int)n, p);
		}
		p = e != NULL ? e + 1 : NULL;
	}
	return 0;
}

int
slurm_extra_check(const char *list, char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	int rc = sl_extra(&b, list, err, errlen);

	buf_free(&b);
	return rc;
}

int
slurm_script(const struct slurm_opts *o, const struct slurm_spec *sp,
    struct buf *b, char *err, size_t errlen)
{
	char num[32], exitp[PATH_MAX + 16];
	size_t i;

	buf_adds(b, "#!/bin/sh\n");
	buf_printf(b, "# written by dataoptim-worker for %s\n", sp->name);
	sl_opt(b, "job-name", sp->name);
	sl_opt(b, "chdir", sp->dir);
	sl_opt(b, "output", sp->output);
	buf_adds(b, "#SBATCH --open-mode=append\n#SBATCH --no-requeue\n");
	if (sp->timeout_ms > 0)
		sl_opt(b, "time", util_fmt(num, sizeof(num), "%llu",
		    (unsigned long long)((sp->timeout_ms + 59999) / 60000)));
	sl_opt(b, "partition", o->partition);
	sl_opt(b, "account", o->account);
	sl_opt(b, "qos", o->qos);
	if (!sp->minimal) {
		sl_opt(b, "gpus", o->gpus);
		sl_opt(b, "gres", o->gres);
		sl_opt(b, "constraint", o->constraint);
		sl_opt(b, "mem", o->mem);
		if (o->cpus_per_task > 0)
			sl_opt(b, "cpus-per-task", util_fmt(num, sizeof(num),
			    "%lld", (long long)o->cpus_per_task));
		if (sl_extra(b, o->extra, err, errlen) != 0 ||
		    sl_extra(b, sp->extra, err, errlen) != 0)
			return -1;
	}
	for (i = 0; sp->argv[i] != NULL; i++) {
		if (i > 0)
			buf_addc(b, ' ');
		sl_quote(b, sp->argv[i]);
	}
	util_fmt(exitp, sizeof(exitp), "%s/%s.exit", sp->dir, sp->tag);
	/* the command's status, kept beside its output */
	buf_adds(b, "\nrc=$?\nprintf '%s\\n' \"$rc\" >");
	sl_quote(b, exitp);
	buf_adds(b, ".tmp && mv -f ");
	sl_quote(b, exitp);
	buf_adds(b, ".tmp ");
	sl_quote(b, exitp);
	buf_adds(b, "\nexit \"$rc\"\n");
	return 0;
}

enum slurm_class
slurm_classify(const char *s)
{
	static const struct {
		const char *state;
		enum slurm_class c;
	} t[] = {
		{ "PENDING", SLURM_C_WAITING },
		{ "CONFIGURING", SLURM_C_WAITING },
		{ "REQUEUED", SLURM_C_WAITING },
		{ "REQUEUE_HOLD", SLURM_C_WAITING },
		{ "REQUEUE_FED", SLURM_C_WAITING },
		{ "RESV_DEL_HOLD", SLURM_C_WAITING },
		{ "RUNNING", SLURM_C_RUNNING },
		{ "COMPLETING", SLURM_C_RUNNING },
		{ "SUSPENDED", SLURM_C_RUNNING },
		{ "SIGNALING", SLURM_C_RUNNING },
		{ "STAGE_OUT", SLURM_C_RUNNING },
		{ "RESIZING", SLURM_C_RUNNING },
		{ "COMPLETED", SLURM_C_FINISHED },
		{ "FAILED", SLURM_C_FINISHED },
		{ "TIMEOUT", SLURM_C_TIMEOUT },
		{ "DEADLINE", SLURM_C_TIMEOUT },
		{ "CANCELLED", SLURM_C_CANCELLED },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].state) == 0)
			return t[i].c;
	return SLURM_C_FAULT;
}

int
slurm_field(const char *line, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name), k;
	const char *p = line;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == line || p[-1] == ' ') && p[n] == '=') {
			p += n + 1;
			k = strcspn(p, " \t\r\n");
			util_fmt(out, outlen, "%.*s", (int)k, p);
			return 0;
		}
		p += n;
	}
	return -1;
}

int64_t
slurm_duration(const char *s)
{
	long long d = 0, f[3] = { 0, 0, 0 };
	int n = 0, used = 0;
	const char *p = s, *dash = strchr(s, '-');

	if (dash != NULL) {
		if (sscanf(s, "%lld%n", &d, &used) != 1 || s + used != dash ||
		    d < 0)
			return -1;
		p = dash + 1;
	}
	for (;;) {
		if (n == 3 || sscanf(p, "%lld%n", &f[n], &used) != 1 ||
		    f[n] < 0 || *p == '-' || *p == '+')
			return -1;
		n++;
		p += used;
		if (*p == '\0')
			break;
		if (*p++ != ':')
			return -1;
	}
	if (n == 1)		/* minutes */
		return (int64_t)((d * 24 * 60 + f[0]) * 60);
	if (n == 2)		/* MM:SS, or D-HH:MM */
		return dash != NULL ? (int64_t)(((d * 24 + f[0]) * 60 +
		    f[1]) * 60) : (int64_t)(f[0] * 60 + f[1]);
	return (int64_t)(((d * 24 + f[0]) * 60 + f[1]) * 60 + f[2]);
}

/* Why Slurm ended the job, from its last state (a fault class). */
static void
sl_fault_why(const struct slurm_run *r, const char *nodes, char *why,
    size_t whylen)
{
	const char *s = r->state;
	const char *what = strcmp(s, "NODE_FAIL") == 0 ? "its node failed" :
	    strcmp(s, "PREEMPTED") == 0 ? "it was preempted" :
	    strcmp(s, "OUT_OF_MEMORY") == 0 ? "it ran out of memory" :
	    strcmp(s, "BOOT_FAIL") == 0 ? "its node failed to boot" :
	    NULL;

	if (what != NULL)
		util_fmt(why, whylen, "Slurm job %s on %s ended: %s (%s)",
		    r->id, nodes, what, s);
	else
		util_fmt(why, whylen, "Slurm job %s on %s ended in state %s",
		    r->id, nodes, s);
}

/* ---- the end ---- */

static void
sl_closed(uv_handle_t *h)
{
	struct slurm_run *r = h->data;

	if (--r->open == 0) {
		free(r->script);
		free(r);
	}
}

/* Over: tell, then free.  A stop or the time limit decides the how. */
static void
sl_finish(struct slurm_run *r, enum slurm_how how, int64_t status,
    const char *why)
{
	struct slurm_end e;

	r->step = SL_DONE;
	uv_timer_stop(&r->poll);
	uv_timer_stop(&r->limit);
	if (r->stop_req)
		how = SLURM_STOPPED;
	else if (r->timed_out)
		how = SLURM_TIMEOUT;
	e.how = how;
	e.status = status;
	e.why = why != NULL ? why : "";
	e.job_id = r->id;
	e.requeue = how == SLURM_ENDED && (strcmp(r->state, "NODE_FAIL") == 0 ||
	    strcmp(r->state, "BOOT_FAIL") == 0 ||
	    strcmp(r->state, "PREEMPTED") == 0);
	r->cb(r->arg, &e);
	uv_close((uv_handle_t *)&r->poll, sl_closed);
	uv_close((uv_handle_t *)&r->limit, sl_closed);
}

/* ---- the thread pool ---- */

static void
sl_w_write(uv_work_t *w)
{
	struct slurm_run *r = w->data;

	r->wrc = wkfs_write_file(r->script_path, r->script,
	    strlen(r->script));
	if (r->wrc != 0)
		util_fmt(r->why, sizeof(r->why), "writing the batch script "
		    "%s: %s", r->script_path, strerror(errno));
}

static void
sl_w_save(uv_work_t *w)
{
	struct slurm_run *r = w->data;
	char line[40];

	util_fmt(line, sizeof(line), "%s\n", r->id);
	r->wrc = wkfs_write_file(r->id_path, line, strlen(line));
	if (r->wrc != 0)
		util_fmt(r->why, sizeof(r->why), "writing %s: %s", r->id_path,
		    strerror(errno));
}

static void
sl_w_read(uv_work_t *w)
{
	struct slurm_run *r = w->data;
	char e[256], *t, *end;
	long long v;
	size_t n;

	r->have_exit = 0;
	if ((t = util_read_small(r->exit_path, 64, &n, e, sizeof(e))) == NULL)
		return;
	errno = 0;
	v = strtoll(t, &end, 10);
	if (errno == 0 && end != t && (*end == '\n' || *end == '\0') &&
	    v >= 0 && v <= 255) {
		r->have_exit = 1;
		r->exit_status = v;
	}
	free(t);
}

static void
sl_queue(struct slurm_run *r, uv_work_cb fn, uv_after_work_cb after)
{
	r->work.data = r;
	r->why[0] = '\0';
	if (uv_queue_work(r->loop, &r->work, fn, after) != 0)
		abort();	/* never with a valid loop */
	r->work_busy = 1;
}

/* ---- the Slurm commands ---- */

/* Why a Slurm command failed, one line into out: what subproc says, else
 * the first line of its stderr, else of its stdout. */
static void
sl_failure(const struct subproc_res *res, char *out, size_t outlen)
{
	const char *e = res->err != NULL ? res->err :
	    res->errout[0] != '\0' ? res->errout : res->out;

	util_fmt(out, outlen, "%.*s", (int)strcspn(e, "\r\n"), e);
}

/* Run argv with cb; if it cannot start, the run ends with how. */
static void
sl_spawn(struct slurm_run *r, char *const *argv, const char *cwd,
    subproc_cb *cb, enum slurm_how how)
{
	char err[512];

	r->cmd = subproc_run(r->loop, argv, r->env, cwd, r->cmd_ms, cb, r,
	    err, sizeof(err));
	if (r->cmd == NULL)
		sl_finish(r, how, -1, err);
}

/* ---- following ---- */

/* Nothing in flight: the next thing to do (a due cancel first). */
static int
sl_idle_cancel(struct slurm_run *r)
{
	if (r->cancel_due && r->cmd == NULL && !r->work_busy &&
	    r->step == SL_FOLLOW) {
		sl_cancel(r);
		return 1;
	}
	return 0;
}

static void
sl_poll_fire(uv_timer_t *t)
{
	sl_poll_now(t->data);
}

static void
sl_poll_later(struct slurm_run *r)
{
	uint64_t ms = r->cancel_sent && r->poll_ms > SLURM_CANCEL_POLL_MS ?
	    SLURM_CANCEL_POLL_MS : r->poll_ms;

	if (sl_idle_cancel(r))
		return;
	uv_timer_start(&r->poll, sl_poll_fire, ms, 0);
}

static void
sl_read_done(uv_work_t *w, int status)
{
	struct slurm_run *r = w->data;
	char why[512];

	(void)status;
	r->work_busy = 0;
	if (r->have_exit) {
		sl_finish(r, SLURM_EXITED, r->exit_status, NULL);
		return;
	}
	if (++r->reads < SLURM_EXIT_READS && !r->stop_req) {
		uv_timer_start(&r->poll, sl_poll_fire, r->poll_ms, 0);
		return;
	}
	if (r->state[0] == '\0')
		util_fmt(why, sizeof(why), "Slurm no longer knows job %s and "
		    "it left no exit status in %s", r->id, r->exit_path);
	else
		util_fmt(why, sizeof(why), "Slurm job %s ended %s but left no "
		    "exit status in %s: the command did not finish, or the "
		    "work directory is not on storage the compute nodes share",
		    r->id, r->state, r->exit_path);
	sl_finish(r, SLURM_ENDED, -1, why);
}

/* Over in Slurm's eyes: the exit file says how the command ended. */
static void
sl_read(struct slurm_run *r)
{
	r->step = SL_READ;
	sl_queue(r, sl_w_read, sl_read_done);
}

/* What one `scontrol show job -o` answer says. */
static void
sl_polled(void *arg, const struct subproc_res *res)
{
	struct slurm_run *r = arg;
	char line[1024], reason[160], nodes[160], run[32], why[512];
	enum slurm_class c;

	r->cmd = NULL;
	if (r->step != SL_FOLLOW)
		return;
	if (res->err == NULL && res->status != 0 &&
	    strstr(res->errout, "Invalid job id") != NULL) {
		r->state[0] = '\0';	/* gone: the exit file says */
		sl_read(r);
		return;
	}
	if (res->err != NULL || res->status != 0 ||
	    slurm_field(res->out, "JobState", r->state,
	    sizeof(r->state)) != 0) {
		/* slurmctld busy or away: ask again, the limit counts */
		sl_failure(res, line, sizeof(line));
		util_fmt(r->note, sizeof(r->note), "Slurm job %s: scontrol: "
		    "%.200s", r->id, line);
		sl_poll_later(r);
		return;
	}
	if (slurm_field(res->out, "Reason", reason, sizeof(reason)) != 0)
		reason[0] = '\0';
	if (slurm_field(res->out, "NodeList", nodes, sizeof(nodes)) != 0)
		util_fmt(nodes, sizeof(nodes), "?");
	c = slurm_classify(r->state);
	if (c == SLURM_C_WAITING) {
		util_fmt(r->note, sizeof(r->note), "waiting in Slurm%s%s",
		    strcmp(reason, "None") != 0 && reason[0] != '\0' ? ": " :
		    "", strcmp(reason, "None") != 0 ? reason : "");
		sl_poll_later(r);
		return;
	}
	if (c == SLURM_C_RUNNING) {
		util_fmt(r->note, sizeof(r->note), "Slurm job %s on %s%s%s",
		    r->id, nodes, strcmp(r->state, "RUNNING") != 0 ? ", " :
		    "", strcmp(r->state, "RUNNING") != 0 ? r->state : "");
		if (r->limit_ms > 0 && !r->limit_on && !r->cancel_sent) {
			int64_t ran = slurm_field(res->out, "RunTime", run,
			    sizeof(run)) == 0 ? slurm_duration(run) : 0;
			uint64_t done = ran > 0 ? (uint64_t)ran * 1000 : 0;

			r->limit_on = 1;
			uv_timer_start(&r->limit, sl_limit_fire,
			    done < r->limit_ms ? r->limit_ms - done : 0, 0);
		}
		sl_poll_later(r);
		return;
	}
	/* over */
	if (r->cancel_sent) {
		sl_finish(r, SLURM_STOPPED, -1, NULL);
		return;
	}
	switch (c) {
	case SLURM_C_FINISHED:
		sl_read(r);
		return;
	case SLURM_C_TIMEOUT:
		r->timed_out = 1;
		sl_finish(r, SLURM_TIMEOUT, -1, NULL);
		return;
	case SLURM_C_CANCELLED:
		util_fmt(why, sizeof(why), "Slurm job %s was cancelled in "
		    "Slurm, not by the worker", r->id);
		break;
	default:
		sl_fault_why(r, nodes, why, sizeof(why));
		break;
	}
	sl_finish(r, SLURM_ENDED, -1, why);
}

static void
sl_poll_now(struct slurm_run *r)
{
	char *argv[] = { r->scontrol, (char *)"show", (char *)"job",
	    (char *)"-o", r->id, NULL };
	char err[512];

	if (sl_idle_cancel(r))
		return;
	if (r->step == SL_READ) {	/* an exit file read again */
		sl_read(r);
		return;
	}
	if (r->cancel_sent && uv_now(r->loop) - r->cancel_t0 >
	    SLURM_CANCEL_WAIT_MS) {
		util_fmt(err, sizeof(err), "Slurm still lists job %s as %s "
		    "%d s after scancel", r->id, r->state,
		    SLURM_CANCEL_WAIT_MS / 1000);
		sl_finish(r, SLURM_STOPPED, -1, err);
		return;
	}
	sl_spawn(r, argv, NULL, sl_polled, SLURM_ENDED);
}

static void
sl_cancelled(void *arg, const struct subproc_res *res)
{
	struct slurm_run *r = arg;
	char line[256];

	r->cmd = NULL;
	if (res->err != NULL || res->status != 0) {
		sl_failure(res, line, sizeof(line));
		util_fmt(r->note, sizeof(r->note), "Slurm job %s: scancel: "
		    "%s", r->id, line);
	}
	/* then ask until Slurm says it is over */
	sl_poll_later(r);
}

/* scancel the job (and its steps): at once if nothing is in flight, else
 * when it comes back. */
static void
sl_cancel(struct slurm_run *r)
{
	char *argv[] = { r->scancel, r->id, NULL };

	r->cancel_due = 1;
	if (r->cancel_sent || r->step != SL_FOLLOW || r->cmd != NULL ||
	    r->work_busy)
		return;
	uv_timer_stop(&r->poll);
	uv_timer_stop(&r->limit);
	r->cancel_due = 0;
	r->cancel_sent = 1;
	r->cancel_t0 = uv_now(r->loop);
	sl_spawn(r, argv, NULL, sl_cancelled, SLURM_STOPPED);
}

static void
sl_limit_fire(uv_timer_t *t)
{
	struct slurm_run *r = t->data;

	r->timed_out = 1;
	sl_cancel(r);
}

/* ---- submitting ---- */

/* The ID is kept (or could not be: the job runs all the same, an
 * adopting worker just cannot find it): follow it. */
static void
sl_saved(uv_work_t *w, int status)
{
	struct slurm_run *r = w->data;

	(void)status;
	r->work_busy = 0;
	if (r->wrc != 0)
		util_fmt(r->note, sizeof(r->note), "Slurm job %s: %s", r->id,
		    r->why);
	r->step = SL_FOLLOW;
	if (r->stop_req)
		sl_cancel(r);
	else
		sl_poll_now(r);
}

static void
sl_submitted(void *arg, const struct subproc_res *res)
{
	struct slurm_run *r = arg;
	char why[700];
	size_t n = strspn(res->out, "0123456789");

	r->cmd = NULL;
	if (res->err != NULL || res->status != 0 || n == 0 || n > 20) {
		memcpy(why, "sbatch failed: ", 15);
		sl_failure(res, why + 15, sizeof(why) - 15);
		sl_finish(r, SLURM_ENDED, -1, why);
		return;
	}
	/* "ID" or "ID;CLUSTER" */
	util_fmt(r->id, sizeof(r->id), "%.*s", (int)n, res->out);
	util_fmt(r->note, sizeof(r->note), "submitted to Slurm as job %s",
	    r->id);
	r->step = SL_SAVE;
	sl_queue(r, sl_w_save, sl_saved);
}

static void
sl_written(uv_work_t *w, int status)
{
	struct slurm_run *r = w->data;
	char *argv[] = { r->sbatch, (char *)"--parsable", r->script_path,
	    NULL };

	(void)status;
	r->work_busy = 0;
	if (r->wrc != 0) {
		sl_finish(r, SLURM_ENDED, -1, r->why);
		return;
	}
	if (r->stop_req) {		/* nothing was submitted */
		sl_finish(r, SLURM_STOPPED, -1, NULL);
		return;
	}
	r->step = SL_SUBMIT;
	sl_spawn(r, argv, r->dir, sl_submitted, SLURM_ENDED);
}

/* The script could not be made: say so from the loop, not from inside
 * slurm_start(). */
static void
sl_w_nothing(uv_work_t *w)
{
	struct slurm_run *r = w->data;

	r->wrc = -1;
}

static void
sl_bin(char *out, const char *dir, const char *prog)
{
	if (dir[0] == '\0')
		util_fmt(out, PATH_MAX, "%s", prog);
	else
		util_fmt(out, PATH_MAX, "%s/%s", dir, prog);
}

struct slurm_run *
slurm_start(uv_loop_t *loop, const struct slurm_opts *o,
    const struct slurm_spec *sp, slurm_cb *cb, void *arg)
{
	struct slurm_run *r = util_xcalloc(1, sizeof(*r));
	struct buf b = BUF_INIT;
	char e[512];

	r->loop = loop;
	r->cb = cb;
	r->arg = arg;
	r->env = sp->env;
	r->poll_ms = o->poll_ms > 0 ? o->poll_ms : 1000;
	r->cmd_ms = o->cmd_timeout_ms;
	r->limit_ms = sp->timeout_ms;
	sl_bin(r->sbatch, o->bin_dir, "sbatch");
	sl_bin(r->scontrol, o->bin_dir, "scontrol");
	sl_bin(r->scancel, o->bin_dir, "scancel");
	util_fmt(r->dir, sizeof(r->dir), "%s", sp->dir);
	util_fmt(r->script_path, sizeof(r->script_path), "%s/%s.sbatch",
	    sp->dir, sp->tag);
	util_fmt(r->id_path, sizeof(r->id_path), "%s/%s.slurm-id", sp->dir,
	    sp->tag);
	util_fmt(r->exit_path, sizeof(r->exit_path), "%s/%s.exit", sp->dir,
	    sp->tag);
	uv_timer_init(loop, &r->poll);
	uv_timer_init(loop, &r->limit);
	r->poll.data = r->limit.data = r;
	r->open = 2;
	if (sp->adopt != NULL) {
		util_fmt(r->id, sizeof(r->id), "%s", sp->adopt);
		util_fmt(r->note, sizeof(r->note), "following Slurm job %s",
		    r->id);
		r->step = SL_FOLLOW;
		uv_timer_start(&r->poll, sl_poll_fire, 0, 0);
		return r;
	}
	r->step = SL_WRITE;
	if (slurm_script(o, sp, &b, e, sizeof(e)) != 0) {
		buf_free(&b);
		sl_queue(r, sl_w_nothing, sl_written);
		util_fmt(r->why, sizeof(r->why), "%s", e);
		return r;
	}
	r->script = buf_steal(&b, NULL);
	sl_queue(r, sl_w_write, sl_written);
	return r;
}

void
slurm_stop(struct slurm_run *r)
{
	if (r->stop_req || r->step == SL_DONE)
		return;
	r->stop_req = 1;
	if (r->step == SL_FOLLOW)
		sl_cancel(r);
}

const char *
slurm_note(const struct slurm_run *r)
{
	return r->note[0] != '\0' ? r->note : NULL;
}
