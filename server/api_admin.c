/* api_admin: the organizer API's tracks, teams, users and tokens (and
 * the helpers api_admin_sub.c shares), and self-registration (off unless
 * server.allow_register).  Every change is written to the audit log by
 * the data layer, in the change's own transaction. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "auth.h"
#include "cfg.h"
#include "db.h"
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

/* An integer query argument within [lo, hi] (def when absent). */
static int
adm_int_arg(struct http_req *req, const char *name, int64_t def, int64_t lo,
    int64_t hi, int64_t *out)
{
	const char *v = http_req_query(req, name);
	char *end;
	long long n;

	*out = def;
	if (v == NULL || v[0] == '\0')
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

int
api_admin_page(struct http_req *req, int64_t *limit, int64_t *offset)
{
	if (adm_int_arg(req, "limit", 50, 1, 500, limit) != 0 ||
	    adm_int_arg(req, "offset", 0, 0, INT32_MAX, offset) != 0) {
		http_reply_error(req, 400, "bad_request",
		    "limit: 1..500, offset: 0 or more", NULL);
		return -1;
	}
	return 0;
}

int
api_admin_time(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL &&
	    *end == '\0') {
		*out = (int64_t)timegm(&tm);
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) != NULL && *end == '\0') {
		*out = (int64_t)timegm(&tm);
		return 0;
	}
	return -1;
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

static json_t *
adm_body(struct http_req *req)
{
	json_t *b = http_req_json(req);

	return json_is_object(b) ? b : NULL;
}

/* ---- tracks ---- */

static int
adm_slug_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-_", s[i]))
			return 0;
	return 1;
}

/* Read the track fields of body into ts; 0, or -1 with the problem in
 * msg.  create: slug and kind are allowed (and read by the caller);
 * allow_private: a webhook may point at a private address. */
static int
adm_track_fields(json_t *body, struct db_trackset *ts, int create,
    int allow_private, char *msg, size_t msgsz)
{
	static const struct {
		const char *name;
		unsigned bit;
		char type;	/* i int, t time, s string, b bool */
		int64_t min;
	} f[] = {
		{ "budget", DB_TS_BUDGET, 'i', 1 },
		{ "per_day", DB_TS_PER_DAY, 'i', 0 },
		{ "total", DB_TS_TOTAL, 'i', 0 },
		{ "max_active", DB_TS_MAX_ACTIVE, 'i', 0 },
		{ "opens_at", DB_TS_OPENS, 't', 0 },
		{ "closes_at", DB_TS_CLOSES, 't', 0 },
		{ "freeze_at", DB_TS_FREEZE, 't', 0 },
		{ "metric", DB_TS_METRIC, 's', 0 },
		{ "direction", DB_TS_DIRECTION, 's', 0 },
		{ "leaderboard", DB_TS_LEADERBOARD, 's', 0 },
		{ "anonymous", DB_TS_ANONYMOUS, 'b', 0 },
		{ "webhook_url", DB_TS_HOOK_URL, 'u', 0 },
		{ "webhook_secret", DB_TS_HOOK_SECRET, 'u', 0 },
	};
	const char *key;
	json_t *v;
	size_t i;

	memset(ts, 0, sizeof(*ts));
	json_object_foreach(body, key, v) {
		int64_t t = 0;
		const char *sv;

		if (create && (strcmp(key, "slug") == 0 ||
		    strcmp(key, "kind") == 0))
			continue;
		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			if (strcmp(key, f[i].name) == 0)
				break;
		if (i == sizeof(f) / sizeof(f[0])) {
			util_fmt(msg, msgsz, "unknown field \"%.40s\"", key);
			return -1;
		}
		ts->mask |= f[i].bit;
		sv = json_string_value(v);
		switch (f[i].type) {
		case 'i':
			if (!json_is_integer(v) || json_integer_value(v) <
			    f[i].min || json_integer_value(v) > INT32_MAX)
				goto bad;
			t = json_integer_value(v);
			if (f[i].bit == DB_TS_BUDGET)
				ts->budget = t;
			else if (f[i].bit == DB_TS_PER_DAY)
				ts->per_day = t;
			else if (f[i].bit == DB_TS_TOTAL)
				ts->total = t;
			else
				ts->max_active = t;
			break;
		case 't':
			if (!json_is_null(v) && (sv == NULL ||
			    api_admin_time(sv, &t) != 0 || t <= 0))
				goto bad;
			if (f[i].bit == DB_TS_OPENS)
				ts->opens_at = t;
			else if (f[i].bit == DB_TS_CLOSES)
				ts->closes_at = t;
			else
				ts->freeze_at = t;
			break;
		case 'b':
			if (!json_is_boolean(v))
				goto bad;
			ts->anonymous = json_is_true(v);
			break;
		case 's':
			if (sv == NULL)
				goto bad;
			if (f[i].bit == DB_TS_METRIC) {
				if (sv[0] == '\0' || strlen(sv) > 31)
					goto bad;
				ts->metric = sv;
			} else if (f[i].bit == DB_TS_DIRECTION) {
				if (strcmp(sv, "max") && strcmp(sv, "min"))
					goto bad;
				ts->direction = sv;
			} else {
				if (strcmp(sv, "public") &&
				    strcmp(sv, "participants") &&
				    strcmp(sv, "organizers"))
					goto bad;
				ts->leaderboard = sv;
			}
			break;
		case 'u':
			if (!json_is_null(v) && sv == NULL)
				goto bad;
			if (sv != NULL && sv[0] == '\0')
				sv = NULL;	/* "" clears too */
			if (f[i].bit == DB_TS_HOOK_URL) {
				char host[256];

				if (sv != NULL && ((strncmp(sv, "http://", 7) &&
				    strncmp(sv, "https://", 8)) ||
				    strlen(sv) > 1000))
					goto bad;
				if (sv != NULL && !allow_private &&
				    hook_url_private(sv, host, sizeof(host))) {
					util_fmt(msg, msgsz, "webhook_url: %.200s "
					    "is a loopback, private or link-local "
					    "address; webhooks go to the internet "
					    "(webhooks.allow_private = true "
					    "allows it)", host);
					return -1;
				}
				ts->webhook_url = sv;
			} else {
				if (sv != NULL && (strlen(sv) < 16 ||
				    strlen(sv) > 200))
					goto bad;
				ts->webhook_secret = sv;
			}
			break;
		}
		continue;
bad:
		util_fmt(msg, msgsz, "bad value for \"%s\" (see API.md: "
		    "integers >= %lld, times as ISO-8601 UTC or null, "
		    "direction max|min, leaderboard public|participants|"
		    "organizers, webhook_url http(s)://, webhook_secret of "
		    "16 to 200 characters)", key, (long long)f[i].min);
		return -1;
	}
	return 0;
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
	json_t *body = adm_body(req), *o;
	const char *slug, *kind;
	struct db_trackset ts;
	enum track_kind k;
	char msg[400];
	int rc;

	if (body == NULL)
		return http_reply_error(req, 400, "bad_request", "send a JSON "
		    "object {slug, kind, budget, ...}", NULL);
	slug = json_string_value(json_object_get(body, "slug"));
	kind = json_string_value(json_object_get(body, "kind"));
	if (slug == NULL || !adm_slug_ok(slug))
		return http_reply_error(req, 400, "bad_request", "slug: 1 to "
		    "63 of a-z, 0-9, '-' and '_'", NULL);
	if (track_kind_parse(kind, &k) != 0)
		return http_reply_error(req, 400, "bad_request",
		    "kind: standard or byod", NULL);
	if (adm_track_fields(body, &ts, 1, (int)http_req_srv(req)->cfg->
	    hook_allow_private, msg, sizeof(msg)) != 0)
		return http_reply_error(req, 400, "bad_request", msg, NULL);
	if (!(ts.mask & DB_TS_BUDGET))
		return http_reply_error(req, 400, "bad_request",
		    "budget: the most samples, 1 or more", NULL);
	if (adm_hook_check(req, &ts, NULL) != 0)
		return 0;
	rc = db_admin_track_create(http_req_db(req), slug, kind, &ts,
	    adm_actor(req), srv_now(), &o);
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
	json_t *body = adm_body(req), *cur, *o;
	struct db_trackset ts;
	char msg[400];
	int rc;

	if (body == NULL)
		return http_reply_error(req, 400, "bad_request", "send a JSON "
		    "object with the fields to change", NULL);
	if (adm_track_fields(body, &ts, 0, (int)http_req_srv(req)->cfg->
	    hook_allow_private, msg, sizeof(msg)) != 0)
		return http_reply_error(req, 400, "bad_request", msg, NULL);
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

int
api_admin_track_publish(struct http_req *req)
{
	json_t *body = adm_body(req), *v, *o;
	int publish = 1, rc;

	if (body != NULL && (v = json_object_get(body, "published")) != NULL) {
		if (!json_is_boolean(v))
			return http_reply_error(req, 400, "bad_request",
			    "published: true or false", NULL);
		publish = json_is_true(v);
	}
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

	if (api_admin_page(req, &limit, &offset) != 0)
		return 0;
	rc = db_admin_teams(http_req_db(req), api_admin_query(req, "q"),
	    limit, offset, &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "team");
	return http_reply_json(req, 200, o);
}

int
api_admin_team_create(struct http_req *req)
{
	json_t *body = adm_body(req), *o, *b;
	const char *name = json_string_value(json_object_get(body, "name"));
	int rc;

	b = json_object_get(body, "baseline");
	if (name == NULL || name[0] == '\0' || strlen(name) > 100 ||
	    (b != NULL && !json_is_boolean(b)))
		return http_reply_error(req, 400, "bad_request", "send "
		    "{\"name\": 1 to 100 characters, \"baseline\"?: bool}",
		    NULL);
	rc = db_admin_team_create(http_req_db(req), name, json_is_true(b),
	    adm_actor(req), srv_now(), &o);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "exists",
		    "a team with this name exists", NULL);
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

/* POST /api/v1/admin/teams/{id}/disable and .../enable */
int
api_admin_team_disable(struct http_req *req)
{
	int disable = strstr(http_req_path(req), "/disable") != NULL;
	const char *reason = json_string_value(json_object_get(adm_body(req),
	    "reason"));
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

/* ---- users ---- */

int
api_admin_users(struct http_req *req)
{
	int64_t limit, offset, team_id;
	json_t *o;
	int rc;

	if (api_admin_page(req, &limit, &offset) != 0)
		return 0;
	if (adm_int_arg(req, "team_id", 0, 0, INT64_MAX, &team_id) != 0)
		return http_reply_error(req, 400, "bad_request",
		    "team_id: a team's id", NULL);
	rc = db_admin_users(http_req_db(req), team_id,
	    api_admin_query(req, "q"), limit, offset, &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "user");
	return http_reply_json(req, 200, o);
}

/* A password: the one given (10..200 characters) or a new random one
 * (into gen).  Hash into hash.  0, or -1 after a reply. */
static int
adm_password(struct http_req *req, const char *given, char *gen,
    size_t gensz, char hash[AUTH_PW_ENCODED])
{
	char err[128];

	gen[0] = '\0';
	if (given != NULL && (strlen(given) < 10 || strlen(given) > 200)) {
		http_reply_error(req, 400, "bad_request",
		    "password: 10 to 200 characters", NULL);
		return -1;
	}
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
	json_t *body = adm_body(req), *o, *adm;
	const char *email = json_string_value(json_object_get(body, "email"));
	const char *team = json_string_value(json_object_get(body, "team"));
	const char *pw = json_string_value(json_object_get(body, "password"));
	char gen[21], hash[AUTH_PW_ENCODED];
	int rc;

	adm = json_object_get(body, "admin");
	if (email == NULL || strchr(email, '@') == NULL ||
	    strlen(email) > 200 || (adm != NULL && !json_is_boolean(adm)))
		return http_reply_error(req, 400, "bad_request", "send "
		    "{\"email\", \"team\"?, \"admin\"?: bool, \"password\"?}",
		    NULL);
	if (team == NULL && !json_is_true(adm))
		return http_reply_error(req, 400, "bad_request",
		    "a participant needs a team", NULL);
	if (adm_password(req, pw, gen, sizeof(gen), hash) != 0)
		return 0;
	rc = db_admin_user_create(http_req_db(req), email, team,
	    json_is_true(adm), hash, adm_actor(req), srv_now(), &o);
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
int
api_admin_user_disable(struct http_req *req)
{
	int disable = strstr(http_req_path(req), "/disable") != NULL;
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
api_admin_user_password(struct http_req *req)
{
	const char *pw = json_string_value(json_object_get(adm_body(req),
	    "password"));
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

	if (api_admin_page(req, &limit, &offset) != 0)
		return 0;
	if (adm_int_arg(req, "user_id", 0, 0, INT64_MAX, &user_id) != 0)
		return http_reply_error(req, 400, "bad_request",
		    "user_id: a user's id", NULL);
	rc = db_admin_tokens(http_req_db(req), user_id, role, limit, offset,
	    &o);
	if (rc != DB_OK)
		return api_admin_dberr(req, rc, "token");
	return http_reply_json(req, 200, o);
}

int
api_admin_token_create(struct http_req *req)
{
	json_t *body = adm_body(req), *o;
	const char *email = json_string_value(json_object_get(body, "email"));
	const char *role = json_string_value(json_object_get(body, "role"));
	const char *label = json_string_value(json_object_get(body, "label"));
	char secret[AUTH_SECRET_LEN], hash[AUTH_HASH_HEX];
	int rc;

	if (role == NULL)
		role = "participant";
	if (email == NULL || (strcmp(role, "participant") != 0 &&
	    strcmp(role, "worker") != 0) || (label != NULL &&
	    strlen(label) > 200))
		return http_reply_error(req, 400, "bad_request", "send "
		    "{\"email\", \"role\"?: participant|worker, \"label\"?}",
		    NULL);
	if (auth_secret(secret) != 0)
		return http_reply_error(req, 500, "internal",
		    "no random bytes", NULL);
	auth_sha256_hex(secret, strlen(secret), hash);
	rc = db_admin_token_create(http_req_db(req), email, hash, role, label,
	    adm_actor(req), srv_now(), &o);
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
