#!/bin/sh
# The server goes away while a worker trains: the worker finishes, keeps
# its result on disk (work_dir/pending/) and retries with backoff; once
# the server is back on the same address the result arrives.  Then the
# same with a worker that is itself stopped while the server is down:
# its next start delivers the saved result.
. "$(dirname "$0")/lib/worker_env.sh"

make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
make_fake_train
SRV="--set jobs.lease_seconds=60 --set submissions.max_active_jobs=10"
# shellcheck disable=SC2086
start_server $SRV || exit 1
ADDR=${URL#http://}
n=0
next_ids() { n=$((n + 1)); IDS=$T/ids$n.txt; pool_ids $((60 + n)) $((n * 400)) >"$IDS"; }
pending_of() { find "$T/w-$1/pending" -name "$2-*.json" 2>/dev/null | grep -q .; }

# ---- the server stops during train, comes back after the result ----
echo slowok >"$T/mode"
SLOW_SECONDS=4 start_worker A --set "$FAKE_CMD" --set "$FAKE_REQ" --set worker.heartbeat=1; PA=$WPID
next_ids; submit "$TA" std "$IDS"; J=$JOB
check "outage: the job reaches train" \
    wait_until 20 job_is "$TA" "$J" 'j["state"]=="running" and j["stage"]=="train"'
check "outage: the server stops" stop_server
check "outage: the worker finishes and keeps its result on disk" \
    wait_until 20 pending_of A "$J"
check "outage: the worker retries with backoff" \
    wait_until 10 grep -q "job $J attempt 1: result not delivered: .*retrying" "$T/worker-A.log"
sleep 2
# shellcheck disable=SC2086
start_server $SRV --listen "$ADDR" || exit 1
check "outage: once the server is back the result arrives" \
    wait_until 20 job_is "$TA" "$J" 'j["state"]=="succeeded" and j["attempt"]==1 and "overall" in j["scores"]'
check "outage: delivered once, the pending file removed" \
    sh -c "[ \"\$(grep -c 'job $J attempt 1: result delivered' '$T/worker-A.log')\" -eq 1 ] && [ -z \"\$(find '$T/w-A/pending' -name '*.json')\" ]"

# ---- the worker stops too: its next start delivers the saved result ----
echo slowok >"$T/mode"
next_ids; submit "$TA" std "$IDS"; J=$JOB
check "restart: the job reaches train" \
    wait_until 20 job_is "$TA" "$J" 'j["state"]=="running" and j["stage"]=="train"'
check "restart: the server stops" stop_server
check "restart: the result is saved" wait_until 20 pending_of A "$J"
kill -TERM "$PA"
check "restart: the worker stops, leaving the result pending" \
    wait_until 10 sh -c "! kill -0 $PA 2>/dev/null"
check "restart: the pending result is still there" pending_of A "$J"
# shellcheck disable=SC2086
start_server $SRV --listen "$ADDR" || exit 1
echo ok >"$T/mode"
start_worker A --set "$FAKE_CMD" --set "$FAKE_REQ" --set worker.heartbeat=1; PA=$WPID
check "restart: the new worker delivers it" \
    wait_until 20 job_is "$TA" "$J" 'j["state"]=="succeeded" and j["attempt"]==1 and "overall" in j["scores"]'
check "restart: it said so, and cleaned up" \
    sh -c "grep -q 'result of an earlier run to deliver' '$T/worker-A.log' && [ -z \"\$(find '$T/w-A/pending' '$T/w-A/jobs' -mindepth 1)\" ]"
# and it goes on working
next_ids; submit "$TA" std "$IDS"; J=$JOB
check "restart: then it takes new jobs" \
    wait_until 20 job_is "$TA" "$J" 'j["state"]=="succeeded"'

# ---- an outage longer than the lease: the restarted server extends the
# running lease, so the worker's result still counts (no GPU time lost) ----
check "long outage: the server stops" stop_server
SHORT="--set jobs.lease_seconds=3 --set submissions.max_active_jobs=10"
# shellcheck disable=SC2086
start_server $SHORT --listen "$ADDR" || exit 1
echo slowok >"$T/mode"
next_ids; submit "$TA" std "$IDS"; J=$JOB
check "long outage: the job reaches train" \
    wait_until 20 job_is "$TA" "$J" 'j["state"]=="running" and j["stage"]=="train"'
check "long outage: the server stops" stop_server
check "long outage: the result is saved" wait_until 20 pending_of A "$J"
sleep 4	# past the 3 s lease
# shellcheck disable=SC2086
start_server $SHORT --listen "$ADDR" || exit 1
check "long outage: the restarted server extends the running lease" \
    grep -q "1 running job: lease extended by 3 s" "$T/server.log"
check "long outage: the result arrives in attempt 1, not re-run" \
    wait_until 20 job_is "$TA" "$J" 'j["state"]=="succeeded" and j["attempt"]==1 and "overall" in j["scores"]'
kill -TERM "$PA"; wait "$PA"
check "no sanitizer report from the workers" worker_sanitizer_clean
check "SIGTERM: the server exits cleanly" stop_server
check "no sanitizer report from the server" no_sanitizer_errors
