#!/bin/sh
# Browser tests: the web pages in Debian's headless Chromium, driven by
# playwright-core (tests/browser/), against a real dataoptimd on a loopback
# port with a temporary state directory and a synthetic pool: first the
# participant's pages (submit.test.mjs), then the organizer pages and the
# participant's side of them (admin.test.mjs), then the validator's
# warnings on the submit and submission pages (warnings.test.mjs, BYOD
# files made from example-byod.json) on the same daemon.  Prints
# the tests' "ok N - ..." lines.  Chromium is slow, so this runs against the
# plain build only (DO_BIN=bin) and skips the sanitizer build.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
DO_BIN=${DO_BIN:-bin}
SHARED=${DATAOPTIM_SHARED:-$ROOT/../shared/dataoptim}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ "$DO_BIN" != bin ]; then
	echo "# browser test skipped for DO_BIN=$DO_BIN (runs once, against bin/)"
	exit 0
fi

fail() {
	echo "not ok 1 - $1"
	[ $# -gt 1 ] && [ -f "$2" ] && sed 's/^/#   /' "$2" | tail -n 30
	exit 1
}

for p in "$DO_BIN/dataoptim" "$DO_BIN/dataoptimd"; do
	[ -x "$p" ] || fail "$p is built"
done
[ -x "$CHROMIUM" ] || fail "chromium is installed at $CHROMIUM (make deps)"
command -v node >/dev/null 2>&1 || fail "node is installed (make deps)"
[ -f "$SHARED/example-standard.txt" ] || fail "example-standard.txt found in $SHARED"

T=$(mktemp -d "${TMPDIR:-/tmp}/dataoptim-browser.XXXXXX") || exit 2
PID=""
cleanup() {
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# playwright-core, pinned in package-lock.json, installed by make deps (it
# never downloads a browser); the test run itself needs no registry
[ -f tests/browser/node_modules/playwright-core/package.json ] ||
	fail "playwright-core is installed in tests/browser/node_modules (make deps)"

# synthetic pool, database, team, user, track
DB="$T/state/dataoptim.db"
EMAIL="browser@example.org"
PASSWORD="browser-test-$$-pw"
TRACK="browser-std"
mkdir -p "$T/state"
{
	"$DO_BIN/dataoptim" pool synth --out "$T/pool" --scale 0.001 &&
	"$DO_BIN/dataoptim" pool build --data "$T/pool/data" --out "$T/pool.idx" &&
	"$DO_BIN/dataoptim" migrate --db "$DB" &&
	"$DO_BIN/dataoptim" team add "Browser Team" --db "$DB" &&
	printf '%s\n' "$PASSWORD" |
	    "$DO_BIN/dataoptim" user add --team "Browser Team" --email "$EMAIL" --db "$DB" &&
	"$DO_BIN/dataoptim" track add --slug "$TRACK" --kind standard --budget 1000 --db "$DB" &&
	"$DO_BIN/dataoptim" track add --slug browser-quota --kind standard --budget 1000 \
	    --per-day 1 --db "$DB" &&
	"$DO_BIN/dataoptim" track add --slug browser-closed --kind standard --budget 1000 \
	    --closes 2020-01-01 --db "$DB" &&
	"$DO_BIN/dataoptim" track add --slug browser-admin --kind standard --budget 1000 \
	    --per-day 5 --total 9 --db "$DB" &&
	printf '%s\n' "$PASSWORD-ops" |
	    "$DO_BIN/dataoptim" user add --admin --email "ops@example.org" --db "$DB" &&
	"$DO_BIN/dataoptim" team add "Warn Team" --db "$DB" &&
	printf '%s\n' "$PASSWORD-warn" |
	    "$DO_BIN/dataoptim" user add --team "Warn Team" --email "warn@example.org" --db "$DB" &&
	"$DO_BIN/dataoptim" track add --slug browser-byod --kind byod --budget 1000 --db "$DB"
} >"$T/setup.log" 2>&1 || fail "set up pool, database, team, user and track" "$T/setup.log"
# BYOD files with warnings: <image> twice in item 6's human turn, item 8's
# first human turn over 2048 tokens; and the same with an error (<unk>)
python3 - "$SHARED/example-byod.json" "$T" >>"$T/setup.log" 2>&1 <<'PY' ||
import copy, json, sys
items = json.load(open(sys.argv[1]))
warn = copy.deepcopy(items)
c = warn[6]["conversations"][0]
c["value"] = c["value"].replace("<image>", "<image> <image>")
warn[8]["conversations"][0]["value"] += " word" * 3000
json.dump(warn, open(sys.argv[2] + "/warn.json", "w"))
warn[2]["conversations"][1]["value"] += " <unk>"
json.dump(warn, open(sys.argv[2] + "/warn-bad.json", "w"))
PY
	fail "make the BYOD files with warnings" "$T/setup.log"
# a worker token: the test plays the worker to get the submission scored
WORKER_TOKEN=$("$DO_BIN/dataoptim" token create --email "ops@example.org" \
    --role worker --db "$DB" 2>>"$T/setup.log") && [ -n "$WORKER_TOKEN" ] ||
	fail "create a worker token" "$T/setup.log"
# the participant's own token: the admin test submits through the API
USER_TOKEN=$("$DO_BIN/dataoptim" token create --email "$EMAIL" \
    --db "$DB" 2>>"$T/setup.log") && [ -n "$USER_TOKEN" ] ||
	fail "create a participant token" "$T/setup.log"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
	fail "find a free port"
"$DO_BIN/dataoptimd" --listen "127.0.0.1:$PORT" --db "$DB" --state-dir "$T/state" \
    --pool "$T/pool.idx" --static-dir static --set submissions.max_upload_mb=1 \
    --set server.allow_register=true \
    >"$T/daemon.log" 2>&1 &
PID=$!
up=0
for _ in $(seq 1 100); do
	if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then
		up=1; break
	fi
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
done
[ "$up" = 1 ] || fail "dataoptimd answers /healthz on port $PORT" "$T/daemon.log"

DO_URL="http://127.0.0.1:$PORT" DO_EMAIL="$EMAIL" DO_PASSWORD="$PASSWORD" \
DO_TRACK="$TRACK" DO_EXAMPLE="$SHARED/example-standard.txt" CHROMIUM="$CHROMIUM" \
DO_WORKER_TOKEN="$WORKER_TOKEN" DO_QUOTA_TRACK=browser-quota \
DO_CLOSED_TRACK=browser-closed DO_MAX_UPLOAD_MB=1 DO_SHOTS="${DO_SHOTS:-}" \
    node tests/browser/submit.test.mjs
rc=$?
DO_URL="http://127.0.0.1:$PORT" DO_EMAIL="$EMAIL" DO_PASSWORD="$PASSWORD" \
DO_ADMIN_EMAIL="ops@example.org" DO_ADMIN_PASSWORD="$PASSWORD-ops" \
DO_PARTICIPANT_TOKEN="$USER_TOKEN" DO_WORKER_TOKEN="$WORKER_TOKEN" \
DO_ADMIN_TRACK=browser-admin DO_EXAMPLE="$SHARED/example-standard.txt" \
CHROMIUM="$CHROMIUM" DO_SHOTS="${DO_SHOTS:-}" \
    node tests/browser/admin.test.mjs
rc2=$?
[ "$rc" -ne 0 ] || rc=$rc2
DO_URL="http://127.0.0.1:$PORT" DO_EMAIL="warn@example.org" \
DO_PASSWORD="$PASSWORD-warn" DO_BYOD_TRACK=browser-byod \
DO_WARN_FILE="$T/warn.json" DO_WARN_BAD_FILE="$T/warn-bad.json" \
DO_BYOD_EXAMPLE="$SHARED/example-byod.json" CHROMIUM="$CHROMIUM" \
DO_SHOTS="${DO_SHOTS:-}" \
    node tests/browser/warnings.test.mjs
rc2=$?
[ "$rc" -ne 0 ] || rc=$rc2
# a track's page, the leaderboard's track parts and 390 px
# layouts, with Chromium under TZ=America/New_York (track.test.mjs), on a
# track of its own
ADMIN_TOKEN=$("$DO_BIN/dataoptim" token create --email "ops@example.org" \
    --db "$DB" 2>>"$T/setup.log") &&
"$DO_BIN/dataoptim" track add --slug browser-page --kind standard --budget 1000 \
    --db "$DB" >>"$T/setup.log" 2>&1 ||
	fail "create the page test's admin token and track" "$T/setup.log"
DO_URL="http://127.0.0.1:$PORT" DO_EMAIL="$EMAIL" DO_PASSWORD="$PASSWORD" \
DO_ADMIN_EMAIL="ops@example.org" DO_ADMIN_PASSWORD="$PASSWORD-ops" \
DO_ADMIN_TOKEN="$ADMIN_TOKEN" DO_PARTICIPANT_TOKEN="$USER_TOKEN" \
DO_WORKER_TOKEN="$WORKER_TOKEN" DO_PAGE_TRACK=browser-page \
DO_EXAMPLE="$SHARED/example-standard.txt" CHROMIUM="$CHROMIUM" \
DO_SHOTS="${DO_SHOTS:-}" \
    node tests/browser/track.test.mjs
rc2=$?
[ "$rc" -ne 0 ] || rc=$rc2
# sign-up and teams (the daemon has server.allow_register on)
DO_URL="http://127.0.0.1:$PORT" DO_TRACK="$TRACK" DO_DB="$DB" \
DO_EXAMPLE="$SHARED/example-standard.txt" CHROMIUM="$CHROMIUM" \
DO_SHOTS="${DO_SHOTS:-}" \
    node tests/browser/team.test.mjs
rc2=$?
[ "$rc" -ne 0 ] || rc=$rc2
# the account page, with a participant of its own (its
# password changes), added to the live database with the CLI
ACCT_EMAIL="account@example.org"
if { "$DO_BIN/dataoptim" team add "Account Team" --db "$DB" &&
	printf '%s\n' "$PASSWORD-acct" | "$DO_BIN/dataoptim" user add \
	    --team "Account Team" --email "$ACCT_EMAIL" --db "$DB"; } >>"$T/setup.log" 2>&1; then
	DO_URL="http://127.0.0.1:$PORT" DO_EMAIL="$ACCT_EMAIL" \
	DO_PASSWORD="$PASSWORD-acct" CHROMIUM="$CHROMIUM" DO_SHOTS="${DO_SHOTS:-}" \
	    node tests/browser/account.test.mjs
	rc2=$?
else
	echo "not ok 1 - set up the account page's participant"; rc2=1
fi
[ "$rc" -ne 0 ] || rc=$rc2
# the submit page before and after the upload
# (submit2.test.mjs), with a real dataoptim-worker on the proxy backend
# started for it (after the tests above, which play the worker by hand)
E_EMAIL="submit2@example.org"
{
	"$DO_BIN/dataoptim" team add "Submit2 Team" --db "$DB" &&
	printf '%s\n' "$PASSWORD-e" |
	    "$DO_BIN/dataoptim" user add --team "Submit2 Team" --email "$E_EMAIL" --db "$DB" &&
	"$DO_BIN/dataoptim" track add --slug e-std --kind standard --budget 1000 --db "$DB" &&
	"$DO_BIN/dataoptim" track add --slug e-byod --kind byod --budget 1000 --db "$DB" &&
	"$DO_BIN/dataoptim" track add --slug e-quota --kind standard --budget 1000 \
	    --total 1 --db "$DB" &&
	"$DO_BIN/dataoptim" track add --slug e-later --kind standard --budget 1000 \
	    --opens 2099-01-01 --db "$DB"
} >>"$T/setup.log" 2>&1 || fail "set up the submit2 team, user and tracks" "$T/setup.log"
E_TOKEN=$("$DO_BIN/dataoptim" token create --email "$E_EMAIL" --db "$DB" 2>>"$T/setup.log")
E_WTOKEN=$("$DO_BIN/dataoptim" token create --email "ops@example.org" --role worker \
    --db "$DB" 2>>"$T/setup.log")
"$DO_BIN/dataoptim-worker" --server "http://127.0.0.1:$PORT" --token "$E_WTOKEN" \
    --work-dir "$T/w-e" --name browser-e --pool "$T/pool.idx" --val "$T/pool/val.json" \
    --set worker.claim_min_ms=100 --set worker.claim_max_ms=400 \
    >"$T/worker-e.log" 2>&1 &
E_WPID=$!
DO_URL="http://127.0.0.1:$PORT" DO_EMAIL="$E_EMAIL" DO_PASSWORD="$PASSWORD-e" \
DO_TOKEN="$E_TOKEN" DO_STD_TRACK=e-std DO_BYOD_TRACK=e-byod DO_QUOTA_TRACK=e-quota \
DO_LATER_TRACK=e-later \
DO_EXAMPLE="$SHARED/example-standard.txt" DO_BYOD_EXAMPLE="$SHARED/example-byod.json" \
CHROMIUM="$CHROMIUM" DO_SHOTS="${DO_SHOTS:-}" \
    node tests/browser/submit2.test.mjs
rc2=$?
kill "$E_WPID" 2>/dev/null
wait "$E_WPID" 2>/dev/null
if [ "$rc2" -ne 0 ]; then
	echo "# dataoptim-worker log (last lines):"
	tail -n 20 "$T/worker-e.log" | sed 's/^/#   /'
fi
[ "$rc" -ne 0 ] || rc=$rc2

# the submit page sent an Idempotency-Key with its uploads
n=$(sqlite3 "$DB" "SELECT COUNT(*) FROM idempotency_keys WHERE key LIKE 'web-%'" 2>/dev/null)
if [ "${n:-0}" -ge 1 ]; then
	echo "ok 100 - the submit page sends an Idempotency-Key with each upload ($n kept)"
else
	echo "not ok 100 - the submit page sends an Idempotency-Key with each upload"
	rc=1
fi
if [ "$rc" -ne 0 ]; then
	echo "# dataoptimd log (last lines):"
	tail -n 40 "$T/daemon.log" | sed 's/^/#   /'
fi
exit "$rc"
