/*
 * api_self: what participants fetch for themselves beyond the
 * submission itself: the full error report of a rejected upload
 * (report.h) and the full log of a job's attempt (joblog.h), both as
 * text/plain attachments, to the team that owns them (an organizer: to
 * anyone).  Anything else answers 404, never 403, so that a name or an ID
 * of another team tells nothing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "cfg.h"
#include "db.h"
#include "http.h"
#include "joblog.h"
#include "report.h"
#include "srv.h"
#include "util.h"

/* GET /api/v1/reports/{name} */
int
api_report_get(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	const char *name = http_req_param(req, 0);
	int64_t scope = http_req_scope(req);
	char disp[128];
	uint64_t size;
	int fd;

	fd = scope == 0 ? -1 : report_open(srv->cfg->state_dir, name, scope,
	    &size);
	if (fd < 0)
		return http_reply_error(req, 404, "not_found", "no such report "
		    "(reports are kept 7 days, for the team that uploaded the "
		    "file)", NULL);
	http_reply_fd(req, 200, "text/plain; charset=utf-8", fd, size);
	util_fmt(disp, sizeof(disp), "attachment; filename=\"errors-%s.txt\"",
	    name);
	http_header(req, "Content-Disposition", disp);
	http_header(req, "Cache-Control", "private, no-store");
	return 0;
}

/* GET /api/v1/jobs/{id}/log[?attempt=N] */
int
api_job_log(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	const char *id = http_req_param(req, 0);
	int64_t cur, attempt;
	char disp[160], msg[128];
	uint64_t size;
	json_t *o;
	int fd, rc;

	rc = db_job_get(http_req_db(req), id, http_req_scope(req), &o);
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found", "no such job",
		    NULL);
	if (rc != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	cur = json_integer_value(json_object_get(json_object_get(o, "job"),
	    "attempt"));
	json_decref(o);
	if (cur < 1)
		return http_reply_error(req, 404, "not_found", "the job has "
		    "not run yet: no attempt has a log", NULL);
	if (http_req_int_query(req, "attempt", cur, 1, cur, &attempt) != 0) {
		util_fmt(msg, sizeof(msg), "query argument attempt: an "
		    "attempt of this job, from 1 to %lld", (long long)cur);
		return http_reply_error(req, 400, "bad_request", msg, NULL);
	}
	fd = joblog_open(srv->cfg->state_dir, id, attempt, &size);
	if (fd < 0 && errno != ENOENT) {
		fprintf(stderr, "dataoptimd: job %s attempt %lld: log: %s\n",
		    id, (long long)attempt, strerror(errno));
		return http_reply_error(req, 500, "internal",
		    "cannot read the log", NULL);
	}
	if (fd < 0)		/* the attempt wrote nothing (yet) */
		http_reply_data(req, 200, "text/plain; charset=utf-8", "", 0);
	else
		http_reply_fd(req, 200, "text/plain; charset=utf-8", fd, size);
	util_fmt(disp, sizeof(disp), "attachment; filename=\"job-%s-attempt-"
	    "%lld.log\"", id, (long long)attempt);
	http_header(req, "Content-Disposition", disp);
	http_header(req, "Cache-Control", "private, no-store");
	return 0;
}
