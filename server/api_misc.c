/* api_misc: the leaderboard (cached, with ETag), /healthz and /metrics. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cfg.h"
#include "db.h"
#include "http.h"
#include "lb.h"
#include "metrics.h"
#include "pool.h"
#include "srv.h"
#include "util.h"

static int
api_lb(struct http_req *req, int csv)
{
	struct srv *srv = http_req_srv(req);
	const struct db_principal *who = http_req_who(req);
	const char *slug = http_req_query(req, "track");
	const char *split = http_req_query(req, "split");
	char *body = NULL, etag[40], disp[160];
	size_t len = 0;
	enum board_vis vis = VIS_PUBLIC;
	int rc, priv = 0;

	if (slug == NULL || slug[0] == '\0')
		return http_reply_error(req, 400, "bad_request",
		    "name the track: ?track=SLUG", NULL);
	if (split != NULL && strcmp(split, "private") == 0)
		priv = 1;
	else if (split != NULL && strcmp(split, "public") != 0)
		return http_reply_error(req, 400, "bad_request",
		    "split: public or private", NULL);
	rc = lb_get(srv->lb, http_req_db(req), slug, priv, csv,
	    http_req_header(req, "If-None-Match"), &body, &len, etag, &vis);
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found", "no such track",
		    NULL);
	if (rc == LB_NOT_PUBLISHED)
		return http_reply_error(req, 404, "not_published", "the "
		    "private ranking is shown once the organizers publish it",
		    NULL);
	if (rc != DB_OK && rc != LB_NOT_MODIFIED)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	/* the track's visibility: public, participants or organizers */
	if (vis != VIS_PUBLIC && (who == NULL || who->role == WHO_WORKER ||
	    (vis == VIS_ORGANIZERS && who->role != WHO_ADMIN))) {
		free(body);
		if (who == NULL)
			return http_reply_error(req, 401, "unauthorized",
			    "log in to see this leaderboard", NULL);
		return http_reply_error(req, 403, "forbidden", "this "
		    "leaderboard is for the organizers", NULL);
	}
	if (rc == LB_NOT_MODIFIED) {
		http_reply_empty(req, 304);
	} else {
		http_reply_take(req, 200, csv ? "text/csv; charset=utf-8" :
		    "application/json", body, len);
		if (csv) {
			util_fmt(disp, sizeof(disp), "attachment; "
			    "filename=\"leaderboard-%s%s.csv\"", slug,
			    priv ? "-private" : "");
			http_header(req, "Content-Disposition", disp);
		}
	}
	http_header(req, "ETag", etag);
	http_header(req, "Cache-Control", vis != VIS_PUBLIC ? "private, no-cache" :
	    "public, no-cache");
	return 0;
}

int
api_leaderboard(struct http_req *req)
{
	return api_lb(req, 0);
}

int
api_leaderboard_csv(struct http_req *req)
{
	return api_lb(req, 1);
}

/* The server's health: 200 "ok", or 503 "degraded" with the problems
 * (the database, or the state directory's free space under its floor). */
int
api_healthz(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	json_t *problems = json_array();
	int64_t free_mb = -1;
	int version = 0, dbok, low;
	char msg[160];

	dbok = db_schema_version(http_req_db(req), &version) == DB_OK &&
	    db_job_counts(http_req_db(req), (int64_t[JOB_NSTATES]){ 0 }) == DB_OK;
	if (!dbok)
		json_array_append_new(problems, json_string("db: the database "
		    "does not answer"));
	low = srv_storage_low(srv, &free_mb);
	if (low) {
		util_fmt(msg, sizeof(msg), "storage: %lld MB free in the state "
		    "directory, under the floor of %lld MB (storage.min_free_mb)",
		    (long long)free_mb, (long long)srv->cfg->min_free_mb);
		json_array_append_new(problems, json_string(msg));
	}
	return http_reply_json(req, dbok && !low ? 200 : 503, json_pack(
	    "{s:s, s:s, s:i, s:{s:b, s:I}, s:{s:b, s:I, s:I}, s:o, s:I}",
	    "status", dbok && !low ? "ok" : "degraded",
	    "db", dbok ? "ok" : "unreachable",
	    "schema_version", version,
	    "pool", "loaded", srv->pool != NULL, "ids",
	    (json_int_t)(srv->pool ? pool_count(srv->pool) : 0),
	    "storage", "ok", !low, "free_mb", (json_int_t)free_mb,
	    "min_free_mb", (json_int_t)srv->cfg->min_free_mb,
	    "problems", problems,
	    "uptime_s", (json_int_t)(srv_now() - srv->started)));
}

int
api_metrics(struct http_req *req)
{
	size_t len;
	char *text = metrics_render(http_req_db(req), &len);

	http_reply_take(req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    text, len);
	http_header(req, "Cache-Control", "no-store");
	return 0;
}
