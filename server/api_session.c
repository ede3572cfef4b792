/* api_session: web login with a session cookie and a CSRF token. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "field.h"
#include "http.h"
#include "srv.h"
#include "throttle.h"
#include "util.h"

/* A valid argon2id hash of a random password: verified against when the
 * email is unknown, so that both cases take the same time. */
static const char api_dummy_hash[] = "$argon2id$v=19$m=19456,t=2,p=1$"
    "eU7ioziiuEgFb+jsd7CXDQ$x07steqIayC/N5GoBIyfZniN4o876vRHjAy6ecRf2X0";

static json_t *
api_user_json(const struct db_principal *p)
{
	return json_pack("{s:s, s:s?, s:s}", "email", p->email,
	    "team", p->team[0] ? p->team : NULL, "role", who_role_name(p->role));
}

/*
 * 1 after replying 429 if email or the client address ip ("" if unknown)
 * failed too often lately, so that the password is not even checked
 * (nor its hashing cost spent); else 0.
 */
static int
api_login_throttled(struct http_req *req, const char *email,
    const char *ip, int64_t now)
{
	struct srv *srv = http_req_srv(req);
	int64_t we, wi, wait;
	char msg[256];

	we = throttle_wait(srv->login_email, email, now);
	wi = ip[0] != '\0' ? throttle_wait(srv->login_ip, ip, now) : 0;
	if (we == 0 && wi == 0)
		return 0;
	wait = we > wi ? we : wi;
	util_fmt(msg, sizeof(msg), "too many failed logins %s; try again in "
	    "%lld s", we > 0 ? "for this email" : "from this address",
	    (long long)wait);
	http_reply_too_many(req, wait, msg);
	return 1;
}

/* POST /api/v1/session: {email, password}. */
static const struct field session_fields[] = {
	FIELD_STRING("email", FIELD_REQUIRED, 0, 0),
	FIELD_STRING("password", FIELD_REQUIRED, 0, 0),
};
const struct field_table api_session_body = FIELD_TABLE(session_fields, 0);

int
api_session_create(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	const char *email = field_str(http_req_json(req), "email");
	const char *pw = field_str(http_req_json(req), "password");
	char secret[AUTH_SECRET_LEN], csrf[44];
	char shash[AUTH_HASH_HEX], cookie[256], ip[64];
	struct db_principal p;
	struct db_login lg;
	int64_t uid = 0, now = srv_now();
	int rc, ok;

	http_req_client_ip(req, ip, sizeof(ip));
	if (api_login_throttled(req, email, ip, now))
		return 0;
	/* disabled users and teams are found too, and
	 * told so once their password is right (never before) */
	rc = db_account_login(http_req_db(req), email, &lg);
	if (rc == DB_ERR)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	ok = auth_password_verify(rc == DB_OK ? lg.pw_hash : api_dummy_hash,
	    pw);
	if (rc != DB_OK || !ok) {
		throttle_fail(srv->login_email, email, now);
		if (ip[0] != '\0')
			throttle_fail(srv->login_ip, ip, now);
		return http_reply_error(req, 401, "bad_credentials",
		    "wrong email or password", NULL);
	}
	throttle_clear(srv->login_email, email);
	if (lg.user_disabled || lg.team_disabled)
		return api_account_refuse(req, lg.user_disabled ? DB_BLOCK_USER :
		    DB_BLOCK_TEAM, lg.team_reason);
	uid = lg.user_id;
	if (auth_secret(secret) != 0 || auth_random(csrf, sizeof(csrf)) != 0)
		return http_reply_error(req, 500, "internal",
		    "no random bytes", NULL);
	auth_sha256_hex(secret, strlen(secret), shash);
	if (api_account_session_open(req, uid, shash, csrf, now,
	    now + srv->cfg->session_hours * 3600) != DB_OK ||
	    db_principal_by_user(http_req_db(req), uid, &p) != DB_OK)
		return http_reply_error(req, 503, "unavailable",
		    "database unavailable", NULL);
	http_req_log_team(req, p.team[0] ? p.team : p.email);
	http_reply_json(req, 200, json_pack("{s:o, s:s}", "user",
	    api_user_json(&p), "csrf_token", csrf));
	util_fmt(cookie, sizeof(cookie), "do_session=%s; HttpOnly; "
	    "SameSite=Lax; Path=/; Max-Age=%lld%s", secret,
	    (long long)srv->cfg->session_hours * 3600,
	    srv->cfg->cookie_secure ? "; Secure" : "");
	http_header(req, "Set-Cookie", cookie);
	return 0;
}

int
api_me(struct http_req *req)
{
	const struct db_principal *p = http_req_who(req);

	/* token_id, the token that made the request */
	return http_reply_json(req, 200, json_pack("{s:o, s:s?, s:o}", "user",
	    api_user_json(p), "csrf_token",
	    http_req_via_session(req) ? p->csrf : NULL, "token_id",
	    !http_req_via_session(req) && p->token_id > 0 ?
	    json_integer(p->token_id) : json_null()));
}

/* GET /api/v1/session, the page's "who am I" without a 401 */
int
api_session_get(struct http_req *req)
{
	if (http_req_who(req) == NULL)
		return http_reply_json(req, 200, json_pack("{s:n, s:n}",
		    "user", "csrf_token"));
	return api_me(req);
}

int
api_session_delete(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	const char *v = http_req_cookie(req, "do_session");
	char shash[AUTH_HASH_HEX], c[160];

	if (http_req_via_session(req) && v != NULL) {
		auth_sha256_hex(v, strlen(v), shash);
		db_session_delete(http_req_db(req), shash);
	}
	http_reply_json(req, 200, json_pack("{s:b}", "logged_out", 1));
	util_fmt(c, sizeof(c), "do_session=; HttpOnly; SameSite=Lax; Path=/; "
	    "Max-Age=0%s", srv->cfg->cookie_secure ? "; Secure" : "");
	http_header(req, "Set-Cookie", c);
	return 0;
}
