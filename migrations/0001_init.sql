-- 0001: the initial schema.  Times are UNIX seconds (UTC).  Applied in one
-- transaction by the migration runner (server/db.c), which records it in
-- schema_migrations.

CREATE TABLE teams (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	baseline    INTEGER NOT NULL DEFAULT 0 CHECK (baseline IN (0, 1)),
	created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
	id          INTEGER PRIMARY KEY,
	team_id     INTEGER REFERENCES teams(id) ON DELETE RESTRICT,
	email       TEXT NOT NULL UNIQUE COLLATE NOCASE,
	pw_hash     TEXT NOT NULL,
	is_admin    INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
	disabled    INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at  INTEGER NOT NULL
) STRICT;

-- API tokens: only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	token_hash  TEXT NOT NULL UNIQUE,
	role        TEXT NOT NULL CHECK (role IN ('participant', 'worker')),
	label       TEXT,
	created_at  INTEGER NOT NULL,
	revoked_at  INTEGER
) STRICT;

-- Web sessions: only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	sess_hash   TEXT NOT NULL UNIQUE,
	csrf_token  TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE tracks (
	id          INTEGER PRIMARY KEY,
	slug        TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL CHECK (kind IN ('standard', 'byod')),
	budget      INTEGER NOT NULL CHECK (budget > 0),
	per_day     INTEGER NOT NULL DEFAULT 0 CHECK (per_day >= 0),
	total       INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0),
	opens_at    INTEGER,
	closes_at   INTEGER,
	metric      TEXT NOT NULL DEFAULT 'overall',
	created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE submissions (
	id           TEXT PRIMARY KEY,
	track_id     INTEGER NOT NULL REFERENCES tracks(id),
	team_id      INTEGER NOT NULL REFERENCES teams(id),
	user_id      INTEGER NOT NULL REFERENCES users(id),
	kind         TEXT NOT NULL CHECK (kind IN ('standard', 'byod')),
	n_samples    INTEGER NOT NULL,
	size_bytes   INTEGER NOT NULL,
	sha256       TEXT NOT NULL,
	set_hash     TEXT NOT NULL,
	composition  TEXT NOT NULL,          -- JSON object {name: count}
	method_name  TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	url          TEXT NOT NULL DEFAULT '',
	file_name    TEXT NOT NULL,          -- under <state>/submissions/
	reused_from  TEXT REFERENCES submissions(id),
	hidden       INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
	disqualified INTEGER NOT NULL DEFAULT 0 CHECK (disqualified IN (0, 1)),
	reason       TEXT,
	created_at   INTEGER NOT NULL          -- ties broken by rowid
) STRICT;
CREATE INDEX submissions_team ON submissions(team_id, track_id, created_at);
CREATE INDEX submissions_set ON submissions(track_id, set_hash);

CREATE TABLE jobs (
	id               TEXT PRIMARY KEY,
	submission_id    TEXT NOT NULL UNIQUE REFERENCES submissions(id),
	state            TEXT NOT NULL CHECK (state IN
	                     ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
	stage            TEXT CHECK (stage IN
	                     ('materialize', 'train', 'evaluate', 'score')),
	progress         REAL NOT NULL DEFAULT 0,
	attempt          INTEGER NOT NULL DEFAULT 0,
	worker           TEXT,
	lease_expires_at INTEGER,
	error            TEXT,
	fault            TEXT CHECK (fault IN ('team', 'system')),
	log_tail         TEXT NOT NULL DEFAULT '',
	result           TEXT,                -- the accepted result body (JSON)
	created_at       INTEGER NOT NULL,
	started_at       INTEGER,
	finished_at      INTEGER,
	updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX jobs_queue ON jobs(state);   -- queue order is rowid order

CREATE TABLE scores (
	submission_id TEXT NOT NULL REFERENCES submissions(id),
	task          TEXT NOT NULL,
	value         REAL NOT NULL,
	PRIMARY KEY (submission_id, task)
) STRICT;

CREATE TABLE audit_log (
	id       INTEGER PRIMARY KEY,
	at       INTEGER NOT NULL,
	actor    TEXT NOT NULL,
	action   TEXT NOT NULL,
	target   TEXT,
	details  TEXT
) STRICT;
