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

#include "vocab.h"

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

/*
 * How many transactions that changed something have been committed by this
 * process's connections since it started (any table; read-only ones do not
 * count).  It grows after the commit is done, so an answer read from the
 * database when it was N is still what the database says while it is N:
 * the in-memory snapshots of the server compare it.  Thread-safe.
 */
uint64_t db_commits(void);

/* Apply every pending migration (each in its own transaction) and set
 * *version to the schema version now in place. */
int db_migrate(struct db *db, int *version, char *err, size_t errlen);

/* The applied schema version (0 for an empty database). */
int db_schema_version(struct db *db, int *version);

/* The state identity (migration 0004) into out ("" when none is set, or
 * the table is not there yet); db_identity_set() sets it once. */
int db_identity_get(struct db *db, char *out, size_t outsz);
int db_identity_set(struct db *db, const char *value, int64_t now);
/* The number of submissions stored (every state). */
int db_submission_count(struct db *db, int64_t *n);

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
	enum who_role role;	/* a worker token, an organizer, else a
				 * participant */
	char csrf[64];		/* the session's CSRF token; "" for tokens */
	int64_t token_id;	/* the API token's id; 0 for a session */
};

int db_team_add(struct db *db, const char *name, int baseline, int64_t now);

/* team may be NULL (an organizer without team).  DB_NOTFOUND: no such
 * team; DB_CONFLICT: email taken. */
int db_user_add(struct db *db, const char *team, const char *email,
    const char *pw_hash, int is_admin, int64_t now);

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

int db_session_delete(struct db *db, const char *sess_hash);
/* Delete expired sessions. */
int db_sessions_expire(struct db *db, int64_t now);

/* ---- tracks, submissions and a team's pick (db_sub.c) ---- */

struct db_track {
	int64_t id;
	char slug[64];
	enum track_kind kind;
	int64_t budget;		/* most samples */
	int64_t per_day;	/* submissions per team per UTC day; 0: any */
	int64_t total;		/* submissions per team in all; 0: any */
	int64_t opens_at;	/* 0: always open */
	int64_t closes_at;	/* 0: never closes */
	char metric[32];	/* score ranked by ("overall") */
	int64_t max_active;	/* a team's queued + running jobs; 0: cfg */
};

int db_track_add(struct db *db, const struct db_track *t, int64_t now);
int db_track_get(struct db *db, const char *slug, struct db_track *t);

/* [{slug, kind, budget, limits, opens_at, closes_at, status, metric,
 *   remaining?}]; with team_id > 0 also that team's remaining quota. */
int db_tracks_json(struct db *db, int64_t now, int64_t team_id,
    json_t **out);
/* track page.  {"track": {the list's object plus overview and
 * rules}} of track slug (remaining as in the list when team_id > 0);
 * DB_NOTFOUND. */
int db_track_public(struct db *db, const char *slug, int64_t now,
    int64_t team_id, json_t **out);

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
	const char *warnings;	/* JSON array text of at most 100
				   findings, or NULL for none ("[]") */
	uint64_t n_warnings;	/* every warning found (>= those kept) */
	const char *method_name, *description, *url;
	const char *file_name;	/* under <state>/submissions/ */
	int reuse;		/* reuse an earlier score of the same set */
	int64_t per_day, total, max_active;	/* limits, 0 = none */
	const char *idem_key;	/* Idempotency-Key, or NULL */
	int64_t now;
	/* the uploaded file's own name (clean), or NULL */
	const char *original_name;
};

/* What db_submission_commit() decided. */
struct db_commit {
	enum quota_kind quota;	/* DB_QUOTA: which one */
	char reused_from[40];	/* "" unless a score was reused */
	char first[40];		/* DB_CONFLICT: the submission the same
				   idempotency key made */
};

#define DB_IDEM_SECONDS 86400	/* how long an idempotency key holds */

/* The submission team_id's Idempotency-Key key made within the last day
 * (as of now) into id (idsz bytes).  DB_OK, DB_NOTFOUND, DB_ERR. */
int db_idem_find(struct db *db, int64_t team_id, const char *key,
    int64_t now, char *id, size_t idsz);

/*
 * In one transaction: look up s->idem_key (DB_CONFLICT with the
 * submission it made in out->first), check the quotas, look for a scored
 * submission of the same set (when s->reuse), insert the submission, its
 * job (queued, or succeeded with the copied scores) and its idempotency
 * key, call fs(arg) (which moves the file into place; non-zero aborts)
 * and commit.  Returns DB_OK, DB_CONFLICT, DB_QUOTA (out->quota says
 * which) or DB_ERR.  On any non-OK return nothing was
 * stored; the caller removes the file if fs had run.
 */
int db_submission_commit(struct db *db, const struct db_newsub *s,
    int (*fs)(void *arg), void *arg, struct db_commit *out);

/* {"submission": {...}} with its job, scores, n_warnings and the kept
 * warnings; team_id < 0: any team. */
int db_submission_get(struct db *db, const char *id, int64_t team_id,
    json_t **out);

/* {"submissions": [...], "limit", "offset", "total"}, newest first; each
 * with n_warnings, not the warnings themselves. */
int db_submissions_list(struct db *db, int64_t team_id, const char *track,
    int64_t limit, int64_t offset, json_t **out);

/* The stored file name and kind of submission id (visible to team_id;
 * < 0: any). */
int db_submission_file(struct db *db, const char *id, int64_t team_id,
    char *file_name, size_t fnsz, char *kind, size_t kindsz);

/* Cancel the job of submission id.  DB_CONFLICT if already finished. */
int db_submission_cancel(struct db *db, const char *id, int64_t team_id,
    int64_t now);

/* 1 if a submission stores file name, 0 if none, -1 on error. */
int db_submission_file_known(struct db *db, const char *name);

/* the uploaded file's own name of submission id into out (""
 * when it came without one).  The caller has checked who may see it.
 * DB_OK, DB_NOTFOUND or DB_ERR. */
int db_submission_original_name(struct db *db, const char *id, char *out,
    size_t outsz);

/* A team's pick (select 1) or un-pick (0) of submission id.
 * DB_NOTFOUND: not the team's; DB_CONFLICT: not selectable. */
int db_submission_select(struct db *db, const char *id, int64_t team_id,
    int select, const char *actor, int64_t now);
/* *selected = 1 if submission id is its team's current pick. */
int db_submission_selected(struct db *db, const char *id, int *selected);

/* ---- the job state machine (db_jobstate.c) ---- */

/* What a change of state sets besides the state (NULL / 0: nothing). */
struct db_job_change {
	const char *error;	/* the job's error text (NULL clears it) */
	enum job_fault fault;	/* entering an end */
	const char *result;	/* entering an end: the result body (JSON) */
	const char *worker;	/* entering running: the claiming worker */
	int64_t lease_until;	/* entering running: the lease's end */
	int64_t token;		/* entering running: its token's id (0: none) */
};

/* Whether the state machine has the edge from -> to. */
int db_job_edge(enum job_state from, enum job_state to);

/* Job id's state into *out.  DB_OK, DB_NOTFOUND, DB_ERR. */
int db_job_state(struct db *db, const char *id, enum job_state *out);

/* Move job id into state to, if it is in one of the states of from (a
 * set of JOB_BIT()s) and the machine has that edge; ch says what else the
 * change sets (NULL: nothing).  No transaction of its own: callers that
 * read or write more make one around it.  DB_OK; DB_NOTFOUND; DB_CONFLICT
 * (the job is elsewhere, or no such edge); DB_ERR. */
int db_job_transition(struct db *db, const char *id, unsigned from,
    enum job_state to, const struct db_job_change *ch, int64_t now);

/* ---- jobs, the worker API and workers' signs of life (db_job.c) ---- */

/* {"job": {...}}; team_id < 0: any team.  The job's current attempt's
 * train progress and loss series come with it: train_step, train_steps
 * (null before a heartbeat told them) and loss ([[step, loss | null],
 * ...], [] when none). */
int db_job_get(struct db *db, const char *id, int64_t team_id, json_t **out);

/* The token that holds job id's running attempt into *token (0: none
 * recorded, or the job is not running).  DB_NOTFOUND: no such job. */
int db_job_holder(struct db *db, const char *id, int64_t *token);

/* Claim the oldest queued job for worker: state running, attempt + 1,
 * lease until now + lease.  *out = {"job": {id, attempt, lease_expires_at,
 * stops: {why: attempts}, submission: {...}, track: {...}}}, stops
 * counting the job's attempts since its last re-run that a worker stopped
 * and handed back, by why (db_job_release()).  DB_NOTFOUND when none is
 * queued. */
int db_job_claim(struct db *db, const char *worker, int64_t token, int64_t now,
    int64_t lease, json_t **out);

/* Requeue running jobs whose lease expired (or fail them once they
 * failed max_attempts times since their last re-run: expired leases
 * count, attempts handed back do not); each ended attempt is kept in the
 * attempt history with its worker.  *changed: how many. */
int db_jobs_expire(struct db *db, int64_t now, int64_t max_attempts,
    int *changed);

/* At start: give every running job's lease at least until now + lease, so
 * a worker that kept working while the server was down can reach it again
 * (its result would be refused as stale once the lease had expired).
 * *changed: how many leases were extended. */
int db_jobs_grace(struct db *db, int64_t now, int64_t lease, int *changed);

struct db_heartbeat {
	int64_t attempt;
	const char *stage;	/* NULL: unchanged */
	const char *note;	/* beside the stage ("waiting in Slurm:
				   Resources"); NULL: none */
	double progress;	/* < 0: unchanged */
	const char *log;	/* appended to the tail; NULL: none */
	size_t log_len;
	size_t tail_max;	/* bytes of log tail kept */
	int64_t lease;		/* seconds */
	const char *loss;	/* the train stage's series so far, JSON
				   [[step, loss | null], ...], replacing the
				   attempt's; NULL: unchanged */
	int64_t step, steps;	/* with it: tqdm's step of steps */
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
	json_t *private_scores;	/* {task: number} or NULL; borrowed */
	const char *error;	/* failure reason, or NULL */
	enum job_fault fault;	/* failures: FAULT_NONE means system */
	const char *raw;	/* the request body, stored */
};

/* Record the result of the running attempt.  Returns DB_OK (*dup = 1
 * when this attempt's result was already recorded), DB_STALE, DB_CONFLICT
 * (job cancelled) or DB_NOTFOUND. */
int db_job_result(struct db *db, const char *id, const struct db_result *r,
    int64_t now, int *dup);

/* Hand the running attempt back (a worker stopping, or a worker that
 * stopped the attempt for a retry: stop names why, else NULL): the job is
 * queued again at once, its error says why (reason may be NULL).  The
 * attempt number goes on (the next claim gets a new one) but the
 * hand-back is not a failed attempt: it uses up none of max_attempts.
 * DB_OK, DB_STALE (not the running attempt), DB_CONFLICT (job cancelled)
 * or DB_NOTFOUND. */
int db_job_release(struct db *db, const char *id, int64_t attempt,
    const char *reason, const char *stop, int64_t now);

/* The file of job id's submission while attempt is running. */
int db_job_file(struct db *db, const char *id, int64_t attempt,
    char *file_name, size_t fnsz);

/* Number of jobs in each state (indexed by enum job_state). */
int db_job_counts(struct db *db, int64_t counts[JOB_NSTATES]);

/* Workers: a claim (claimed 1) or any sign of life. */
int db_worker_seen(struct db *db, const char *name, const char *version,
    const char *backend, int claimed, int64_t now);
/* The worker holding job id was heard from. */
int db_worker_seen_job(struct db *db, const char *job_id, int64_t now);

/* ---- organizer administration (db_admin.c, db_admin_sub.c,
 *      db_admin_job.c) ----
 *
 * Every function that changes something takes the organizer's email
 * (actor) and writes one audit row with the changed object's JSON before
 * and after, in the same transaction as the change.  Lists answer
 * {"<key>": [...], "limit", "offset", "total"}; *out is a new reference.
 */

/* Record an audit row; before / after / reason may be NULL (borrowed). */
int db_audit_ex(struct db *db, const char *actor, const char *action,
    const char *target, const char *reason, json_t *before, json_t *after,
    int64_t now);

/* {"audit": [...]} newest first; any filter may be NULL / 0.  action
 * "x." matches every action starting so. */
struct db_auditq {
	const char *actor, *action, *target;
	int64_t since, until, limit, offset;
};
int db_admin_audit(struct db *db, const struct db_auditq *q, json_t **out);

/* A track edit: the bits of mask name the fields to set. */
#define DB_TS_BUDGET      0x0001
#define DB_TS_PER_DAY     0x0002
#define DB_TS_TOTAL       0x0004
#define DB_TS_MAX_ACTIVE  0x0008
#define DB_TS_OPENS       0x0010
#define DB_TS_CLOSES      0x0020
#define DB_TS_METRIC      0x0040
#define DB_TS_DIRECTION   0x0080
#define DB_TS_LEADERBOARD 0x0100
#define DB_TS_FREEZE      0x0200
#define DB_TS_ANONYMOUS   0x0400
#define DB_TS_HOOK_URL    0x0800
#define DB_TS_HOOK_SECRET 0x1000
/* track page (title, overview, rules, team lock) */
#define DB_TS_TITLE       0x2000
#define DB_TS_OVERVIEW    0x4000
#define DB_TS_RULES       0x8000
#define DB_TS_TEAMS_LOCK  0x10000
struct db_trackset {
	unsigned mask;
	int64_t budget, per_day, total, max_active;
	int64_t opens_at, closes_at, freeze_at;	/* 0: clear */
	const char *metric, *direction, *leaderboard;
	int anonymous;
	const char *webhook_url, *webhook_secret;	/* NULL: clear */
	/* track page; NULL texts clear to "", 0 clears the lock */
	const char *title, *overview, *rules;
	int64_t teams_lock_at;
};

/* The admin track objects (see API.md). */
int db_admin_tracks(struct db *db, int64_t now, json_t **out);
/* {"track": {...}}; DB_NOTFOUND. */
int db_admin_track_get(struct db *db, const char *slug, int64_t now,
    json_t **out);
/* Create (kind, budget required) or edit (kind ignored) a track, then
 * *out = {"track"}.  DB_CONFLICT: slug taken (create); DB_NOTFOUND. */
int db_admin_track_create(struct db *db, const char *slug, const char *kind,
    const struct db_trackset *ts, const char *actor, int64_t now,
    json_t **out);
int db_admin_track_update(struct db *db, const char *slug,
    const struct db_trackset *ts, const char *actor, int64_t now,
    json_t **out);
/* Publish (1) or withdraw (0) the private split.  DB_CONFLICT when
 * publishing a track that has not closed. */
int db_admin_track_publish(struct db *db, const char *slug, int publish,
    const char *actor, int64_t now, json_t **out);

/* Teams.  id 0 lists all (q: name contains, may be NULL). */
int db_admin_teams(struct db *db, const char *q, int64_t limit,
    int64_t offset, json_t **out);
int db_admin_team_create(struct db *db, const char *name, int baseline,
    const char *actor, int64_t now, json_t **out);
int db_admin_team_disable(struct db *db, int64_t id, int disabled,
    const char *reason, const char *actor, int64_t now, json_t **out);
/* {"team", "members": [...]} */
int db_admin_team_members(struct db *db, int64_t id, json_t **out);

/* Users.  team_id 0: any team; q: email contains. */
int db_admin_users(struct db *db, int64_t team_id, const char *q,
    int64_t limit, int64_t offset, json_t **out);
/* team may be NULL.  DB_NOTFOUND: no such team; DB_CONFLICT: email. */
int db_admin_user_create(struct db *db, const char *email, const char *team,
    int is_admin, const char *pw_hash, const char *actor, int64_t now,
    json_t **out);
/* Disable (ends the user's sessions) or enable. */
int db_admin_user_disable(struct db *db, int64_t id, int disabled,
    const char *actor, int64_t now, json_t **out);
/* Set a new password hash; the user's sessions end. */
int db_admin_user_password(struct db *db, int64_t id, const char *pw_hash,
    const char *actor, int64_t now, json_t **out);

/* API tokens (never their hash).  user_id 0 / role NULL: any. */
int db_admin_tokens(struct db *db, int64_t user_id, const char *role,
    int64_t limit, int64_t offset, json_t **out);
int db_admin_token_create(struct db *db, const char *email,
    const char *token_hash, const char *role, const char *label,
    const char *actor, int64_t now, json_t **out);
/* DB_CONFLICT: already revoked. */
int db_admin_token_revoke(struct db *db, int64_t id, const char *actor,
    int64_t now, json_t **out);

/* Submissions across teams. */
struct db_subq {
	const char *track, *team, *state, *flag;
	int64_t since, until, limit, offset;
};
int db_admin_submissions(struct db *db, const struct db_subq *q,
    json_t **out);
/* {"submission": {... everything, job with history, audit}} */
int db_admin_submission(struct db *db, const char *id, json_t **out);
/* action: "hide", "disqualify", "restore" (reason may be NULL) or
 * "baseline" (flag 0/1).  *out = {"submission"} (admin view). */
int db_admin_sub_action(struct db *db, const char *id, const char *action,
    const char *reason, int flag, const char *actor, int64_t now,
    json_t **out);
/* Organizer moderation of submission id: action "hide", "disqualify"
 * or "restore" (clears both), with a reason (may be NULL for restore). */
int db_submission_moderate(struct db *db, const char *id, const char *action,
    const char *reason, int64_t now);

/* Jobs. */
struct db_jobq {
	const char *state, *track, *worker;
	int64_t limit, offset;
};
int db_admin_jobs(struct db *db, const struct db_jobq *q, json_t **out);
/* {"job": {..., priority, worker, team, result, history}} */
int db_admin_job(struct db *db, const char *id, json_t **out);
/* action "rerun" (DB_CONFLICT if queued/running), "cancel" / "fail"
 * (DB_CONFLICT if finished; fault for fail), "priority" (value). */
int db_admin_job_action(struct db *db, const char *id, const char *action,
    const char *reason, enum job_fault fault, int64_t value, const char *actor,
    int64_t now, json_t **out);

/* {"workers": [...]}, each with its current job and recent failures. */
int db_admin_workers(struct db *db, int64_t now, json_t **out);

/* Statistics of track slug.  DB_NOTFOUND. */
int db_admin_stats(struct db *db, const char *slug, int64_t now,
    json_t **out);

/* ---- webhooks (db_hook.c) ---- */

/* Put an outbox row for every job finished (succeeded or failed) on a
 * track with a webhook since it was set; *n: how many. */
int db_hook_enqueue(struct db *db, int64_t now, int *n);

struct db_hook_item {
	int64_t id;
	int64_t attempts;
	char event[32];
	char *url, *secret, *body;	/* malloc'd */
};
/* Up to max pending deliveries due at now (caller frees with
 * db_hook_items_free).  Deliveries of a track whose webhook was removed
 * are marked failed. */
int db_hook_due(struct db *db, int64_t now, size_t max,
    struct db_hook_item **items, size_t *n);
void db_hook_items_free(struct db_hook_item *items, size_t n);
/* Record a try: delivered (ok) or retry at next_at (0: give up). */
int db_hook_done(struct db *db, int64_t id, int ok, long status,
    const char *error, int64_t next_at, int64_t now);
int db_admin_webhooks(struct db *db, const char *track, const char *status,
    int64_t limit, int64_t offset, json_t **out);
int db_admin_webhook_retry(struct db *db, int64_t id, const char *actor,
    int64_t now, json_t **out);

/* ---- leaderboard (db_lb.c) ---- */

struct db_lbopts {
	int priv;		/* the private split */
	int organizer;		/* never frozen, real names */
	int64_t now;
};

/* The board of track slug as described in API.md ("Leaderboard
 * policies"); *vis gets the track's visibility when not NULL.
 * DB_NOTFOUND. */
int db_leaderboard_ex(struct db *db, const char *slug,
    const struct db_lbopts *o, json_t **out, enum board_vis *vis);


/* {"track", "metric", "kind", "entries": [...]} as described in lb.h. */
int db_leaderboard(struct db *db, const char *slug, json_t **out);

/* ---- sign-up and teams (db_team.c) ----
 *
 * Team names are unique by their folded key (util_fold_name(): case and
 * blanks do not tell two names apart); a name is stored without its
 * leading and trailing blanks.  Team changes of a participant (joining,
 * leaving, signing up with an invite) are refused while a track that has
 * not closed has a teams_lock_at in the past.  Every change writes its
 * audit rows (actor: the user's email) in its own transaction.
 */

#define DB_TEAM_NAME_MAX 100	/* bytes of a team name */
#define DB_TEAM_KEY_MAX (4 * DB_TEAM_NAME_MAX)	/* bytes of its key */
#define DB_INVITES_MAX 50	/* pending invites of a team */

/* The folded key of name into key: 0, or -1 when it is blank, not UTF-8
 * or longer than DB_TEAM_NAME_MAX, -2 when it holds a control or an
 * invisible formatting character. */
int db_team_key(const char *name, char key[DB_TEAM_KEY_MAX + 1]);

/* NULL when name may be a team's name, else what is wrong with it (a
 * static phrase: "is only blanks", ...). */
const char *db_team_name_problem(const char *name);

/* Insert a team (the one INSERT INTO teams: db_team_add() and the
 * organizer's create use it); *id (may be NULL) gets its id.
 * DB_CONFLICT: a team whose name folds alike exists; DB_ERR (told) also
 * for a blank or too long name.  No transaction of its own. */
int db_team_insert(struct db *db, const char *name, int baseline, int64_t now,
    int64_t *id);

/* The name of the team whose name folds like name into out (outsz
 * bytes): DB_OK, DB_NOTFOUND or DB_ERR. */
int db_team_lookalike(struct db *db, const char *name, char *out,
    size_t outsz);

/* Why a team change was refused (with DB_CONFLICT). */
enum db_team_why {
	DB_TW_NONE,
	DB_TW_LOCKED,		/* at: locked since; track */
	DB_TW_INVITE_UNKNOWN,	/* no invite has this code */
	DB_TW_INVITE_REVOKED,	/* at: when */
	DB_TW_INVITE_EXPIRED,	/* at: when */
	DB_TW_INVITE_USED_UP,	/* uses of max_uses */
	DB_TW_TEAM_DISABLED,	/* team: the invite's team */
	DB_TW_IN_TEAM,		/* team: the user's team */
	DB_TW_NO_TEAM,		/* the user is in none */
	DB_TW_TEAM_EXISTS,	/* team: the look-alike name */
	DB_TW_EMAIL_TAKEN
};
struct db_team_refusal {
	enum db_team_why why;
	int64_t at;
	char track[64];
	int64_t uses, max_uses;
	char team[128];
};

/* Self-registration: a user with a new team (team) or joining the team
 * of an invite (code_hash, the SHA-256 hex of the code: its use is
 * counted), in one transaction.  *out = {"user": {email, team, role},
 * "team": {id, name, created_at}}.  DB_CONFLICT with r->why: team
 * exists, email taken, locked (an invite only), an invite refusal. */
struct db_signup {
	const char *email, *pw_hash;
	const char *team;	/* a new team's name, or NULL */
	const char *code_hash;	/* else the invite's */
	int64_t now;
};
int db_signup(struct db *db, const struct db_signup *s,
    struct db_team_refusal *r, json_t **out);

/* {"team": {id, name, created_at}, "members": [{email, joined}],
 * "invites": [pending: {id, uses, max_uses, expires_at, created_by,
 * created_at}], "lock": {at, track, locked} | null (the earliest lock
 * of a track that has not closed)}; team_id 0: team null, no members or
 * invites, the lock.  DB_NOTFOUND. */
int db_team_view(struct db *db, int64_t team_id, int64_t now, json_t **out);

/* A new invite of team_id made by user_id (actor: the email): *out =
 * {"invite": {...}}.  DB_QUOTA: DB_INVITES_MAX pending already;
 * DB_NOTFOUND: user_id is not in team_id (any more). */
struct db_newinvite {
	int64_t team_id, user_id;
	const char *actor;
	const char *code_hash;
	int64_t max_uses;	/* 0: no limit */
	int64_t expires_at;	/* 0: never */
	int64_t now;
};
int db_invite_create(struct db *db, const struct db_newinvite *ni,
    json_t **out);

/* Revoke invite id of team_id: *out = {"invite"}.  DB_NOTFOUND (not the
 * team's, or actor not in it any more), DB_CONFLICT (revoked already). */
int db_invite_revoke(struct db *db, int64_t team_id, int64_t id,
    const char *actor, int64_t now, json_t **out);

/* user_id (email) joins the team of the invite code_hash: *out =
 * {"team"}.  DB_CONFLICT with r->why: in a team already, locked, an
 * invite refusal. */
int db_team_join(struct db *db, int64_t user_id, const char *email,
    const char *code_hash, int64_t now, struct db_team_refusal *r,
    json_t **out);

/* user_id leaves its team (which stays, with its submissions, even
 * empty): *out = {"left": {id, name, created_at}}.  DB_CONFLICT: no
 * team, locked. */
int db_team_leave(struct db *db, int64_t user_id, const char *email,
    int64_t now, struct db_team_refusal *r, json_t **out);

/* user_id, in no team, makes a new team named name and is its first
 * member: *out = {"team"}.  DB_CONFLICT: in a team, team exists. */
int db_team_found(struct db *db, int64_t user_id, const char *email,
    const char *name, int64_t now, struct db_team_refusal *r, json_t **out);
/* ---- account (db_account.c) ----
 *
 * A user's own account: what a login finds, password change, the user's
 * own API tokens and web sessions.  Changes are audited with the user's
 * email as the actor, in the transaction of the change.
 */

/* What a login found for an email (disabled users and teams included:
 * the caller tells them apart only after the password was right). */
struct db_login {
	int64_t user_id;
	char pw_hash[256];
	int user_disabled;	/* 1: the user is disabled */
	int team_disabled;	/* 1: the user's team is disabled */
	char team_reason[2048];	/* why ("" when none was given) */
};
/* DB_NOTFOUND: no user with this email. */
int db_account_login(struct db *db, const char *email, struct db_login *out);

/* Why a token that does not authenticate is refused: DB_OK with *why
 * DB_BLOCK_USER or DB_BLOCK_TEAM (reason: the team's, "" if none) when it
 * is live but its user or team is disabled; DB_NOTFOUND when it is
 * unknown or revoked. */
#define DB_BLOCK_USER 1
#define DB_BLOCK_TEAM 2
int db_account_token_blocked(struct db *db, const char *token_hash, int *why,
    char *reason, size_t reasonsz);

/* A new web session of user_id, with the client's user agent and address
 * (either may be NULL). */
int db_account_session_open(struct db *db, int64_t user_id,
    const char *sess_hash, const char *csrf, const char *user_agent,
    const char *ip, int64_t now, int64_t expires);

/* Note that a token (by id) / a session (by hash) was used at now: its
 * last_used_at / last_seen_at is written only when it is a minute old or
 * unset (a read otherwise, no write).  Not counted in db_commits(). */
int db_account_token_seen(struct db *db, int64_t token_id, int64_t now);
int db_account_session_seen(struct db *db, const char *sess_hash,
    int64_t now);

/* The password hash of user_id into hash (hashsz bytes). */
int db_account_pw_hash(struct db *db, int64_t user_id, char *hash,
    size_t hashsz);

/* Set user_id's password hash and end every session of the user but the
 * one with keep_hash (NULL: all of them); *ended gets how many ended.
 * Audit "account.password" (no hash in it). */
int db_account_password_set(struct db *db, int64_t user_id,
    const char *pw_hash, const char *keep_hash, const char *actor,
    int64_t now, int *ended);

/* The user's tokens, newest first: {"tokens": [{id, label, role,
 * created_at, last_used_at, revoked_at}], "limit", "offset", "total",
 * "live"} (never a hash). */
int db_account_tokens(struct db *db, int64_t user_id, int64_t limit,
    int64_t offset, json_t **out);
/* Store a new participant token's hash for user_id: *out = {"token"}.
 * DB_QUOTA when the user holds max_live live tokens already.  Audit
 * "account.token.create". */
int db_account_token_create(struct db *db, int64_t user_id,
    const char *token_hash, const char *label, int64_t max_live,
    const char *actor, int64_t now, json_t **out);
/* Revoke token_id of user_id: *out = {"token"}.  DB_NOTFOUND: no such
 * token of this user; DB_CONFLICT: revoked already.  Audit
 * "account.token.revoke". */
int db_account_token_revoke(struct db *db, int64_t user_id, int64_t token_id,
    const char *actor, int64_t now, json_t **out);

/* The user's live sessions, newest first: {"sessions": [{id, created_at,
 * last_seen_at, expires_at, user_agent, ip, current}], "limit", "offset",
 * "total"}; current is the one whose hash is cur_hash (may be NULL). */
int db_account_sessions(struct db *db, int64_t user_id, const char *cur_hash,
    int64_t now, int64_t limit, int64_t offset, json_t **out);
/* End session sess_id of user_id.  DB_NOTFOUND: no such live session of
 * this user.  Audit "account.session.revoke". */
int db_account_session_revoke(struct db *db, int64_t user_id, int64_t sess_id,
    const char *actor, int64_t now);

#endif
