/* api_account: a user's own account: password change, own API
 * tokens, own web sessions; and the answers that tell a disabled user or
 * team why it is refused. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "db.h"
#include "field.h"
#include "http.h"
#include "pcache.h"
#include "srv.h"
#include "throttle.h"
#include "util.h"

#define ACC_AGENT_MAX 200	/* bytes of a session's user agent kept */

int
api_account_refuse(struct http_req *req, int why, const char *reason)
{
	char msg[2200];

	if (why == DB_BLOCK_USER)
		return http_reply_error(req, 403, "account_disabled",
		    "your account has been disabled by the organizers", NULL);
	if (reason != NULL && reason[0] != '\0')
		util_fmt(msg, sizeof(msg), "your team has been disabled by the "
		    "organizers: %s", reason);
	else
		util_fmt(msg, sizeof(msg), "your team has been disabled by the "
		    "organizers");
	return http_reply_error(req, 403, "team_disabled", msg, NULL);
}

int
api_account_token_refused(struct http_req *req, const char *token_hash)
{
	char reason[2048];
	int why = 0;

	if (db_account_token_blocked(http_req_db(req), token_hash, &why, reason,
	    sizeof(reason)) != DB_OK)
		return 0;
	api_account_refuse(req, why, reason);
	return 1;
}

int
api_account_session_open(struct http_req *req, int64_t user_id,
    const char *sess_hash, const char *csrf, int64_t now, int64_t expires)
{
	const char *ua = http_req_header(req, "User-Agent");
	char agent[ACC_AGENT_MAX + 1], ip[64];
	size_t i;

	/* printable ASCII only, cut: it is shown back on the account page */
	for (i = 0; ua != NULL && ua[i] != '\0' && i < ACC_AGENT_MAX; i++)
		agent[i] = ua[i] >= 0x20 && ua[i] < 0x7f ? ua[i] : '?';
	agent[i] = '\0';
	http_req_client_ip(req, ip, sizeof(ip));
	return db_account_session_open(http_req_db(req), user_id, sess_hash,
	    csrf, ua != NULL ? agent : NULL, ip[0] != '\0' ? ip : NULL, now,
	    expires);
}

/* The hash of the request's session cookie into out; 0, or -1 when the
 * request was not made with the session cookie. */
static int
acc_session_hash(struct http_req *req, char out[AUTH_HASH_HEX])
{
	const char *v = http_req_cookie(req, "do_session");

	if (!http_req_via_session(req) || v == NULL)
		return -1;
	auth_sha256_hex(v, strlen(v), out);
	return 0;
}

/* Route parameter 0 as a row id into *id; 0, or -1 after a 404 "no such
 * <what>" (an id is a positive decimal integer). */
static int
acc_id(struct http_req *req, const char *what, int64_t *id)
{
	const char *s = http_req_param(req, 0);
	char msg[64];
	int64_t v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 18; i++)
		v = v * 10 + (s[i] - '0');
	if (i > 0 && s[i] == '\0' && v > 0) {
		*id = v;
		return 0;
	}
	util_fmt(msg, sizeof(msg), "no such %s", what);
	http_reply_error(req, 404, "not_found", msg, NULL);
	return -1;
}

static int
acc_dberr(struct http_req *req, int rc, const char *what)
{
	char msg[64];

	if (rc == DB_NOTFOUND) {
		util_fmt(msg, sizeof(msg), "no such %s", what);
		return http_reply_error(req, 404, "not_found", msg, NULL);
	}
	return http_reply_error(req, 503, "unavailable",
	    "database unavailable", NULL);
}

/* ---- password ---- */

/* POST /api/v1/account/password: {current, new}. */
static const struct field password_fields[] = {
	FIELD_STRING("current", FIELD_REQUIRED, 1, 1024),
	FIELD_STRING("new", FIELD_REQUIRED, 1, 1024),
};
const struct field_table api_account_password_body =
    FIELD_TABLE(password_fields, 0);

int
api_account_password(struct http_req *req)
{
	struct srv *srv = http_req_srv(req);
	const struct db_principal *p = http_req_who(req);
	const char *cur = field_str(http_req_json(req), "current");
	const char *pw = field_str(http_req_json(req), "new");
	char hash[256], nhash[AUTH_PW_ENCODED], shash[AUTH_HASH_HEX];
	char err[128], msg[128];
	int64_t now = srv_now(), wait;
	const char *weak;
	int rc, ended = 0;

	/* the login throttle of this email: a stolen session cannot guess
	 * the password here faster than at the login form */
	if ((wait = throttle_wait(srv->login_email, p->email, now)) > 0) {
		util_fmt(msg, sizeof(msg), "too many wrong passwords for this "
		    "email; try again in %lld s", (long long)wait);
		return http_reply_too_many(req, wait, msg);
	}
	rc = db_account_pw_hash(http_req_db(req), p->user_id, hash,
	    sizeof(hash));
	if (rc != DB_OK)
		return acc_dberr(req, rc, "user");
	if (!auth_password_verify(hash, cur)) {
		throttle_fail(srv->login_email, p->email, now);
		return http_reply_error(req, 403, "wrong_password",
		    "field 'current': the current password is wrong", NULL);
	}
	throttle_clear(srv->login_email, p->email);
	if ((weak = auth_password_weak(pw, p->email)) != NULL) {
		util_fmt(msg, sizeof(msg), "field 'new': %s", weak);
		return http_reply_error(req, 400, "weak_password", msg, NULL);
	}
	if (auth_password_hash(pw, nhash, err, sizeof(err)) != 0)
		return http_reply_error(req, 500, "internal", err, NULL);
	rc = db_account_password_set(http_req_db(req), p->user_id, nhash,
	    acc_session_hash(req, shash) == 0 ? shash : NULL, p->email, now,
	    &ended);
	if (rc != DB_OK)
		return acc_dberr(req, rc, "user");
	return http_reply_json(req, 200, json_pack("{s:b, s:i}", "changed", 1,
	    "sessions_ended", ended));
}

/* ---- tokens ---- */

int
api_account_tokens(struct http_req *req)
{
	const struct db_principal *p = http_req_who(req);
	int64_t limit, offset;
	json_t *o;
	int rc;

	if (api_page_args(req, &limit, &offset) != 0)
		return 0;
	rc = db_account_tokens(http_req_db(req), p->user_id, limit, offset, &o);
	if (rc != DB_OK)
		return acc_dberr(req, rc, "user");
	json_object_set_new(o, "max_live", json_integer(API_ACCOUNT_TOKENS_MAX));
	return http_reply_json(req, 200, o);
}

/* POST /api/v1/account/tokens: {label}. */
static const struct field token_fields[] = {
	FIELD_STRING("label", FIELD_REQUIRED, 1, 200),
};
const struct field_table api_account_token_body = FIELD_TABLE(token_fields, 0);

int
api_account_token_create(struct http_req *req)
{
	const struct db_principal *p = http_req_who(req);
	const char *label = field_str(http_req_json(req), "label");
	char secret[AUTH_SECRET_LEN], hash[AUTH_HASH_HEX], msg[128];
	json_t *o, *t;
	int rc;

	/* a token makes no other token: one that leaked cannot outlive its
	 * own revocation through tokens it made */
	if (!http_req_via_session(req))
		return http_reply_error(req, 403, "session_required",
		    "tokens are made from a logged-in session (the web page or "
		    "dataoptim login), not with a token", NULL);
	if (auth_secret(secret) != 0)
		return http_reply_error(req, 500, "internal",
		    "no random bytes", NULL);
	auth_sha256_hex(secret, strlen(secret), hash);
	rc = db_account_token_create(http_req_db(req), p->user_id, hash, label,
	    API_ACCOUNT_TOKENS_MAX, p->email, srv_now(), &o);
	if (rc == DB_QUOTA) {
		util_fmt(msg, sizeof(msg), "you hold %d live tokens, the most "
		    "allowed: revoke one first", API_ACCOUNT_TOKENS_MAX);
		return http_reply_error(req, 409, "too_many_tokens", msg, NULL);
	}
	if (rc != DB_OK)
		return acc_dberr(req, rc, "user");
	/* {id, label, token, created_at}: the token shown this once */
	t = json_object_get(o, "token");
	json_object_set_new(t, "token", json_string(secret));
	json_incref(t);
	json_decref(o);
	return http_reply_json(req, 201, t);
}

/* Revoke token id of the caller and forget cached callers. */
static int
acc_revoke(struct http_req *req, int64_t id)
{
	const struct db_principal *p = http_req_who(req);
	json_t *o;
	int rc;

	rc = db_account_token_revoke(http_req_db(req), p->user_id, id,
	    p->email, srv_now(), &o);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "revoked",
		    "the token is revoked already", NULL);
	if (rc != DB_OK)
		return acc_dberr(req, rc, "token");
	pcache_clear(http_req_srv(req)->pcache);
	return http_reply_json(req, 200, o);
}

int
api_account_token_revoke(struct http_req *req)
{
	int64_t id;

	if (acc_id(req, "token", &id) != 0)
		return 0;
	return acc_revoke(req, id);
}

int
api_account_token_revoke_current(struct http_req *req)
{
	const struct db_principal *p = http_req_who(req);

	if (http_req_via_session(req) || p->token_id <= 0)
		return http_reply_error(req, 400, "not_a_token", "this request "
		    "was not made with an API token: send Authorization: "
		    "Bearer <the token to revoke>", NULL);
	return acc_revoke(req, p->token_id);
}

/* ---- sessions ---- */

int
api_account_sessions(struct http_req *req)
{
	const struct db_principal *p = http_req_who(req);
	char shash[AUTH_HASH_HEX];
	int64_t limit, offset;
	json_t *o;
	int rc;

	if (api_page_args(req, &limit, &offset) != 0)
		return 0;
	rc = db_account_sessions(http_req_db(req), p->user_id,
	    acc_session_hash(req, shash) == 0 ? shash : NULL, srv_now(), limit,
	    offset, &o);
	if (rc != DB_OK)
		return acc_dberr(req, rc, "user");
	return http_reply_json(req, 200, o);
}

int
api_account_session_revoke(struct http_req *req)
{
	const struct db_principal *p = http_req_who(req);
	int64_t id;
	int rc;

	if (acc_id(req, "session", &id) != 0)
		return 0;
	rc = db_account_session_revoke(http_req_db(req), p->user_id, id,
	    p->email, srv_now());
	if (rc != DB_OK)
		return acc_dberr(req, rc, "session");
	return http_reply_json(req, 200, json_pack("{s:{s:I, s:b}}", "session",
	    "id", (json_int_t)id, "revoked", 1));
}
