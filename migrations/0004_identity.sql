-- 0004: the identity that ties a database to its state directory.  The
-- server writes one random value here and in STATE_DIR/IDENTITY the first
-- time it starts on them, and refuses to start when the two differ (a
-- mistyped --db or --state-dir), so that a database never judges another
-- state directory's stored submissions as orphans.

CREATE TABLE state_identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    value       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
