/* api_admin: organizer moderation of submissions, and self-registration
 * (off unless server.allow_register). */
#include <string.h>

#include "api.h"
#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "http.h"
#include "lb.h"
#include "srv.h"
#include "util.h"

int
api_admin_moderate(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	const char *id = http_req_param(req, 0);
	const char *action = http_req_param(req, 1);
	const char *reason = NULL;
	json_t *o;
	int rc;

	if (strcmp(action, "hide") != 0 && strcmp(action, "disqualify") != 0 &&
	    strcmp(action, "restore") != 0)
		return http_reply_error(req, 404, "not_found",
		    "actions: hide, disqualify, restore", NULL);
	if (http_req_json(req) != NULL && json_unpack(http_req_json(req),
	    "{s?s}", "reason", &reason) != 0)
		return http_reply_error(req, 400, "bad_request",
		    "\"reason\" must be a string", NULL);
	if (strcmp(action, "restore") != 0 && (reason == NULL ||
	    reason[0] == '\0'))
		return http_reply_error(req, 400, "bad_request",
		    "give a reason", NULL);
	rc = db_submission_moderate(http_req_db(req), id, action, reason,
	    srv_now());
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found",
		    "no such submission", NULL);
	if (rc != DB_OK || db_submission_get(http_req_db(req), id, -1, &o)
	    != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	lb_invalidate(srv->lb);
	return http_reply_json(req, 200, o);
}

int
api_admin_rerun(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	const char *id = http_req_param(req, 0);
	json_t *o;
	int rc = db_job_rerun(http_req_db(req), id, srv_now());

	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found", "no such job",
		    NULL);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "not_finished",
		    "the job is queued or running", NULL);
	if (rc != DB_OK || db_job_get(http_req_db(req), id, -1, &o) != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	lb_invalidate(srv->lb);
	return http_reply_json(req, 200, o);
}

int
api_register(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	const char *email = NULL, *pw = NULL, *team = NULL;
	char hash[AUTH_PW_ENCODED], err[128];
	int rc;

	if (!srv->cfg->allow_register)
		return http_reply_error(req, 403, "registration_closed",
		    "self-registration is off; ask the organizers", NULL);
	if (http_req_json(req) == NULL || json_unpack(http_req_json(req),
	    "{s:s, s:s, s:s}", "email", &email, "password", &pw, "team",
	    &team) != 0)
		return http_reply_error(req, 400, "bad_request", "send JSON "
		    "{\"email\", \"password\", \"team\"}", NULL);
	if (strchr(email, '@') == NULL || strlen(email) > 200 ||
	    strlen(pw) < 10 || strlen(pw) > 200 || team[0] == '\0' ||
	    strlen(team) > 100)
		return http_reply_error(req, 400, "bad_request", "an email, "
		    "a password of 10 to 200 characters and a team name of "
		    "1 to 100", NULL);
	if (auth_password_hash(pw, hash, err, sizeof(err)) != 0)
		return http_reply_error(req, 500, "internal", err, NULL);
	rc = db_register(http_req_db(req), team, email, hash, srv_now());
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "exists",
		    "that team or email is taken", NULL);
	if (rc != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	return http_reply_json(req, 201, json_pack("{s:{s:s, s:s, s:s}}",
	    "user", "email", email, "team", team, "role", "participant"));
}
