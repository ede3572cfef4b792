/*
 * cmd_submit: dataoptim submit.
 *
 * With --pool the file is first checked here by `dataoptim validate`'s
 * own code (cli_validate_run), with the track's kind and budget from GET
 * /api/v1/tracks; a file with errors is never uploaded.  The upload is a
 * multipart POST /api/v1/submissions (fields track, method_name,
 * description, url, file) with an Idempotency-Key made once per run (a
 * random UUID; DATAOPTIM_IDEMPOTENCY_KEY sets it, for tests and for a
 * script that retries a whole run): a network failure or a 502/503/504 is
 * retried twice with the same key, so a lost answer never makes a second
 * submission (not for a FILE that is not a regular file, a pipe, which
 * cannot be read again).  --wait then follows the job (GET /api/v1/jobs/{id} every
 * 2 s, backing off to 30 s while the server is unreachable) and prints
 * its stage, progress and new log lines, then the scores.  SIGINT while
 * waiting stops the waiting, never the job.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "remote.h"
#include "util.h"

#define SUBMIT_TRIES 3		/* upload attempts on a network failure */
#define WAIT_POLL_MS 2000	/* between polls of the job */
#define WAIT_MAX_MS 30000	/* the longest wait while unreachable */
#define WAIT_MAX_FAILS 20	/* unreachable that many times: give up */
#define TAIL_NEEDLE 256		/* bytes of the old log tail looked for */

static volatile sig_atomic_t submit_stop;

static void
submit_on_sigint(int sig)
{
	(void)sig;
	submit_stop = 1;
}

/* Sleep ms milliseconds, or less when SIGINT comes. */
static void
submit_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (!submit_stop && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A random (version 4) UUID into out (37 bytes). */
static int
submit_uuid(char out[37])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

/*
 * The track's kind and budget from GET /api/v1/tracks, for --pool; the
 * exit status (CLI_INVALID for a track the server does not list).
 */
static int
submit_track(struct client *c, const char *slug, char *kind, size_t kindlen,
    uint64_t *budget)
{
	json_t *o = NULL, *t, *tracks;
	size_t i;
	int rc;

	if ((rc = client_get(c, "/api/v1/tracks", &o)) != CLI_OK)
		return rc;
	if ((tracks = remote_want(c, o, "tracks", JSON_ARRAY)) == NULL) {
		json_decref(o);
		return CLI_NET;
	}
	rc = CLI_INVALID;
	json_array_foreach(tracks, i, t) {
		const char *s = json_string_value(json_object_get(t, "slug"));
		const char *k = json_string_value(json_object_get(t, "kind"));
		json_int_t b = json_integer_value(json_object_get(t,
		    "budget"));

		if (s == NULL || k == NULL || strcmp(s, slug) != 0)
			continue;
		util_fmt(kind, kindlen, "%s", k);
		*budget = b > 0 ? (uint64_t)b : 0;
		rc = CLI_OK;
	}
	if (rc != CLI_OK) {
		fputs("dataoptim: the server has no track '", stderr);
		remote_text(stderr, slug, 0);
		fputs("'\n", stderr);
	}
	json_decref(o);
	return rc;
}

/* The offset in tail where what was not shown yet begins, given the tail
 * shown before (old, "" at first). */
static size_t
submit_tail_new(const char *old, const char *tail)
{
	size_t no = strlen(old), nt = strlen(tail), k;
	const char *needle, *p, *found = NULL;

	if (no == 0)
		return 0;
	if (no <= nt && memcmp(old, tail, no) == 0)
		return no;
	k = no < TAIL_NEEDLE ? no : TAIL_NEEDLE;
	needle = old + no - k;
	for (p = tail; (p = memmem(p, nt - (size_t)(p - tail), needle, k)) !=
	    NULL; p++)
		found = p;
	return found ? (size_t)(found - tail) + k : 0;
}

/* What the wait loop last showed. */
struct submit_seen {
	char line[512];		/* the last status line */
	char *tail;		/* the log shown so far (up to a newline) */
};

/* Show the job j's state line and new log lines on fp when changed. */
static void
submit_show(struct submit_seen *s, const json_t *j, FILE *fp)
{
	const char *state = json_string_value(json_object_get(j, "state"));
	const char *stage = json_string_value(json_object_get(j, "stage"));
	const char *note = json_string_value(json_object_get(j,
	    "stage_note"));
	const char *tail = json_string_value(json_object_get(j, "log_tail"));
	json_t *step = json_object_get(j, "train_step");
	json_t *steps = json_object_get(j, "train_steps");
	double prog = json_number_value(json_object_get(j, "progress"));
	char line[512], st[64] = "", stamp[16];
	size_t from, cut;
	time_t now = time(NULL);
	struct tm tm;

	if (tail == NULL)
		tail = "";
	from = submit_tail_new(s->tail ? s->tail : "", tail);
	cut = strlen(tail);
	while (cut > from && tail[cut - 1] != '\n')
		cut--;
	if (cut > from) {
		char *part = util_xmalloc(cut - from + 1);

		memcpy(part, tail + from, cut - from);
		part[cut - from] = '\0';
		remote_text(fp, part, 1);
		free(part);
		free(s->tail);
		s->tail = util_xmalloc(cut + 1);
		memcpy(s->tail, tail, cut);
		s->tail[cut] = '\0';
	}
	if (json_is_integer(step) && json_integer_value(steps) > 0)
		util_fmt(st, sizeof(st), " (step %lld/%lld)", (long long)
		    json_integer_value(step), (long long)
		    json_integer_value(steps));
	util_fmt(line, sizeof(line), "%s%s%s %3.0f%%%s%s%s",
	    state ? state : "?", stage ? " " : "", stage ? stage : "",
	    prog * 100, st, note ? ": " : "", note ? note : "");
	if (strcmp(line, s->line) == 0)
		return;
	util_fmt(s->line, sizeof(s->line), "%s", line);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%SZ", &tm);
	fprintf(fp, "[%s] ", stamp);
	remote_text(fp, line, 0);
	fputc('\n', fp);
	fflush(fp);
}

/*
 * Follow job jid of submission sid until it finishes; print the outcome
 * (the submission's JSON with --json).  Returns the exit status.
 */
static int
submit_wait(struct client *c, const char *sid, const char *jid, int json)
{
	struct sigaction sa, old;
	struct submit_seen seen;
	char path[256], *e;
	FILE *fp = json ? stderr : stdout;
	json_t *o = NULL, *j, *sub;
	char state[32] = "";
	long delay = WAIT_POLL_MS;
	int rc, fails = 0;

	memset(&seen, 0, sizeof(seen));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = submit_on_sigint;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	client_abort_on(c, &submit_stop);
	e = client_escape(c, jid);
	util_fmt(path, sizeof(path), "/api/v1/jobs/%s", e);
	free(e);
	for (;;) {
		struct client_req r;

		if (submit_stop) {
			rc = CLI_INTERRUPTED;
			break;
		}
		memset(&r, 0, sizeof(r));
		r.method = "GET";
		r.path = path;
		r.quiet = 1;
		json_decref(o);
		rc = client_do(c, &r, &o);
		if (rc == CLI_NET && ++fails < WAIT_MAX_FAILS) {
			fprintf(stderr, "dataoptim: %s; trying again in %ld "
			    "s\n", client_error(c), delay / 1000);
			submit_sleep(delay);
			delay = delay * 2 > WAIT_MAX_MS ? WAIT_MAX_MS :
			    delay * 2;
			continue;
		}
		if (rc != CLI_OK) {
			if (rc != CLI_INTERRUPTED)
				client_report(c);
			break;
		}
		fails = 0;
		delay = WAIT_POLL_MS;
		if ((j = remote_want(c, o, "job", JSON_OBJECT)) == NULL) {
			rc = CLI_NET;	/* told; polling it again is no use */
			break;
		}
		if (!json_is_string(json_object_get(j, "state"))) {
			rc = client_bad_answer(c, "a \"job\" without a "
			    "\"state\"");
			break;
		}
		submit_show(&seen, j, fp);
		util_fmt(state, sizeof(state), "%s", json_string_value(
		    json_object_get(j, "state")) ? json_string_value(
		    json_object_get(j, "state")) : "");
		if (strcmp(state, "succeeded") == 0 ||
		    strcmp(state, "failed") == 0 ||
		    strcmp(state, "cancelled") == 0)
			break;
		submit_sleep(delay);
	}
	if (rc == CLI_INTERRUPTED) {
		fputs("\nstopped waiting; the job goes on: dataoptim status ",
		    stderr);
		remote_text(stderr, sid, 0);
		fputc('\n', stderr);
		goto out;
	}
	if (rc != CLI_OK)
		goto out;
	j = json_object_get(o, "job");
	if (strcmp(state, "succeeded") != 0) {
		const char *err = json_string_value(json_object_get(j,
		    "error"));
		const char *fault = json_string_value(json_object_get(j,
		    "fault"));

		fputs("dataoptim: job ", stderr);
		remote_text(stderr, jid, 0);
		fprintf(stderr, " %s", state);
		if (err != NULL) {
			fputs(": ", stderr);
			remote_text(stderr, err, 0);
		}
		if (fault != NULL) {
			fputs(" (fault: ", stderr);
			remote_text(stderr, fault, 0);
			fputc(')', stderr);
		}
		fputc('\n', stderr);
	}
	/* the outcome: the submission with its scores */
	e = client_escape(c, sid);
	util_fmt(path, sizeof(path), "/api/v1/submissions/%s", e);
	free(e);
	client_abort_on(c, NULL);
	json_decref(o);
	o = NULL;
	if ((rc = client_get(c, path, &o)) != CLI_OK)
		goto out;
	sub = json_object_get(o, "submission");
	if (json)
		remote_json(o);
	else if (strcmp(state, "succeeded") == 0) {
		fputs("scores of ", stdout);
		remote_text(stdout, sid, 0);
		printf("%s:\n", json_is_true(json_object_get(sub, "reused")) ?
		    " (reused from an identical submission)" : "");
		remote_scores(stdout, json_object_get(sub, "scores"));
	}
	rc = strcmp(state, "succeeded") == 0 ? CLI_OK : CLI_JOB_FAILED;
out:
	sigaction(SIGINT, &old, NULL);
	client_abort_on(c, NULL);
	json_decref(o);
	free(seen.tail);
	return rc;
}

/* Print what the upload made (not with --json). */
static void
submit_print(const json_t *sub, int replayed)
{
	const json_t *job = json_object_get(sub, "job");
	json_int_t nw = json_integer_value(json_object_get(sub,
	    "n_warnings"));

	printf("%s ", replayed ? "already submitted (the server replayed "
	    "its first answer):" : "submitted");
	remote_text(stdout, json_string_value(json_object_get(sub, "id")), 0);
	fputs(" to track ", stdout);
	remote_text(stdout, json_string_value(json_object_get(sub, "track")),
	    0);
	fputs(": ", stdout);
	remote_text(stdout, json_string_value(json_object_get(sub, "status")),
	    0);
	fputs(", job ", stdout);
	remote_text(stdout, json_string_value(json_object_get(job, "id")), 0);
	printf(", %lld samples\n", (long long)json_integer_value(
	    json_object_get(sub, "n_samples")));
	if (json_is_true(json_object_get(sub, "reused")))
		printf("an identical sample set was scored before: its score "
		    "is reused\n");
	if (nw > 0) {
		printf("%lld warning(s): dataoptim status ", (long long)nw);
		remote_text(stdout, json_string_value(json_object_get(sub,
		    "id")), 0);
		fputs(" shows them\n", stdout);
	}
}

int
cli_submit(int argc, char **argv)
{
	struct remote_opts ro = { NULL, NULL, 0 };
	const char *track = NULL, *method = NULL, *desc = NULL, *url = NULL;
	const char *pool = NULL, *file = NULL, *key;
	int wait = 0, rc, tries, again;
	const struct cli_opt opts[] = { REMOTE_OPTS(&ro),
	    CLI_VALUE("--track", &track), CLI_VALUE("--method", &method),
	    CLI_VALUE("--description", &desc), CLI_VALUE("--url", &url),
	    CLI_VALUE("--pool", &pool), CLI_FLAG("--wait", &wait) };
	struct client_part parts[5];
	struct client_req r;
	struct client *c = NULL;
	const char *hdrs[2];
	char uuid[37], kh[256], kind[32];
	json_t *o = NULL, *sub;
	uint64_t budget = 0;
	size_t np = 0;
	struct stat fst;
	FILE *f;

	if (cli_parse_ex(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    &file) != 0 || track == NULL || method == NULL || file == NULL) {
		fprintf(stderr, "usage: dataoptim submit --track T --method NAME "
		    "[--description D] [--url U] [--pool POOL.idx] [--wait] "
		    "[--json] FILE\n");
		return CLI_ERROR;
	}
	if ((f = fopen(file, "rb")) == NULL) {
		fprintf(stderr, "dataoptim: %s: %s\n", file, strerror(errno));
		return CLI_ERROR;
	}
	if (fstat(fileno(f), &fst) != 0) {
		fprintf(stderr, "dataoptim: %s: %s\n", file, strerror(errno));
		fclose(f);
		return CLI_ERROR;
	}
	if (S_ISDIR(fst.st_mode)) {
		fclose(f);	/* fopen() takes one; curl would send nothing */
		fprintf(stderr, "dataoptim: %s: is a directory\n", file);
		return CLI_ERROR;
	}
	fclose(f);
	if (pool != NULL && !S_ISREG(fst.st_mode)) {
		fprintf(stderr, "dataoptim: --pool reads %s before the upload "
		    "does: it must be a regular file, not a pipe\n", file);
		return CLI_ERROR;
	}
	key = getenv("DATAOPTIM_IDEMPOTENCY_KEY");
	if (key != NULL && *key != '\0') {
		size_t i, n = strlen(key);

		for (i = 0; i < n && key[i] > 0x20 && key[i] < 0x7f; i++)
			;
		if (i < n || n > 200) {
			fprintf(stderr, "dataoptim: DATAOPTIM_IDEMPOTENCY_KEY "
			    "must be 1 to 200 printable ASCII characters, no "
			    "blanks\n");
			return CLI_ERROR;
		}
	} else {
		if (submit_uuid(uuid) != 0) {
			fprintf(stderr, "dataoptim: no random bytes: %s\n",
			    strerror(errno));
			return CLI_ERROR;
		}
		key = uuid;
	}
	if ((rc = remote_connect(&ro, 1, &c)) != CLI_OK)
		return rc;
	if (pool != NULL) {
		if ((rc = submit_track(c, track, kind, sizeof(kind),
		    &budget)) != CLI_OK)
			goto out;
		rc = cli_validate_run(pool, kind, budget, 0, NULL, file,
		    ro.json, 1, stdout);
		if (rc != CLI_OK) {
			if (rc == CLI_INVALID)
				fprintf(stderr, "dataoptim: %s is not valid for "
				    "track %s: nothing was uploaded\n", file,
				    track);
			goto out;
		}
	}
	parts[np++] = (struct client_part){ "track", track, NULL };
	parts[np++] = (struct client_part){ "method_name", method, NULL };
	if (desc != NULL)
		parts[np++] = (struct client_part){ "description", desc, NULL };
	if (url != NULL)
		parts[np++] = (struct client_part){ "url", url, NULL };
	parts[np++] = (struct client_part){ "file", NULL, file };
	util_fmt(kh, sizeof(kh), "Idempotency-Key: %s", key);
	hdrs[0] = kh;
	hdrs[1] = NULL;
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/api/v1/submissions";
	r.parts = parts;
	r.nparts = np;
	r.headers = hdrs;
	r.quiet = 1;
	client_progress(c, 1);
	for (tries = 1;; tries++) {
		long st;

		rc = client_do(c, &r, &o);
		st = client_status(c);
		again = rc == CLI_NET && tries < SUBMIT_TRIES && (st == 0 ||
		    st == 502 || st == 503 || st == 504);
		if (again && !S_ISREG(fst.st_mode)) {
			/* a pipe: what the try read is gone, a retry would
			 * send the rest as the whole file */
			fprintf(stderr, "dataoptim: not retried: %s is not a "
			    "regular file (it cannot be read again)\n", file);
			break;
		}
		if (!again)
			break;
		fprintf(stderr, "dataoptim: %s; trying again in %d s with the "
		    "same Idempotency-Key\n", client_error(c), 1 << tries);
		sleep(1u << tries);
	}
	client_progress(c, 0);
	if (rc != CLI_OK) {
		client_report(c);
		goto out;
	}
	sub = json_object_get(o, "submission");
	if (!json_is_string(json_object_get(sub, "id")) ||
	    !json_is_string(json_object_get(json_object_get(sub, "job"),
	    "id"))) {
		rc = client_bad_answer(c, "no \"submission\" with an \"id\" "
		    "and a \"job\" \"id\"");
		goto out;
	}
	if (!wait) {
		if (ro.json)
			remote_json(o);
		else
			submit_print(sub, client_replayed(c));
		goto out;
	}
	if (!ro.json)
		submit_print(sub, client_replayed(c));
	rc = submit_wait(c, json_string_value(json_object_get(sub, "id")),
	    json_string_value(json_object_get(json_object_get(sub, "job"),
	    "id")), ro.json);
out:
	json_decref(o);
	client_free(c);
	return rc;
}
