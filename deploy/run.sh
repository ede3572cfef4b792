#!/bin/sh
# make run: the whole server on an embedded demo.  Makes (once) a small
# synthetic pool and its index under ./state, the database with a demo
# team, user and two tracks, then runs dataoptimd in the foreground on
# 127.0.0.1:8080 and one dataoptim-worker on the proxy backend beside it
# (stopped when the server stops).  Safe to run again: what exists is
# kept, and the same credentials are printed.
set -eu
cd "$(dirname "$0")/.."
BIN=${DO_BIN:-bin}
STATE=${DO_STATE:-state}
LISTEN=${DO_LISTEN:-127.0.0.1:8080}
CONFIG=config/dataoptim.ini
DB=$STATE/dataoptim.db
POOL=$STATE/pool/pool.idx
mkdir -p "$STATE"
umask 077

if [ ! -f "$POOL" ]; then
	echo "run: making a synthetic pool (scale 0.01) in $STATE/pool ..."
	rm -rf "$STATE/pool"
	"$BIN/dataoptim" pool synth --out "$STATE/pool" --scale 0.01
	"$BIN/dataoptim" pool build --data "$STATE/pool/data" --out "$POOL"
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

cat <<MSG

  DataOptim is starting on http://$LISTEN/
    web login:     demo@example.org / $PW
    API token:     $(cat "$STATE/demo-token")   (Authorization: Bearer ...)
    worker token:  $(cat "$STATE/worker-token")   (in $STATE/worker-token)
    tracks:        demo-standard (ID lists), demo-byod (LLaVA JSON)
    try:           curl -H "Authorization: Bearer \$(cat $STATE/demo-token)" \\
                     -H 'Content-Type: text/plain' --data-binary @../shared/dataoptim/example-standard.txt \\
                     'http://$LISTEN/api/v1/submissions?track=demo-standard&method_name=example'
  Stop with Ctrl-C.

MSG
"$BIN/dataoptimd" --config "$CONFIG" --listen "$LISTEN" --db "$DB" \
    --state-dir "$STATE" --pool "$POOL" &
SERVER=$!
trap 'kill -TERM "$SERVER" 2>/dev/null' INT TERM
# One worker on the proxy backend (no GPU), with the demo worker token; it
# retries until the server listens, and stops when the server stops.
"$BIN/dataoptim-worker" --config config/worker.ini --server "http://$LISTEN" \
    --token-file "$STATE/worker-token" --work-dir "$STATE/worker" \
    --pool "$POOL" --val "$STATE/pool/val.json" --name demo-worker \
    >>"$STATE/worker.log" 2>&1 &
WORKER=$!
echo "  worker:        demo-worker on the proxy backend (log: $STATE/worker.log)"
rc=0
while kill -0 "$SERVER" 2>/dev/null; do
	wait "$SERVER" || rc=$?
done
kill -TERM "$WORKER" 2>/dev/null || true
wait "$WORKER" 2>/dev/null || true
exit "$rc"
