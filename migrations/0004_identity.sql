-- 0004: the identity that ties a database to its state directory, the
-- token that holds each job's running attempt, and idempotency keys.
--
-- The identity: the server writes one random value here and in
-- STATE_DIR/IDENTITY the first time it starts on them, and refuses to start when the two differ (a
-- mistyped --db or --state-dir), so that a database never judges another
-- state directory's stored submissions as orphans.

CREATE TABLE state_identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    value       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- The worker token (api_tokens.id) that claimed the running attempt: only
-- it may heartbeat, download, post the result of or hand back that
-- attempt.  NULL for attempts claimed before this migration (any worker).
ALTER TABLE jobs ADD COLUMN claim_token INTEGER REFERENCES api_tokens(id);

-- Idempotency-Key of POST /api/v1/submissions: a retried upload (the
-- client lost the 201) gets the submission its first try made.  Per team;
-- a key is kept a day (older rows are replaced or removed on the team's
-- next upload).
CREATE TABLE idempotency_keys (
    team_id        INTEGER NOT NULL REFERENCES teams(id),
    key            TEXT NOT NULL,
    submission_id  TEXT NOT NULL REFERENCES submissions(id),
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (team_id, key)
) STRICT;
