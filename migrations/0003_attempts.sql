-- 0003: the attempt history.  Every attempt that ended without finishing
-- its job -- its lease expired, or its worker handed it back -- is kept
-- here with the worker's name.  jobs.attempt stays the fencing token (one
-- more on every claim); the max-attempts rule counts only the failed
-- ones ('expired') since the job's last re-run (attempt numbers above the
-- newest job_history row's), so hand-backs use up nothing.

CREATE TABLE job_attempts (
	id        INTEGER PRIMARY KEY,
	job_id    TEXT NOT NULL REFERENCES jobs(id),
	attempt   INTEGER NOT NULL,
	outcome   TEXT NOT NULL CHECK (outcome IN ('expired', 'released')),
	worker    TEXT,
	error     TEXT,
	ended_at  INTEGER NOT NULL,
	UNIQUE (job_id, attempt)
) STRICT;
CREATE INDEX job_attempts_worker ON job_attempts(worker, ended_at);
