-- 0006: the worker's preflight stage, the train stage's progress and loss
-- series per attempt, and why a worker stopped an attempt it handed back.
--
-- jobs.stage may be 'preflight' (between materialize and train).  SQLite
-- cannot change a CHECK constraint, so the table is made again with the
-- same columns, rows and rowids (the queue's order).  The rows of the
-- tables that reference jobs stay: with the foreign keys deferred, the
-- parent rows the DROP took are back before the commit checks them.

PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE jobs_0006 AS SELECT rowid AS rid, * FROM jobs;
DROP TABLE jobs;
CREATE TABLE jobs (
	id               TEXT PRIMARY KEY,
	submission_id    TEXT NOT NULL UNIQUE REFERENCES submissions(id),
	state            TEXT NOT NULL CHECK (state IN
	                     ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
	stage            TEXT CHECK (stage IN
	                     ('materialize', 'preflight', 'train', 'evaluate', 'score')),
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
	updated_at       INTEGER NOT NULL,
	priority         INTEGER NOT NULL DEFAULT 0,
	claim_token      INTEGER REFERENCES api_tokens(id)
) STRICT;
INSERT INTO jobs (rowid, id, submission_id, state, stage, progress, attempt,
    worker, lease_expires_at, error, fault, log_tail, result, created_at,
    started_at, finished_at, updated_at, priority, claim_token)
    SELECT rid, id, submission_id, state, stage, progress, attempt, worker,
    lease_expires_at, error, fault, log_tail, result, created_at, started_at,
    finished_at, updated_at, priority, claim_token FROM jobs_0006 ORDER BY rid;
DROP TABLE jobs_0006;
CREATE INDEX jobs_queue ON jobs(state);   -- queue order is rowid order
CREATE INDEX jobs_worker ON jobs(worker, state);

-- The train stage's progress and loss series, as the running attempt's
-- heartbeats last told them (each heartbeat sends the whole series, at most
-- 500 points, and replaces the row).
CREATE TABLE job_loss (
	job_id     TEXT NOT NULL REFERENCES jobs(id),
	attempt    INTEGER NOT NULL,
	step       INTEGER NOT NULL,          -- tqdm's step of steps (0: none)
	steps      INTEGER NOT NULL,
	points     TEXT NOT NULL,             -- JSON [[step, loss | null], ...]
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (job_id, attempt)
) STRICT;

-- An attempt its worker stopped and handed back for a retry, and why:
-- 'nan_loss' (the loss was NaN or infinite for worker.nan_steps steps).
-- NULL: handed back because the worker stopped, or a lease that expired.
ALTER TABLE job_attempts ADD COLUMN stop TEXT CHECK (stop IN ('nan_loss'));
