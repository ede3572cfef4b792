/* api_admin: the organizer API's tracks, teams, users and tokens (and
 * the helpers api_admin_sub.c shares).  Every change is written to the
 * audit log by the data layer, in the change's own transaction. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "field.h"
#include "hook.h"
#include "http.h"
#include "lb.h"
#include "srv.h"
#include "util.h"

/* ---- helpers (shared with api_admin_sub.c through api.h) ---- */

int
api_admin_dberr(struct http_req *req, int rc, const char *what)
{
	char msg[128];

	if (rc == DB_NOTFOUND) {
		util_fmt(msg, sizeof(msg), "no such %s", what);
		return http_reply_error(req, 404, "not_found", msg, NULL);
	}
	return http_reply_error(req, 503, "unavailable",
	    "database unavailable", NULL);
}

int
api_page_args(struct http_req *req, int64_t *limit, int64_t *offset)
{
	if (http_req_int_query(req, "limit", 50, 1, 500, limit) != 0 ||
	    http_req_int_query(req, "offset", 0, 0, INT32_MAX, offset) != 0) {
		http_reply_error(req, 400, "bad_request",
		    "limit: 1..500, offset: 0 or more", NULL);
		return -1;
	}
	return 0;
}

const char *
api_admin_query(struct http_req *req, const char *name)
{
	const char *v = http_req_query(req, name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* The organizer making the request. */
static const char *
adm_actor(struct http_req *req)
{
	return http_req_who(req)->email;
}

/* An email address as the organizer API takes one. */
static int
adm_email_ok(const char *s)
{
	return strchr(s, '@') != NULL;
}

/* ---- tracks ---- */

static int
adm_slug_ok(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") ==
	    strlen(s);
}

static int
adm_http_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static const char *const adm_kinds[] = { "standard", "byod", NULL };
static const char *const adm_directions[] = { "max", "min", NULL };
static const char *const adm_boards[] = { "public", "participants",
    "organizers", NULL };

/* The settings of a track, for create (budget_fl FIELD_REQUIRED) and
 * update (0).  Times and the webhook take null (and the webhook "") to
 * clear. */
#define ADM_TRACK_FIELDS(budget_fl) \
	FIELD_INT("budget", budget_fl, 1, INT32_MAX), \
	FIELD_INT("per_day", 0, 0, INT32_MAX), \
	FIELD_INT("total", 0, 0, INT32_MAX), \
	FIELD_INT("max_active", 0, 0, INT32_MAX), \
	FIELD_TIME("opens_at", FIELD_NULL), \
	FIELD_TIME("closes_at", FIELD_NULL), \
	FIELD_TIME("freeze_at", FIELD_NULL), \
	FIELD_STRING("metric", 0, 1, 31), \
	FIELD_ENUM("direction", 0, adm_directions), \
	FIELD_ENUM("leaderboard", 0, adm_boards), \
	FIELD_BOOL("anonymous", 0), \
	FIELD_STRING_RULE("webhook_url", FIELD_NULL | FIELD_EMPTY, 1, 1000, \
	    adm_http_url, "starting with http:// or https://"), \
	FIELD_STRING("webhook_secret", FIELD_NULL | FIELD_EMPTY, 16, 200), \
	ADM_TRACK_PAGE_FIELDS
/* the track page's texts (plain text; overview and rules may
 * span lines, up to the edge's limit of a multi-line field, http.c) and
 * the team lock.  null clears. */
#define ADM_TRACK_TEXT_MAX 16384
#define ADM_TRACK_PAGE_FIELDS \
	FIELD_STRING("title", FIELD_NULL, 0, 200), \
	FIELD_STRING("overview", FIELD_NULL, 0, ADM_TRACK_TEXT_MAX), \
	FIELD_STRING("rules", FIELD_NULL, 0, ADM_TRACK_TEXT_MAX), \
	FIELD_TIME("teams_lock_at", FIELD_NULL)

/* POST /api/v1/admin/tracks and PATCH .../tracks/{slug}: any other member
 * is refused (a misspelt setting must not pass unnoticed). */
static const struct field track_create_fields[] = {
	FIELD_STRING_RULE("slug", FIELD_REQUIRED, 1, 63, adm_slug_ok,
	    "of a-z, 0-9, '-' and '_'"),
	FIELD_ENUM("kind", FIELD_REQUIRED, adm_kinds),
	ADM_TRACK_FIELDS(FIELD_REQUIRED),
};
static const struct field track_update_fields[] = { ADM_TRACK_FIELDS(0) };
#undef ADM_TRACK_FIELDS
#undef ADM_TRACK_PAGE_FIELDS
const struct field_table api_admin_track_create_body =
    FIELD_TABLE(track_create_fields, 1);
const struct field_table api_admin_track_update_body =
    FIELD_TABLE(track_update_fields, 1);

/* The settings in body (checked by the route's table) into ts: each one
 * there sets its bit in ts->mask; null and "" clear. */
static void
adm_trackset(const json_t *b, struct db_trackset *ts)
{
	static const struct {
		const char *name;
		unsigned bit;
	} bits[] = {
		{ "budget", DB_TS_BUDGET }, { "per_day", DB_TS_PER_DAY },
		{ "total", DB_TS_TOTAL }, { "max_active", DB_TS_MAX_ACTIVE },
		{ "opens_at", DB_TS_OPENS }, { "closes_at", DB_TS_CLOSES },
		{ "freeze_at", DB_TS_FREEZE }, { "metric", DB_TS_METRIC },
		{ "direction", DB_TS_DIRECTION },
		{ "leaderboard", DB_TS_LEADERBOARD },
		{ "anonymous", DB_TS_ANONYMOUS },
		{ "webhook_url", DB_TS_HOOK_URL },
		{ "webhook_secret", DB_TS_HOOK_SECRET },
		/* track page */
		{ "title", DB_TS_TITLE }, { "overview", DB_TS_OVERVIEW },
		{ "rules", DB_TS_RULES }, { "teams_lock_at", DB_TS_TEAMS_LOCK },
	};
	const char *url = field_str(b, "webhook_url");
	const char *secret = field_str(b, "webhook_secret");
	size_t i;

	memset(ts, 0, sizeof(*ts));
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (field_has(b, bits[i].name))
			ts->mask |= bits[i].bit;
	ts->budget = field_int(b, "budget", 0);
	ts->per_day = field_int(b, "per_day", 0);
	ts->total = field_int(b, "total", 0);
	ts->max_active = field_int(b, "max_active", 0);
	ts->opens_at = field_time(b, "opens_at");
	ts->closes_at = field_time(b, "closes_at");
	ts->freeze_at = field_time(b, "freeze_at");
	ts->metric = field_str(b, "metric");
	ts->direction = field_str(b, "direction");
	ts->leaderboard = field_str(b, "leaderboard");
	ts->anonymous = field_bool(b, "anonymous", 0);
	ts->webhook_url = url != NULL && url[0] != '\0' ? url : NULL;
	ts->webhook_secret = secret != NULL && secret[0] != '\0' ? secret :
	    NULL;
	/* track page */
	ts->title = field_str(b, "title");
	ts->overview = field_str(b, "overview");
	ts->rules = field_str(b, "rules");
	ts->teams_lock_at = field_time(b, "teams_lock_at");
}

/* Webhooks go to the internet: a loopback, private or link-local host is
 * refused unless webhooks.allow_private.  0, or -1 after a reply. */
static int
adm_hook_public(struct http_req *req, const struct db_trackset *ts)
{
	char host[256], msg[400];

	if (ts->webhook_url == NULL ||
	    http_req_srv(req)->cfg->hook_allow_private ||
	    !hook_url_private(ts->webhook_url, host, sizeof(host)))
		return 0;
	util_fmt(msg, sizeof(msg), "webhook_url: %.200s is a loopback, "
	    "private or link-local address; webhooks go to the internet "
	    "(webhooks.allow_private = true allows it)", host);
	http_reply_error(req, 400, "bad_request", msg, NULL);
	return -1;
}

/* A webhook URL needs a secret: check the edit against the track as it
 * is (cur may be NULL for a new track).  0 or -1 after a reply. */
static int
adm_hook_check(struct http_req *req, const struct db_trackset *ts,
    json_t *cur)
{
	int url = (ts->mask & DB_TS_HOOK_URL) ? ts->webhook_url != NULL :
	    cur != NULL && json_is_string(json_object_get(cur,
	    "webhook_url"));
	int secret = (ts->mask & DB_TS_HOOK_SECRET) ?
	    ts->webhook_secret != NULL : cur != NULL &&
	    json_is_true(json_object_get(cur, "webhook_secret_set"));

	if (url && !secret) {
		http_reply_error(req, 400, "bad_request", "a webhook_url "
		    "needs a webhook_secret (16 characters or more)", NULL);
		return -1;
	}
	return 0;
}

int
api_admin_tracks(struct http_req *req)
{
	json_t *o;
	int rc = db_admin_tracks(http_req_db(req), srv_now(), &o);

	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "track");
	return http_reply_json(req, 200, o);
}

int
api_admin_track_get(struct http_req *req)
{
	json_t *o;
	int rc = db_admin_track_get(http_req_db(req), http_req_param(req, 0),
	    srv_now(), &o);

	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "track");
	return http_reply_json(req, 200, o);
}

int
api_admin_track_create(struct http_req *req)
{
	json_t *body = http_req_json(req), *o;
	struct db_trackset ts;
	int rc;

	adm_trackset(body, &ts);
	if (adm_hook_public(req, &ts) != 0 || adm_hook_check(req, &ts,
	    NULL) != 0)
		return 0;
	rc = db_admin_track_create(http_req_db(req), field_str(body, "slug"),
	    field_str(body, "kind"), &ts, adm_actor(req), srv_now(), &o);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "exists",
		    "a track with this slug exists", NULL);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "track");
	lb_invalidate(http_req_srv(req)->lb);
	return http_reply_json(req, 201, o);
}

int
api_admin_track_update(struct http_req *req)
{
	json_t *body = http_req_json(req), *cur, *o;
	struct db_trackset ts;
	int rc;

	if (body == NULL)
		return http_reply_error(req, 400, "bad_request", "send a JSON "
		    "object with the fields to change", NULL);
	adm_trackset(body, &ts);
	if (adm_hook_public(req, &ts) != 0)
		return 0;
	rc = db_admin_track_get(http_req_db(req), http_req_param(req, 0),
	    srv_now(), &cur);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "track");
	rc = adm_hook_check(req, &ts, json_object_get(cur, "track"));
	json_decref(cur);
	if (rc != 0)
		return 0;
	rc = db_admin_track_update(http_req_db(req), http_req_param(req, 0),
	    &ts, adm_actor(req), srv_now(), &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "track");
	lb_invalidate(http_req_srv(req)->lb);
	return http_reply_json(req, 200, o);
}

/* POST .../tracks/{slug}/publish: {published?} (default true). */
static const struct field publish_fields[] = {
	FIELD_BOOL("published", 0),
};
const struct field_table api_admin_publish_body =
    FIELD_TABLE(publish_fields, 0);

int
api_admin_track_publish(struct http_req *req)
{
	int publish = field_bool(http_req_json(req), "published", 1), rc;
	json_t *o;

	rc = db_admin_track_publish(http_req_db(req), http_req_param(req, 0),
	    publish, adm_actor(req), srv_now(), &o);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "track_open", "the private "
		    "ranking can be published once the track has closed",
		    NULL);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "track");
	lb_invalidate(http_req_srv(req)->lb);
	return http_reply_json(req, 200, o);
}

/* ---- teams ---- */

/* The numeric id in route parameter 0; -1 after a 404. */
static int
adm_id(struct http_req *req, int64_t *id, const char *what)
{
	const char *p = http_req_param(req, 0);
	char *end;
	long long v;

	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || end == p || *end != '\0' || v <= 0) {
		api_admin_dberr(req, DB_NOTFOUND, what);
		return -1;
	}
	*id = v;
	return 0;
}

int
api_admin_teams(struct http_req *req)
{
	int64_t limit, offset;
	json_t *o;
	int rc;

	if (api_page_args(req, &limit, &offset) != 0)
		return 0;
	rc = db_admin_teams(http_req_db(req), api_admin_query(req, "q"),
	    limit, offset, &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "team");
	return http_reply_json(req, 200, o);
}

/* POST /api/v1/admin/teams: {name, baseline?}. */
static const struct field team_create_fields[] = {
	FIELD_STRING("name", FIELD_REQUIRED, 1, 100),
	FIELD_BOOL("baseline", 0),
};
const struct field_table api_admin_team_create_body =
    FIELD_TABLE(team_create_fields, 0);

int
api_admin_team_create(struct http_req *req)
{
	json_t *body = http_req_json(req), *o;
	char other[128], msg[256];
	const char *why = db_team_name_problem(field_str(body, "name"));
	int rc;

	if (why != NULL) {
		util_fmt(msg, sizeof(msg), "field 'name': the name %s", why);
		return http_reply_error(req, 400, "bad_request", msg, NULL);
	}
	rc = db_admin_team_create(http_req_db(req), field_str(body, "name"),
	    field_bool(body, "baseline", 0), adm_actor(req), srv_now(), &o);
	if (rc == DB_CONFLICT) {
		/* look-alike names are one name */
		if (db_team_lookalike(http_req_db(req), field_str(body,
		    "name"), other, sizeof(other)) != DB_OK)
			util_fmt(other, sizeof(other), "%s", field_str(body,
			    "name"));
		util_fmt(msg, sizeof(msg), "a team named '%s' exists (names "
		    "that differ only in case or spaces are the same name)",
		    other);
		return http_reply_error_ex(req, 409, "team_exists", msg, NULL,
		    json_pack("{s:s}", "team", other));
	}
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "team");
	return http_reply_json(req, 201, o);
}

int
api_admin_team_members(struct http_req *req)
{
	int64_t id;
	json_t *o;
	int rc;

	if (adm_id(req, &id, "team") != 0)
		return 0;
	rc = db_admin_team_members(http_req_db(req), id, &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "team");
	return http_reply_json(req, 200, o);
}

/* POST /api/v1/admin/teams/{id}/disable and .../enable: {reason?} */
static int
adm_team_disable(struct http_req *req, int disable)
{
	const char *reason = field_str(http_req_json(req), "reason");
	int64_t id;
	json_t *o;
	int rc;

	if (adm_id(req, &id, "team") != 0)
		return 0;
	rc = db_admin_team_disable(http_req_db(req), id, disable, reason,
	    adm_actor(req), srv_now(), &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "team");
	return http_reply_json(req, 200, o);
}

int
api_admin_team_disable(struct http_req *req)
{
	return adm_team_disable(req, 1);
}

int
api_admin_team_enable(struct http_req *req)
{
	return adm_team_disable(req, 0);
}

/* ---- users ---- */

int
api_admin_users(struct http_req *req)
{
	int64_t limit, offset, team_id;
	json_t *o;
	int rc;

	if (api_page_args(req, &limit, &offset) != 0)
		return 0;
	if (http_req_int_query(req, "team_id", 0, 0, INT64_MAX, &team_id) != 0)
		return http_reply_error(req, 400, "bad_request",
		    "team_id: a team's id", NULL);
	rc = db_admin_users(http_req_db(req), team_id,
	    api_admin_query(req, "q"), limit, offset, &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "user");
	return http_reply_json(req, 200, o);
}

/* POST /api/v1/admin/users: {email, team?, admin?, password?}; a
 * participant (not admin) needs a team. */
static const struct field user_create_fields[] = {
	FIELD_STRING_RULE("email", FIELD_REQUIRED, 1, 200, adm_email_ok,
	    "holding an '@'"),
	FIELD_STRING("team", FIELD_NULL, 0, 0),
	FIELD_BOOL("admin", 0),
	FIELD_STRING("password", FIELD_NULL, 10, 200),
};
const struct field_table api_admin_user_create_body =
    FIELD_TABLE(user_create_fields, 0);

/* POST .../users/{id}/password: {password?} (absent: one is made). */
static const struct field password_fields[] = {
	FIELD_STRING("password", FIELD_NULL, 10, 200),
};
const struct field_table api_admin_password_body =
    FIELD_TABLE(password_fields, 0);

/* A password: the one given (checked by the route's table) or a new
 * random one (into gen).  Hash into hash.  0, or -1 after a reply. */
static int
adm_password(struct http_req *req, const char *given, char *gen,
    size_t gensz, char hash[AUTH_PW_ENCODED])
{
	char err[128];

	gen[0] = '\0';
	if (given == NULL) {
		if (auth_random(gen, gensz) != 0) {
			http_reply_error(req, 500, "internal",
			    "no random bytes", NULL);
			return -1;
		}
		given = gen;
	}
	if (auth_password_hash(given, hash, err, sizeof(err)) != 0) {
		http_reply_error(req, 500, "internal", err, NULL);
		return -1;
	}
	return 0;
}

int
api_admin_user_create(struct http_req *req)
{
	json_t *body = http_req_json(req), *o;
	const char *email = field_str(body, "email");
	const char *team = field_str(body, "team");
	int admin = field_bool(body, "admin", 0);
	char gen[21], hash[AUTH_PW_ENCODED];
	int rc;

	if (team == NULL && !admin)
		return http_reply_error(req, 400, "bad_request",
		    "a participant needs a team", NULL);
	if (adm_password(req, field_str(body, "password"), gen, sizeof(gen),
	    hash) != 0)
		return 0;
	rc = db_admin_user_create(http_req_db(req), email, team, admin, hash,
	    adm_actor(req), srv_now(), &o);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "exists",
		    "a user with this email exists", NULL);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "team");
	json_object_set_new(o, "password", gen[0] ? json_string(gen) :
	    json_null());
	return http_reply_json(req, 201, o);
}

/* POST /api/v1/admin/users/{id}/disable and .../enable */
static int
adm_user_disable(struct http_req *req, int disable)
{
	int64_t id;
	json_t *o;
	int rc;

	if (adm_id(req, &id, "user") != 0)
		return 0;
	rc = db_admin_user_disable(http_req_db(req), id, disable,
	    adm_actor(req), srv_now(), &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "user");
	return http_reply_json(req, 200, o);
}

int
api_admin_user_disable(struct http_req *req)
{
	return adm_user_disable(req, 1);
}

int
api_admin_user_enable(struct http_req *req)
{
	return adm_user_disable(req, 0);
}

int
api_admin_user_password(struct http_req *req)
{
	const char *pw = field_str(http_req_json(req), "password");
	char gen[21], hash[AUTH_PW_ENCODED];
	int64_t id;
	json_t *o;
	int rc;

	if (adm_id(req, &id, "user") != 0 ||
	    adm_password(req, pw, gen, sizeof(gen), hash) != 0)
		return 0;
	rc = db_admin_user_password(http_req_db(req), id, hash,
	    adm_actor(req), srv_now(), &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "user");
	json_object_set_new(o, "password", gen[0] ? json_string(gen) :
	    json_null());
	return http_reply_json(req, 200, o);
}

/* ---- tokens ---- */

int
api_admin_tokens(struct http_req *req)
{
	int64_t limit, offset, user_id;
	const char *role = api_admin_query(req, "role");
	json_t *o;
	int rc;

	if (api_page_args(req, &limit, &offset) != 0)
		return 0;
	if (http_req_int_query(req, "user_id", 0, 0, INT64_MAX, &user_id) != 0)
		return http_reply_error(req, 400, "bad_request",
		    "user_id: a user's id", NULL);
	rc = db_admin_tokens(http_req_db(req), user_id, role, limit, offset,
	    &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "token");
	return http_reply_json(req, 200, o);
}

static const char *const adm_token_roles[] = { "participant", "worker",
    NULL };

/* POST /api/v1/admin/tokens: {email, role? (participant), label?}. */
static const struct field token_create_fields[] = {
	FIELD_STRING("email", FIELD_REQUIRED, 0, 0),
	FIELD_ENUM("role", FIELD_NULL, adm_token_roles),
	FIELD_STRING("label", FIELD_NULL, 0, 200),
};
const struct field_table api_admin_token_create_body =
    FIELD_TABLE(token_create_fields, 0);

int
api_admin_token_create(struct http_req *req)
{
	json_t *body = http_req_json(req), *o;
	const char *role = field_str(body, "role");
	char secret[AUTH_SECRET_LEN], hash[AUTH_HASH_HEX];
	int rc;

	if (role == NULL)
		role = "participant";
	if (auth_secret(secret) != 0)
		return http_reply_error(req, 500, "internal",
		    "no random bytes", NULL);
	auth_sha256_hex(secret, strlen(secret), hash);
	rc = db_admin_token_create(http_req_db(req), field_str(body, "email"),
	    hash, role, field_str(body, "label"), adm_actor(req), srv_now(),
	    &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "user");
	json_object_set_new(o, "secret", json_string(secret));
	return http_reply_json(req, 201, o);
}

int
api_admin_token_revoke(struct http_req *req)
{
	int64_t id;
	json_t *o;
	int rc;

	if (adm_id(req, &id, "token") != 0)
		return 0;
	rc = db_admin_token_revoke(http_req_db(req), id, adm_actor(req),
	    srv_now(), &o);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "revoked",
		    "the token is revoked already", NULL);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "token");
	return http_reply_json(req, 200, o);
}
