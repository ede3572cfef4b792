/*
 * db: the SQLite data layer.  Every SQL statement of the project lives in
 * db*.c, always with bound parameters.  A struct db is one connection
 * (WAL, foreign keys, busy timeout) with a cache of prepared statements;
 * it is used by one thread at a time.
 *
 * Return codes: DB_OK, DB_ERR (told on stderr where it happened) or one of
 * the answers below.  Functions returning JSON hand the caller a new
 * jansson reference.  Times are UNIX seconds; JSON shows them as
 * ISO-8601 UTC strings.
 */
#ifndef DO_DB_H
#define DO_DB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct db;

#define DB_OK 0
#define DB_ERR (-1)
#define DB_NOTFOUND 1	/* no such row (or not visible to the caller) */
#define DB_CONFLICT 2	/* a unique name taken, or the wrong state */
#define DB_STALE 3	/* a worker's attempt is not the current one */
#define DB_QUOTA 4	/* a submission quota is exhausted */

/* ---- connection and schema (db.c) ---- */

/* Open (creating if absent) the database at path.  NULL with a message in
 * err on failure. */
struct db *db_open(const char *path, char *err, size_t errlen);

/* Finalize the cached statements and close.  NULL is ignored. */
void db_close(struct db *db);

/* Apply every pending migration (each in its own transaction) and set
 * *version to the schema version now in place. */
int db_migrate(struct db *db, int *version, char *err, size_t errlen);

/* The applied schema version (0 for an empty database). */
int db_schema_version(struct db *db, int *version);

/* "ok" or the first problem of PRAGMA integrity_check, into out. */
int db_integrity(struct db *db, char *out, size_t outsz);

/* Record an audit-log line. */
int db_audit(struct db *db, const char *actor, const char *action,
    const char *target, const char *details, int64_t now);

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
void db_iso_time(int64_t t, char out[21]);

/* ---- accounts (db_acct.c) ---- */

/* Who made a request. */
struct db_principal {
	int64_t user_id;
	int64_t team_id;	/* 0: the user has no team */
	char team[128];		/* "" without a team */
	char email[256];
	int is_admin;
	char role[16];		/* "participant", "worker" or "admin" */
	char csrf[64];		/* the session's CSRF token; "" for tokens */
};

int db_team_add(struct db *db, const char *name, int baseline, int64_t now);

/* team may be NULL (an organizer without team).  DB_NOTFOUND: no such
 * team; DB_CONFLICT: email taken. */
int db_user_add(struct db *db, const char *team, const char *email,
    const char *pw_hash, int is_admin, int64_t now);

/* Self-registration: a new team and its first user, in one transaction.
 * DB_CONFLICT: the team or the email exists. */
int db_register(struct db *db, const char *team, const char *email,
    const char *pw_hash, int64_t now);

/* The password hash (into hash, hashsz bytes) and id of user email. */
int db_user_password(struct db *db, const char *email, int64_t *user_id,
    char *hash, size_t hashsz);

/* Store an API token's hash for user email; *token_id gets its id. */
int db_token_add(struct db *db, const char *email, const char *token_hash,
    const char *role, const char *label, int64_t now, int64_t *token_id);

/* Revoke the token with id token_id, or (token_id 0) with this hash. */
int db_token_revoke(struct db *db, int64_t token_id, const char *token_hash,
    int64_t now);

/* The principal of a live API token / session / user.  DB_NOTFOUND when
 * unknown, revoked or expired. */
int db_auth_token(struct db *db, const char *token_hash,
    struct db_principal *p);
int db_auth_session(struct db *db, const char *sess_hash, int64_t now,
    struct db_principal *p);
int db_principal_by_user(struct db *db, int64_t user_id,
    struct db_principal *p);

int db_session_add(struct db *db, int64_t user_id, const char *sess_hash,
    const char *csrf, int64_t now, int64_t expires);
int db_session_delete(struct db *db, const char *sess_hash);
/* Delete expired sessions. */
int db_sessions_expire(struct db *db, int64_t now);

/* ---- tracks and submissions (db_sub.c) ---- */

struct db_track {
	int64_t id;
	char slug[64];
	char kind[16];		/* "standard" or "byod" */
	int64_t budget;		/* most samples */
	int64_t per_day;	/* submissions per team per UTC day; 0: any */
	int64_t total;		/* submissions per team in all; 0: any */
	int64_t opens_at;	/* 0: always open */
	int64_t closes_at;	/* 0: never closes */
	char metric[32];	/* score ranked by ("overall") */
};

int db_track_add(struct db *db, const struct db_track *t, int64_t now);
int db_track_get(struct db *db, const char *slug, struct db_track *t);

/* [{slug, kind, budget, limits, opens_at, closes_at, status, metric,
 *   remaining?}]; with team_id > 0 also that team's remaining quota. */
int db_tracks_json(struct db *db, int64_t now, int64_t team_id,
    json_t **out);

/* A team's use of a track: counted submissions today and in all (invalid
 * ones and jobs failed through no fault of the team are not counted) and
 * jobs queued or running (across tracks). */
struct db_quota {
	int64_t today;
	int64_t total;
	int64_t active;
};
int db_quota_get(struct db *db, int64_t track_id, int64_t team_id,
    int64_t now, struct db_quota *q);

struct db_newsub {
	const char *id;		/* random submission ID */
	const char *job_id;	/* random job ID */
	int64_t track_id, team_id, user_id;
	const char *kind;
	uint64_t n_samples, size_bytes;
	const char *sha256, *set_hash;
	const char *composition;	/* JSON text */
	const char *method_name, *description, *url;
	const char *file_name;	/* under <state>/submissions/ */
	int reuse;		/* reuse an earlier score of the same set */
	int64_t per_day, total, max_active;	/* limits, 0 = none */
	int64_t now;
};

/* What db_submission_commit() decided. */
struct db_commit {
	int quota;		/* DB_QUOTA: 1 per day, 2 total, 3 active */
	char reused_from[40];	/* "" unless a score was reused */
};

/*
 * In one transaction: check the quotas, look for a scored submission of
 * the same set (when s->reuse), insert the submission and its job (queued,
 * or succeeded with the copied scores), call fs(arg) (which moves the
 * file into place; non-zero aborts) and commit.  Returns DB_OK, DB_QUOTA
 * (out->quota says which) or DB_ERR.  On any non-OK return nothing was
 * stored; the caller removes the file if fs had run.
 */
int db_submission_commit(struct db *db, const struct db_newsub *s,
    int (*fs)(void *arg), void *arg, struct db_commit *out);

/* {"submission": {...}} with its job and scores; team_id < 0: any team. */
int db_submission_get(struct db *db, const char *id, int64_t team_id,
    json_t **out);

/* {"submissions": [...], "limit", "offset", "total"}, newest first. */
int db_submissions_list(struct db *db, int64_t team_id, const char *track,
    int64_t limit, int64_t offset, json_t **out);

/* The stored file name and kind of submission id (visible to team_id;
 * < 0: any). */
int db_submission_file(struct db *db, const char *id, int64_t team_id,
    char *file_name, size_t fnsz, char *kind, size_t kindsz);

/* Cancel the job of submission id.  DB_CONFLICT if already finished. */
int db_submission_cancel(struct db *db, const char *id, int64_t team_id,
    int64_t now);

/* Organizer moderation of submission id: action "hide", "disqualify"
 * or "restore" (clears both), with a reason (may be NULL for restore). */
int db_submission_moderate(struct db *db, const char *id, const char *action,
    const char *reason, int64_t now);

/* 1 if a submission stores file name, 0 if none, -1 on error. */
int db_submission_file_known(struct db *db, const char *name);

/* ---- jobs and the worker API (db_job.c) ---- */

/* {"job": {...}}; team_id < 0: any team. */
int db_job_get(struct db *db, const char *id, int64_t team_id, json_t **out);

/* Claim the oldest queued job for worker: state running, attempt + 1,
 * lease until now + lease.  *out = {"job": {id, attempt, lease_expires_at,
 * submission: {...}, track: {...}}}.  DB_NOTFOUND when none is queued. */
int db_job_claim(struct db *db, const char *worker, int64_t now,
    int64_t lease, json_t **out);

/* Requeue running jobs whose lease expired (or fail them once they used
 * max_attempts).  *changed: how many. */
int db_jobs_expire(struct db *db, int64_t now, int64_t max_attempts,
    int *changed);

struct db_heartbeat {
	int64_t attempt;
	const char *stage;	/* NULL: unchanged */
	double progress;	/* < 0: unchanged */
	const char *log;	/* appended to the tail; NULL: none */
	size_t log_len;
	size_t tail_max;	/* bytes of log tail kept */
	int64_t lease;		/* seconds */
};

/* Extend the lease.  *cancelled: 1 if the job was cancelled.  DB_STALE
 * for an attempt that is not the running one. */
int db_job_heartbeat(struct db *db, const char *id,
    const struct db_heartbeat *hb, int64_t now, int *cancelled,
    int64_t *lease_until);

struct db_result {
	int64_t attempt;
	int succeeded;		/* 1 succeeded, 0 failed */
	json_t *scores;		/* {task: number}; borrowed */
	const char *error;	/* failure reason, or NULL */
	const char *fault;	/* "team" or "system" (failures) */
	const char *raw;	/* the request body, stored */
};

/* Record the result of the running attempt.  Returns DB_OK (*dup = 1
 * when this attempt's result was already recorded), DB_STALE, DB_CONFLICT
 * (job cancelled) or DB_NOTFOUND. */
int db_job_result(struct db *db, const char *id, const struct db_result *r,
    int64_t now, int *dup);

/* Hand the running attempt back (a worker stopping): the job is queued
 * again at once, its error says why (reason may be NULL).  The attempt
 * stays counted.  DB_OK, DB_STALE (not the running attempt), DB_CONFLICT
 * (job cancelled) or DB_NOTFOUND. */
int db_job_release(struct db *db, const char *id, int64_t attempt,
    const char *reason, int64_t now);

/* The file of job id's submission while attempt is running. */
int db_job_file(struct db *db, const char *id, int64_t attempt,
    char *file_name, size_t fnsz);

/* Organizer re-run: a finished job (succeeded, failed, cancelled) goes
 * back to the queue with its scores, error and log cleared; the attempt
 * count goes on, so old attempts stay fenced off.  DB_CONFLICT when the
 * job is queued or running. */
int db_job_rerun(struct db *db, const char *id, int64_t now);

/* Number of jobs in each state: queued, running, succeeded, failed,
 * cancelled. */
int db_job_counts(struct db *db, int64_t counts[5]);

/* ---- leaderboard (db_lb.c) ---- */

/* {"track", "metric", "kind", "entries": [...]} as described in lb.h. */
int db_leaderboard(struct db *db, const char *slug, json_t **out);

#endif
