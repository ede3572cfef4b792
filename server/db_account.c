/* db_account: a user's own account: login lookup, password change, the
 * user's API tokens and web sessions. */
#include "db_int.h"

#include <string.h>

#include "util.h"

#define DB_SEEN_EVERY 60	/* seconds between two last-use writes */

int
db_account_login(struct db *db, const char *email, struct db_login *out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT u.id, u.pw_hash, u.disabled, "
	    "COALESCE(t.disabled, 0), COALESCE(t.disabled_reason, '') "
	    "FROM users u LEFT JOIN teams t ON t.id = u.team_id "
	    "WHERE u.email = ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	db__text(st, 1, email);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->user_id = sqlite3_column_int64(st, 0);
		db__col(st, 1, out->pw_hash, sizeof(out->pw_hash));
		out->user_disabled = sqlite3_column_int(st, 2) != 0;
		out->team_disabled = sqlite3_column_int(st, 3) != 0;
		db__col(st, 4, out->team_reason, sizeof(out->team_reason));
	}
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "account login");
}

int
db_account_token_blocked(struct db *db, const char *token_hash, int *why,
    char *reason, size_t reasonsz)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT u.disabled, "
	    "COALESCE(t.disabled, 0), COALESCE(t.disabled_reason, '') "
	    "FROM api_tokens k JOIN users u ON u.id = k.user_id "
	    "LEFT JOIN teams t ON t.id = u.team_id "
	    "WHERE k.token_hash = ?1 AND k.revoked_at IS NULL");
	int rc;

	if (st == NULL)
		return DB_ERR;
	*why = 0;
	reason[0] = '\0';
	db__text(st, 1, token_hash);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_int(st, 0) != 0)
			*why = DB_BLOCK_USER;
		else if (sqlite3_column_int(st, 1) != 0) {
			*why = DB_BLOCK_TEAM;
			db__col(st, 2, reason, reasonsz);
		}
	}
	db__done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db__fail(db, "token blocked");
	return *why != 0 ? DB_OK : DB_NOTFOUND;
}

int
db_account_session_open(struct db *db, int64_t user_id,
    const char *sess_hash, const char *csrf, const char *user_agent,
    const char *ip, int64_t now, int64_t expires)
{
	sqlite3_stmt *st = db__stmt(db, "INSERT INTO sessions (user_id, "
	    "sess_hash, csrf_token, created_at, expires_at, user_agent, ip, "
	    "last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?4)");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, user_id);
	db__text(st, 2, sess_hash);
	db__text(st, 3, csrf);
	db__int(st, 4, now);
	db__int(st, 5, expires);
	db__text(st, 6, user_agent);
	db__text(st, 7, ip);
	return db__exec(db, st, NULL, "session open");
}

/* Note the use at now of the row that sel (bound below) finds, its time
 * column unset or at least DB_SEEN_EVERY old, with upd (?2 the time):
 * the row is read first, so that a recent use writes nothing.  The row
 * is ?1: id, or hash when it is not NULL. */
static int
db_seen(struct db *db, const char *sel, const char *upd, int64_t id,
    const char *hash, int64_t now, const char *what)
{
	sqlite3_stmt *st = db__stmt(db, sel);
	int rc, stale = 0;

	if (st == NULL)
		return DB_ERR;
	if (hash != NULL)
		db__text(st, 1, hash);
	else
		db__int(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		stale = sqlite3_column_type(st, 0) == SQLITE_NULL ||
		    sqlite3_column_int64(st, 0) <= now - DB_SEEN_EVERY;
	db__done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db__fail(db, what);
	if (!stale || (st = db__stmt(db, upd)) == NULL)
		return stale ? DB_ERR : DB_OK;
	if (hash != NULL)
		db__text(st, 1, hash);
	else
		db__int(st, 1, id);
	db__int(st, 2, now);
	return db__exec_quiet(db, st, NULL, what);
}

int
db_account_token_seen(struct db *db, int64_t token_id, int64_t now)
{
	return db_seen(db, "SELECT last_used_at FROM api_tokens WHERE id = ?1",
	    "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1", token_id,
	    NULL, now, "token seen");
}

int
db_account_session_seen(struct db *db, const char *sess_hash, int64_t now)
{
	return db_seen(db, "SELECT last_seen_at FROM sessions "
	    "WHERE sess_hash = ?1", "UPDATE sessions SET last_seen_at = ?2 "
	    "WHERE sess_hash = ?1", 0, sess_hash, now, "session seen");
}

int
db_account_pw_hash(struct db *db, int64_t user_id, char *hash, size_t hashsz)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT pw_hash FROM users "
	    "WHERE id = ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, user_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		db__col(st, 0, hash, hashsz);
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "password hash");
}

int
db_account_password_set(struct db *db, int64_t user_id,
    const char *pw_hash, const char *keep_hash, const char *actor,
    int64_t now, int *ended)
{
	sqlite3_stmt *st;
	char target[64];
	int rc, n = 0;

	*ended = 0;
	util_fmt(target, sizeof(target), "user:%lld", (long long)user_id);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	rc = DB_ERR;
	st = db__stmt(db, "UPDATE users SET pw_hash = ?2 WHERE id = ?1");
	if (st == NULL)
		goto out;
	db__int(st, 1, user_id);
	db__text(st, 2, pw_hash);
	if ((rc = db__exec(db, st, &n, "password set")) != DB_OK)
		goto out;
	if (n == 0) {
		rc = DB_NOTFOUND;
		goto out;
	}
	rc = DB_ERR;
	st = db__stmt(db, "DELETE FROM sessions WHERE user_id = ?1 "
	    "AND sess_hash IS NOT ?2");
	if (st == NULL)
		goto out;
	db__int(st, 1, user_id);
	db__text(st, 2, keep_hash);
	rc = db__exec(db, st, ended, "password set: sessions");
out:
	return db__audited(db, rc, actor, "account.password", target, NULL,
	    NULL, json_pack("{s:i}", "sessions_ended", *ended), now, NULL,
	    NULL);
}

/* ---- tokens ---- */

#define DB_MYTOKEN_SQL "SELECT id, label, role, created_at, last_used_at, " \
	"revoked_at, COUNT(*) OVER () FROM api_tokens "

static json_t *
db_mytoken_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "id", st, 0);
	db__jtext(o, "label", st, 1);
	db__jtext(o, "role", st, 2);
	db__jtime(o, "created_at", st, 3);
	db__jtime(o, "last_used_at", st, 4);
	db__jtime(o, "revoked_at", st, 5);
	return o;
}

/* How many live tokens user_id holds, into *n. */
static int
db_live_tokens(struct db *db, int64_t user_id, int64_t *n)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT COUNT(*) FROM api_tokens "
	    "WHERE user_id = ?1 AND revoked_at IS NULL");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, user_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	db__done(st);
	return rc == SQLITE_ROW ? DB_OK : db__fail(db, "live tokens");
}

int
db_account_tokens(struct db *db, int64_t user_id, int64_t limit,
    int64_t offset, json_t **out)
{
	sqlite3_stmt *st;
	int64_t live = 0;
	int rc;

	if ((rc = db_live_tokens(db, user_id, &live)) != DB_OK)
		return rc;
	st = db__stmt(db, DB_MYTOKEN_SQL "WHERE user_id = ?1 "
	    "ORDER BY id DESC LIMIT ?2 OFFSET ?3");
	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, user_id);
	db__int(st, 2, limit);
	db__int(st, 3, offset);
	rc = db__list(db, st, db_mytoken_row, 6, "tokens", limit, offset, out);
	if (rc == DB_OK)
		json_object_set_new(*out, "live", json_integer(live));
	return rc;
}

/* Token id of user_id into *out (a new object).  DB_NOTFOUND. */
static int
db_mytoken(struct db *db, int64_t user_id, int64_t id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_MYTOKEN_SQL
	    "WHERE id = ?1 AND user_id = ?2");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, id);
	db__int(st, 2, user_id);
	return db__row(db, st, db_mytoken_row, out, "token");
}

int
db_account_token_create(struct db *db, int64_t user_id,
    const char *token_hash, const char *label, int64_t max_live,
    const char *actor, int64_t now, json_t **out)
{
	sqlite3_stmt *st;
	json_t *after = NULL;
	int64_t live = 0, id = 0;
	char target[64] = "token:?";
	int rc;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_live_tokens(db, user_id, &live)) != DB_OK)
		goto out;
	if (live >= max_live) {
		rc = DB_QUOTA;
		goto out;
	}
	rc = DB_ERR;
	st = db__stmt(db, "INSERT INTO api_tokens (user_id, token_hash, role, "
	    "label, created_at) VALUES (?1, ?2, 'participant', ?3, ?4)");
	if (st == NULL)
		goto out;
	db__int(st, 1, user_id);
	db__text(st, 2, token_hash);
	db__text(st, 3, label);
	db__int(st, 4, now);
	if ((rc = db__exec(db, st, NULL, "token create")) != DB_OK)
		goto out;
	id = sqlite3_last_insert_rowid(db->h);
	util_fmt(target, sizeof(target), "token:%lld", (long long)id);
	rc = db_mytoken(db, user_id, id, &after);
out:
	return db__audited(db, rc, actor, "account.token.create", target, NULL,
	    NULL, after, now, "token", out);
}

int
db_account_token_revoke(struct db *db, int64_t user_id, int64_t token_id,
    const char *actor, int64_t now, json_t **out)
{
	sqlite3_stmt *st;
	json_t *before = NULL, *after = NULL;
	char target[64];
	int rc, n = 0;

	util_fmt(target, sizeof(target), "token:%lld", (long long)token_id);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if ((rc = db_mytoken(db, user_id, token_id, &before)) != DB_OK)
		goto out;
	rc = DB_ERR;
	st = db__stmt(db, "UPDATE api_tokens SET revoked_at = ?3 "
	    "WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL");
	if (st == NULL)
		goto out;
	db__int(st, 1, token_id);
	db__int(st, 2, user_id);
	db__int(st, 3, now);
	if ((rc = db__exec(db, st, &n, "token revoke")) != DB_OK)
		goto out;
	if (n == 0) {
		rc = DB_CONFLICT;
		goto out;
	}
	rc = db_mytoken(db, user_id, token_id, &after);
out:
	return db__audited(db, rc, actor, "account.token.revoke", target, NULL,
	    before, after, now, "token", out);
}

/* ---- sessions ---- */

#define DB_MYSESS_SQL "SELECT id, created_at, last_seen_at, expires_at, " \
	"user_agent, ip, sess_hash IS ?3, COUNT(*) OVER () FROM sessions "

static json_t *
db_mysess_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "id", st, 0);
	db__jtime(o, "created_at", st, 1);
	db__jtime(o, "last_seen_at", st, 2);
	db__jtime(o, "expires_at", st, 3);
	db__jtext(o, "user_agent", st, 4);
	db__jtext(o, "ip", st, 5);
	db__jbool(o, "current", st, 6);
	return o;
}

int
db_account_sessions(struct db *db, int64_t user_id, const char *cur_hash,
    int64_t now, int64_t limit, int64_t offset, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, DB_MYSESS_SQL "WHERE user_id = ?1 "
	    "AND expires_at > ?2 ORDER BY id DESC LIMIT ?4 OFFSET ?5");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, user_id);
	db__int(st, 2, now);
	/* no session has the empty hash: none is current */
	db__text(st, 3, cur_hash != NULL ? cur_hash : "");
	db__int(st, 4, limit);
	db__int(st, 5, offset);
	return db__list(db, st, db_mysess_row, 7, "sessions", limit, offset,
	    out);
}

int
db_account_session_revoke(struct db *db, int64_t user_id, int64_t sess_id,
    const char *actor, int64_t now)
{
	sqlite3_stmt *st;
	json_t *before = NULL;
	char target[64];
	int rc;

	util_fmt(target, sizeof(target), "session:%lld", (long long)sess_id);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	rc = DB_ERR;
	st = db__stmt(db, DB_MYSESS_SQL "WHERE id = ?4 AND user_id = ?1 "
	    "AND expires_at > ?2");
	if (st == NULL)
		goto out;
	db__int(st, 1, user_id);
	db__int(st, 2, now);
	db__text(st, 3, "");
	db__int(st, 4, sess_id);
	if ((rc = db__row(db, st, db_mysess_row, &before, "session")) != DB_OK)
		goto out;
	json_object_del(before, "current");
	rc = DB_ERR;
	st = db__stmt(db, "DELETE FROM sessions WHERE id = ?1 AND user_id = ?2");
	if (st == NULL)
		goto out;
	db__int(st, 1, sess_id);
	db__int(st, 2, user_id);
	rc = db__exec(db, st, NULL, "session revoke");
out:
	return db__audited(db, rc, actor, "account.session.revoke", target,
	    NULL, before, NULL, now, NULL, NULL);
}
