/* api_team: participants serve themselves: self-registration
 * (with a new team or an invite code), a member's view of the team,
 * invite codes, joining, leaving and making a team.  Invite codes are
 * shown once; only their SHA-256 is stored.  The data layer (db_team.c)
 * writes the audit rows. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "api.h"
#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "field.h"
#include "http.h"
#include "pcache.h"
#include "srv.h"
#include "throttle.h"
#include "util.h"

#define TEAM_CODE_LEN 20		/* characters of an invite code */
#define TEAM_MAX_USES 1000		/* max_uses: 0 (no limit) .. this */
#define TEAM_MAX_HOURS (24 * 365)	/* an invite lives a year at most */
#define TEAM_DEFAULT_HOURS (24 * 7)

static const char team_b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* A new invite code (TEAM_CODE_LEN base32 characters, 100 bits from
 * getrandom) into code.  0, or -1 (told). */
static int
team_code_new(char code[TEAM_CODE_LEN + 1])
{
	unsigned char raw[TEAM_CODE_LEN];
	size_t got = 0;
	ssize_t n;
	int i;

	while (got < sizeof(raw)) {
		n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "dataoptimd: invite code: getrandom: "
			    "%s\n", strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	for (i = 0; i < TEAM_CODE_LEN; i++)
		code[i] = team_b32[raw[i] & 31];
	code[TEAM_CODE_LEN] = '\0';
	return 0;
}

/* An invite code as typed (any case, with spaces or dashes) into its
 * canonical form: 0, or -1 when it is not one. */
static int
team_code_norm(const char *in, char code[TEAM_CODE_LEN + 1])
{
	size_t n = 0;

	for (; *in != '\0'; in++) {
		char c = *in;

		if (c == ' ' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (strchr(team_b32, c) == NULL || n >= TEAM_CODE_LEN)
			return -1;
		code[n++] = c;
	}
	code[n] = '\0';
	return n == TEAM_CODE_LEN ? 0 : -1;
}

/* The SHA-256 (hex) of a typed code into hash: 0, or -1 after a 400. */
static int
team_code_hash(struct http_req *req, const char *typed,
    char hash[AUTH_HASH_HEX])
{
	char code[TEAM_CODE_LEN + 1];

	if (team_code_norm(typed, code) != 0) {
		http_reply_error(req, 400, "bad_request", "field 'code': an "
		    "invite code is 20 letters and digits (A-Z, 2-7)", NULL);
		return -1;
	}
	auth_sha256_hex(code, TEAM_CODE_LEN, hash);
	return 0;
}

/* "2026-12-10 00:00 UTC" */
static void
team_human_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		util_fmt(out, 32, "%lld", (long long)t);
}

/* Answer a refused team change (DB_CONFLICT of db_team.c); returns 0. */
static int
team_refused(struct http_req *req, const struct db_team_refusal *r)
{
	char msg[400], when[32], iso[21];

	team_human_time(r->at, when);
	db_iso_time(r->at, iso);
	switch (r->why) {
	case DB_TW_LOCKED:
		util_fmt(msg, sizeof(msg), "team changes are locked since %s "
		    "(track %s)", when, r->track);
		return http_reply_error_ex(req, 409, "team_locked", msg, NULL,
		    json_pack("{s:s, s:s}", "locked_at", iso, "track",
		    r->track));
	case DB_TW_INVITE_UNKNOWN:
		return http_reply_error(req, 404, "invite_not_found", "no "
		    "invite has this code: check it, or ask your team for a "
		    "new one", NULL);
	case DB_TW_INVITE_REVOKED:
		util_fmt(msg, sizeof(msg), "this invite code was revoked on "
		    "%s: ask your team for a new one", when);
		return http_reply_error_ex(req, 409, "invite_revoked", msg,
		    NULL, json_pack("{s:s}", "revoked_at", iso));
	case DB_TW_INVITE_EXPIRED:
		util_fmt(msg, sizeof(msg), "this invite code expired on %s: "
		    "ask your team for a new one", when);
		return http_reply_error_ex(req, 409, "invite_expired", msg,
		    NULL, json_pack("{s:s}", "expires_at", iso));
	case DB_TW_INVITE_USED_UP:
		util_fmt(msg, sizeof(msg), "this invite code has been used "
		    "%lld of %lld times: ask your team for a new one",
		    (long long)r->uses, (long long)r->max_uses);
		return http_reply_error(req, 409, "invite_used_up", msg,
		    NULL);
	case DB_TW_TEAM_DISABLED:
		util_fmt(msg, sizeof(msg), "team '%s' is disabled by the "
		    "organizers", r->team);
		return http_reply_error(req, 409, "team_disabled", msg, NULL);
	case DB_TW_IN_TEAM:
		util_fmt(msg, sizeof(msg), "you are a member of team '%s': "
		    "leave it first", r->team);
		return http_reply_error_ex(req, 409, "in_team", msg, NULL,
		    json_pack("{s:s}", "team", r->team));
	case DB_TW_NO_TEAM:
		return http_reply_error(req, 409, "no_team", "you are not a "
		    "member of any team", NULL);
	case DB_TW_TEAM_EXISTS:
		util_fmt(msg, sizeof(msg), "a team named '%s' exists (names "
		    "that differ only in case or spaces are the same name)",
		    r->team);
		return http_reply_error_ex(req, 409, "team_exists", msg, NULL,
		    json_pack("{s:s}", "team", r->team));
	case DB_TW_EMAIL_TAKEN:
		return http_reply_error(req, 409, "email_taken", "an account "
		    "with this email exists: log in instead", NULL);
	case DB_TW_NONE:
		break;
	}
	return http_reply_error(req, 409, "conflict", "refused", NULL);
}

/* Answer a data layer failure other than DB_CONFLICT; returns 0. */
static int
team_dberr(struct http_req *req, int rc, const struct db_team_refusal *r)
{
	if (rc == DB_CONFLICT && r != NULL)
		return team_refused(req, r);
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found", "no such user "
		    "or team", NULL);
	return http_reply_error(req, 503, "unavailable",
	    "database unavailable", NULL);
}

/* A team name that folds to something (not only blanks) and holds no
 * control or invisible formatting character. */
static int
team_name_ok(const char *s)
{
	return db_team_name_problem(s) == NULL;
}

static int
team_email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	return at != NULL && at != s && at[1] != '\0' &&
	    strchr(s, ' ') == NULL;
}

/* The callers' cached principals hold their team: after a membership
 * change none may outlive it. */
static void
team_changed(struct http_req *req)
{
	pcache_clear(http_req_srv(req)->pcache);
}

/* ---- self-registration ---- */

/* POST /api/v1/register: {email, password, team | invite}. */
static const struct field register_fields[] = {
	FIELD_STRING_RULE("email", FIELD_REQUIRED, 1, 200, team_email_ok,
	    "holding an '@'"),
	FIELD_STRING("password", FIELD_REQUIRED, 1, AUTH_PW_MAX),
	FIELD_STRING_RULE("team", FIELD_NULL, 1, DB_TEAM_NAME_MAX,
	    team_name_ok, "that is not only blanks and holds no "
	    "control or invisible formatting character (such as U+202E)"),
	FIELD_STRING("invite", FIELD_NULL, 1, 64),
};
const struct field_table api_register_body = FIELD_TABLE(register_fields, 0);

int
api_register_begin(struct http_req *req)
{
	if (!http_req_srv(req)->cfg->allow_register)
		http_reply_error(req, 403, "registration_closed",
		    "self-registration is off; ask the organizers", NULL);
	return 0;
}

/* GET /api/v1/register: whether sign-up is open, the password bounds. */
int
api_register_info(struct http_req *req)
{
	return http_reply_json(req, 200, json_pack("{s:b, s:i, s:i}", "open",
	    http_req_srv(req)->cfg->allow_register != 0, "password_min",
	    AUTH_PW_MIN, "password_max", AUTH_PW_MAX));
}

/* 1 after replying 429 when the client's address has made
 * server.register_ip_limit sign-up attempts within the hour; else 0, and
 * this attempt is counted (whatever its outcome: each one costs a
 * password hash, and a refused one may probe for taken emails). */
static int
register_throttled(struct http_req *req, int64_t now)
{
	struct srv *srv = http_req_srv(req);
	char ip[64], msg[160];
	int64_t wait;

	http_req_client_ip(req, ip, sizeof(ip));
	if (ip[0] == '\0')
		return 0;
	if ((wait = throttle_wait(srv->register_ip, ip, now)) == 0) {
		throttle_fail(srv->register_ip, ip, now);
		return 0;
	}
	util_fmt(msg, sizeof(msg), "too many sign-ups from this address; try "
	    "again in %lld min", (long long)(wait + 59) / 60);
	http_reply_too_many(req, wait, msg);
	return 1;
}

int
api_register(struct http_req *req)
{
	json_t *body = http_req_json(req), *o;
	struct db_signup s;
	struct db_team_refusal r;
	const char *weak, *invite = field_str(body, "invite");
	char hash[AUTH_PW_ENCODED], code[AUTH_HASH_HEX], err[128];
	int rc;

	memset(&s, 0, sizeof(s));
	s.email = field_str(body, "email");
	s.team = field_str(body, "team");
	s.now = srv_now();
	if (register_throttled(req, s.now))
		return 0;
	if ((s.team == NULL) == (invite == NULL))
		return http_reply_error(req, 400, "bad_request", "give either "
		    "'team' (the name of a new team) or 'invite' (a code from "
		    "your team), not both", NULL);
	if ((weak = auth_password_weak(field_str(body, "password"), s.email))
	    != NULL)
		return http_reply_error_ex(req, 400, "weak_password", weak,
		    NULL, json_pack("{s:s}", "field", "password"));
	if (invite != NULL) {
		if (team_code_hash(req, invite, code) != 0)
			return 0;
		s.code_hash = code;
	}
	if (auth_password_hash(field_str(body, "password"), hash, err,
	    sizeof(err)) != 0)
		return http_reply_error(req, 500, "internal", err, NULL);
	s.pw_hash = hash;
	rc = db_signup(http_req_db(req), &s, &r, &o);
	if (rc != DB_OK)
		return team_dberr(req, rc, &r);
	return http_reply_json(req, 201, o);
}

/* ---- the member's team ---- */

int
api_team_get(struct http_req *req)
{
	const struct db_principal *who = http_req_who(req);
	json_t *o;
	int rc;

	rc = db_team_view(http_req_db(req), who->team_id, srv_now(), &o);
	if (rc != DB_OK)
		return team_dberr(req, rc, NULL);
	return http_reply_json(req, 200, o);
}

/* POST /api/v1/team: {name}: a user in no team makes one. */
static const struct field team_create_fields[] = {
	FIELD_STRING_RULE("name", FIELD_REQUIRED, 1, DB_TEAM_NAME_MAX,
	    team_name_ok, "that is not only blanks and holds no "
	    "control or invisible formatting character (such as U+202E)"),
};
const struct field_table api_team_create_body =
    FIELD_TABLE(team_create_fields, 0);

/* 1 after a 429 when key (a user's, a team's) has made max things
 * (what: "teams", "invite codes") within the day; else 0. */
static int
team_daily_refused(struct http_req *req, struct throttle *t,
    const char *key, int max, const char *what, int64_t now)
{
	int64_t wait = throttle_wait(t, key, now);
	char msg[200];

	if (wait == 0)
		return 0;
	util_fmt(msg, sizeof(msg), "at most %d %s a day; try again in %lld "
	    "min", max, what, (long long)(wait + 59) / 60);
	http_reply_too_many(req, wait, msg);
	return 1;
}

int
api_team_create(struct http_req *req)
{
	const struct db_principal *who = http_req_who(req);
	struct throttle *t = http_req_srv(req)->team_make;
	struct db_team_refusal r;
	int64_t now = srv_now();
	char key[32];
	json_t *o;
	int rc;

	util_fmt(key, sizeof(key), "user:%lld", (long long)who->user_id);
	if (team_daily_refused(req, t, key, SRV_TEAMS_PER_DAY, "teams", now))
		return 0;
	rc = db_team_found(http_req_db(req), who->user_id, who->email,
	    field_str(http_req_json(req), "name"), now, &r, &o);
	if (rc != DB_OK)
		return team_dberr(req, rc, &r);
	throttle_fail(t, key, now);
	team_changed(req);
	return http_reply_json(req, 201, o);
}

/* The caller's team, or 0 after a 403. */
static int64_t
team_of(struct http_req *req)
{
	const struct db_principal *who = http_req_who(req);

	if (who->team_id == 0)
		http_reply_error(req, 403, "no_team", "you are not a member "
		    "of any team: join one with an invite code or make one",
		    NULL);
	return who->team_id;
}

/* POST /api/v1/team/invites: {max_uses?, expires_in_hours? | expires_at?} */
static const struct field invite_fields[] = {
	FIELD_INT("max_uses", FIELD_NULL, 0, TEAM_MAX_USES),
	FIELD_INT("expires_in_hours", FIELD_NULL, 1, TEAM_MAX_HOURS),
	FIELD_TIME("expires_at", FIELD_NULL),
};
const struct field_table api_team_invite_body = FIELD_TABLE(invite_fields, 0);

int
api_team_invite_create(struct http_req *req)
{
	const struct db_principal *who = http_req_who(req);
	json_t *body = http_req_json(req), *o, *inv;
	struct db_newinvite ni;
	struct throttle *t = http_req_srv(req)->invite_make;
	char code[TEAM_CODE_LEN + 1], hash[AUTH_HASH_HEX], msg[128], key[32];
	int64_t now = srv_now();
	int rc;

	memset(&ni, 0, sizeof(ni));
	if ((ni.team_id = team_of(req)) == 0)
		return 0;
	util_fmt(key, sizeof(key), "team:%lld", (long long)ni.team_id);
	if (team_daily_refused(req, t, key, SRV_INVITES_PER_DAY,
	    "invite codes", now))
		return 0;
	if (field_str(body, "expires_at") != NULL &&
	    field_int(body, "expires_in_hours", 0) != 0)
		return http_reply_error(req, 400, "bad_request", "give "
		    "'expires_in_hours' or 'expires_at', not both", NULL);
	ni.expires_at = field_time(body, "expires_at");
	if (ni.expires_at == 0)
		ni.expires_at = now + 3600 * field_int(body,
		    "expires_in_hours", TEAM_DEFAULT_HOURS);
	else if (ni.expires_at <= now ||
	    ni.expires_at > now + 3600 * (int64_t)TEAM_MAX_HOURS)
		return http_reply_error(req, 400, "bad_request", "field "
		    "'expires_at': must be in the future, within a year",
		    NULL);
	ni.max_uses = field_int(body, "max_uses", 1);
	ni.user_id = who->user_id;
	ni.actor = who->email;
	ni.now = now;
	if (team_code_new(code) != 0)
		return http_reply_error(req, 500, "internal",
		    "no random bytes", NULL);
	auth_sha256_hex(code, TEAM_CODE_LEN, hash);
	ni.code_hash = hash;
	rc = db_invite_create(http_req_db(req), &ni, &o);
	if (rc == DB_QUOTA) {
		util_fmt(msg, sizeof(msg), "the team has %d pending invites, "
		    "the most it may: revoke one first", DB_INVITES_MAX);
		return http_reply_error(req, 409, "too_many_invites", msg,
		    NULL);
	}
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 403, "no_team", "you are not a "
		    "member of this team any more", NULL);
	if (rc != DB_OK)
		return team_dberr(req, rc, NULL);
	throttle_fail(t, key, now);
	/* the code is shown this once */
	inv = json_object_get(o, "invite");
	json_object_set_new(inv, "code", json_string(code));
	return http_reply_json(req, 201, o);
}

int
api_team_invite_revoke(struct http_req *req)
{
	const struct db_principal *who = http_req_who(req);
	int64_t team_id, id;
	char *end;
	json_t *o;
	int rc;

	if ((team_id = team_of(req)) == 0)
		return 0;
	errno = 0;
	id = strtoll(http_req_param(req, 0), &end, 10);
	if (errno != 0 || *end != '\0' || id <= 0)
		return http_reply_error(req, 404, "not_found",
		    "no such invite", NULL);
	rc = db_invite_revoke(http_req_db(req), team_id, id, who->email,
	    srv_now(), &o);
	if (rc == DB_NOTFOUND)
		return http_reply_error(req, 404, "not_found",
		    "no such invite in your team", NULL);
	if (rc == DB_CONFLICT)
		return http_reply_error(req, 409, "revoked",
		    "the invite is revoked already", NULL);
	if (rc != DB_OK)
		return team_dberr(req, rc, NULL);
	return http_reply_json(req, 200, o);
}

/* POST /api/v1/team/join: {code}. */
static const struct field join_fields[] = {
	FIELD_STRING("code", FIELD_REQUIRED, 1, 64),
};
const struct field_table api_team_join_body = FIELD_TABLE(join_fields, 0);

int
api_team_join(struct http_req *req)
{
	const struct db_principal *who = http_req_who(req);
	struct db_team_refusal r;
	char hash[AUTH_HASH_HEX];
	json_t *o;
	int rc;

	if (team_code_hash(req, field_str(http_req_json(req), "code"), hash)
	    != 0)
		return 0;
	rc = db_team_join(http_req_db(req), who->user_id, who->email, hash,
	    srv_now(), &r, &o);
	if (rc != DB_OK)
		return team_dberr(req, rc, &r);
	team_changed(req);
	return http_reply_json(req, 200, o);
}

int
api_team_leave(struct http_req *req)
{
	const struct db_principal *who = http_req_who(req);
	struct db_team_refusal r;
	json_t *o;
	int rc;

	rc = db_team_leave(http_req_db(req), who->user_id, who->email,
	    srv_now(), &r, &o);
	if (rc != DB_OK)
		return team_dberr(req, rc, &r);
	team_changed(req);
	return http_reply_json(req, 200, o);
}
