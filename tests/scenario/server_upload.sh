#!/bin/sh
# Uploads under stress: a 500 MB upload with the server's RSS measured,
# 50 concurrent uploads from several teams (every one answered and stored
# once, database intact), and the server killed with SIGKILL in the middle
# of an upload (after a restart: no half submission, no orphan file,
# everything accepted before still there).
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
for i in 1 2 3 4 5; do
	"$DO" team add "team$i" --db "$DB" >/dev/null
	echo "pw-$i-secret" | "$DO" user add --team "team$i" --email "u$i@x.org" --db "$DB" >/dev/null
	"$DO" token create --email "u$i@x.org" --db "$DB" 2>/dev/null >"$T/tok$i"
done
start_server --set submissions.max_upload_mb=600 \
    --set submissions.max_active_jobs=1000 || exit 1

# --- 500 MB: the body streams to disk, memory stays flat ---
yes coco_0 | head -c 500000000 >"$T/big.txt"
req GET /healthz
req GET /api/v1/tracks -H "Authorization: Bearer $TA"
HWM0=$(rss_kb "$PID" VmHWM)
START=$(date +%s.%N)
req POST "/api/v1/submissions?track=std&method_name=big" -H "Authorization: Bearer $TA" \
    -H 'Content-Type: text/plain' -T "$T/big.txt"
END=$(date +%s.%N)
HWM1=$(rss_kb "$PID" VmHWM)
GROW=$(( (HWM1 - HWM0) / 1024 ))
echo "# 500 MB upload + validation: $(awk "BEGIN { printf \"%.1f\", $END - $START }") s, peak RSS $((HWM0 / 1024)) -> $((HWM1 / 1024)) MB (+$GROW MB)"
expect 422 "500 MB of duplicate IDs: answered 422"
check "the 422 counts every error but lists 100" jtrue 'd["error"]["n_errors"] > 1000000 and len(d["error"]["details"]) == 100'
check "server RSS grew by at most 40 MB during the 500 MB upload (+$GROW MB)" [ "$GROW" -le 40 ]
check "the rejected upload left no file" sh -c "[ -z \"\$(ls '$T/state/tmp')\" ]"
rm -f "$T/big.txt"

# --- 50 concurrent uploads from 5 teams ---
i=0
while [ $i -lt 50 ]; do
	pool_ids 10 $((i * 10)) >"$T/c$i.txt"
	i=$((i + 1))
done
i=0
CPIDS=""
while [ $i -lt 50 ]; do
	tok=$(cat "$T/tok$((i % 5 + 1))")
	( curl -s -o "$T/c$i.out" -w '%{http_code}\n' --max-time 120 -X POST \
	    "$URL/api/v1/submissions?track=std&method_name=c$i" \
	    -H "Authorization: Bearer $tok" -H 'Content-Type: text/plain' \
	    --data-binary @"$T/c$i.txt" >"$T/c$i.code" ) &
	echo $! >>"$T/bgpids"
	CPIDS="$CPIDS $!"
	i=$((i + 1))
done
for p in $CPIDS; do wait "$p"; done
n201=$(cat "$T"/c*.code | grep -c 201)
nans=$(cat "$T"/c*.code | grep -c '^[0-9][0-9][0-9]$')
check "50 concurrent uploads: every one answered ($nans)" [ "$nans" -eq 50 ]
check "50 concurrent uploads: all accepted ($n201)" [ "$n201" -eq 50 ]
rows=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM submissions')
check "every accepted upload stored once ($rows rows)" [ "$rows" -eq "$n201" ]
bad=0
i=0
while [ $i -lt 50 ]; do
	id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["submission"]["id"])' "$T/c$i.out" 2>/dev/null)
	if ! cmp -s "$T/state/submissions/$id.txt" "$T/c$i.txt"; then bad=$((bad + 1)); fi
	i=$((i + 1))
done
check "each stored file is its upload" [ "$bad" -eq 0 ]
check "50 files in the submissions dir" [ "$(ls "$T/state/submissions" | wc -l)" -eq 50 ]
teams=$(sqlite3 "$DB" 'SELECT COUNT(DISTINCT team_id) FROM submissions')
check "from 5 teams" [ "$teams" -eq 5 ]
check "PRAGMA integrity_check: ok" [ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ]
check "no sanitizer report" no_sanitizer_errors

# --- SIGKILL in the middle of an upload ---
yes coco_1 | head -c 60000000 >"$T/mid.txt"
( curl -s -o /dev/null --limit-rate 10M -X POST \
    "$URL/api/v1/submissions?track=std&method_name=killed" \
    -H "Authorization: Bearer $TA" -H 'Content-Type: text/plain' \
    -T "$T/mid.txt" ) &
CP=$!
echo $CP >>"$T/bgpids"
# half-way: its temporary file is there and growing (60 MB at 10 MB/s)
wait_until 10 sh -c "[ \$(du -k '$T/state/tmp' | cut -f1) -gt 4000 ]"
PARTIAL=$(ls "$T/state/tmp" | wc -l)
kill -KILL "$PID"; wait "$PID" 2>/dev/null; PID=""
wait "$CP"
check "the upload was half-way when the server died" [ "$PARTIAL" -ge 1 ]
echo fake >"$T/state/submissions/s_orphan.txt"	# as if killed between rename and commit
start_server || exit 1
check "after restart: no temporary file left" sh -c "[ -z \"\$(ls '$T/state/tmp')\" ]"
check "after restart: the orphan file is gone" [ ! -e "$T/state/submissions/s_orphan.txt" ]
check "after restart: no half submission" [ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM submissions WHERE method_name = 'killed'")" -eq 0 ]
check "after restart: everything accepted before is there" [ "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM submissions')" -eq 50 ]
check "after restart: every row has its file" [ "$(ls "$T/state/submissions" | wc -l)" -eq 50 ]
check "after restart: integrity ok" [ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ]
req GET /api/v1/submissions?limit=500 -H "Authorization: Bearer $(cat "$T/tok1")"
check "after restart: the API lists a team's 10" jtrue 'd["total"] == 10'
check "SIGTERM: clean exit" stop_server
check "no sanitizer report" no_sanitizer_errors
