#include "route.h"

#include <string.h>

#include "api.h"

/* The whole HTTP surface of dataoptimd. */
const struct route route_table[] = {
	/* method  pattern                          role  flags  begin  handler  name */
	{ "GET", "/healthz", ROLE_PUBLIC, 0, NULL, api_healthz, "healthz" },
	{ "GET", "/metrics", ROLE_PUBLIC, 0, NULL, api_metrics, "metrics" },
	{ "POST", "/api/v1/session", ROLE_PUBLIC,
	  ROUTE_JSON_BODY | ROUTE_OFFLOAD, NULL,
	  api_session_create, "session_create" },
	{ "DELETE", "/api/v1/session", ROLE_ANY, 0, NULL, api_session_delete,
	  "session_delete" },
	{ "GET", "/api/v1/me", ROLE_ANY, 0, NULL, api_me, "me" },
	{ "GET", "/api/v1/tracks", ROLE_PUBLIC, ROUTE_OPT_AUTH, NULL,
	  api_tracks, "tracks" },
	{ "POST", "/api/v1/submissions", ROLE_USER,
	  ROUTE_STREAM_BODY | ROUTE_FORM_CSRF | ROUTE_OFFLOAD, api_sub_begin,
	  api_sub_create,
	  "submission_create" },
	{ "GET", "/api/v1/submissions", ROLE_USER, 0, NULL, api_sub_list,
	  "submission_list" },
	{ "GET", "/api/v1/submissions/{}", ROLE_USER, 0, NULL, api_sub_get,
	  "submission_get" },
	{ "GET", "/api/v1/submissions/{}/file", ROLE_USER, 0, NULL,
	  api_sub_file, "submission_file" },
	{ "POST", "/api/v1/submissions/{}/cancel", ROLE_USER, 0, NULL,
	  api_sub_cancel, "submission_cancel" },
	{ "GET", "/api/v1/jobs/{}", ROLE_USER, 0, NULL, api_job_get,
	  "job_get" },
	{ "GET", "/api/v1/leaderboard", ROLE_PUBLIC, 0, NULL, api_leaderboard,
	  "leaderboard" },
	{ "GET", "/api/v1/leaderboard.csv", ROLE_PUBLIC, 0, NULL,
	  api_leaderboard_csv, "leaderboard_csv" },
	{ "POST", "/api/v1/worker/claim", ROLE_WORKER, ROUTE_JSON_BODY, NULL,
	  api_worker_claim, "worker_claim" },
	{ "POST", "/api/v1/worker/jobs/{}/heartbeat", ROLE_WORKER,
	  ROUTE_JSON_BODY, NULL, api_worker_heartbeat, "worker_heartbeat" },
	{ "GET", "/api/v1/worker/jobs/{}/submission", ROLE_WORKER, 0, NULL,
	  api_worker_file, "worker_submission" },
	{ "POST", "/api/v1/worker/jobs/{}/result", ROLE_WORKER,
	  ROUTE_JSON_BODY, NULL, api_worker_result, "worker_result" },
	{ "POST", "/api/v1/worker/jobs/{}/release", ROLE_WORKER,
	  ROUTE_JSON_BODY, NULL, api_worker_release, "worker_release" },
	{ "POST", "/api/v1/admin/submissions/{}/{}", ROLE_ADMIN,
	  ROUTE_JSON_BODY, NULL, api_admin_moderate, "admin_moderate" },
	{ "POST", "/api/v1/admin/jobs/{}/rerun", ROLE_ADMIN, 0, NULL,
	  api_admin_rerun, "admin_rerun" },
	{ "POST", "/api/v1/register", ROLE_PUBLIC,
	  ROUTE_JSON_BODY | ROUTE_OFFLOAD, NULL, api_register, "register" },
	/* pages and assets */
	{ "GET", "/", ROLE_PUBLIC, 0, NULL, static_page, "page" },
	{ "GET", "/login", ROLE_PUBLIC, 0, NULL, static_page, "page" },
	{ "GET", "/submit", ROLE_PUBLIC, 0, NULL, static_page, "page" },
	{ "GET", "/submissions", ROLE_PUBLIC, 0, NULL, static_page, "page" },
	{ "GET", "/submission", ROLE_PUBLIC, 0, NULL, static_page, "page" },
	{ "GET", "/static/*", ROLE_PUBLIC, 0, NULL, static_file, "static" },
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
