#!/bin/sh
# The pages' time helpers (static/js/time.js) under three time zones: UTC,
# America/New_York (daylight saving, a local date before the UTC one) and
# Asia/Kolkata (a half-hour offset); then the plain-text renderer of the
# track page (static/js/plaintext.js).  node only; no browser,
# no daemon.
cd "$(dirname "$0")/../.." || exit 2
command -v node >/dev/null 2>&1 || { echo "not ok 1 - node is installed (make deps)"; exit 1; }
rc=0
for tz in UTC America/New_York Asia/Kolkata; do
	TZ=$tz node tests/browser/time.test.mjs || rc=1
done
node tests/browser/plaintext.test.mjs || rc=1
exit $rc
