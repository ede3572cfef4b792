/* api_admin_sub: the organizer API's submissions, jobs, workers, audit
 * log, exports, statistics and webhook deliveries. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "field.h"
#include "http.h"
#include "lb.h"
#include "srv.h"
#include "csv.h"
#include "util.h"

static const char *
adm_actor(struct http_req *req)
{
	return http_req_who(req)->email;
}

/* A time query argument (ISO-8601 or a date); 0 when absent, -1 bad. */
static int
adm_time_arg(struct http_req *req, const char *name, int64_t *out)
{
	const char *v = api_admin_query(req, name);

	*out = 0;
	if (v == NULL)
		return 0;
	return field_time_parse(v, out);
}

/*
 * The paging (limit, offset) and time window (since, until) arguments of
 * a filtered list.  Returns 0, or -1 after answering 400.
 */
static int
adm_window(struct http_req *req, int64_t *limit, int64_t *offset,
    int64_t *since, int64_t *until)
{
	if (api_page_args(req, limit, offset) != 0)
		return -1;
	if (adm_time_arg(req, "since", since) != 0 ||
	    adm_time_arg(req, "until", until) != 0) {
		http_reply_error(req, 400, "bad_request", "since, until: "
		    "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", NULL);
		return -1;
	}
	return 0;
}

/* ---- submissions ---- */

int
api_admin_subs(struct http_req *req)
{
	struct db_subq q;
	json_t *o;
	int rc;

	memset(&q, 0, sizeof(q));
	if (adm_window(req, &q.limit, &q.offset, &q.since, &q.until) != 0)
		return 0;
	q.track = api_admin_query(req, "track");
	q.team = api_admin_query(req, "team");
	q.state = api_admin_query(req, "state");
	q.flag = api_admin_query(req, "flag");
	if (q.flag != NULL && strcmp(q.flag, "hidden") != 0 &&
	    strcmp(q.flag, "disqualified") != 0 &&
	    strcmp(q.flag, "baseline") != 0 && strcmp(q.flag, "selected") != 0)
		return http_reply_error(req, 400, "bad_request", "flag: hidden, "
		    "disqualified, baseline or selected", NULL);
	rc = db_admin_submissions(http_req_db(req), &q, &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "submission");
	return http_reply_json(req, 200, o);
}

int
api_admin_sub_get(struct http_req *req)
{
	json_t *o;
	int rc = db_admin_submission(http_req_db(req), http_req_param(req, 0),
	    &o);

	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "submission");
	return http_reply_json(req, 200, o);
}

/* The bodies of the submission and job actions: a reason that must be
 * given (hide, disqualify, fail) or may be, and what else an action
 * takes. */
#define ADM_WHY FIELD_STRING("reason", FIELD_REQUIRED, 1, 2000)
#define ADM_REASON FIELD_STRING("reason", FIELD_NULL, 0, 2000)
static const struct field why_fields[] = { ADM_WHY };
static const struct field reason_fields[] = { ADM_REASON };
static const struct field baseline_fields[] = {
	ADM_REASON,
	FIELD_BOOL("baseline", 0),
};
static const char *const adm_faults[] = { "system", "team", NULL };
static const struct field fail_fields[] = {
	ADM_WHY,
	FIELD_ENUM("fault", 0, adm_faults),
};
static const struct field priority_fields[] = {
	ADM_REASON,
	FIELD_INT("priority", FIELD_REQUIRED, -1000, 1000),
};
#undef ADM_WHY
#undef ADM_REASON
const struct field_table api_admin_why_body = FIELD_TABLE(why_fields, 0);
const struct field_table api_admin_reason_body =
    FIELD_TABLE(reason_fields, 0);
const struct field_table api_admin_baseline_body =
    FIELD_TABLE(baseline_fields, 0);
const struct field_table api_admin_fail_body = FIELD_TABLE(fail_fields, 0);
const struct field_table api_admin_priority_body =
    FIELD_TABLE(priority_fields, 0);

/* POST /api/v1/admin/submissions/{id}/ACTION; on: the baseline action's
 * flag. */
static int
adm_sub_action(struct http_req *req, const char *action, int on)
{
	json_t *o;
	int rc;

	rc = db_admin_sub_action(http_req_db(req), http_req_param(req, 0),
	    action, field_str(http_req_json(req), "reason"), on,
	    adm_actor(req), srv_now(), &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "submission");
	lb_invalidate(http_req_srv(req)->lb);
	return http_reply_json(req, 200, o);
}

int
api_admin_sub_hide(struct http_req *req)
{
	return adm_sub_action(req, "hide", 1);
}

int
api_admin_sub_disqualify(struct http_req *req)
{
	return adm_sub_action(req, "disqualify", 1);
}

int
api_admin_sub_restore(struct http_req *req)
{
	return adm_sub_action(req, "restore", 1);
}

int
api_admin_sub_baseline(struct http_req *req)
{
	return adm_sub_action(req, "baseline",
	    field_bool(http_req_json(req), "baseline", 1));
}

/* ---- jobs ---- */

int
api_admin_jobs(struct http_req *req)
{
	struct db_jobq q;
	json_t *o;
	int rc;

	memset(&q, 0, sizeof(q));
	if (api_page_args(req, &q.limit, &q.offset) != 0)
		return 0;
	q.state = api_admin_query(req, "state");
	q.track = api_admin_query(req, "track");
	q.worker = api_admin_query(req, "worker");
	rc = db_admin_jobs(http_req_db(req), &q, &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "job");
	return http_reply_json(req, 200, o);
}

int
api_admin_job_get(struct http_req *req)
{
	json_t *o;
	int rc = db_admin_job(http_req_db(req), http_req_param(req, 0), &o);

	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "job");
	return http_reply_json(req, 200, o);
}

/* What a job action answers when the job is not in a state it applies
 * to (DB_CONFLICT). */
struct adm_conflict {
	const char *code, *message;
};
static const struct adm_conflict adm_running = { "not_finished",
    "the job is queued or running" };
static const struct adm_conflict adm_finished = { "finished",
    "the job has already finished" };

/* POST /api/v1/admin/jobs/{id}/ACTION with its fault (fail) and
 * priority (priority). */
static int
adm_job_action(struct http_req *req, const char *action, enum job_fault f,
    int64_t prio, const struct adm_conflict *conflict)
{
	json_t *o;
	int rc;

	rc = db_admin_job_action(http_req_db(req), http_req_param(req, 0),
	    action, field_str(http_req_json(req), "reason"), f, prio,
	    adm_actor(req), srv_now(), &o);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, conflict->code,
		    conflict->message, NULL);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "job");
	lb_invalidate(http_req_srv(req)->lb);
	return http_reply_json(req, 200, o);
}

int
api_admin_job_rerun(struct http_req *req)
{
	return adm_job_action(req, "rerun", FAULT_NONE, 0, &adm_running);
}

int
api_admin_job_cancel(struct http_req *req)
{
	return adm_job_action(req, "cancel", FAULT_NONE, 0, &adm_finished);
}

int
api_admin_job_fail(struct http_req *req)
{
	enum job_fault f = FAULT_NONE;

	/* one of the table's words, or absent: FAULT_NONE stays */
	(void)job_fault_parse(field_str(http_req_json(req), "fault"), &f);
	return adm_job_action(req, "fail", f, 0, &adm_finished);
}

int
api_admin_job_priority(struct http_req *req)
{
	return adm_job_action(req, "priority", FAULT_NONE,
	    field_int(http_req_json(req), "priority", 0), &adm_finished);
}

/* ---- workers, audit, statistics ---- */

int
api_admin_workers(struct http_req *req)
{
	json_t *o;
	int rc = db_admin_workers(http_req_db(req), srv_now(), &o);

	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "worker");
	return http_reply_json(req, 200, o);
}

int
api_admin_audit(struct http_req *req)
{
	struct db_auditq q;
	json_t *o;
	int rc;

	memset(&q, 0, sizeof(q));
	if (adm_window(req, &q.limit, &q.offset, &q.since, &q.until) != 0)
		return 0;
	q.actor = api_admin_query(req, "actor");
	q.action = api_admin_query(req, "action");
	q.target = api_admin_query(req, "target");
	rc = db_admin_audit(http_req_db(req), &q, &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "entry");
	return http_reply_json(req, 200, o);
}

int
api_admin_stats(struct http_req *req)
{
	const char *slug = api_admin_query(req, "track");
	json_t *o;
	int rc;

	if (slug == NULL)
		return http_reply_error(req, 400, "bad_request",
		    "name the track: ?track=SLUG", NULL);
	rc = db_admin_stats(http_req_db(req), slug, srv_now(), &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "track");
	return http_reply_json(req, 200, o);
}

/* ---- exports ---- */

/* The format argument: 0 JSON, 1 CSV, -1 after a 400. */
static int
adm_format(struct http_req *req)
{
	const char *f = api_admin_query(req, "format");

	if (f == NULL || strcmp(f, "json") == 0)
		return 0;
	if (strcmp(f, "csv") == 0)
		return 1;
	http_reply_error(req, 400, "bad_request", "format: json or csv",
	    NULL);
	return -1;
}

static void
adm_attach(struct http_req *req, const char *name, int csv)
{
	char disp[200];

	util_fmt(disp, sizeof(disp), "attachment; filename=\"%s.%s\"", name,
	    csv ? "csv" : "json");
	http_header(req, "Content-Disposition", disp);
	http_header(req, "Cache-Control", "private, no-store");
}

int
api_admin_export_lb(struct http_req *req)
{
	const char *slug = api_admin_query(req, "track");
	const char *split = api_admin_query(req, "split");
	struct db_lbopts o;
	char name[128];
	json_t *doc;
	int csv, rc;

	if ((csv = adm_format(req)) < 0)
		return 0;
	if (slug == NULL)
		return http_reply_error(req, 400, "bad_request",
		    "name the track: ?track=SLUG", NULL);
	memset(&o, 0, sizeof(o));
	o.organizer = 1;
	o.now = srv_now();
	if (split != NULL && strcmp(split, "private") == 0)
		o.priv = 1;
	else if (split != NULL && strcmp(split, "public") != 0)
		return http_reply_error(req, 400, "bad_request",
		    "split: public or private", NULL);
	rc = db_leaderboard_ex(http_req_db(req), slug, &o, &doc, NULL);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "track");
	util_fmt(name, sizeof(name), "leaderboard-%s-%s", slug,
	    o.priv ? "private" : "public");
	if (csv) {
		size_t len;
		char *text = lb_csv(doc, &len);

		json_decref(doc);
		http_reply_take(req, 200, "text/csv; charset=utf-8", text,
		    len);
	} else
		http_reply_json(req, 200, doc);
	adm_attach(req, name, csv);
	return 0;
}

/* A JSON value as CSV text into out. */
static const char *
adm_csv_val(json_t *v, char *out, size_t outsz)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		util_fmt(out, outsz, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		util_fmt(out, outsz, "%.6g", json_real_value(v));
	else if (json_is_boolean(v))
		util_fmt(out, outsz, "%s", json_is_true(v) ? "true" : "false");
	else
		out[0] = '\0';
	return out;
}

static char *
adm_subs_csv(json_t *subs, size_t *outlen)
{
	static const char *const cols[] = { "id", "track", "team",
	    "user_email", "method_name", "n_samples", "created_at", "status",
	    "hidden", "disqualified", "baseline", "selected", "reason" };
	const size_t ncols = sizeof(cols) / sizeof(cols[0]);
	json_t *tasks = json_object(), *ptasks = json_object(), *s, *v;
	struct csv c = CSV_INIT;
	char num[64], name[80];
	size_t i, j;
	const char *task;

	json_array_foreach(subs, i, s) {
		json_object_foreach(json_object_get(s, "scores"), task, v)
			json_object_set_new(tasks, task, json_true());
		json_object_foreach(json_object_get(s, "private_scores"), task,
		    v)
			json_object_set_new(ptasks, task, json_true());
	}
	for (j = 0; j < ncols; j++)
		csv_cell(&c, cols[j]);
	json_object_foreach(tasks, task, v) {
		util_fmt(name, sizeof(name), "score:%s", task);
		csv_cell(&c, name);
	}
	json_object_foreach(ptasks, task, v) {
		util_fmt(name, sizeof(name), "private:%s", task);
		csv_cell(&c, name);
	}
	csv_end_row(&c);
	json_array_foreach(subs, i, s) {
		json_t *t;

		for (j = 0; j < ncols; j++)
			csv_cell(&c, adm_csv_val(json_object_get(s, cols[j]),
			    num, sizeof(num)));
		json_object_foreach(tasks, task, t)
			csv_cell(&c, adm_csv_val(json_object_get(
			    json_object_get(s, "scores"), task), num,
			    sizeof(num)));
		json_object_foreach(ptasks, task, t)
			csv_cell(&c, adm_csv_val(json_object_get(
			    json_object_get(s, "private_scores"), task), num,
			    sizeof(num)));
		csv_end_row(&c);
	}
	json_decref(tasks);
	json_decref(ptasks);
	return csv_take(&c, outlen);
}

int
api_admin_export_subs(struct http_req *req)
{
	struct db_subq q;
	json_t *page, *all = json_array();
	char name[128];
	int csv, rc;

	if ((csv = adm_format(req)) < 0) {
		json_decref(all);
		return 0;
	}
	memset(&q, 0, sizeof(q));
	q.track = api_admin_query(req, "track");
	q.limit = 500;
	/* page through, so that one statement never holds everything */
	for (;;) {
		rc = db_admin_submissions(http_req_db(req), &q, &page);
		if (rc != DB_OK) {
			json_decref(all);
			return api_admin_dberr(req, rc, "submission");
		}
		json_array_extend(all, json_object_get(page, "submissions"));
		q.offset += q.limit;
		rc = q.offset < json_integer_value(json_object_get(page,
		    "total"));
		json_decref(page);
		if (!rc)
			break;
	}
	util_fmt(name, sizeof(name), "submissions%s%s", q.track ? "-" : "",
	    q.track ? q.track : "");
	if (csv) {
		size_t len;
		char *text = adm_subs_csv(all, &len);

		json_decref(all);
		http_reply_take(req, 200, "text/csv; charset=utf-8", text, len);
	} else
		http_reply_json(req, 200, json_pack("{s:o}", "submissions",
		    all));
	adm_attach(req, name, csv);
	return 0;
}

/* ---- webhooks ---- */

int
api_admin_webhooks(struct http_req *req)
{
	int64_t limit, offset;
	json_t *o;
	int rc;

	if (api_page_args(req, &limit, &offset) != 0)
		return 0;
	rc = db_admin_webhooks(http_req_db(req), api_admin_query(req, "track"),
	    api_admin_query(req, "status"), limit, offset, &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "delivery");
	return http_reply_json(req, 200, o);
}

int
api_admin_webhook_retry(struct http_req *req)
{
	const char *p = http_req_param(req, 0);
	char *end;
	long long id = strtoll(p, &end, 10);
	json_t *o;
	int rc;

	if (end == p || *end != '\0' || id <= 0)
		return api_admin_dberr(req, DB_NOTFOUND, "delivery");
	rc = db_admin_webhook_retry(http_req_db(req), id, adm_actor(req),
	    srv_now(), &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "delivery");
	return http_reply_json(req, 200, o);
}
