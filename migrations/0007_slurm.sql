-- 0007 (the Slurm executor): what the worker says of a running stage beside its name, e.g.
-- "waiting in Slurm: Resources" while the train stage's batch job waits
-- in the cluster's queue (the heartbeat's "note"; NULL: nothing).
ALTER TABLE jobs ADD COLUMN stage_note TEXT;

-- A worker hands an attempt back with stop 'slurm_fault' when its Slurm
-- node failed or the batch job was preempted (the claim's stops count
-- them).  The CHECK of job_attempts.stop changes: the table is made again
-- with the same columns and rows.
CREATE TABLE job_attempts_0007 (
	id        INTEGER PRIMARY KEY,
	job_id    TEXT NOT NULL REFERENCES jobs(id),
	attempt   INTEGER NOT NULL,
	outcome   TEXT NOT NULL CHECK (outcome IN ('expired', 'released')),
	worker    TEXT,
	error     TEXT,
	ended_at  INTEGER NOT NULL,
	stop      TEXT CHECK (stop IN ('nan_loss', 'slurm_fault')),
	UNIQUE (job_id, attempt)
) STRICT;
INSERT INTO job_attempts_0007 (id, job_id, attempt, outcome, worker, error,
    ended_at, stop)
    SELECT id, job_id, attempt, outcome, worker, error, ended_at, stop
    FROM job_attempts;
DROP TABLE job_attempts;
ALTER TABLE job_attempts_0007 RENAME TO job_attempts;
CREATE INDEX job_attempts_worker ON job_attempts(worker, ended_at);
