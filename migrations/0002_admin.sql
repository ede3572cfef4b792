-- 0002: organizer administration and leaderboard policies (issue 5).
-- Track settings, team disabling, baselines per submission, job priority,
-- private scores, team-picked entries, re-run history, workers, audit
-- before/after, and the webhook outbox.

ALTER TABLE tracks ADD COLUMN max_active INTEGER NOT NULL DEFAULT 0
    CHECK (max_active >= 0);                 -- 0: the server's default
ALTER TABLE tracks ADD COLUMN direction TEXT NOT NULL DEFAULT 'max'
    CHECK (direction IN ('max', 'min'));
ALTER TABLE tracks ADD COLUMN leaderboard TEXT NOT NULL DEFAULT 'public'
    CHECK (leaderboard IN ('public', 'participants', 'organizers'));
ALTER TABLE tracks ADD COLUMN freeze_at INTEGER;
ALTER TABLE tracks ADD COLUMN published_at INTEGER;  -- private split shown
ALTER TABLE tracks ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0
    CHECK (anonymous IN (0, 1));
ALTER TABLE tracks ADD COLUMN webhook_url TEXT;
ALTER TABLE tracks ADD COLUMN webhook_secret TEXT;
ALTER TABLE tracks ADD COLUMN webhook_since INTEGER; -- jobs finished from then

ALTER TABLE teams ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0
    CHECK (disabled IN (0, 1));

ALTER TABLE submissions ADD COLUMN baseline INTEGER NOT NULL DEFAULT 0
    CHECK (baseline IN (0, 1));

-- claim order: priority (higher first), then rowid
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_worker ON jobs(worker, state);

ALTER TABLE audit_log ADD COLUMN before_json TEXT;
ALTER TABLE audit_log ADD COLUMN after_json TEXT;
CREATE INDEX audit_target ON audit_log(target);

-- The private split of a submission's scores (the public one is in scores).
CREATE TABLE private_scores (
	submission_id TEXT NOT NULL REFERENCES submissions(id),
	task          TEXT NOT NULL,
	value         REAL NOT NULL,
	PRIMARY KEY (submission_id, task)
) STRICT;

-- A team's pick of the submission that represents it on a track's board;
-- append-only (the latest row counts; submission_id NULL: no pick), so the
-- pick as it stood at a freeze time can be found.
CREATE TABLE selections (
	id            INTEGER PRIMARY KEY,
	track_id      INTEGER NOT NULL REFERENCES tracks(id),
	team_id       INTEGER NOT NULL REFERENCES teams(id),
	submission_id TEXT REFERENCES submissions(id),
	at            INTEGER NOT NULL
) STRICT;
CREATE INDEX selections_team ON selections(track_id, team_id, id);

-- Attempts replaced by an organizer's re-run.
CREATE TABLE job_history (
	id             INTEGER PRIMARY KEY,
	job_id         TEXT NOT NULL REFERENCES jobs(id),
	attempt        INTEGER NOT NULL,
	state          TEXT NOT NULL,
	error          TEXT,
	fault          TEXT,
	worker         TEXT,
	result         TEXT,
	scores         TEXT,                 -- JSON {task: value}
	private_scores TEXT,
	started_at     INTEGER,
	finished_at    INTEGER,
	rerun_at       INTEGER NOT NULL,
	rerun_by       TEXT NOT NULL
) STRICT;
CREATE INDEX job_history_job ON job_history(job_id, id);

CREATE TABLE workers (
	name          TEXT PRIMARY KEY,
	version       TEXT,
	backend       TEXT,
	first_seen    INTEGER NOT NULL,
	last_seen     INTEGER NOT NULL,
	last_claim_at INTEGER,
	claims        INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Webhook deliveries: one per finished job attempt; sent by a background
-- thread, retried with backoff, kept across restarts.
CREATE TABLE webhook_outbox (
	id           INTEGER PRIMARY KEY,
	track_id     INTEGER NOT NULL REFERENCES tracks(id),
	job_id       TEXT NOT NULL REFERENCES jobs(id),
	attempt      INTEGER NOT NULL,
	finished_at  INTEGER NOT NULL,
	event        TEXT NOT NULL,
	body         TEXT NOT NULL,
	status       TEXT NOT NULL DEFAULT 'pending'
	                 CHECK (status IN ('pending', 'delivered', 'failed')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_at      INTEGER NOT NULL,
	last_status  INTEGER,
	last_error   TEXT,
	created_at   INTEGER NOT NULL,
	delivered_at INTEGER,
	UNIQUE (job_id, attempt, finished_at)
) STRICT;
CREATE INDEX webhook_due ON webhook_outbox(status, next_at);
