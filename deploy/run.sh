#!/bin/sh
# make run: the whole server on an embedded demo.  Makes (once) a small
# synthetic pool and its index under the state directory, the database
# with a demo team, user and two tracks, then runs dataoptimd on
# 127.0.0.1:8080 and one dataoptim-worker on the proxy backend beside it,
# prints the URL and the credentials last, and stays quiet until Ctrl-C,
# which stops both.  Safe to run again: what exists is kept, and the same
# credentials are printed.
#
#   DO_LISTEN=ADDR:PORT   where the server listens (127.0.0.1:8080)
#   DO_STATE=DIR          the state directory (state, in the checkout)
#
# The programs' logs: $DO_STATE/dataoptimd.log and $DO_STATE/worker.log.
set -eu
cd "$(dirname "$0")/.."
BIN=${DO_BIN:-bin}
STATE=${DO_STATE:-state}
LISTEN=${DO_LISTEN:-127.0.0.1:8080}
CONFIG=config/dataoptim.ini
DB=$STATE/dataoptim.db
POOL=$STATE/pool/pool.idx
SLOG=$STATE/dataoptimd.log
WLOG=$STATE/worker.log
mkdir -p "$STATE"
umask 077

# (again when the index is from an older version or damaged: the demo
# pool is synthetic and deterministic, so it comes back the same)
if [ -f "$POOL" ] && ! "$BIN/dataoptim" pool stats "$POOL" >/dev/null 2>&1; then
	echo "run: the demo pool index is out of date or damaged; remaking it"
	rm -f "$POOL"
fi
if [ ! -f "$POOL" ]; then
	echo "run: making a synthetic pool (scale 0.01) in $STATE/pool ..."
	rm -rf "$STATE/pool"
	"$BIN/dataoptim" pool synth --out "$STATE/pool" --scale 0.01 >/dev/null
	"$BIN/dataoptim" pool build --data "$STATE/pool/data" --out "$POOL" \
	    >/dev/null
fi
"$BIN/dataoptim" migrate --db "$DB" >/dev/null

# demo accounts and tracks ("exists" answers are fine on a re-run)
"$BIN/dataoptim" team add demo --db "$DB" >/dev/null 2>&1 || true
"$BIN/dataoptim" team add organizers --db "$DB" >/dev/null 2>&1 || true
if [ ! -s "$STATE/demo-password" ]; then
	head -c 12 /dev/urandom | base64 | tr -d '/+=' >"$STATE/demo-password"
fi
PW=$(cat "$STATE/demo-password")
"$BIN/dataoptim" user add --team demo --email demo@example.org --db "$DB" \
    <"$STATE/demo-password" >/dev/null 2>&1 || true
"$BIN/dataoptim" user add --team organizers --email worker@example.org \
    --db "$DB" </dev/null >/dev/null 2>&1 || true
if [ ! -s "$STATE/demo-token" ]; then
	"$BIN/dataoptim" token create --email demo@example.org --db "$DB" \
	    2>/dev/null >"$STATE/demo-token"
fi
if [ ! -s "$STATE/worker-token" ]; then
	"$BIN/dataoptim" token create --email worker@example.org --role worker \
	    --label demo-worker --db "$DB" 2>/dev/null >"$STATE/worker-token"
fi
"$BIN/dataoptim" track add --slug demo-standard --kind standard --budget 10000 \
    --per-day 10 --db "$DB" >/dev/null 2>&1 || true
"$BIN/dataoptim" track add --slug demo-byod --kind byod --budget 10000 \
    --per-day 10 --db "$DB" >/dev/null 2>&1 || true

SERVER=""
WORKER=""
stop() {
	[ -n "$WORKER" ] && kill -TERM "$WORKER" 2>/dev/null
	[ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null
	return 0
}
trap stop INT TERM HUP

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) make run: dataoptimd on $LISTEN" >>"$SLOG"
"$BIN/dataoptimd" --config "$CONFIG" --listen "$LISTEN" --db "$DB" \
    --state-dir "$STATE" --pool "$POOL" --set server.allow_register=true \
    >>"$SLOG" 2>&1 &
SERVER=$!
# up when /healthz answers (503 "degraded" too: it says why); a server
# that cannot start says why in its log
up=0
for _ in $(seq 1 100); do
	code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 2 \
	    "http://$LISTEN/healthz" 2>/dev/null) || code=000
	if [ "$code" != 000 ]; then
		up=1
		break
	fi
	kill -0 "$SERVER" 2>/dev/null || break
	sleep 0.1
done
if [ "$up" = 0 ]; then
	rc=0
	kill -0 "$SERVER" 2>/dev/null && kill -TERM "$SERVER" 2>/dev/null
	wait "$SERVER" || rc=$?
	echo "run: dataoptimd did not start (exit $rc); the end of $SLOG:" >&2
	tail -n 5 "$SLOG" | sed 's/^/  /' >&2
	exit 1
fi

# One worker on the proxy backend (no GPU), with the demo worker token.
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) make run: demo-worker" >>"$WLOG"
"$BIN/dataoptim-worker" --config config/worker.ini --server "http://$LISTEN" \
    --token-file "$STATE/worker-token" --work-dir "$STATE/worker" \
    --pool "$POOL" --val "$STATE/pool/val.json" --name demo-worker \
    >>"$WLOG" 2>&1 &
WORKER=$!

health=$(curl -sS --max-time 2 "http://$LISTEN/healthz" 2>/dev/null || true)
case $health in
*'"degraded"'*) echo "run: warning: the server says it is degraded: $health" >&2 ;;
esac

cat <<MSG

  DataOptim runs on http://$LISTEN/
    web login:     demo@example.org / $PW
    sign up:       http://$LISTEN/signup   (registration is open in this demo)
    CLI:           $BIN/dataoptim login --server http://$LISTEN --token - <$STATE/demo-token
    API token:     $(cat "$STATE/demo-token")   (Authorization: Bearer ...)
    worker token:  $(cat "$STATE/worker-token")   (in $STATE/worker-token)
    tracks:        demo-standard (ID lists), demo-byod (LLaVA JSON)
    worker:        demo-worker on the proxy backend
    logs:          $SLOG, $WLOG
    try:           curl -H "Authorization: Bearer \$(cat $STATE/demo-token)" \\
                     -H 'Content-Type: text/plain' --data-binary @../shared/dataoptim/example-standard.txt \\
                     'http://$LISTEN/api/v1/submissions?track=demo-standard&method_name=example'
  Stop with Ctrl-C.

MSG

# Wait for the server (a signal interrupts wait: go on waiting), then stop
# the worker too.
rc=0
while kill -0 "$SERVER" 2>/dev/null; do
	if wait "$SERVER"; then rc=0; else rc=$?; fi
done
kill -TERM "$WORKER" 2>/dev/null || true
while kill -0 "$WORKER" 2>/dev/null; do
	wait "$WORKER" 2>/dev/null || true
done
if [ "$rc" -ne 0 ]; then
	echo "run: dataoptimd stopped with status $rc; the end of $SLOG:" >&2
	tail -n 5 "$SLOG" | sed 's/^/  /' >&2
	exit "$rc"
fi
echo "run: stopped (logs in $SLOG, $WLOG)"
