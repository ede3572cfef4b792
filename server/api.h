/*
 * api: the request handlers of dataoptimd, one group per file, all named
 * in the route table (route.c).  Each answers through http_reply_*() and
 * returns 0.
 */
#ifndef DO_API_H
#define DO_API_H

#include <stdint.h>

#include "route.h"

/*
 * The field tables of the JSON bodies (field.h), each next to the handler
 * that reads it; the route table names them and the dispatcher checks a
 * body against its table before the handler runs.
 */
struct field_table;

/* api_session.c: web login (cookie + CSRF token), who am I, logout. */
route_fn api_session_create, api_session_delete, api_me;
extern const struct field_table api_session_body;

/* api_sub.c: tracks, submissions (upload, list, detail, file, cancel,
 * the team's pick of its leaderboard entry). */
route_fn api_tracks, api_sub_begin, api_sub_create, api_sub_list,
    api_sub_get, api_sub_file, api_sub_cancel, api_sub_select,
    api_sub_unselect;
/* track page.  GET /api/v1/tracks/{slug}: one track of the
 * list with its overview and rules (api_sub.c). */
route_fn api_track_get;

/* api_job.c: job status and the worker API.  api_worker_begin() is the
 * begin function of the worker's job routes with a body: another worker
 * token than the one holding the running attempt gets 403 before its
 * body is read or checked. */
route_fn api_job_get, api_worker_claim, api_worker_begin,
    api_worker_heartbeat, api_worker_file, api_worker_result,
    api_worker_release;
extern const struct field_table api_worker_claim_body,
    api_worker_heartbeat_body, api_worker_result_body,
    api_worker_release_body;

/* api_admin.c: the organizer API's tracks, teams, users and tokens. */
route_fn api_admin_tracks, api_admin_track_get, api_admin_track_create,
    api_admin_track_update, api_admin_track_publish, api_admin_teams,
    api_admin_team_create, api_admin_team_members, api_admin_team_disable,
    api_admin_team_enable, api_admin_users, api_admin_user_create,
    api_admin_user_disable, api_admin_user_enable, api_admin_user_password,
    api_admin_tokens, api_admin_token_create, api_admin_token_revoke;
extern const struct field_table api_admin_track_create_body,
    api_admin_track_update_body, api_admin_publish_body,
    api_admin_team_create_body, api_admin_user_create_body, api_admin_password_body,
    api_admin_token_create_body;

/* api_admin_sub.c: the organizer API's submissions, jobs, workers, audit
 * log, exports, statistics and webhook deliveries. */
route_fn api_admin_subs, api_admin_sub_get, api_admin_sub_hide,
    api_admin_sub_disqualify, api_admin_sub_restore, api_admin_sub_baseline,
    api_admin_jobs, api_admin_job_get, api_admin_job_rerun,
    api_admin_job_cancel, api_admin_job_fail, api_admin_job_priority,
    api_admin_workers, api_admin_audit, api_admin_stats,
    api_admin_export_lb, api_admin_export_subs, api_admin_webhooks,
    api_admin_webhook_retry;
/* why: a reason that must be given (hide, disqualify); reason: one that
 * may be (restore, rerun, cancel, a team's disable and enable). */
extern const struct field_table api_admin_why_body, api_admin_reason_body,
    api_admin_baseline_body, api_admin_fail_body, api_admin_priority_body;

/* Helpers of the organizer handlers (api_admin.c). */
struct http_req;
/* Answer 404 "no such <what>" for DB_NOTFOUND, else 503; returns 0. */
int api_admin_dberr(struct http_req *req, int rc, const char *what);
/* limit (1..500, default 50) and offset of a listing; -1 after a 400. */
int api_page_args(struct http_req *req, int64_t *limit, int64_t *offset);
/* A query argument, NULL when absent or empty. */
const char *api_admin_query(struct http_req *req, const char *name);

/* sign-up and teams.  api_team.c: self-registration
 * (api_register_begin() answers 403 while server.allow_register is off,
 * before the body is read; api_register_info() says whether it is on),
 * a member's team, its invite codes, joining, leaving, making a team. */
route_fn api_register_begin, api_register, api_register_info, api_team_get,
    api_team_create, api_team_invite_create, api_team_invite_revoke,
    api_team_join, api_team_leave;
extern const struct field_table api_register_body, api_team_create_body,
    api_team_invite_body, api_team_join_body;

/* api_misc.c: leaderboard, health, metrics. */
route_fn api_leaderboard, api_leaderboard_csv, api_healthz, api_metrics;

/* account.  api_account.c: a user's own account: password
 * change (current one required; the other sessions end), own API tokens
 * (at most API_ACCOUNT_TOKENS_MAX live ones; "current" revokes the token
 * of the request: dataoptim logout), own web sessions. */
#define API_ACCOUNT_TOKENS_MAX 20
route_fn api_account_password, api_account_tokens, api_account_token_create,
    api_account_token_revoke, api_account_token_revoke_current,
    api_account_sessions, api_account_session_revoke;
extern const struct field_table api_account_password_body,
    api_account_token_body;
/* Answer 403 to a disabled user (why DB_BLOCK_USER, db.h) or a member of
 * a disabled team (DB_BLOCK_TEAM, with the team's reason, may be NULL or
 * ""): account_disabled / team_disabled.  Returns 0. */
int api_account_refuse(struct http_req *req, int why, const char *reason);
/* For a token that did not authenticate (token_hash, hex): 1 after a 403
 * (api_account_refuse) when it is live but its user or team is disabled;
 * 0 otherwise (nothing replied).  Needs the request's database. */
int api_account_token_refused(struct http_req *req, const char *token_hash);
/* Store a new web session of user_id (its hash, CSRF token, times) with
 * the request's User-Agent (printable ASCII, at most 200 bytes) and
 * client address.  A db.h code. */
int api_account_session_open(struct http_req *req, int64_t user_id,
    const char *sess_hash, const char *csrf, int64_t now, int64_t expires);

/* static.c: the web pages and their assets. */
route_fn static_page, static_file;

/* the HTML 404 page (static/404.html, status 404) that a GET of
 * a path outside /api/ matching no route answers; plain text when the
 * page is missing.  Returns 0. */
int static_not_found(struct http_req *req);
/* self service (api_self.c; api_session_get in
 * api_session.c): who is calling, or {"user":null}
 * (GET /api/v1/session); a rejected upload's full error report; the full
 * log of a job's attempt. */
route_fn api_session_get, api_report_get, api_job_log;

#endif
