/*
 * cmd_client: dataoptim status, submissions, cancel and leaderboard, the
 * participant's read-and-cancel commands on the REST API (server/API.md).
 * Each prints a table or a short report, or with --json the server's
 * JSON answer unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "client.h"
#include "remote.h"
#include "table.h"
#include "util.h"

#define LB_TEAM_WIDTH 24
#define LB_METHOD_WIDTH 32
#define LB_MAX_TASKS 12		/* score columns shown besides overall */

/* An ISO-8601 UTC time "2026-12-07T13:48:18Z" as "2026-12-07 13:48:18". */
static void
cc_time(const char *iso, char *out, size_t outlen)
{
	char *p;

	util_fmt(out, outlen, "%s", iso ? iso : "-");
	if ((p = strchr(out, 'T')) != NULL)
		*p = ' ';
	if ((p = strchr(out, 'Z')) != NULL && p[1] == '\0')
		*p = '\0';
}

/* One "label  value" line of a report; value is server text (more
 * lines of it indented under the first). */
static void
cc_field(const char *label, const char *value)
{
	const char *nl;

	printf("%-13s", label);
	while (value != NULL && (nl = strchr(value, '\n')) != NULL) {
		char *line = util_xmalloc((size_t)(nl - value) + 1);

		memcpy(line, value, (size_t)(nl - value));
		line[nl - value] = '\0';
		remote_text(stdout, line, 0);
		printf("\n%13s", "");
		free(line);
		value = nl + 1;
	}
	remote_text(stdout, value, 0);
	fputc('\n', stdout);
}

/* The path prefix/ID escaped (a new string). */
static char *
cc_path(struct client *c, const char *prefix, const char *id,
    const char *suffix)
{
	struct buf b = BUF_INIT;
	char *e = client_escape(c, id);

	buf_printf(&b, "%s%s%s", prefix, e, suffix ? suffix : "");
	free(e);
	return buf_steal(&b, NULL);
}

/* The last n lines of text (a pointer into it). */
static const char *
cc_last_lines(const char *text, int n)
{
	const char *p = text + strlen(text);

	if (p > text && p[-1] == '\n')
		p--;
	while (p > text) {
		if (p[-1] == '\n' && --n == 0)
			break;
		p--;
	}
	return p;
}

/* The report of a job (GET /api/v1/jobs/{id}'s "job"). */
static void
cc_job_report(const json_t *j)
{
	const char *tail = json_string_value(json_object_get(j, "log_tail"));
	char line[256], t[40];

	cc_field("job", json_string_value(json_object_get(j, "id")));
	cc_field("submission", json_string_value(json_object_get(j,
	    "submission_id")));
	cc_field("track", json_string_value(json_object_get(j, "track")));
	util_fmt(line, sizeof(line), "%s%s%s %.0f%% (attempt %lld)",
	    json_string_value(json_object_get(j, "state")),
	    json_is_string(json_object_get(j, "stage")) ? " " : "",
	    json_is_string(json_object_get(j, "stage")) ?
	    json_string_value(json_object_get(j, "stage")) : "",
	    json_number_value(json_object_get(j, "progress")) * 100,
	    (long long)json_integer_value(json_object_get(j, "attempt")));
	cc_field("state", line);
	if (json_is_string(json_object_get(j, "stage_note")))
		cc_field("note", json_string_value(json_object_get(j,
		    "stage_note")));
	cc_time(json_string_value(json_object_get(j, "created_at")), t,
	    sizeof(t));
	cc_field("queued", t);
	if (json_is_string(json_object_get(j, "finished_at"))) {
		cc_time(json_string_value(json_object_get(j, "finished_at")),
		    t, sizeof(t));
		cc_field("finished", t);
	}
	if (json_is_string(json_object_get(j, "error")))
		cc_field("error", json_string_value(json_object_get(j,
		    "error")));
	if (tail != NULL && *tail != '\0') {
		fputs("log (last lines):\n", stdout);
		remote_text(stdout, cc_last_lines(tail, 10), 1);
		if (tail[strlen(tail) - 1] != '\n')
			fputc('\n', stdout);
	}
	fputs("scores:\n", stdout);
	remote_scores(stdout, json_object_get(j, "scores"));
}

/* The report of a submission (GET /api/v1/submissions/{id}'s). */
static void
cc_sub_report(const json_t *s)
{
	const json_t *job = json_object_get(s, "job"), *w;
	char line[256], t[40];
	size_t i;

	cc_field("submission", json_string_value(json_object_get(s, "id")));
	util_fmt(line, sizeof(line), "%s (%s)", json_string_value(
	    json_object_get(s, "track")), json_string_value(json_object_get(s,
	    "kind")));
	cc_field("track", line);
	cc_field("method", json_string_value(json_object_get(s,
	    "method_name")));
	if (json_string_length(json_object_get(s, "description")) > 0)
		cc_field("description", json_string_value(json_object_get(s,
		    "description")));
	if (json_string_length(json_object_get(s, "url")) > 0)
		cc_field("url", json_string_value(json_object_get(s, "url")));
	cc_time(json_string_value(json_object_get(s, "created_at")), t,
	    sizeof(t));
	util_fmt(line, sizeof(line), "%s UTC", t);
	cc_field("submitted", line);
	util_fmt(line, sizeof(line), "%lld (%lld bytes)", (long long)
	    json_integer_value(json_object_get(s, "n_samples")), (long long)
	    json_integer_value(json_object_get(s, "size_bytes")));
	cc_field("samples", line);
	util_fmt(line, sizeof(line), "%s%s%s %.0f%%",
	    json_string_value(json_object_get(s, "status")),
	    json_is_string(json_object_get(job, "stage")) ? " " : "",
	    json_is_string(json_object_get(job, "stage")) ?
	    json_string_value(json_object_get(job, "stage")) : "",
	    json_number_value(json_object_get(job, "progress")) * 100);
	cc_field("status", line);
	cc_field("job", json_string_value(json_object_get(job, "id")));
	if (json_is_string(json_object_get(job, "error")))
		cc_field("error", json_string_value(json_object_get(job,
		    "error")));
	if (json_is_true(json_object_get(s, "reused")))
		cc_field("reused", json_string_value(json_object_get(s,
		    "reused_from")));
	if (json_is_true(json_object_get(s, "disqualified")))
		cc_field("disqualified", json_string_value(json_object_get(s,
		    "reason")));
	if (json_integer_value(json_object_get(s, "n_warnings")) > 0) {
		util_fmt(line, sizeof(line), "%lld", (long long)
		    json_integer_value(json_object_get(s, "n_warnings")));
		cc_field("warnings", line);
		json_array_foreach(json_object_get(s, "warnings"), i, w) {
			json_t *it = json_object_get(w, "item");

			if (json_is_integer(it))
				printf("  item %lld ", (long long)
				    json_integer_value(it));
			else
				fputs("  ", stdout);
			remote_text(stdout, json_string_value(json_object_get(
			    w, "path")), 0);
			fputs(": ", stdout);
			remote_text(stdout, json_string_value(json_object_get(
			    w, "message")), 0);
			fputc('\n', stdout);
		}
	}
	fputs("scores:\n", stdout);
	remote_scores(stdout, json_object_get(s, "scores"));
}

int
cli_status(int argc, char **argv)
{
	struct remote_opts ro = { NULL, NULL, 0 };
	const struct cli_opt opts[] = { REMOTE_OPTS(&ro) };
	const char *id = NULL;
	struct client *c = NULL;
	json_t *o = NULL, *subs, *first;
	char *path = NULL;
	int rc, is_job;

	if (cli_parse_ex(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    &id) != 0) {
		fprintf(stderr, "usage: dataoptim status [--json] [ID]   (a "
		    "submission s_... or a job j_...; none: the latest "
		    "submission)\n");
		return CLI_ERROR;
	}
	if ((rc = remote_connect(&ro, 1, &c)) != CLI_OK)
		return rc;
	is_job = id != NULL && strncmp(id, "j_", 2) == 0;
	if (id == NULL) {
		if ((rc = client_get(c, "/api/v1/submissions?limit=1",
		    &o)) != CLI_OK)
			goto out;
		if ((subs = remote_want(c, o, "submissions", JSON_ARRAY)) ==
		    NULL) {
			rc = CLI_NET;
			goto out;
		}
		first = json_array_get(subs, 0);
		if (first == NULL) {
			if (ro.json)
				remote_json_own(json_pack("{s:n}",
				    "submission"));
			else
				printf("no submissions yet\n");
			goto out;
		}
		if (!json_is_string(json_object_get(first, "id"))) {
			rc = client_bad_answer(c, "a submission without an "
			    "\"id\"");
			goto out;
		}
		path = cc_path(c, "/api/v1/submissions/", json_string_value(
		    json_object_get(first, "id")), NULL);
	} else if (is_job)
		path = cc_path(c, "/api/v1/jobs/", id, NULL);
	else
		path = cc_path(c, "/api/v1/submissions/", id, NULL);
	json_decref(o);
	o = NULL;
	if ((rc = client_get(c, path, &o)) != CLI_OK)
		goto out;
	if (remote_want(c, o, is_job ? "job" : "submission", JSON_OBJECT) ==
	    NULL)
		rc = CLI_NET;
	else if (ro.json)
		remote_json(o);
	else if (is_job)
		cc_job_report(json_object_get(o, "job"));
	else
		cc_sub_report(json_object_get(o, "submission"));
out:
	free(path);
	json_decref(o);
	client_free(c);
	return rc;
}

/* A bounded integer option; -1 after telling. */
static int
cc_int(const char *name, const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (s == NULL)
		return 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "dataoptim: %s must be an integer from %ld to "
		    "%ld, got '%s'\n", name, lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

int
cli_submissions(int argc, char **argv)
{
	static const char *const hdr[] = { "id", "track", "method", "status",
	    "score", "submitted (UTC)" };
	struct remote_opts ro = { NULL, NULL, 0 };
	const char *track = NULL, *lim = NULL, *off = NULL;
	const struct cli_opt opts[] = { REMOTE_OPTS(&ro),
	    CLI_VALUE("--track", &track), CLI_VALUE("--limit", &lim),
	    CLI_VALUE("--offset", &off) };
	struct client *c = NULL;
	struct buf path = BUF_INIT;
	struct table *t = NULL;
	json_t *o = NULL, *s;
	long limit = 20, offset = 0;
	size_t i;
	int rc;

	if (cli_parse_ex(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    NULL) != 0 || cc_int("--limit", lim, 1, 500, &limit) != 0 ||
	    cc_int("--offset", off, 0, 1000000000L, &offset) != 0) {
		fprintf(stderr, "usage: dataoptim submissions [--track T] "
		    "[--limit 1..500] [--offset N] [--json]\n");
		return CLI_ERROR;
	}
	if ((rc = remote_connect(&ro, 1, &c)) != CLI_OK)
		return rc;
	buf_printf(&path, "/api/v1/submissions?limit=%ld&offset=%ld", limit,
	    offset);
	if (track != NULL) {
		char *e = client_escape(c, track);

		buf_printf(&path, "&track=%s", e);
		free(e);
	}
	if ((rc = client_get(c, path.p, &o)) != CLI_OK)
		goto out;
	if (remote_want(c, o, "submissions", JSON_ARRAY) == NULL) {
		rc = CLI_NET;
		goto out;
	}
	if (ro.json) {
		remote_json(o);
		goto out;
	}
	t = table_new(6, hdr);
	table_col(t, 1, 20, 0);
	table_col(t, 2, LB_METHOD_WIDTH, 0);
	table_col(t, 4, 0, 1);
	json_array_foreach(json_object_get(o, "submissions"), i, s) {
		const char *row[6];
		char score[64], when[40];

		remote_score(json_object_get(json_object_get(s, "scores"),
		    "overall"), score, sizeof(score));
		cc_time(json_string_value(json_object_get(s, "created_at")),
		    when, sizeof(when));
		row[0] = json_string_value(json_object_get(s, "id"));
		row[1] = json_string_value(json_object_get(s, "track"));
		row[2] = json_string_value(json_object_get(s, "method_name"));
		row[3] = json_string_value(json_object_get(s, "status"));
		row[4] = score;
		row[5] = when;
		table_add(t, row);
	}
	if (table_rows(t) == 0)
		printf("no submissions%s\n", track ? " on this track" : "");
	else {
		table_print(t, stdout);
		printf("%zu of %lld\n", table_rows(t), (long long)
		    json_integer_value(json_object_get(o, "total")));
	}
out:
	table_free(t);
	buf_free(&path);
	json_decref(o);
	client_free(c);
	return rc;
}

int
cli_cancel(int argc, char **argv)
{
	struct remote_opts ro = { NULL, NULL, 0 };
	const struct cli_opt opts[] = { REMOTE_OPTS(&ro) };
	const char *id = NULL;
	struct client *c = NULL;
	struct client_req r;
	json_t *o = NULL;
	int rc;

	if (cli_parse_ex(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    &id) != 0 || id == NULL) {
		fprintf(stderr, "usage: dataoptim cancel [--json] "
		    "SUBMISSION_ID\n");
		return CLI_ERROR;
	}
	if ((rc = remote_connect(&ro, 1, &c)) != CLI_OK)
		return rc;
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = cc_path(c, "/api/v1/submissions/", id, "/cancel");
	rc = client_do(c, &r, &o);
	free((char *)r.path);
	if (rc == CLI_OK && remote_want(c, o, "submission", JSON_OBJECT) ==
	    NULL)
		rc = CLI_NET;
	else if (rc == CLI_OK) {
		if (ro.json)
			remote_json(o);
		else {
			const json_t *s = json_object_get(o, "submission");

			fputs("cancelled ", stdout);
			remote_text(stdout, json_string_value(json_object_get(
			    s, "id")), 0);
			fputs(" (status ", stdout);
			remote_text(stdout, json_string_value(json_object_get(
			    s, "status")), 0);
			fputs(")\n", stdout);
		}
	}
	json_decref(o);
	client_free(c);
	return rc;
}

static int
cc_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The tasks scored on the board besides overall, sorted (at most
 * LB_MAX_TASKS); returns how many. */
static size_t
cc_tasks(const json_t *entries, const char **tasks)
{
	const json_t *e, *v;
	const char *k;
	size_t i, n = 0, m;

	json_array_foreach(entries, i, e) {
		json_object_foreach(json_object_get(e, "scores"), k, v) {
			if (strcmp(k, "overall") == 0)
				continue;
			for (m = 0; m < n && strcmp(tasks[m], k) != 0; m++)
				;
			if (m == n && n < LB_MAX_TASKS)
				tasks[n++] = k;
		}
	}
	qsort(tasks, n, sizeof(*tasks), cc_strcmp);
	return n;
}

int
cli_leaderboard(int argc, char **argv)
{
	struct remote_opts ro = { NULL, NULL, 0 };
	const char *track = NULL, *split = NULL;
	const struct cli_opt opts[] = { REMOTE_OPTS(&ro),
	    CLI_VALUE("--track", &track), CLI_VALUE("--split", &split) };
	const char *hdr[4 + LB_MAX_TASKS + 1], *tasks[LB_MAX_TASKS];
	struct client *c = NULL;
	struct buf path = BUF_INIT;
	struct table *t = NULL;
	json_t *o = NULL, *entries, *e;
	size_t i, k, nt, ncol;
	int rc;

	if (cli_parse_ex(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    NULL) != 0 || track == NULL || (split != NULL &&
	    strcmp(split, "public") != 0 && strcmp(split, "private") != 0)) {
		fprintf(stderr, "usage: dataoptim leaderboard --track T "
		    "[--split public|private] [--json]\n");
		return CLI_ERROR;
	}
	/* public: a token is sent when there is one (some boards want it) */
	if ((rc = remote_connect(&ro, 0, &c)) != CLI_OK)
		return rc;
	{
		char *e1 = client_escape(c, track);

		buf_printf(&path, "/api/v1/leaderboard?track=%s%s%s", e1,
		    split ? "&split=" : "", split ? split : "");
		free(e1);
	}
	if ((rc = client_get(c, path.p, &o)) != CLI_OK)
		goto out;
	if ((entries = remote_want(c, o, "entries", JSON_ARRAY)) == NULL) {
		rc = CLI_NET;
		goto out;
	}
	if (ro.json) {
		remote_json(o);
		goto out;
	}
	nt = cc_tasks(entries, tasks);
	hdr[0] = "rank";
	hdr[1] = "team";
	hdr[2] = "method";
	hdr[3] = "overall";
	for (k = 0; k < nt; k++)
		hdr[4 + k] = tasks[k];
	hdr[4 + nt] = "submitted (UTC)";
	ncol = 5 + nt;
	t = table_new(ncol, hdr);
	table_col(t, 0, 0, 1);
	table_col(t, 1, LB_TEAM_WIDTH, 0);
	table_col(t, 2, LB_METHOD_WIDTH, 0);
	for (k = 3; k < 4 + nt; k++)
		table_col(t, k, 0, 1);
	json_array_foreach(entries, i, e) {
		const char *row[5 + LB_MAX_TASKS];
		char rank[32], sc[LB_MAX_TASKS + 1][64], when[40];
		struct buf team = BUF_INIT;
		const json_t *s = json_object_get(e, "scores");

		if (json_is_integer(json_object_get(e, "rank")))
			util_fmt(rank, sizeof(rank), "%lld", (long long)
			    json_integer_value(json_object_get(e, "rank")));
		else
			util_fmt(rank, sizeof(rank), "-");
		buf_adds(&team, json_string_value(json_object_get(e, "team")) ?
		    json_string_value(json_object_get(e, "team")) : "?");
		if (json_is_true(json_object_get(e, "baseline")))
			buf_adds(&team, " (baseline)");
		remote_score(json_object_get(s, "overall"), sc[0],
		    sizeof(sc[0]));
		for (k = 0; k < nt; k++)
			remote_score(json_object_get(s, tasks[k]), sc[k + 1],
			    sizeof(sc[k + 1]));
		cc_time(json_string_value(json_object_get(e, "submitted_at")),
		    when, sizeof(when));
		row[0] = rank;
		row[1] = team.p;
		row[2] = json_string_value(json_object_get(e, "method_name"));
		for (k = 0; k <= nt; k++)
			row[3 + k] = sc[k];
		row[4 + nt] = when;
		table_add(t, row);
		buf_free(&team);
	}
	printf("leaderboard of track ");
	remote_text(stdout, json_string_value(json_object_get(o, "track")), 0);
	fputs(" (", stdout);
	remote_text(stdout, json_string_value(json_object_get(o, "split")) ?
	    json_string_value(json_object_get(o, "split")) : "public", 0);
	printf(" split%s), ranked by ", json_is_true(json_object_get(o,
	    "frozen")) ? ", frozen" : "");
	remote_text(stdout, json_string_value(json_object_get(o, "metric")),
	    0);
	printf(" (%s is better)\n", json_string_value(json_object_get(o,
	    "direction")) && strcmp(json_string_value(json_object_get(o,
	    "direction")), "min") == 0 ? "lower" : "higher");
	if (table_rows(t) == 0)
		printf("(no scored submissions yet)\n");
	else
		table_print(t, stdout);
out:
	table_free(t);
	buf_free(&path);
	json_decref(o);
	client_free(c);
	return rc;
}
