/*
 * api_sub: tracks and submissions.  An upload streams into a temporary
 * file (upload.h) while its SHA-256 is computed; once the body is in, the
 * file is validated with the foundation's validators and then committed
 * (renamed into place, rows inserted, one transaction) or answered 422.
 * The validator's warnings do not reject a file: they are stored with the
 * submission and answered with it, and with a 422's errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "auth.h"
#include "buf.h"
#include "byod.h"
#include "cfg.h"
#include "db.h"
#include "http.h"
#include "lb.h"
#include "metrics.h"
#include "report.h"
#include "srv.h"
#include "stdval.h"
#include "upload.h"
#include "util.h"
#include "vresult.h"

#define SUB_FORM_SLACK (64 * 1024)	/* multipart overhead allowed */

/* The kept warnings go into submissions.warnings, which holds 100. */
_Static_assert(VRESULT_KEEP <= 100, "migration 0005 keeps 100 warnings");

/* A form field collected in memory (small fields only). */
struct sub_field {
	const char *key;
	struct buf text;	/* text.p NULL: not sent */
	size_t max;
};

enum { F_TRACK, F_METHOD, F_DESC, F_URL, F_CSRF, F_N };

/* Per-request state of POST /api/v1/submissions (freed by sub_free). */
struct sub_req {
	struct upload *up;	/* the body or the form's file field */
	struct http_form *form;	/* NULL for a raw body */
	struct sub_field f[F_N];	/* form fields; raw: from the query */
	int saw_file;		/* the form had a "file" field */
	int bad;		/* a field too long or repeated (set msg) */
	const char *idem_key;	/* Idempotency-Key (MHD's), or NULL */
	char orig_name[256];	/* the file's own name, cleaned */
	char msg[160];
	struct srv *srv;
};

static void
sub_free(void *p)
{
	struct sub_req *sr = p;
	int i;

	if (sr == NULL)
		return;
	http_form_free(sr->form);
	upload_free(sr->up);
	for (i = 0; i < F_N; i++)
		buf_free(&sr->f[i].text);
	free(sr);
}

static const char *
sub_field(const struct sub_req *sr, int i)
{
	return sr->f[i].text.p;
}

/* the uploaded file's own name */
/*
 * The base name of the client's file name in into out (outsz bytes):
 * what follows the last / or \, control characters dropped, at most 200
 * bytes cut at a character's boundary; "" when nothing valid is left
 * (not UTF-8, ".", "..").
 */
static void
sub_clean_name(const char *in, char *out, size_t outsz)
{
	const char *b = in, *p;
	size_t n = 0, k, max = outsz - 1 < 200 ? outsz - 1 : 200;
	char err[128];

	for (p = in; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	for (p = b; *p != '\0' && n < max; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			out[n++] = *p;
	/* a character cut at the end goes whole (a UTF-8 one has at most
	 * 4 bytes) */
	for (k = 0; *p != '\0' && k < 3 && n > 0 && util_text_check(out, n,
	    0, max, err, sizeof(err)) != 0; k++)
		n--;
	out[n] = '\0';
	if (util_text_check(out, n, 0, max, err, sizeof(err)) != 0 ||
	    strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		out[0] = '\0';
}

static int
sub_form_iter(void *cls, const char *key, const char *filename, uint64_t off,
    const char *data, size_t size)
{
	struct sub_req *sr = cls;
	int i;

	(void)off;
	if (strcmp(key, "file") == 0) {
		int rc;

		if (!sr->saw_file && filename != NULL)
			sub_clean_name(filename, sr->orig_name,
			    sizeof(sr->orig_name));
		sr->saw_file = 1;
		if (size == 0)
			return 0;
		rc = upload_write(sr->up, data, size);
		return rc == 0 ? 0 : -1;
	}
	for (i = 0; i < F_N; i++) {
		struct sub_field *f = &sr->f[i];

		if (strcmp(key, f->key) != 0)
			continue;
		if (f->text.len + size > f->max) {
			sr->bad = 1;
			util_fmt(sr->msg, sizeof(sr->msg), "field %s is over "
			    "%zu bytes", f->key, f->max);
			return -1;
		}
		buf_add(&f->text, data, size);
		return 0;
	}
	return 0;		/* unknown fields are ignored */
}

/* Answer 413 for an upload over the limit. */
static int
sub_too_large(struct http_req *req, uint64_t max)
{
	char msg[128];

	metrics_submission(METRICS_TOO_LARGE);
	util_fmt(msg, sizeof(msg), "the file is over the limit of %llu MiB",
	    (unsigned long long)(max >> 20));
	return http_reply_error_ex(req, 413, "too_large", msg, NULL,
	    json_pack("{s:I}", "max_bytes", (json_int_t)max));
}

/* Answer a failed store: 507 when the disk is full, else 500. */
static int
sub_store_failed(struct http_req *req, int full)
{
	metrics_submission(METRICS_ERROR);
	if (full)
		return http_reply_error(req, 507, "storage_full", "the "
		    "server's disk is full, so the upload could not be stored; "
		    "nothing was kept: try again later", NULL);
	return http_reply_error(req, 500, "internal", "cannot store the "
	    "upload", NULL);
}

static int
sub_body_fail(struct sub_req *sr)
{
	/* the temporary file goes before the answer does */
	upload_free(sr->up);
	sr->up = NULL;
	return -1;
}

static int
sub_body(struct http_req *req, const char *data, size_t len)
{
	struct sub_req *sr = http_req_ctx(req);
	uint64_t max = (uint64_t)sr->srv->cfg->max_upload_mb << 20;
	int rc;

	if (sr->up == NULL)
		return -1;
	if (sr->form != NULL) {
		if (http_form_feed(sr->form, data, len) == 0)
			return 0;
		rc = upload_write(sr->up, "", 0);
		if (rc == UPLOAD_OVER) {
			sub_too_large(req, max);
			return sub_body_fail(sr);
		}
		if (rc != 0) {
			sub_store_failed(req, rc == UPLOAD_FULL);
			return sub_body_fail(sr);
		}
		if (sr->bad)
			http_reply_error(req, 400, "bad_request", sr->msg,
			    NULL);
		else if (http_form_unnamed(sr->form))
			http_reply_error(req, 400, "bad_request", "a part of "
			    "the multipart form has no name (each part needs "
			    "Content-Disposition: form-data; name=\"...\")",
			    NULL);
		else
			http_reply_error(req, 400, "bad_request",
			    "malformed multipart form (each part: headers, a "
			    "blank line, then its data, lines ending in CRLF; "
			    "no nested multipart)", NULL);
		metrics_submission(METRICS_ERROR);
		return sub_body_fail(sr);
	}
	rc = upload_write(sr->up, data, len);
	if (rc == UPLOAD_OVER) {
		sub_too_large(req, max);
		return sub_body_fail(sr);
	}
	if (rc != 0) {
		sub_store_failed(req, rc == UPLOAD_FULL);
		return sub_body_fail(sr);
	}
	return 0;
}

/* Check that track t takes submissions now and that the team has quota
 * left.  0, or -1 after replying 409 / 429. */
static int
sub_check_track(struct http_req *req, const struct db_track *t)
{
	int64_t now = srv_now();
	char msg[256], ts[21];

	if (t->opens_at && now < t->opens_at) {
		db_iso_time(t->opens_at, ts);
		util_fmt(msg, sizeof(msg), "track %s opens at %s", t->slug, ts);
		metrics_submission(METRICS_CLOSED);
		return http_reply_error_ex(req, 409, "track_not_open", msg,
		    NULL, json_pack("{s:s}", "opens_at", ts)), -1;
	}
	if (t->closes_at && now >= t->closes_at) {
		db_iso_time(t->closes_at, ts);
		util_fmt(msg, sizeof(msg), "track %s closed at %s", t->slug,
		    ts);
		metrics_submission(METRICS_CLOSED);
		return http_reply_error_ex(req, 409, "track_closed", msg,
		    NULL, json_pack("{s:s}", "closes_at", ts)), -1;
	}
	return 0;
}

/* Answer 429 for the quota used up. */
static int
sub_quota_reply(struct http_req *req, const struct db_track *t,
    enum quota_kind kind)
{
	struct srv *srv = http_req_srv(req);
	int64_t now = srv_now(), wait;
	char msg[256], ts[21], ra[32];

	metrics_submission(METRICS_QUOTA);
	if (kind == QUOTA_PER_DAY) {
		wait = 86400 - now % 86400;
		db_iso_time(now + wait, ts);
		util_fmt(msg, sizeof(msg), "daily quota of %lld submissions "
		    "on track %s used; the next slot opens at %s",
		    (long long)t->per_day, t->slug, ts);
	} else if (kind == QUOTA_TOTAL) {
		wait = t->closes_at > now ? t->closes_at - now : 86400;
		db_iso_time(now + wait, ts);
		util_fmt(msg, sizeof(msg), "total quota of %lld submissions "
		    "on track %s used; no slot opens again unless a job fails "
		    "through no fault of the team", (long long)t->total,
		    t->slug);
	} else {
		wait = 60;
		db_iso_time(now + wait, ts);
		util_fmt(msg, sizeof(msg), "at most %lld of a team's jobs may "
		    "be queued or running; a slot opens when one finishes",
		    (long long)(t->max_active > 0 ? t->max_active :
		    srv->cfg->max_active_jobs));
	}
	util_fmt(ra, sizeof(ra), "%lld", (long long)wait);
	http_reply_error_ex(req, 429, "quota", msg, NULL,
	    json_pack("{s:s, s:I}", "next_slot_at", ts, "retry_after",
	    (json_int_t)wait));
	http_header(req, "Retry-After", ra);
	return -1;
}

/* Look up and check the track named slug. 0 or -1 after a reply. */
static int
sub_track(struct http_req *req, const char *slug, struct db_track *t)
{
	const struct db_principal *who = http_req_who(req);
	struct srv *srv = http_req_srv(req);
	struct db_quota q;
	int rc;

	if (slug == NULL || slug[0] == '\0')
		return http_reply_error(req, 400, "bad_request",
		    "name the track (track=...)", NULL), -1;
	rc = db_track_get(http_req_db(req), slug, t);
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found",
		    "no such track", NULL), -1;
	if (rc != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL), -1;
	if (sub_check_track(req, t) != 0)
		return -1;
	/* an early answer; the commit checks again in its transaction */
	if (db_quota_get(http_req_db(req), t->id, who->team_id, srv_now(), &q)
	    != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL), -1;
	if (t->per_day && q.today >= t->per_day)
		return sub_quota_reply(req, t, QUOTA_PER_DAY);
	if (t->total && q.total >= t->total)
		return sub_quota_reply(req, t, QUOTA_TOTAL);
	if (q.active >= (t->max_active > 0 ? t->max_active :
	    srv->cfg->max_active_jobs))
		return sub_quota_reply(req, t, QUOTA_ACTIVE);
	return 0;
}

/* Answer with the submission an earlier try with the same key made. */
static int
sub_replay(struct http_req *req, const char *id)
{
	char loc[80];
	json_t *body;

	if (db_submission_get(http_req_db(req), id, -1, &body) != DB_OK)
		return http_reply_error(req, 500, "internal", "cannot read "
		    "the submission of this Idempotency-Key", NULL);
	http_reply_json(req, 200, body);
	http_header(req, "Idempotent-Replayed", "true");
	util_fmt(loc, sizeof(loc), "/api/v1/submissions/%s", id);
	http_header(req, "Location", loc);
	return 0;
}

/*
 * The Idempotency-Key header of an upload into *key (NULL when there is
 * none; 1..200 printable ASCII characters).  Returns 1 after answering:
 * 400 for a bad key, or 200 with the submission that the team's same key
 * made within a day (Idempotent-Replayed: true), before the body is
 * read; else 0.
 */
static int
sub_idem_replayed(struct http_req *req, const char **key)
{
	const struct db_principal *who = http_req_who(req);
	const char *k = http_req_header(req, "Idempotency-Key");
	char first[40];
	size_t i, n;
	int rc;

	*key = NULL;
	if (k == NULL)
		return 0;
	n = strlen(k);
	for (i = 0; i < n && k[i] > 0x20 && k[i] < 0x7f; i++)
		;
	if (n == 0 || n > 200 || i < n)
		return http_reply_error(req, 400, "bad_request", "header "
		    "Idempotency-Key: 1 to 200 printable ASCII characters, no "
		    "spaces", NULL), 1;
	rc = db_idem_find(http_req_db(req), who->team_id, k, srv_now(),
	    first, sizeof(first));
	if (rc == DB_NOTFOUND) {
		*key = k;
		return 0;
	}
	if (rc != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL), 1;
	sub_replay(req, first);
	return 1;
}

int
api_sub_begin(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	uint64_t max = (uint64_t)srv->cfg->max_upload_mb << 20;
	const char *ctype = http_req_header(req, "Content-Type");
	int64_t cl = http_req_content_length(req);
	struct sub_req *sr;
	struct db_track t;
	char err[256];
	static const struct { const char *key; size_t max; } fields[F_N] = {
		{ "track", 64 }, { "method_name", 200 },
		{ "description", 4000 }, { "url", 1000 }, { "csrf_token", 100 },
	};
	const char *idem;
	int i, is_form;

	/* a user who left a team (or never joined one) can log
	 * in but not submit; told before any of the body is read */
	if (http_req_who(req)->team_id == 0)
		return http_reply_error(req, 403, "no_team", "you are not a "
		    "member of any team: join one with an invite code or make "
		    "one on the team page (/team), then submit", NULL);
	if (ctype == NULL)
		return http_reply_error(req, 415, "unsupported_media_type",
		    "send multipart/form-data, text/plain or application/json",
		    NULL);
	if (sub_idem_replayed(req, &idem))
		return 0;
	is_form = strncasecmp(ctype, "multipart/form-data", 19) == 0;
	if (cl >= 0 && (uint64_t)cl > max + (is_form ? SUB_FORM_SLACK : 0))
		return sub_too_large(req, max);
	if (!is_form && strncasecmp(ctype, "text/plain", 10) != 0 &&
	    strncasecmp(ctype, "application/json", 16) != 0 &&
	    strncasecmp(ctype, "application/octet-stream", 24) != 0)
		return http_reply_error(req, 415, "unsupported_media_type",
		    "send multipart/form-data, text/plain or application/json",
		    NULL);
	sr = util_xcalloc(1, sizeof(*sr));
	sr->srv = srv;
	sr->idem_key = idem;
	for (i = 0; i < F_N; i++) {
		sr->f[i].key = fields[i].key;
		sr->f[i].max = fields[i].max;
	}
	if (!is_form) {
		/* raw body: everything but the file is in the query, so the
		 * track, the quota and the closing time are checked before a
		 * byte of the body is read */
		const char *q[F_N] = { http_req_query(req, "track"),
		    http_req_query(req, "method_name"),
		    http_req_query(req, "description"),
		    http_req_query(req, "url"), NULL };

		for (i = 0; i < F_N; i++)
			if (q[i] != NULL) {
				if (strlen(q[i]) > sr->f[i].max) {
					sub_free(sr);
					return http_reply_error(req, 400,
					    "bad_request", "a query argument is "
					    "too long", NULL);
				}
				buf_adds(&sr->f[i].text, q[i]);
			}
		if (http_req_query(req, "filename") != NULL)
			sub_clean_name(http_req_query(req, "filename"),
			    sr->orig_name, sizeof(sr->orig_name));
		if (sub_track(req, sub_field(sr, F_TRACK), &t) != 0) {
			sub_free(sr);
			return 0;
		}
	}
	sr->up = upload_new(srv->tmp_dir, max, err, sizeof(err));
	if (sr->up == NULL) {
		fprintf(stderr, "dataoptimd: %s\n", err);
		sub_free(sr);
		return http_reply_error(req, 503, "unavailable",
		    "cannot store uploads now", NULL);
	}
	if (is_form && (sr->form = http_form_new(req, sub_form_iter, sr))
	    == NULL) {
		sub_free(sr);
		return http_reply_error(req, 400, "bad_request",
		    "malformed multipart form (boundary?)", NULL);
	}
	http_req_set_body(req, sub_body, sr, sub_free);
	return 0;
}

/* The composition of res as a JSON text (malloc'd). */
static char *
sub_composition(const struct vresult *res)
{
	json_t *o = json_object();
	char *s;
	size_t i;

	for (i = 0; i < res->n_comp; i++)
		json_object_set_new(o, res->comp[i].name,
		    json_integer((json_int_t)res->comp[i].n));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

/* The kept warnings of res as a JSON array text (malloc'd), or NULL if it
 * cannot be encoded. */
static char *
sub_warnings(const struct vresult *res)
{
	json_t *w = vresult_warnings_json(res);
	char *s = json_dumps(w, JSON_COMPACT);

	json_decref(w);
	return s;
}

struct sub_commit_arg {
	struct upload *up;
	const char *dest;
};

static int
sub_commit_fs(void *arg)
{
	struct sub_commit_arg *a = arg;

	return upload_commit(a->up, a->dest);
}

/* Answer 422 with the errors of res, and its warnings when it has any;
 * report: the name of the full report, or NULL. */
static int
sub_invalid(struct http_req *req, const struct db_track *t,
    const struct vresult *res, const char *report)
{
	json_t *errs = vresult_errors_json(res), *extra;
	char msg[128];

	util_fmt(msg, sizeof(msg), "the %s submission is invalid: %llu error%s",
	    track_kind_name(t->kind), (unsigned long long)res->n_errors,
	    res->n_errors == 1 ? "" : "s");
	extra = json_pack("{s:I, s:I}", "n_errors", (json_int_t)res->n_errors,
	    "n_shown", (json_int_t)json_array_size(errs));
	if (res->n_warnings > 0) {
		json_object_set_new(extra, "warnings",
		    vresult_warnings_json(res));
		json_object_set_new(extra, "n_warnings",
		    json_integer((json_int_t)res->n_warnings));
	}
	if (report != NULL) {
		char url[80];

		util_fmt(url, sizeof(url), "/api/v1/reports/%s", report);
		json_object_set_new(extra, "report_url", json_string(url));
	}
	metrics_submission(METRICS_INVALID);
	return http_reply_error_ex(req, 422, "invalid_submission", msg, errs,
	    extra);
}

/* Validate the finished upload against track t into res.  0, or -1 after
 * a reply. */
static int
sub_validate(struct http_req *req, struct sub_req *sr,
    const struct db_track *t, struct vresult *res)
{
	struct srv *srv = http_req_srv(req);
	struct report *rp = NULL;
	int64_t free_mb;
	char err[512];
	int rc;

	/* every error goes to a report the team can download, but
	 * for the free space of the state directory (storage.min_free_mb):
	 * under it, the answer's first errors only */
	if (srv_storage_low(srv, &free_mb))
		fprintf(stderr, "dataoptimd: report: none written: %lld MB "
		    "free in %s, under storage.min_free_mb (%lld)\n",
		    (long long)free_mb, srv->cfg->state_dir,
		    (long long)srv->cfg->min_free_mb);
	else if ((rp = report_new(srv->cfg->state_dir,
	    http_req_who(req)->team_id, err, sizeof(err))) == NULL)
		fprintf(stderr, "dataoptimd: report: %s\n", err);
	else {
		char ts[21];

		db_iso_time(srv_now(), ts);
		fprintf(report_fp(rp), "DataOptim validation report: %s, "
		    "track %s (%s), checked %s\n\n", sr->orig_name[0] ?
		    sr->orig_name : "the uploaded file", t->slug,
		    track_kind_name(t->kind), ts);
		vresult_set_sink(res, report_fp(rp), REPORT_MAX_BYTES - 4096);
	}
	if (t->kind == KIND_STANDARD) {
		if (srv->pool == NULL) {
			report_free(rp);
			vresult_set_sink(res, NULL, 0);
			return http_reply_error(req, 503, "unavailable",
			    "no pool index is loaded", NULL), -1;
		}
		rc = stdval_file(srv->pool, upload_path(sr->up),
		    (uint64_t)t->budget, res, NULL, NULL, err, sizeof(err));
	} else {
		struct byod_limits lim;

		memset(&lim, 0, sizeof(lim));
		lim.max_items = (uint64_t)t->budget;
		lim.max_bytes = (uint64_t)srv->cfg->max_upload_mb << 20;
		lim.image_roots = (const char *const *)srv->image_roots;
		rc = byod_file(srv->pool, upload_path(sr->up), &lim, res, err,
		    sizeof(err));
	}
	vresult_set_sink(res, NULL, 0);
	if (rc != 0) {
		report_free(rp);
		fprintf(stderr, "dataoptimd: validate: %s\n", err);
		metrics_submission(METRICS_ERROR);
		return http_reply_error(req, 500, "internal",
		    "cannot read the upload", NULL), -1;
	}
	if (res->n_errors > 0) {
		const char *name = NULL;

		if (rp != NULL) {
			fprintf(report_fp(rp), "\n%llu error%s in all",
			    (unsigned long long)res->n_errors,
			    res->n_errors == 1 ? "" : "s");
			if (res->sink_lines < res->n_errors)
				fprintf(report_fp(rp), "; the first %llu are "
				    "listed (a report holds %u MiB)",
				    (unsigned long long)res->sink_lines,
				    REPORT_MAX_BYTES >> 20);
			fprintf(report_fp(rp), ".\n");
			if (report_commit(rp) == 0)
				name = report_name(rp);
		}
		sub_invalid(req, t, res, name);
		report_free(rp);
		return -1;
	}
	report_free(rp);
	return 0;
}

int
api_sub_create(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	struct sub_req *sr = http_req_ctx(req);
	const struct db_principal *who = http_req_who(req);
	struct db_track t;
	struct vresult res;
	struct db_newsub ns;
	struct db_commit out;
	struct sub_commit_arg ca;
	char sha[65], id[40], job_id[40], fname[64], dest[PATH_MAX];
	char *comp = NULL, *warn = NULL;
	uint64_t size = 0;
	json_t *body;
	int rc;

	vresult_init(&res);
	if (sr == NULL || sr->up == NULL)
		return http_reply_error(req, 500, "internal", "no upload", NULL);
	if (sr->form != NULL) {
		int i;

		for (i = 0; i < F_N; i++)
			if (sr->f[i].text.p != NULL && http_check_text(req,
			    "field", sr->f[i].key, sr->f[i].text.p,
			    sr->f[i].text.len, sr->f[i].max) != 0)
				goto out;
		if (http_req_csrf_check(req, sub_field(sr, F_CSRF)) != 0)
			goto out;
		if (sub_track(req, sub_field(sr, F_TRACK), &t) != 0)
			goto out;
		if (!sr->saw_file) {
			http_reply_error(req, 400, "bad_request",
			    "the form has no file field", NULL);
			goto out;
		}
	} else if (db_track_get(http_req_db(req), sub_field(sr, F_TRACK), &t)
	    != DB_OK) {
		http_reply_error(req, 404, "not_found", "no such track", NULL);
		goto out;
	}
	if (sub_field(sr, F_METHOD) == NULL || sub_field(sr, F_METHOD)[0]
	    == '\0') {
		http_reply_error(req, 400, "bad_request",
		    "name the method (method_name)", NULL);
		goto out;
	}
	if ((rc = upload_finish(sr->up, sha, &size)) != 0) {
		sub_store_failed(req, rc == UPLOAD_FULL);
		goto out;
	}
	metrics_upload(size);
	if (sub_validate(req, sr, &t, &res) != 0)
		goto out;
	if (auth_random(id + 2, 23) != 0 || auth_random(job_id + 2, 23) != 0) {
		http_reply_error(req, 500, "internal", "no random bytes", NULL);
		goto out;
	}
	memcpy(id, "s_", 2);
	memcpy(job_id, "j_", 2);
	util_fmt(fname, sizeof(fname), "%s.%s", id,
	    t.kind == KIND_STANDARD ? "txt" : "json");
	util_fmt(dest, sizeof(dest), "%s/%s", srv->sub_dir, fname);
	comp = sub_composition(&res);
	if ((warn = sub_warnings(&res)) == NULL) {
		metrics_submission(METRICS_ERROR);
		http_reply_error(req, 500, "internal", "cannot record the "
		    "validator's warnings", NULL);
		goto out;
	}
	memset(&ns, 0, sizeof(ns));
	ns.id = id;
	ns.job_id = job_id;
	ns.track_id = t.id;
	ns.team_id = who->team_id;
	ns.user_id = who->user_id;
	ns.kind = track_kind_name(t.kind);
	ns.n_samples = res.n_samples;
	ns.size_bytes = size;
	ns.sha256 = sha;
	ns.set_hash = res.set_hash;
	ns.composition = comp;
	ns.warnings = warn;
	ns.n_warnings = res.n_warnings;
	ns.method_name = sub_field(sr, F_METHOD);
	ns.description = sub_field(sr, F_DESC);
	ns.url = sub_field(sr, F_URL);
	ns.file_name = fname;
	ns.original_name = sr->orig_name[0] ? sr->orig_name : NULL;
	ns.reuse = (int)srv->cfg->reuse_scores;
	ns.per_day = t.per_day;
	ns.total = t.total;
	ns.max_active = t.max_active > 0 ? t.max_active :
	    srv->cfg->max_active_jobs;
	ns.idem_key = sr->idem_key;
	ns.now = srv_now();
	ca.up = sr->up;
	ca.dest = dest;
	rc = db_submission_commit(http_req_db(req), &ns, sub_commit_fs, &ca,
	    &out);
	if (rc == DB_QUOTA) {
		sub_quota_reply(req, &t, out.quota);
		goto out;
	}
	if (rc == DB_CONFLICT) {	/* its first try won the race */
		sub_replay(req, out.first);
		goto out;
	}
	if (rc != DB_OK) {
		unlink(dest);	/* it may have been moved already */
		sub_store_failed(req, srv_storage_low(srv, NULL));
		goto out;
	}
	metrics_submission(out.reused_from[0] ? METRICS_REUSED :
	    METRICS_ACCEPTED);
	if (out.reused_from[0])
		lb_invalidate(srv->lb);
	if (db_submission_get(http_req_db(req), id, -1, &body) != DB_OK) {
		http_reply_error(req, 500, "internal", "stored, but cannot "
		    "read it back", NULL);
		goto out;
	}
	http_reply_json(req, 201, body);
	util_fmt(dest, sizeof(dest), "/api/v1/submissions/%s", id);
	http_header(req, "Location", dest);
out:
	/* remove the temporary file (if any) before the answer goes out */
	upload_free(sr->up);
	sr->up = NULL;
	free(comp);
	free(warn);
	vresult_clear(&res);
	return 0;
}

int
api_tracks(struct http_req *req)
{
	const struct db_principal *who = http_req_who(req);
	json_t *arr;

	if (db_tracks_json(http_req_db(req), srv_now(), who && who->team_id ?
	    who->team_id : 0, &arr) != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	return http_reply_json(req, 200, json_pack("{s:o}", "tracks", arr));
}

/* track page.  The same tracks as the list (every track is
 * public; there is no hidden one), with the page's texts. */
int
api_track_get(struct http_req *req)
{
	const struct db_principal *who = http_req_who(req);
	json_t *o;
	int rc = db_track_public(http_req_db(req), http_req_param(req, 0),
	    srv_now(), who && who->team_id ? who->team_id : 0, &o);

	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found", "no such track",
		    NULL);
	if (rc != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	return http_reply_json(req, 200, o);
}

int
api_sub_list(struct http_req *req)
{
	const struct db_principal *who = http_req_who(req);
	int64_t limit, offset;
	json_t *o;

	if (api_page_args(req, &limit, &offset) != 0)
		return 0;
	if (who->team_id == 0)
		return http_reply_json(req, 200, json_pack("{s:[], s:I, s:I, "
		    "s:i}", "submissions", "limit", (json_int_t)limit,
		    "offset", (json_int_t)offset, "total", 0));
	if (db_submissions_list(http_req_db(req), who->team_id,
	    http_req_query(req, "track"), limit, offset, &o) != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	return http_reply_json(req, 200, o);
}

/* Finish a participant's view of a submission ({"submission": ...}):
 * whether it is the team's pick, and the organizer's reason only when it
 * was disqualified (a hiding reason is the organizers' note). */
static int
sub_view(struct http_req *req, json_t *o)
{
	json_t *s = json_object_get(o, "submission");
	int sel = 0;

	if (db_submission_selected(http_req_db(req), json_string_value(
	    json_object_get(s, "id")), &sel) != DB_OK) {
		json_decref(o);
		return -1;
	}
	json_object_set_new(s, "selected", json_boolean(sel));
	if (http_req_who(req)->role != WHO_ADMIN &&
	    !json_is_true(json_object_get(s, "disqualified")))
		json_object_set_new(s, "reason", json_null());
	return 0;
}

int
api_sub_get(struct http_req *req)
{
	json_t *o;
	int rc = db_submission_get(http_req_db(req), http_req_param(req, 0),
	    http_req_scope(req), &o);

	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found",
		    "no such submission", NULL);
	if (rc != DB_OK || sub_view(req, o) != 0)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	return http_reply_json(req, 200, o);
}

/* POST (pick: select 1) or DELETE (un-pick: 0)
 * /api/v1/submissions/{id}/select */
static int
sub_select(struct http_req *req, int select)
{
	const struct db_principal *who = http_req_who(req);
	struct srv *srv = http_req_srv(req);
	const char *id = http_req_param(req, 0);
	json_t *o;
	int rc;

	rc = db_submission_select(http_req_db(req), id, who->team_id, select,
	    who->email, srv_now());
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found",
		    "no such submission", NULL);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "not_selectable", "only a "
		    "scored submission that is not hidden, disqualified or a "
		    "baseline can represent the team", NULL);
	if (rc != DB_OK || db_submission_get(http_req_db(req), id, -1, &o)
	    != DB_OK || sub_view(req, o) != 0)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	lb_invalidate(srv->lb);
	return http_reply_json(req, 200, o);
}

int
api_sub_select(struct http_req *req)
{
	return sub_select(req, 1);
}

int
api_sub_unselect(struct http_req *req)
{
	return sub_select(req, 0);
}

/* Content-Disposition with the file's own name */
/*
 * "attachment; filename=\"<ASCII>\"; filename*=UTF-8''<escaped>" for the
 * (clean, UTF-8) name into out: the quoted one has "_" for every byte
 * that is not printable ASCII or is a quote or a backslash; the other
 * percent-encodes all but RFC 5987's attr-chars.
 */
static void
sub_disposition(const char *name, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	const unsigned char *p;

	memset(&b, 0, sizeof(b));
	buf_adds(&b, "attachment; filename=\"");
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		char c = (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
		    ? '_' : (char)*p;

		buf_add(&b, &c, 1);
	}
	buf_adds(&b, "\"; filename*=UTF-8''");
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p))
			buf_add(&b, (const char *)p, 1);
		else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			buf_add(&b, e, 3);
		}
	}
	util_fmt(out, outsz, "%.*s", (int)b.len, b.p);
	buf_free(&b);
}

int
api_sub_file(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	char fname[128], kind[16], path[PATH_MAX], disp[1024], orig[256];
	struct stat st;
	int fd, rc;

	rc = db_submission_file(http_req_db(req), http_req_param(req, 0),
	    http_req_scope(req), fname, sizeof(fname), kind, sizeof(kind));
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found",
		    "no such submission", NULL);
	if (rc != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	util_fmt(path, sizeof(path), "%s/%s", srv->sub_dir, fname);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "dataoptimd: %s: %s\n", path, strerror(errno));
		return http_reply_error(req, 500, "internal",
		    "the stored file is missing", NULL);
	}
	http_reply_fd(req, 200, strcmp(kind, "standard") == 0 ?
	    "text/plain; charset=utf-8" : "application/json", fd,
	    (uint64_t)st.st_size);
	/* under its own name when it came with one */
	if (db_submission_original_name(http_req_db(req), http_req_param(req,
	    0), orig, sizeof(orig)) == DB_OK && orig[0] != '\0')
		sub_disposition(orig, disp, sizeof(disp));
	else
		util_fmt(disp, sizeof(disp), "attachment; filename=\"%s\"",
		    fname);
	http_header(req, "Content-Disposition", disp);
	http_header(req, "Cache-Control", "private, no-store");
	return 0;
}

int
api_sub_cancel(struct http_req *req)
{
	const char *id = http_req_param(req, 0);
	json_t *o;
	int rc = db_submission_cancel(http_req_db(req), id, http_req_scope(req),
	    srv_now());

	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found",
		    "no such submission", NULL);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "finished",
		    "the job has already finished", NULL);
	if (rc != DB_OK || db_submission_get(http_req_db(req), id, -1, &o)
	    != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	db_audit(http_req_db(req), http_req_who(req)->email, "job.cancel", id,
	    NULL, srv_now());
	return http_reply_json(req, 200, o);
}
