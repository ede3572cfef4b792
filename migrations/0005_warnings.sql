-- 0005: the validator's warnings, kept with the submission.  A warning
-- does not reject the file (an item LLaVA may train poorly on: truncated,
-- an image it ignores ...); the team sees them on the submission.
--
-- warnings: a JSON array of the first warnings (at most 100, the server's
-- VRESULT_KEEP), each {item?, line?, offset?, path?, message} as in the
-- 422's details; a path is under 160 bytes and a message under 256, so
-- the text stays in the tens of kilobytes.  n_warnings: how many were
-- found in all (the array may hold fewer).  Submissions made before this
-- migration have '[]' and 0: their warnings were not recorded.
ALTER TABLE submissions ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(warnings) AND json_type(warnings) = 'array'
        AND json_array_length(warnings) <= 100);
ALTER TABLE submissions ADD COLUMN n_warnings INTEGER NOT NULL DEFAULT 0
    CHECK (n_warnings >= json_array_length(warnings));
