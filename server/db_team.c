/* db_team: a team's own changes: teams named by their folded
 * key, sign-up, invite codes, joining and leaving, and the team lock of
 * the tracks.  Every change writes its audit rows in its own
 * transaction. */
#include "db_int.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- names ---- */

/* The name as stored (outer blanks dropped) into name, its key into key;
 * -1 when it folds to "", is not UTF-8 or is longer than
 * DB_TEAM_NAME_MAX, -2 when it holds a character a name may not. */
static int
db_team_names(const char *in, char name[DB_TEAM_NAME_MAX + 1],
    char key[DB_TEAM_KEY_MAX + 1])
{
	const char *b = " \t\r\n";
	size_t len;
	int k;

	if ((k = util_fold_name(in, key, DB_TEAM_KEY_MAX + 1)) <= 0)
		return k == -2 ? -2 : -1;
	in += strspn(in, b);
	len = strlen(in);
	while (len > 0 && strchr(b, in[len - 1]) != NULL)
		len--;
	if (len > DB_TEAM_NAME_MAX)
		return -1;
	memcpy(name, in, len);
	name[len] = '\0';
	return 0;
}

int
db_team_key(const char *name, char key[DB_TEAM_KEY_MAX + 1])
{
	char n[DB_TEAM_NAME_MAX + 1];

	return db_team_names(name, n, key);
}

const char *
db_team_name_problem(const char *name)
{
	char key[DB_TEAM_KEY_MAX + 1];

	int k = util_fold_name(name, key, sizeof(key));

	if (k == -2)
		return "holds a control or invisible formatting character "
		    "(such as U+202E or U+200B)";
	if (k == 0)
		return "is only blanks";
	if (k < 0)
		return "is not valid UTF-8 or folds to over 400 bytes";
	if (strlen(name) > DB_TEAM_NAME_MAX)
		return "is longer than 100 bytes";
	return NULL;
}

int
db_team_insert(struct db *db, const char *name, int baseline, int64_t now,
    int64_t *id)
{
	char n[DB_TEAM_NAME_MAX + 1], key[DB_TEAM_KEY_MAX + 1];
	const char *why;
	sqlite3_stmt *st;
	int rc;

	if (db_team_names(name, n, key) != 0) {
		why = db_team_name_problem(name);
		fprintf(stderr, "db: team add: the name %s\n",
		    why != NULL ? why : "is refused");
		return DB_ERR;
	}
	st = db__stmt(db, "INSERT INTO teams (name, name_key, baseline, "
	    "created_at) VALUES (?1, ?2, ?3, ?4)");
	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, n);
	db__text(st, 2, key);
	db__int(st, 3, baseline ? 1 : 0);
	db__int(st, 4, now);
	if ((rc = db__exec(db, st, NULL, "team add")) == DB_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

int
db_team_lookalike(struct db *db, const char *name, char *out, size_t outsz)
{
	char key[DB_TEAM_KEY_MAX + 1];
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (db_team_key(name, key) != 0)
		return DB_NOTFOUND;
	/* the exact name too: a key from before migration 0008 may carry
	 * "#<id>" */
	st = db__stmt(db, "SELECT name FROM teams WHERE name_key = ?1 "
	    "OR name = ?2 ORDER BY id LIMIT 1");
	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, key);
	db__text(st, 2, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		db__col(st, 0, out, outsz);
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "team lookalike");
}

/* ---- the team lock ---- */

/* The earliest team lock of a track that has not closed (locked ones
 * only when only_past) into r (at, track); DB_OK when there is one,
 * DB_NOTFOUND when none. */
static int
db_lock_find(struct db *db, int64_t now, int only_past,
    struct db_team_refusal *r)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT slug, teams_lock_at "
	    "FROM tracks WHERE teams_lock_at IS NOT NULL "
	    "AND (?2 = 0 OR teams_lock_at <= ?1) "
	    "AND (closes_at IS NULL OR closes_at = 0 OR closes_at > ?1) "
	    "ORDER BY teams_lock_at, id LIMIT 1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, now);
	db__int(st, 2, only_past);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db__col(st, 0, r->track, sizeof(r->track));
		r->at = sqlite3_column_int64(st, 1);
	}
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "team lock");
}

/* DB_OK when team changes are allowed now, DB_CONFLICT (r: locked since,
 * which track) when not. */
static int
db_lock_check(struct db *db, int64_t now, struct db_team_refusal *r)
{
	int rc = db_lock_find(db, now, 1, r);

	if (rc == DB_NOTFOUND)
		return DB_OK;
	if (rc == DB_OK) {
		r->why = DB_TW_LOCKED;
		return DB_CONFLICT;
	}
	return rc;
}

/* ---- invites ---- */

/* Find the invite whose code hashes to code_hash, check that it can be
 * used now and count one use: DB_OK with its team in *team_id and its id
 * in *invite_id; DB_CONFLICT with r->why (unknown, revoked, expired, used
 * up, the team disabled).  In the caller's transaction. */
static int
db_invite_use(struct db *db, const char *code_hash, int64_t now,
    int64_t *team_id, int64_t *invite_id, struct db_team_refusal *r)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT i.id, i.team_id, i.uses, "
	    "i.max_uses, i.expires_at, i.revoked_at, t.disabled, t.name "
	    "FROM team_invites i JOIN teams t ON t.id = i.team_id "
	    "WHERE i.code_hash = ?1");
	int64_t uses = 0, max_uses = 0, expires = 0, revoked = 0;
	int rc, disabled = 0, changes = 0;

	if (st == NULL)
		return DB_ERR;
	db__text(st, 1, code_hash);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*invite_id = sqlite3_column_int64(st, 0);
		*team_id = sqlite3_column_int64(st, 1);
		uses = sqlite3_column_int64(st, 2);
		max_uses = sqlite3_column_int64(st, 3);
		expires = sqlite3_column_int64(st, 4);	/* NULL: 0 */
		revoked = sqlite3_column_int64(st, 5);
		disabled = sqlite3_column_int(st, 6);
		db__col(st, 7, r->team, sizeof(r->team));
	}
	db__done(st);
	if (rc == SQLITE_DONE) {
		r->why = DB_TW_INVITE_UNKNOWN;
		return DB_CONFLICT;
	}
	if (rc != SQLITE_ROW)
		return db__fail(db, "invite lookup");
	r->uses = uses;
	r->max_uses = max_uses;
	if (revoked != 0) {
		r->why = DB_TW_INVITE_REVOKED;
		r->at = revoked;
		return DB_CONFLICT;
	}
	if (expires != 0 && expires <= now) {
		r->why = DB_TW_INVITE_EXPIRED;
		r->at = expires;
		return DB_CONFLICT;
	}
	if (max_uses != 0 && uses >= max_uses) {
		r->why = DB_TW_INVITE_USED_UP;
		return DB_CONFLICT;
	}
	if (disabled) {
		r->why = DB_TW_TEAM_DISABLED;
		return DB_CONFLICT;
	}
	/* the same conditions again in the UPDATE: one use is one join */
	st = db__stmt(db, "UPDATE team_invites SET uses = uses + 1 "
	    "WHERE id = ?1 AND revoked_at IS NULL AND (expires_at IS NULL "
	    "OR expires_at > ?2) AND (max_uses = 0 OR uses < max_uses)");
	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, *invite_id);
	db__int(st, 2, now);
	if ((rc = db__exec(db, st, &changes, "invite use")) != DB_OK)
		return rc;
	if (changes != 1) {
		r->why = DB_TW_INVITE_USED_UP;
		return DB_CONFLICT;
	}
	return DB_OK;
}

/* The team object {id, name, created_at} of id into *out. */
static json_t *
db_team_small_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "id", st, 0);
	db__jtext(o, "name", st, 1);
	db__jtime(o, "created_at", st, 2);
	return o;
}

static int
db_team_small(struct db *db, int64_t id, json_t **out)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT id, name, created_at "
	    "FROM teams WHERE id = ?1");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, id);
	return db__row(db, st, db_team_small_row, out, "team");
}

/* Set user_id's team (0: none). */
static int
db_user_team_set(struct db *db, int64_t user_id, int64_t team_id)
{
	sqlite3_stmt *st = db__stmt(db, "UPDATE users SET team_id = ?2 "
	    "WHERE id = ?1");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, user_id);
	if (team_id != 0)
		db__int(st, 2, team_id);
	return db__exec(db, st, NULL, "user team");
}

static void
db_target(char target[64], const char *kind, int64_t id)
{
	util_fmt(target, 64, "%s:%lld", kind, (long long)id);
}

/* Audit "team.join" of user email into team_id (by invite_id). */
static int
db_audit_join(struct db *db, const char *email, int64_t team_id,
    int64_t invite_id, int64_t now)
{
	char target[64];
	json_t *after = json_pack("{s:s, s:I}", "user", email, "invite",
	    (json_int_t)invite_id);
	int rc;

	db_target(target, "team", team_id);
	rc = db_audit_ex(db, email, "team.join", target, NULL, NULL, after,
	    now);
	json_decref(after);
	return rc;
}

/* ---- sign-up ---- */

int
db_signup(struct db *db, const struct db_signup *s, struct db_team_refusal *r,
    json_t **out)
{
	sqlite3_stmt *st;
	int64_t team_id = 0, invite_id = 0, user_id;
	json_t *team = NULL, *after;
	char target[64];
	int rc;

	memset(r, 0, sizeof(*r));
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	if (s->team != NULL) {
		rc = db_team_insert(db, s->team, 0, s->now, &team_id);
		if (rc == DB_CONFLICT) {
			r->why = DB_TW_TEAM_EXISTS;
			if (db_team_lookalike(db, s->team, r->team,
			    sizeof(r->team)) == DB_ERR)
				rc = DB_ERR;
		}
	} else {
		if ((rc = db_lock_check(db, s->now, r)) == DB_OK)
			rc = db_invite_use(db, s->code_hash, s->now, &team_id,
			    &invite_id, r);
	}
	if (rc != DB_OK)
		goto out;
	rc = DB_ERR;
	st = db__stmt(db, "INSERT INTO users (team_id, email, pw_hash, "
	    "is_admin, created_at) VALUES (?1, ?2, ?3, 0, ?4)");
	if (st == NULL)
		goto out;
	db__int(st, 1, team_id);
	db__text(st, 2, s->email);
	db__text(st, 3, s->pw_hash);
	db__int(st, 4, s->now);
	if ((rc = db__exec(db, st, NULL, "sign-up")) == DB_CONFLICT)
		r->why = DB_TW_EMAIL_TAKEN;
	if (rc != DB_OK)
		goto out;
	user_id = sqlite3_last_insert_rowid(db->h);
	if ((rc = db_team_small(db, team_id, &team)) != DB_OK)
		goto out;
	/* the audit: the team made (or joined), then the user */
	if (s->team != NULL) {
		db_target(target, "team", team_id);
		rc = db_audit_ex(db, s->email, "team.create", target, NULL,
		    NULL, team, s->now);
	} else
		rc = db_audit_join(db, s->email, team_id, invite_id, s->now);
	if (rc != DB_OK)
		goto out;
	db_target(target, "user", user_id);
	after = json_pack("{s:s, s:O, s:s}", "email", s->email, "team",
	    json_object_get(team, "name"), "via", s->team != NULL ?
	    "new team" : "invite");
	rc = db_audit_ex(db, s->email, "register", target, NULL, NULL, after,
	    s->now);
	json_decref(after);
	if (rc != DB_OK || (rc = db__commit(db)) != DB_OK)
		goto out;
	*out = json_pack("{s:{s:s, s:O, s:s}, s:o}", "user", "email",
	    s->email, "team", json_object_get(team, "name"), "role",
	    "participant", "team", team);
	return DB_OK;
out:
	db__rollback(db);
	json_decref(team);
	return rc;
}

/* ---- a member's view ---- */

static json_t *
db_member_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jtext(o, "email", st, 0);
	db__jtime(o, "joined", st, 1);
	return o;
}

static json_t *
db_invite_row(sqlite3_stmt *st)
{
	json_t *o = json_object();

	db__jint(o, "id", st, 0);
	db__jint(o, "uses", st, 1);
	db__jint(o, "max_uses", st, 2);
	db__jtime(o, "expires_at", st, 3);
	db__jtext(o, "created_by", st, 4);
	db__jtime(o, "created_at", st, 5);
	return o;
}

/* SQL: the invite rows (db_invite_row()); DB_INVITE_PENDING: those not
 * revoked, expired (as of ?2) or used up. */
#define DB_INVITE_SQL "SELECT i.id, i.uses, i.max_uses, i.expires_at, " \
	"u.email, i.created_at FROM team_invites i " \
	"LEFT JOIN users u ON u.id = i.created_by "
#define DB_INVITE_PENDING "i.revoked_at IS NULL AND (i.expires_at IS NULL " \
	"OR i.expires_at > ?2) AND (i.max_uses = 0 OR i.uses < i.max_uses)"

int
db_team_view(struct db *db, int64_t team_id, int64_t now, json_t **out)
{
	sqlite3_stmt *st;
	struct db_team_refusal lock;
	json_t *team = NULL, *members = NULL, *invites = NULL, *lk;
	char at[21];
	int rc;

	if (team_id == 0) {	/* in no team: the lock only */
		team = json_null();
		members = json_array();
		invites = json_array();
		goto lock;
	}
	if ((rc = db_team_small(db, team_id, &team)) != DB_OK)
		return rc;
	/* joined: the user's last sign-up, team creation or join of this
	 * team in the audit log, else when the user was made (by the
	 * organizers, in this team) */
	st = db__stmt(db, "SELECT u.email, COALESCE((SELECT MAX(a.at) "
	    "FROM audit_log a WHERE a.target = 'team:' || u.team_id "
	    "AND a.actor = u.email AND a.action IN ('team.join', "
	    "'team.create')), u.created_at) FROM users u "
	    "WHERE u.team_id = ?1 ORDER BY 2, u.id");
	rc = DB_ERR;
	if (st == NULL)
		goto fail;
	db__int(st, 1, team_id);
	if ((rc = db__rows(db, st, db_member_row, -1, &members, NULL,
	    "team members")) != DB_OK)
		goto fail;
	rc = DB_ERR;
	st = db__stmt(db, DB_INVITE_SQL "WHERE i.team_id = ?1 AND "
	    DB_INVITE_PENDING " ORDER BY i.id DESC");
	if (st == NULL)
		goto fail;
	db__int(st, 1, team_id);
	db__int(st, 2, now);
	if ((rc = db__rows(db, st, db_invite_row, -1, &invites, NULL,
	    "team invites")) != DB_OK)
		goto fail;
lock:
	memset(&lock, 0, sizeof(lock));
	rc = db_lock_find(db, now, 0, &lock);
	if (rc == DB_ERR)
		goto fail;
	lk = json_null();
	if (rc == DB_OK) {
		db_iso_time(lock.at, at);
		lk = json_pack("{s:s, s:s, s:b}", "at", at, "track", lock.track,
		    "locked", lock.at <= now);
	}
	*out = json_pack("{s:o, s:o, s:o, s:o}", "team", team, "members",
	    members, "invites", invites, "lock", lk);
	return DB_OK;
fail:
	json_decref(team);
	json_decref(members);
	json_decref(invites);
	return rc;
}

/* ---- invites ---- */

int
db_invite_create(struct db *db, const struct db_newinvite *ni, json_t **out)
{
	sqlite3_stmt *st;
	json_t *after = NULL;
	char target[64];
	int64_t n = 0, id = 0;
	int rc;

	if (db__begin(db) != DB_OK)
		return DB_ERR;
	rc = DB_ERR;
	/* the pending invites, -1 when the maker is no longer a member (the
	 * caller's principal may predate a change) */
	st = db__stmt(db, "SELECT CASE WHEN EXISTS (SELECT 1 FROM users "
	    "WHERE id = ?3 AND team_id = ?1) THEN (SELECT COUNT(*) "
	    "FROM team_invites i WHERE i.team_id = ?1 AND " DB_INVITE_PENDING
	    ") ELSE -1 END");
	if (st == NULL)
		goto out;
	db__int(st, 1, ni->team_id);
	db__int(st, 2, ni->now);
	db__int(st, 3, ni->user_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		n = -2;
	db__done(st);
	if (n == -2) {
		rc = db__fail(db, "invite count");
		goto out;
	}
	if (n < 0) {
		rc = DB_NOTFOUND;
		goto out;
	}
	if (n >= DB_INVITES_MAX) {
		rc = DB_QUOTA;
		goto out;
	}
	st = db__stmt(db, "INSERT INTO team_invites (team_id, code_hash, "
	    "max_uses, uses, expires_at, created_by, created_at) "
	    "VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6)");
	if (st == NULL)
		goto out;
	db__int(st, 1, ni->team_id);
	db__text(st, 2, ni->code_hash);
	db__int(st, 3, ni->max_uses);
	if (ni->expires_at != 0)
		db__int(st, 4, ni->expires_at);
	db__int(st, 5, ni->user_id);
	db__int(st, 6, ni->now);
	if ((rc = db__exec(db, st, NULL, "invite add")) != DB_OK)
		goto out;	/* DB_CONFLICT: the same code (never, in
				   practice) */
	id = sqlite3_last_insert_rowid(db->h);
	st = db__stmt(db, DB_INVITE_SQL "WHERE i.id = ?1");
	if (st == NULL) {
		rc = DB_ERR;
		goto out;
	}
	db__int(st, 1, id);
	if ((rc = db__row(db, st, db_invite_row, &after, "invite")) != DB_OK)
		goto out;
	json_object_set_new(after, "team_id", json_integer(ni->team_id));
out:
	db_target(target, "invite", id);
	return db__audited(db, rc, ni->actor, "invite.create", target, NULL,
	    NULL, after, ni->now, "invite", out);
}

int
db_invite_revoke(struct db *db, int64_t team_id, int64_t id,
    const char *actor, int64_t now, json_t **out)
{
	sqlite3_stmt *st;
	json_t *before = NULL, *after = NULL;
	char target[64], at[21];
	int changes = 0, rc;

	db_target(target, "invite", id);
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	rc = DB_ERR;
	/* the actor still a member: the caller's principal may predate a
	 * change */
	st = db__stmt(db, DB_INVITE_SQL "WHERE i.id = ?1 AND i.team_id = ?2 "
	    "AND EXISTS (SELECT 1 FROM users WHERE email = ?3 AND "
	    "team_id = ?2)");
	if (st == NULL)
		goto out;
	db__int(st, 1, id);
	db__int(st, 2, team_id);
	db__text(st, 3, actor);
	if ((rc = db__row(db, st, db_invite_row, &before, "invite")) != DB_OK)
		goto out;
	rc = DB_ERR;
	st = db__stmt(db, "UPDATE team_invites SET revoked_at = ?2 "
	    "WHERE id = ?1 AND revoked_at IS NULL");
	if (st == NULL)
		goto out;
	db__int(st, 1, id);
	db__int(st, 2, now);
	if ((rc = db__exec(db, st, &changes, "invite revoke")) != DB_OK)
		goto out;
	if (changes != 1) {
		rc = DB_CONFLICT;
		goto out;
	}
	after = json_deep_copy(before);
	db_iso_time(now, at);
	json_object_set_new(after, "revoked_at", json_string(at));
out:
	return db__audited(db, rc, actor, "invite.revoke", target, NULL,
	    before, after, now, "invite", out);
}

/* ---- joining, leaving, a team of one's own ---- */

/* user_id's team into *team_id (0: none) and its name into name. */
static int
db_user_team(struct db *db, int64_t user_id, int64_t *team_id, char *name,
    size_t namesz)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT COALESCE(u.team_id, 0), "
	    "COALESCE(t.name, '') FROM users u LEFT JOIN teams t "
	    "ON t.id = u.team_id WHERE u.id = ?1");
	int rc;

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, user_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*team_id = sqlite3_column_int64(st, 0);
		db__col(st, 1, name, namesz);
	}
	db__done(st);
	if (rc == SQLITE_ROW)
		return DB_OK;
	return rc == SQLITE_DONE ? DB_NOTFOUND : db__fail(db, "user's team");
}

/* Begin the transaction of a team change of user_id and check the user's
 * membership: in_team says whether the change needs the user in a team
 * (leave) or in none (join, found).  *cur gets the user's team id (0 for
 * none).  DB_OK with the transaction open; else rolled back, DB_CONFLICT
 * with r told, or DB_ERR. */
static int
db_change_begin(struct db *db, int64_t user_id, int in_team,
    struct db_team_refusal *r, int64_t *cur)
{
	int rc;

	memset(r, 0, sizeof(*r));
	*cur = 0;
	if (db__begin(db) != DB_OK)
		return DB_ERR;
	rc = db_user_team(db, user_id, cur, r->team, sizeof(r->team));
	if (rc == DB_OK && (*cur != 0) != in_team) {
		r->why = in_team ? DB_TW_NO_TEAM : DB_TW_IN_TEAM;
		rc = DB_CONFLICT;
	}
	if (rc != DB_OK)
		db__rollback(db);
	return rc;
}

int
db_team_join(struct db *db, int64_t user_id, const char *email,
    const char *code_hash, int64_t now, struct db_team_refusal *r,
    json_t **out)
{
	int64_t cur = 0, team_id = 0, invite_id = 0;
	json_t *team = NULL;
	int rc;

	if ((rc = db_change_begin(db, user_id, 0, r, &cur)) != DB_OK)
		return rc;
	if ((rc = db_lock_check(db, now, r)) != DB_OK ||
	    (rc = db_invite_use(db, code_hash, now, &team_id, &invite_id, r))
	    != DB_OK ||
	    (rc = db_user_team_set(db, user_id, team_id)) != DB_OK ||
	    (rc = db_audit_join(db, email, team_id, invite_id, now)) != DB_OK ||
	    (rc = db_team_small(db, team_id, &team)) != DB_OK ||
	    (rc = db__commit(db)) != DB_OK)
		goto out;
	*out = json_pack("{s:o}", "team", team);
	return DB_OK;
out:
	db__rollback(db);
	json_decref(team);
	return rc;
}

int
db_team_leave(struct db *db, int64_t user_id, const char *email,
    int64_t now, struct db_team_refusal *r, json_t **out)
{
	int64_t cur = 0;
	json_t *before = NULL;
	char target[64];
	int rc;

	if ((rc = db_change_begin(db, user_id, 1, r, &cur)) != DB_OK)
		return rc;
	if ((rc = db_lock_check(db, now, r)) != DB_OK ||
	    (rc = db_team_small(db, cur, &before)) != DB_OK ||
	    (rc = db_user_team_set(db, user_id, 0)) != DB_OK)
		goto out;
	db_target(target, "team", cur);
	json_object_set_new(before, "user", json_string(email));
	rc = db_audit_ex(db, email, "team.leave", target, NULL, before, NULL,
	    now);
	if (rc != DB_OK || (rc = db__commit(db)) != DB_OK)
		goto out;
	json_object_del(before, "user");
	*out = json_pack("{s:o}", "left", before);
	return DB_OK;
out:
	db__rollback(db);
	json_decref(before);
	return rc;
}

int
db_team_found(struct db *db, int64_t user_id, const char *email,
    const char *name, int64_t now, struct db_team_refusal *r, json_t **out)
{
	int64_t cur = 0, team_id = 0;
	json_t *team = NULL;
	char target[64];
	int rc;

	if ((rc = db_change_begin(db, user_id, 0, r, &cur)) != DB_OK)
		return rc;
	if ((rc = db_team_insert(db, name, 0, now, &team_id)) == DB_CONFLICT) {
		r->why = DB_TW_TEAM_EXISTS;
		if (db_team_lookalike(db, name, r->team, sizeof(r->team))
		    == DB_ERR)
			rc = DB_ERR;
	}
	if (rc != DB_OK || (rc = db_user_team_set(db, user_id, team_id))
	    != DB_OK || (rc = db_team_small(db, team_id, &team)) != DB_OK)
		goto out;
	db_target(target, "team", team_id);
	if ((rc = db_audit_ex(db, email, "team.create", target, NULL, NULL,
	    team, now)) != DB_OK || (rc = db__commit(db)) != DB_OK)
		goto out;
	*out = json_pack("{s:o}", "team", team);
	return DB_OK;
out:
	db__rollback(db);
	json_decref(team);
	return rc;
}

/* ---- keys of older rows ---- */

static int
db_team_setkey(struct db *db, int64_t id, const char *key)
{
	sqlite3_stmt *st = db__stmt(db, "UPDATE teams SET name_key = ?2 "
	    "WHERE id = ?1");

	if (st == NULL)
		return DB_ERR;
	db__int(st, 1, id);
	db__text(st, 2, key);
	return db__exec(db, st, NULL, "team key");
}

struct db_rekey {
	int64_t id;
	char key[DB_TEAM_KEY_MAX + 24];
};

int
db_team_rekey(struct db *db)
{
	sqlite3_stmt *st = db__stmt(db, "SELECT id, name, name_key FROM teams "
	    "ORDER BY id");
	struct db_rekey *todo = NULL, *t;
	size_t n = 0, cap = 0, i;
	char key[DB_TEAM_KEY_MAX + 1], alt[sizeof(todo->key)];
	int rc;

	if (st == NULL)
		return DB_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *old = (const char *)sqlite3_column_text(st, 2);
		int64_t id = sqlite3_column_int64(st, 0);

		/* a name today's rules refuse keeps the key it has */
		if (name == NULL || util_fold_name(name, key, sizeof(key)) <= 0)
			continue;
		util_fmt(alt, sizeof(alt), "%s#%lld", key, (long long)id);
		if (old != NULL && (strcmp(old, key) == 0 ||
		    strcmp(old, alt) == 0))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((t = realloc(todo, cap * sizeof(*todo))) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			todo = t;
		}
		todo[n].id = id;
		util_fmt(todo[n].key, sizeof(todo[n].key), "%s", key);
		n++;
	}
	db__done(st);
	if (rc != SQLITE_DONE) {
		free(todo);
		return db__fail(db, "team keys");
	}
	if (n == 0 || db__begin(db) != DB_OK) {
		free(todo);
		return n == 0 ? DB_OK : DB_ERR;
	}
	for (i = 0, rc = DB_OK; i < n && rc == DB_OK; i++) {
		rc = db_team_setkey(db, todo[i].id, todo[i].key);
		if (rc == DB_CONFLICT) {
			/* another team holds it: that one keeps the name */
			util_fmt(alt, sizeof(alt), "%s#%lld", todo[i].key,
			    (long long)todo[i].id);
			rc = db_team_setkey(db, todo[i].id, alt);
		}
	}
	if (rc == DB_OK)
		rc = db__commit(db);
	else
		db__rollback(db);
	free(todo);
	return rc;
}
