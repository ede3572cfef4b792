/* Unit tests of a user's own account in the data layer
 * (server/db_account.c): what a login finds for disabled users and teams,
 * the once-a-minute last-use writes of tokens and sessions, the live-token
 * limit, revoking only one's own, the password change that keeps one
 * session, and the route of tokens/current/revoke. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../../server/db.h"
#include "../../server/db_int.h"
#include "../../server/route.h"
#include "testutil.h"
#include "tests.h"

static struct db *
acc_db(void)
{
	char path[512], err[256];
	struct db *db;
	int version;

	snprintf(path, sizeof(path), "%s/account.db", tu_tmpdir());
	db = db_open(path, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(db_migrate(db, &version, err, sizeof(err)), DB_OK);
	assert_int_equal(db_team_add(db, "alpha", 0, 1000), DB_OK);
	assert_int_equal(db_team_add(db, "beta", 0, 1000), DB_OK);
	assert_int_equal(db_user_add(db, "alpha", "a@x", "H1", 0, 1000), DB_OK);
	assert_int_equal(db_user_add(db, "beta", "b@x", "H2", 0, 1000), DB_OK);
	return db;
}

static void
acc_sql(struct db *db, const char *sql)
{
	assert_int_equal(sqlite3_exec(db->h, sql, NULL, NULL, NULL), SQLITE_OK);
}

static int64_t
acc_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -2 :
		    sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

void
test_account_login(void **state)
{
	struct db *db = acc_db();
	struct db_login lg;
	char reason[64];
	int why;

	(void)state;
	assert_int_equal(db_account_login(db, "A@X", &lg), DB_OK);
	assert_string_equal(lg.pw_hash, "H1");
	assert_int_equal(lg.user_disabled, 0);
	assert_int_equal(lg.team_disabled, 0);
	assert_int_equal(db_account_login(db, "nobody@x", &lg), DB_NOTFOUND);
	assert_int_equal(db_token_add(db, "a@x", "tokA", "participant", NULL,
	    1000, &(int64_t){0}), DB_OK);
	assert_int_equal(db_account_token_blocked(db, "tokA", &why, reason,
	    sizeof(reason)), DB_NOTFOUND);	/* live and allowed */

	acc_sql(db, "UPDATE users SET disabled = 1 WHERE email = 'a@x'");
	assert_int_equal(db_account_login(db, "a@x", &lg), DB_OK);
	assert_int_equal(lg.user_disabled, 1);
	assert_int_equal(db_account_token_blocked(db, "tokA", &why, reason,
	    sizeof(reason)), DB_OK);
	assert_int_equal(why, DB_BLOCK_USER);

	acc_sql(db, "UPDATE users SET disabled = 0");
	acc_sql(db, "UPDATE teams SET disabled = 1, disabled_reason = "
	    "'late entries, see the rules' WHERE name = 'alpha'");
	assert_int_equal(db_account_login(db, "a@x", &lg), DB_OK);
	assert_int_equal(lg.user_disabled, 0);
	assert_int_equal(lg.team_disabled, 1);
	assert_string_equal(lg.team_reason, "late entries, see the rules");
	assert_int_equal(db_account_token_blocked(db, "tokA", &why, reason,
	    sizeof(reason)), DB_OK);
	assert_int_equal(why, DB_BLOCK_TEAM);
	assert_string_equal(reason, "late entries, see the rules");
	/* a revoked or unknown token is not "blocked": it is unknown */
	assert_int_equal(db_token_revoke(db, 0, "tokA", 1001), DB_OK);
	assert_int_equal(db_account_token_blocked(db, "tokA", &why, reason,
	    sizeof(reason)), DB_NOTFOUND);
	assert_int_equal(db_account_token_blocked(db, "nope", &why, reason,
	    sizeof(reason)), DB_NOTFOUND);
	db_close(db);
}

/* The last_used_at of token id, or -2 for NULL. */
static int64_t
acc_last_used(struct db *db, int64_t id)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT last_used_at FROM api_tokens "
	    "WHERE id = %lld", (long long)id);
	return acc_int(db, sql);
}

void
test_account_tokens(void **state)
{
	struct db *db = acc_db();
	int64_t ua = 1, ub = 2, now = 5000, id1, idb;
	json_t *o;

	(void)state;
	assert_int_equal(db_account_token_create(db, ua, "h1", "one", 2,
	    "a@x", now, &o), DB_OK);
	id1 = json_integer_value(json_object_get(json_object_get(o, "token"),
	    "id"));
	assert_true(json_is_null(json_object_get(json_object_get(o, "token"),
	    "last_used_at")));
	json_decref(o);
	assert_int_equal(db_account_token_create(db, ua, "h2", "two", 2,
	    "a@x", now, &o), DB_OK);
	json_decref(o);
	assert_int_equal(db_account_token_create(db, ua, "h3", "three", 2,
	    "a@x", now, &o), DB_QUOTA);
	assert_int_equal(db_account_token_create(db, ub, "hb", "b's", 2,
	    "b@x", now, &o), DB_OK);
	idb = json_integer_value(json_object_get(json_object_get(o, "token"),
	    "id"));
	json_decref(o);

	/* last use: written at once, then at most once a minute */
	assert_int_equal(acc_last_used(db, id1), -2);
	assert_int_equal(db_account_token_seen(db, id1, now + 1), DB_OK);
	assert_int_equal(acc_last_used(db, id1), now + 1);
	assert_int_equal(db_account_token_seen(db, id1, now + 59), DB_OK);
	assert_int_equal(acc_last_used(db, id1), now + 1);
	assert_int_equal(db_account_token_seen(db, id1, now + 61), DB_OK);
	assert_int_equal(acc_last_used(db, id1), now + 61);

	/* the list: own tokens only, newest first, no hash */
	assert_int_equal(db_account_tokens(db, ua, 50, 0, &o), DB_OK);
	assert_int_equal(json_array_size(json_object_get(o, "tokens")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "live")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(o, "tokens"), 0), "label")), "two");
	assert_null(json_object_get(json_array_get(json_object_get(o,
	    "tokens"), 0), "token_hash"));
	json_decref(o);

	/* revoke: someone else's is not found, one's own once */
	assert_int_equal(db_account_token_revoke(db, ua, idb, "a@x", now, &o),
	    DB_NOTFOUND);
	assert_int_equal(db_account_token_revoke(db, ua, id1, "a@x", now, &o),
	    DB_OK);
	assert_false(json_is_null(json_object_get(json_object_get(o, "token"),
	    "revoked_at")));
	json_decref(o);
	assert_int_equal(db_account_token_revoke(db, ua, id1, "a@x", now, &o),
	    DB_CONFLICT);
	/* room again for one */
	assert_int_equal(db_account_token_create(db, ua, "h3", "three", 2,
	    "a@x", now, &o), DB_OK);
	json_decref(o);
	assert_int_equal(acc_int(db, "SELECT COUNT(*) FROM audit_log WHERE "
	    "action = 'account.token.create' AND actor = 'a@x'"), 3);
	assert_int_equal(acc_int(db, "SELECT COUNT(*) FROM audit_log WHERE "
	    "action = 'account.token.revoke'"), 1);
	db_close(db);
}

void
test_account_sessions(void **state)
{
	struct db *db = acc_db();
	int64_t now = 9000, sid;
	json_t *o, *a;
	int ended;

	(void)state;
	assert_int_equal(db_account_session_open(db, 1, "s1", "c1", "UA one",
	    "127.0.0.1", now, now + 3600), DB_OK);
	assert_int_equal(db_account_session_open(db, 1, "s2", "c2", NULL, NULL,
	    now, now + 3600), DB_OK);
	assert_int_equal(db_account_session_open(db, 1, "s3", "c3", NULL, NULL,
	    now, now + 3600), DB_OK);
	assert_int_equal(db_account_session_open(db, 2, "sb", "cb", NULL, NULL,
	    now, now + 3600), DB_OK);

	/* last seen: opened at now, then at most once a minute */
	assert_int_equal(db_account_session_seen(db, "s1", now + 30), DB_OK);
	assert_int_equal(acc_int(db, "SELECT last_seen_at FROM sessions "
	    "WHERE sess_hash = 's1'"), now);
	assert_int_equal(db_account_session_seen(db, "s1", now + 60), DB_OK);
	assert_int_equal(acc_int(db, "SELECT last_seen_at FROM sessions "
	    "WHERE sess_hash = 's1'"), now + 60);

	assert_int_equal(db_account_sessions(db, 1, "s1", now, 50, 0, &o),
	    DB_OK);
	a = json_object_get(o, "sessions");
	assert_int_equal(json_array_size(a), 3);
	assert_true(json_is_true(json_object_get(json_array_get(a, 2),
	    "current")));
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(a, 2), "user_agent")), "UA one");
	assert_true(json_is_false(json_object_get(json_array_get(a, 0),
	    "current")));
	sid = json_integer_value(json_object_get(json_array_get(a, 0), "id"));
	json_decref(o);

	/* revoke: someone else's is not found */
	assert_int_equal(db_account_session_revoke(db, 2, sid, "b@x", now),
	    DB_NOTFOUND);
	assert_int_equal(db_account_session_revoke(db, 1, sid, "a@x", now),
	    DB_OK);
	assert_int_equal(db_account_session_revoke(db, 1, sid, "a@x", now),
	    DB_NOTFOUND);

	/* a password change keeps the one session, ends the user's others */
	assert_int_equal(db_account_password_set(db, 1, "NEWHASH", "s1", "a@x",
	    now, &ended), DB_OK);
	assert_int_equal(ended, 1);
	assert_int_equal(acc_int(db, "SELECT COUNT(*) FROM sessions "
	    "WHERE user_id = 1"), 1);
	assert_int_equal(acc_int(db, "SELECT COUNT(*) FROM sessions "
	    "WHERE sess_hash = 's1'"), 1);
	assert_int_equal(acc_int(db, "SELECT COUNT(*) FROM sessions "
	    "WHERE user_id = 2"), 1);
	assert_int_equal(acc_int(db, "SELECT COUNT(*) FROM users "
	    "WHERE pw_hash = 'NEWHASH' AND id = 1"), 1);
	/* without a session to keep (by token): all end */
	assert_int_equal(db_account_password_set(db, 1, "H3", NULL, "a@x", now,
	    &ended), DB_OK);
	assert_int_equal(ended, 1);
	assert_int_equal(acc_int(db, "SELECT COUNT(*) FROM sessions "
	    "WHERE user_id = 1"), 0);
	assert_int_equal(db_account_password_set(db, 99, "H", NULL, "x", now,
	    &ended), DB_NOTFOUND);
	assert_int_equal(acc_int(db, "SELECT COUNT(*) FROM audit_log WHERE "
	    "action = 'account.password'"), 2);
	assert_int_equal(acc_int(db, "SELECT COUNT(*) FROM audit_log WHERE "
	    "action = 'account.session.revoke'"), 1);
	db_close(db);
}

void
test_account_routes(void **state)
{
	char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_LEN];
	const struct route *r;
	int wrong;

	(void)state;
	r = route_match("POST", "/api/v1/account/tokens/current/revoke", params,
	    &wrong);
	assert_non_null(r);
	assert_int_equal(r->role, ROLE_USER);
	r = route_match("POST", "/api/v1/account/tokens/12/revoke", params,
	    &wrong);
	assert_non_null(r);
	assert_string_equal(params[0], "12");
	assert_ptr_not_equal(r, route_match("POST",
	    "/api/v1/account/tokens/current/revoke", params, &wrong));
	r = route_match("POST", "/api/v1/account/password", params, &wrong);
	assert_non_null(r);
	assert_true(r->flags & ROUTE_OFFLOAD);
	assert_non_null(route_match("GET", "/account", params, &wrong));
}

int
account_teardown(void **state)
{
	(void)state;
	tu_cleanup();
	return 0;
}
