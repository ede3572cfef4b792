-- 0007: what the worker says of a running stage beside its name, e.g.
-- "waiting in Slurm: Resources" while the train stage's batch job waits
-- in the cluster's queue (the heartbeat's "note"; NULL: nothing).
ALTER TABLE jobs ADD COLUMN stage_note TEXT;
