#!/bin/sh
# A new participant from the sign-up page to a scored submission, driven
# as a participant would: a daemon with registration open (the
# organizer's only step), a real dataoptim-worker, and
# tests/browser/journey.test.mjs in Chromium plus the dataoptim CLI:
# sign-up → team → invite → teammate → account token → CLI login →
# submit --wait → scored → the teammate sees it.  Chromium is slow, so
# like browser.sh this runs against the plain build only.
DO_BIN=${DO_BIN:-bin}
if [ "$DO_BIN" != bin ]; then
	echo "# journey skipped for DO_BIN=$DO_BIN (runs once, against bin/)"
	exit 0
fi
. "$(dirname "$0")/lib/worker_env.sh"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "not ok 1 - chromium is installed at $CHROMIUM (make deps)"; exit 1; }

make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
mkdir -p "$T/state" "$T/home"
{ "$DO" migrate --db "$DB" &&
  "$DO" team add ops --db "$DB" &&
  echo 'worker-pass-1234' | "$DO" user add --team ops --email w@x.org --db "$DB" &&
  "$DO" track add --slug std --kind standard --budget 1000 --db "$DB"; } >"$T/setup.log" 2>&1 ||
	{ echo "not ok 1 - setup"; sed 's/^/#   /' "$T/setup.log"; exit 1; }
TW=$("$DO" token create --email w@x.org --role worker --db "$DB" 2>/dev/null)
start_server --set server.allow_register=true --set leaderboard.cache_seconds=0 || exit 1
start_worker A

DO_URL="$URL" DO_TRACK=std DO_EXAMPLE="$SHARED/example-standard.txt" \
DO_CLI="$DO" DO_POOL="$POOL" DO_HOME="$T/home" CHROMIUM="$CHROMIUM" \
DO_SHOTS="${DO_SHOTS:-}" node tests/browser/journey.test.mjs
rc=$?
if [ $rc -ne 0 ]; then
	echo "# worker log:"; tail -n 20 "$T/worker-A.log" | sed 's/^/#   /'
fi
exit $rc
