#include "route.h"

#include <string.h>

#include "api.h"

/* The whole HTTP surface of dataoptimd.  The field tables of the JSON
 * bodies (api.h) are next to the handlers that read them. */
const struct route route_table[] = {
	/* method  pattern  role  flags  body  begin  handler  name */
	{ "GET", "/healthz", ROLE_PUBLIC, 0, NULL, NULL, api_healthz,
	  "healthz" },
	{ "GET", "/metrics", ROLE_PUBLIC, 0, NULL, NULL, api_metrics,
	  "metrics" },
	{ "POST", "/api/v1/session", ROLE_PUBLIC,
	  ROUTE_JSON_BODY | ROUTE_OFFLOAD, &api_session_body, NULL,
	  api_session_create, "session_create" },
	{ "DELETE", "/api/v1/session", ROLE_ANY, 0, NULL, NULL,
	  api_session_delete, "session_delete" },
	{ "GET", "/api/v1/me", ROLE_ANY, 0, NULL, NULL, api_me, "me" },
	{ "GET", "/api/v1/tracks", ROLE_PUBLIC, ROUTE_OPT_AUTH, NULL, NULL,
	  api_tracks, "tracks" },
	{ "POST", "/api/v1/submissions", ROLE_USER,
	  ROUTE_STREAM_BODY | ROUTE_FORM_CSRF | ROUTE_OFFLOAD, NULL,
	  api_sub_begin, api_sub_create, "submission_create" },
	{ "GET", "/api/v1/submissions", ROLE_USER, 0, NULL, NULL,
	  api_sub_list, "submission_list" },
	{ "GET", "/api/v1/submissions/{}", ROLE_USER, 0, NULL, NULL,
	  api_sub_get, "submission_get" },
	{ "GET", "/api/v1/submissions/{}/file", ROLE_USER, 0, NULL, NULL,
	  api_sub_file, "submission_file" },
	{ "POST", "/api/v1/submissions/{}/cancel", ROLE_USER, 0, NULL, NULL,
	  api_sub_cancel, "submission_cancel" },
	{ "GET", "/api/v1/jobs/{}", ROLE_USER, ROUTE_LAZY_DB, NULL, NULL,
	  api_job_get, "job_get" },
	{ "GET", "/api/v1/leaderboard", ROLE_PUBLIC, ROUTE_OPT_AUTH, NULL,
	  NULL, api_leaderboard, "leaderboard" },
	{ "GET", "/api/v1/leaderboard.csv", ROLE_PUBLIC, ROUTE_OPT_AUTH, NULL,
	  NULL, api_leaderboard_csv, "leaderboard_csv" },
	{ "POST", "/api/v1/worker/claim", ROLE_WORKER,
	  ROUTE_JSON_BODY | ROUTE_IDLE_POLL, &api_worker_claim_body, NULL,
	  api_worker_claim, "worker_claim" },
	{ "POST", "/api/v1/worker/jobs/{}/heartbeat", ROLE_WORKER,
	  ROUTE_JSON_BODY, &api_worker_heartbeat_body, api_worker_begin,
	  api_worker_heartbeat, "worker_heartbeat" },
	{ "GET", "/api/v1/worker/jobs/{}/submission", ROLE_WORKER, 0, NULL,
	  NULL, api_worker_file, "worker_submission" },
	{ "POST", "/api/v1/worker/jobs/{}/result", ROLE_WORKER,
	  ROUTE_JSON_BODY, &api_worker_result_body, api_worker_begin,
	  api_worker_result, "worker_result" },
	{ "POST", "/api/v1/worker/jobs/{}/release", ROLE_WORKER,
	  ROUTE_JSON_BODY, &api_worker_release_body, api_worker_begin,
	  api_worker_release, "worker_release" },
	/* the organizer API (API.md, "Organizer API"): ROLE_ADMIN only, one
	 * route per action */
#define ADMIN(m, p, fl, b, h, n) { m, "/api/v1/admin" p, ROLE_ADMIN, fl, \
	b, NULL, h, n }
#define J ROUTE_JSON_BODY
	ADMIN("GET", "/tracks", 0, NULL, api_admin_tracks, "admin_tracks"),
	ADMIN("POST", "/tracks", J, &api_admin_track_create_body,
	    api_admin_track_create, "admin_track_create"),
	ADMIN("GET", "/tracks/{}", 0, NULL, api_admin_track_get,
	    "admin_track_get"),
	ADMIN("PATCH", "/tracks/{}", J, &api_admin_track_update_body,
	    api_admin_track_update, "admin_track_update"),
	ADMIN("POST", "/tracks/{}/publish", J, &api_admin_publish_body,
	    api_admin_track_publish, "admin_track_publish"),
	ADMIN("GET", "/teams", 0, NULL, api_admin_teams, "admin_teams"),
	ADMIN("POST", "/teams", J, &api_admin_team_create_body,
	    api_admin_team_create, "admin_team_create"),
	ADMIN("GET", "/teams/{}/members", 0, NULL, api_admin_team_members,
	    "admin_team_members"),
	ADMIN("POST", "/teams/{}/disable", J, &api_admin_reason_body,
	    api_admin_team_disable, "admin_team_disable"),
	ADMIN("POST", "/teams/{}/enable", J, &api_admin_reason_body,
	    api_admin_team_enable, "admin_team_enable"),
	ADMIN("GET", "/users", 0, NULL, api_admin_users, "admin_users"),
	ADMIN("POST", "/users", J | ROUTE_OFFLOAD,
	    &api_admin_user_create_body, api_admin_user_create,
	    "admin_user_create"),
	ADMIN("POST", "/users/{}/disable", J, NULL, api_admin_user_disable,
	    "admin_user_disable"),
	ADMIN("POST", "/users/{}/enable", J, NULL, api_admin_user_enable,
	    "admin_user_enable"),
	ADMIN("POST", "/users/{}/password", J | ROUTE_OFFLOAD,
	    &api_admin_password_body, api_admin_user_password,
	    "admin_user_password"),
	ADMIN("GET", "/tokens", 0, NULL, api_admin_tokens, "admin_tokens"),
	ADMIN("POST", "/tokens", J, &api_admin_token_create_body,
	    api_admin_token_create, "admin_token_create"),
	ADMIN("POST", "/tokens/{}/revoke", J, NULL, api_admin_token_revoke,
	    "admin_token_revoke"),
	ADMIN("GET", "/submissions", 0, NULL, api_admin_subs,
	    "admin_submissions"),
	ADMIN("GET", "/submissions/{}", 0, NULL, api_admin_sub_get,
	    "admin_submission"),
	ADMIN("GET", "/submissions/{}/file", 0, NULL, api_sub_file,
	    "admin_submission_file"),
	ADMIN("POST", "/submissions/{}/hide", J, &api_admin_why_body,
	    api_admin_sub_hide, "admin_moderate"),
	ADMIN("POST", "/submissions/{}/disqualify", J, &api_admin_why_body,
	    api_admin_sub_disqualify, "admin_moderate"),
	ADMIN("POST", "/submissions/{}/restore", J, &api_admin_reason_body,
	    api_admin_sub_restore, "admin_moderate"),
	ADMIN("POST", "/submissions/{}/baseline", J, &api_admin_baseline_body,
	    api_admin_sub_baseline, "admin_moderate"),
	ADMIN("GET", "/jobs", 0, NULL, api_admin_jobs, "admin_jobs"),
	ADMIN("GET", "/jobs/{}", 0, NULL, api_admin_job_get, "admin_job"),
	ADMIN("POST", "/jobs/{}/rerun", J, &api_admin_reason_body,
	    api_admin_job_rerun, "admin_job_action"),
	ADMIN("POST", "/jobs/{}/cancel", J, &api_admin_reason_body,
	    api_admin_job_cancel, "admin_job_action"),
	ADMIN("POST", "/jobs/{}/fail", J, &api_admin_fail_body,
	    api_admin_job_fail, "admin_job_action"),
	ADMIN("POST", "/jobs/{}/priority", J, &api_admin_priority_body,
	    api_admin_job_priority, "admin_job_action"),
	ADMIN("GET", "/workers", 0, NULL, api_admin_workers, "admin_workers"),
	ADMIN("GET", "/audit", 0, NULL, api_admin_audit, "admin_audit"),
	ADMIN("GET", "/stats", 0, NULL, api_admin_stats, "admin_stats"),
	ADMIN("GET", "/exports/leaderboard", 0, NULL, api_admin_export_lb,
	    "admin_export_leaderboard"),
	ADMIN("GET", "/exports/submissions", 0, NULL, api_admin_export_subs,
	    "admin_export_submissions"),
	ADMIN("GET", "/webhooks", 0, NULL, api_admin_webhooks,
	    "admin_webhooks"),
	ADMIN("POST", "/webhooks/{}/retry", J, NULL, api_admin_webhook_retry,
	    "admin_webhook_retry"),
#undef J
#undef ADMIN
	{ "POST", "/api/v1/submissions/{}/select", ROLE_USER, 0, NULL, NULL,
	  api_sub_select, "submission_select" },
	{ "DELETE", "/api/v1/submissions/{}/select", ROLE_USER, 0, NULL, NULL,
	  api_sub_unselect, "submission_unselect" },
	{ "POST", "/api/v1/register", ROLE_PUBLIC,
	  ROUTE_JSON_BODY | ROUTE_OFFLOAD, &api_register_body,
	  api_register_begin, api_register, "register" },
	/* track page */
	{ "GET", "/api/v1/tracks/{}", ROLE_PUBLIC, ROUTE_OPT_AUTH, NULL, NULL,
	  api_track_get, "track_get" },
	/* sign-up and teams (api_team.c) */
	{ "GET", "/api/v1/register", ROLE_PUBLIC, 0, NULL, NULL,
	  api_register_info, "register_info" },
	{ "GET", "/api/v1/team", ROLE_USER, 0, NULL, NULL, api_team_get,
	  "team_get" },
	{ "POST", "/api/v1/team", ROLE_USER, ROUTE_JSON_BODY,
	  &api_team_create_body, NULL, api_team_create, "team_create" },
	{ "POST", "/api/v1/team/invites", ROLE_USER, ROUTE_JSON_BODY,
	  &api_team_invite_body, NULL, api_team_invite_create,
	  "team_invite_create" },
	{ "POST", "/api/v1/team/invites/{}/revoke", ROLE_USER, 0, NULL, NULL,
	  api_team_invite_revoke, "team_invite_revoke" },
	{ "POST", "/api/v1/team/join", ROLE_USER, ROUTE_JSON_BODY,
	  &api_team_join_body, NULL, api_team_join, "team_join" },
	{ "POST", "/api/v1/team/leave", ROLE_USER, 0, NULL, NULL,
	  api_team_leave, "team_leave" },
	/* a user's own password, tokens and sessions
	 * ("current" before "{}": the first match wins) */
	{ "POST", "/api/v1/account/password", ROLE_USER,
	  ROUTE_JSON_BODY | ROUTE_OFFLOAD, &api_account_password_body, NULL,
	  api_account_password, "account_password" },
	{ "GET", "/api/v1/account/tokens", ROLE_USER, 0, NULL, NULL,
	  api_account_tokens, "account_tokens" },
	{ "POST", "/api/v1/account/tokens", ROLE_USER, ROUTE_JSON_BODY,
	  &api_account_token_body, NULL, api_account_token_create,
	  "account_token_create" },
	{ "POST", "/api/v1/account/tokens/current/revoke", ROLE_USER,
	  ROUTE_JSON_BODY, NULL, NULL, api_account_token_revoke_current,
	  "account_token_revoke" },
	{ "POST", "/api/v1/account/tokens/{}/revoke", ROLE_USER,
	  ROUTE_JSON_BODY, NULL, NULL, api_account_token_revoke,
	  "account_token_revoke" },
	{ "GET", "/api/v1/account/sessions", ROLE_USER, 0, NULL, NULL,
	  api_account_sessions, "account_sessions" },
	{ "POST", "/api/v1/account/sessions/{}/revoke", ROLE_USER,
	  ROUTE_JSON_BODY, NULL, NULL, api_account_session_revoke,
	  "account_session_revoke" },
	/* self service (session without a 401, the full error
	 * report of an upload, the full log of an attempt) */
	{ "GET", "/api/v1/session", ROLE_PUBLIC, ROUTE_OPT_AUTH, NULL, NULL,
	  api_session_get, "session_get" },
	{ "GET", "/api/v1/reports/{}", ROLE_USER, 0, NULL, NULL,
	  api_report_get, "report_get" },
	{ "GET", "/api/v1/jobs/{}/log", ROLE_USER, 0, NULL, NULL,
	  api_job_log, "job_log" },
	/* pages and assets */
#define PAGE(p) { "GET", p, ROLE_PUBLIC, 0, NULL, NULL, static_page, "page" }
	PAGE("/"),
	PAGE("/login"),
	PAGE("/submit"),
	PAGE("/submissions"),
	PAGE("/submission"),
	PAGE("/admin"),
	PAGE("/admin/tracks"),
	PAGE("/admin/teams"),
	PAGE("/admin/submissions"),
	PAGE("/admin/audit"),
	PAGE("/track"),		/* track page */
	PAGE("/signup"),	/* sign-up and teams */
	PAGE("/team"),
	PAGE("/account"),	/* account */
#undef PAGE
	{ "GET", "/static/*", ROLE_PUBLIC, 0, NULL, NULL, static_file,
	  "static" },
};
const size_t route_count = sizeof(route_table) / sizeof(route_table[0]);

/* Match path against pattern; 1 on a match with params filled. */
static int
route_path(const char *pattern, const char *path,
    char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_LEN])
{
	const char *p = pattern, *s = path;
	int np = 0;

	while (*p != '\0') {
		if (p[0] == '*' && p[1] == '\0')
			return *s != '\0';	/* the rest, non-empty */
		if (p[0] == '{' && p[1] == '}') {
			size_t n = strcspn(s, "/");

			if (n == 0 || n >= ROUTE_PARAM_LEN ||
			    np >= ROUTE_MAX_PARAMS)
				return 0;
			memcpy(params[np], s, n);
			params[np][n] = '\0';
			np++;
			s += n;
			p += 2;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *s == '\0';
}

const struct route *
route_match(const char *method, const char *path,
    char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_LEN], int *wrong_method)
{
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
	size_t i;

	*wrong_method = 0;
	for (i = 0; i < route_count; i++) {
		const struct route *r = &route_table[i];

		if (!route_path(r->pattern, path, params))
			continue;
		if (strcmp(r->method, m) == 0)
			return r;
		*wrong_method = 1;
	}
	return NULL;
}
