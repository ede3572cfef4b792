#!/bin/sh
# Workers that die, stop, hang or lie, with real programs on loopback and
# a fake train command (lib/worker_env.sh) doing what each case needs:
#   SIGKILL during train: the lease expires, the other worker finishes
#   the job, one score; SIGTERM during train: the job is handed back at
#   once and the stage's process group is gone; cancel during train (a
#   stage that ignores SIGTERM): cancelled, its process group killed; a
#   train that hangs past its timeout and one that exits 0 without its
#   files: the job fails with a reason the participant reads; a stale
#   attempt's result is refused and changes nothing.
. "$(dirname "$0")/lib/worker_env.sh"

make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
make_fake_train
start_server --set jobs.lease_seconds=3 --set jobs.max_attempts=5 \
    --set submissions.max_active_jobs=10 || exit 1

n=0
# next_ids: a new ID list (a set never submitted before) in $IDS
next_ids() { n=$((n + 1)); IDS=$T/ids$n.txt; pool_ids $((50 + n)) $((n * 300)) >"$IDS"; }
in_train() { job_is "$TA" "$1" 'j["state"]=="running" and j["stage"]=="train"'; }
owner_of() {	# the worker whose log claims the job
	for w in A B C D E F G H; do
		grep -q "job $1 attempt $2: claimed" "$T/worker-$w.log" 2>/dev/null && { echo $w; return; }
	done
}

# ---- SIGKILL during train: lease expiry, the other worker finishes ----
echo slow >"$T/mode"
next_ids; submit "$TA" std "$IDS"; J=$JOB
start_worker A --set "$FAKE_CMD" --set "$FAKE_REQ"; PA=$WPID
start_worker B --set "$FAKE_CMD" --set "$FAKE_REQ"; PB=$WPID
sleep 0.5; bail_if_dead "$PA" "$PB"
check "SIGKILL: the job reaches train" wait_until 20 in_train "$J"
O=$(owner_of "$J" 1)
if [ "$O" = A ]; then KP=$PA; OTHER=B; else KP=$PB; OTHER=A; fi
G=$(pgid_of "$O" "$J")
echo ok >"$T/mode"
kill -KILL "$KP"
check "SIGKILL: the dead worker's stage group is gone too (its shim saw it die)" \
    wait_until 6 group_gone "$G"
check "SIGKILL: after the lease expired the other worker ($OTHER) finished it" \
    wait_until 40 job_is "$TA" "$J" 'j["state"]=="succeeded" and j["attempt"]==2'
check "SIGKILL: one score, one delivered result" \
    sh -c "[ \"\$(grep -c 'job $J attempt 2: result delivered' '$T/worker-$OTHER.log')\" -eq 1 ] && [ \"\$(cat '$T'/worker-*.log | grep -c 'job $J attempt [0-9]*: result delivered')\" -eq 1 ]"
req GET "/api/v1/jobs/$J" -H "Authorization: Bearer $TA"
check "SIGKILL: the job has its scores" jtrue '"overall" in d["job"]["scores"] and d["job"]["backend"]=="proxy"'
if [ "$O" = A ]; then kill -TERM "$PB"; wait "$PB"; else kill -TERM "$PA"; wait "$PA"; fi

# ---- SIGTERM during train: handed back at once ----
echo slow >"$T/mode"
start_worker C --set "$FAKE_CMD" --set "$FAKE_REQ"; PC=$WPID
next_ids; submit "$TA" std "$IDS"; J=$JOB
check "SIGTERM: the job reaches train" wait_until 20 in_train "$J"
G=$(pgid_of C "$J")
check "SIGTERM: the stage runs in its own process group" [ -n "$G" ] && ! group_gone "$G"
t0=$(date +%s)
kill -TERM "$PC"
check "SIGTERM: the job is queued again within 2 s" \
    wait_until 2 job_is "$TA" "$J" 'j["state"]=="queued" and "handed back" in (j["error"] or "")'
check "SIGTERM: the worker exits" wait_until 10 sh -c "! kill -0 $PC 2>/dev/null"
wait "$PC"; rc=$?
check "SIGTERM: exit status 0" [ "$rc" -eq 0 ]
check "SIGTERM: no process of the stage's group is left" wait_until 5 group_gone "$G"
# another worker picks it up and finishes it
echo ok >"$T/mode"
start_worker D --set "$FAKE_CMD" --set "$FAKE_REQ"; PD=$WPID
check "SIGTERM: the next worker finishes it (attempt 2)" \
    wait_until 30 job_is "$TA" "$J" 'j["state"]=="succeeded" and j["attempt"]==2'

# ---- cancel during train, with a stage that ignores SIGTERM ----
echo stubborn >"$T/mode"
next_ids; submit "$TA" std "$IDS"; J=$JOB; S=$SUB
check "cancel: the job reaches train" wait_until 20 in_train "$J"
G=$(pgid_of D "$J")
req POST "/api/v1/submissions/$S/cancel" -H "Authorization: Bearer $TA"
expect 200 "cancel: the owner cancels it"
check "cancel: the worker stops the stage on its next heartbeat" \
    wait_until 10 grep -q "job $J attempt 1: cancelled" "$T/worker-D.log"
check "cancel: no process of the stage's group is left (TERM, then KILL)" \
    wait_until 10 group_gone "$G"
check "cancel: the job stays cancelled" job_is "$TA" "$J" 'j["state"]=="cancelled"'
check "cancel: the worker lives on" alive "$PD"
kill -TERM "$PD"; wait "$PD"

# ---- a train that hangs past its timeout; one without its files ----
echo slow >"$T/mode"
start_worker F --set "$FAKE_CMD" --set "$FAKE_REQ" --set train.timeout=2; PF=$WPID
next_ids; submit "$TA" std "$IDS"; J=$JOB
check "timeout: the job fails" wait_until 30 job_is "$TA" "$J" 'j["state"]=="failed"'
check "timeout: the participant reads why" \
    jtrue 'j=d["job"]; "train: timed out after 2 s" in j["error"] and j["fault"]=="system"'
G=$(pgid_of F "$J")
check "timeout: no process of the stage's group is left" wait_until 5 group_gone "$G"
check "timeout: the failed attempt's directory is kept, marked FAILED" \
    [ -f "$T/w-F/jobs/$J-1/FAILED" ] && [ -f "$T/w-F/jobs/$J-1/job.log" ]
echo nofiles >"$T/mode"
next_ids; submit "$TA" std "$IDS"; J=$JOB
check "no files: the job fails" wait_until 30 job_is "$TA" "$J" 'j["state"]=="failed"'
check "no files: the participant reads which files are missing" \
    jtrue 'j=d["job"]; "exited 0 but left no config.json, trainer_state.json" in j["error"] and "pretending to train" in j["log_tail"]'
kill -TERM "$PF"; wait "$PF"

# ---- a stale attempt's result is refused and changes nothing ----
# G sends no heartbeat (worker.heartbeat=600): its lease expires while it
# trains; H takes attempt 2 and finishes first; G's result comes later.
echo slowok >"$T/mode"
next_ids; submit "$TA" std "$IDS"; J=$JOB
SLOW_SECONDS=6 start_worker G --set "$FAKE_CMD" --set "$FAKE_REQ" --set worker.heartbeat=600; PG=$WPID
check "stale: G has the job in train" wait_until 20 grep -q "job $J attempt 1: train: started" "$T/worker-G.log"
echo ok >"$T/mode"
start_worker H --set "$FAKE_CMD" --set "$FAKE_REQ"; PH=$WPID
check "stale: H finishes attempt 2" \
    wait_until 30 job_is "$TA" "$J" 'j["state"]=="succeeded" and j["attempt"]==2'
cp "$T/body" "$T/before"
check "stale: G's attempt-1 result is refused (409)" \
    wait_until 30 grep -q "job $J attempt 1: result refused (409)" "$T/worker-G.log"
req GET "/api/v1/jobs/$J" -H "Authorization: Bearer $TA"
check "stale: the job is unchanged (state, attempt, scores, finish time)" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["job"]; b = json.load(open(sys.argv[2]))["job"]
sys.exit(0 if all(a[k] == b[k] for k in ("state", "attempt", "scores", "finished_at", "error")) else 1)' "$T/before" "$T/body"
check "stale: G dropped its pending result" [ -z "$(find "$T/w-G/pending" -name '*.json')" ]
kill -TERM "$PG" "$PH"; wait "$PG"; wait "$PH"

check "no sanitizer report from the workers" worker_sanitizer_clean
check "SIGTERM: the server exits cleanly" stop_server
check "no sanitizer report from the server" no_sanitizer_errors
