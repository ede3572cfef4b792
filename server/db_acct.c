/* db_acct: teams, users, API tokens and web sessions. */
#include "db_int.h"

#include <string.h>

#include "util.h"

static int
db_step_insert(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	db__done(st);
	if (rc == SQLITE_DONE)
		return DB_OK;
	if (rc == SQLITE_CONSTRAINT)
		return DB_CONFLICT;
	return db__fail(db, what);
}

int
db_team_add(struct db *db, const char *name, int baseline, int64_t now)
{
	return db_team_insert(db, name, baseline, now, NULL);
}

int
db_user_add(struct db *db, const char *team, const char *email,
    const char *pw_hash, int is_admin, int64_t now)
{
	sqlite3_stmt *st;
	int64_t team_id = 0;
	int rc;

	if (team != NULL) {
		char key[DB_TEAM_KEY_MAX + 1];

		if (db_team_key(team, key) != 0)
			return DB_NOTFOUND;
		/* by the folded name: "ALPHA" is team alpha */
		st = db__stmt(db, "SELECT id FROM teams WHERE name_key = ?1 "
		    "OR name = ?2 ORDER BY name = ?2 DESC LIMIT 1");
		if (st == NULL)
			return DB_ERR;
		db__text(st, 1, key);
		db__text(st, 2, team);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			team_id = sqlite3_column_int64(st, 0);
		db__done(st);
		if (rc == SQLITE_DONE)
			return DB_NOTFOUND;
		if (rc != SQLITE_ROW)
			return db__fail(db, "user add: team");
	}
	st = db__stmt(db, "INSERT INTO users (team_id, email, pw_hash, "
	    "is_admin, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st == NULL)
		return DB_ERR;
	if (team_id != 0)
		db__int(st, 1, team_id);
	db__text(st, 2, email);
	db__text(st, 3, pw_hash);
	db__int(st, 4, is_admin ? 1 : 0);
	db__int(st, 5, now);
	return db_step_insert(db, st, "user add");
}

int
db_token_add(struct db *db, const char *email, const char *token_hash,
    const char *role, const char *label, int64_t now, int64_t *token_id)
{
	sqlite3_stmt *st = db__stmt(db, "INSERT INTO api_tokens (user_id, "
	    "token_hash, role, label, created_at) SELECT id, ?2, ?3, ?4, ?5 "
	    "FROM users WHERE email = ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, email);
	db__text(st, 2, token_hash);
	db__text(st, 3, role);
	db__text(st, 4, label);
	db__int(st, 5, now);
	rc = sqlite3_step(st);
	db__done(st);
	if (rc != SQLITE_DONE)
		return db__fail(db, "token add");
	if (sqlite3_changes(db->h) == 0)
		return DB_NOTFOUND;
	*token_id = sqlite3_last_insert_rowid(db->h);
	return DB_OK;
}

int
db_token_revoke(struct db *db, int64_t token_id, const char *token_hash,
    int64_t now)
{
	sqlite3_stmt *st = db__stmt(db, "UPDATE api_tokens SET revoked_at = ?3 "
	    "WHERE (id = ?1 OR token_hash = ?2) AND revoked_at IS NULL");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, token_id);
	db__text(st, 2, token_hash ? token_hash : "");
	db__int(st, 3, now);
	rc = sqlite3_step(st);
	db__done(st);
	if (rc != SQLITE_DONE)
		return db__fail(db, "token revoke");
	return sqlite3_changes(db->h) ? DB_OK : DB_NOTFOUND;
}

/* Fill p from a row (user_id, team_id, team, email, is_admin, role?). */
static void
db_principal_row(sqlite3_stmt *st, struct db_principal *p, const char *role)
{
	memset(p, 0, sizeof(*p));
	p->user_id = sqlite3_column_int64(st, 0);
	p->team_id = sqlite3_column_int64(st, 1);
	db__col(st, 2, p->team, sizeof(p->team));
	db__col(st, 3, p->email, sizeof(p->email));
	p->is_admin = sqlite3_column_int(st, 4);
	if (role != NULL && strcmp(role, "worker") == 0)
		p->role = WHO_WORKER;
	else
		p->role = p->is_admin ? WHO_ADMIN : WHO_PARTICIPANT;
}

int
db_auth_token(struct db *db, const char *token_hash, struct db_principal *p)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT u.id, COALESCE(u.team_id, 0), "
	    "COALESCE(t.name, ''), u.email, u.is_admin, k.role, k.id "
	    "FROM api_tokens k JOIN users u ON u.id = k.user_id "
	    "LEFT JOIN teams t ON t.id = u.team_id "
	    "WHERE k.token_hash = ?1 AND k.revoked_at IS NULL "
	    "AND u.disabled = 0 AND COALESCE(t.disabled, 0) = 0");
	char role[16];
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, token_hash);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db__col(st, 5, role, sizeof(role));
		db_principal_row(st, p, role);
		p->token_id = sqlite3_column_int64(st, 6);
	}
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "auth token");
}

int
db_auth_session(struct db *db, const char *sess_hash, int64_t now,
    struct db_principal *p)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT u.id, COALESCE(u.team_id, 0), "
	    "COALESCE(t.name, ''), u.email, u.is_admin, s.csrf_token "
	    "FROM sessions s JOIN users u ON u.id = s.user_id "
	    "LEFT JOIN teams t ON t.id = u.team_id "
	    "WHERE s.sess_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0 "
	    "AND COALESCE(t.disabled, 0) = 0");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, sess_hash);
	db__int(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db_principal_row(st, p, NULL);
		db__col(st, 5, p->csrf, sizeof(p->csrf));
	}
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "auth session");
}

int
db_principal_by_user(struct db *db, int64_t user_id, struct db_principal *p)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT u.id, COALESCE(u.team_id, 0), "
	    "COALESCE(t.name, ''), u.email, u.is_admin FROM users u "
	    "LEFT JOIN teams t ON t.id = u.team_id WHERE u.id = ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, user_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		db_principal_row(st, p, NULL);
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "principal");
}

int
db_session_delete(struct db *db, const char *sess_hash)
{
	sqlite3_stmt *st = db__stmt(db, "DELETE FROM sessions "
	    "WHERE sess_hash = ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, sess_hash);
	rc = sqlite3_step(st);
	db__done(st);
	return rc == SQLITE_DONE ? DB_OK : db__fail(db, "session delete");
}

int
db_sessions_expire(struct db *db, int64_t now)
{
	sqlite3_stmt *st = db__stmt(db, "DELETE FROM sessions "
	    "WHERE expires_at <= ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, now);
	rc = sqlite3_step(st);
	db__done(st);
	return rc == SQLITE_DONE ? DB_OK : db__fail(db, "sessions expire");
}
