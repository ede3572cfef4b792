-- 0008 (participants serve themselves): folded team names, invite codes,
-- the team lock and texts of a track, the reason a team was disabled,
-- when a token was last used, and what a session was opened from.

-- A team's name folded for uniqueness: ASCII letters lowered, leading
-- and trailing blanks dropped, every run of blanks inside one space
-- (util_fold_name() in C computes it for every new name), so "ALPHA",
-- "alpha " and "alpha" are one name.  Names that already fold alike keep
-- their rows: all but the first get "#<id>" appended to their key.
ALTER TABLE teams ADD COLUMN name_key TEXT;
UPDATE teams SET name_key = lower(trim(replace(replace(replace(replace(
    replace(replace(name, char(9), ' '), char(10), ' '), char(13), ' '),
    '    ', ' '), '  ', ' '), '  ', ' ')));
UPDATE teams SET name_key = name_key || '#' || id
    WHERE id NOT IN (SELECT MIN(id) FROM teams GROUP BY name_key);
CREATE UNIQUE INDEX teams_name_key ON teams(name_key);

-- Why the organizers disabled the team (shown to its members at login).
ALTER TABLE teams ADD COLUMN disabled_reason TEXT;

-- Invite codes of a team: only the SHA-256 of the code is stored.  uses
-- counts the joins it allowed; max_uses 0 means no limit.
CREATE TABLE team_invites (
	id          INTEGER PRIMARY KEY,
	team_id     INTEGER NOT NULL REFERENCES teams(id),
	code_hash   TEXT NOT NULL UNIQUE,
	max_uses    INTEGER NOT NULL DEFAULT 1 CHECK (max_uses >= 0),
	uses        INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
	expires_at  INTEGER,
	created_by  INTEGER REFERENCES users(id),
	created_at  INTEGER NOT NULL,
	revoked_at  INTEGER
) STRICT;
CREATE INDEX team_invites_team ON team_invites(team_id);

-- Per track: after teams_lock_at (UNIX seconds) no one joins or leaves a
-- team; the overview and rules are plain text shown on the track's page.
ALTER TABLE tracks ADD COLUMN teams_lock_at INTEGER;
ALTER TABLE tracks ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE tracks ADD COLUMN overview TEXT NOT NULL DEFAULT '';
ALTER TABLE tracks ADD COLUMN rules TEXT NOT NULL DEFAULT '';

-- When a token last authenticated a request (updated at most once a
-- minute per token).
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;

-- What a web session was opened from, shown on the account page.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;

-- The name of the file the participant uploaded (its basename), given to
-- downloads of the submission; NULL for older rows.
ALTER TABLE submissions ADD COLUMN original_name TEXT;
