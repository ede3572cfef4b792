/*
 * api: the request handlers of dataoptimd, one group per file, all named
 * in the route table (route.c).  Each answers through http_reply_*() and
 * returns 0.
 */
#ifndef DO_API_H
#define DO_API_H

#include "route.h"

/* api_session.c: web login (cookie + CSRF token), who am I, logout. */
route_fn api_session_create, api_session_delete, api_me;

/* api_sub.c: tracks, submissions (upload, list, detail, file, cancel). */
route_fn api_tracks, api_sub_begin, api_sub_create, api_sub_list,
    api_sub_get, api_sub_file, api_sub_cancel;

/* api_job.c: job status and the worker API. */
route_fn api_job_get, api_worker_claim, api_worker_heartbeat,
    api_worker_file, api_worker_result, api_worker_release;

/* api_admin.c: organizer moderation; self-registration (config switch). */
route_fn api_admin_moderate, api_admin_rerun, api_register;

/* api_misc.c: leaderboard, health, metrics. */
route_fn api_leaderboard, api_leaderboard_csv, api_healthz, api_metrics;

/* static.c: the web pages and their assets. */
route_fn static_page, static_file;

#endif
