#!/bin/sh
# Bigger files through the worker: a BYOD upload of several MB streams to
# the worker's disk through libcurl on the loop (two buffers written on
# the thread pool, the transfer paused while both are busy) and trains
# whole; a standard list of 20,000 IDs materializes from the worker's pool.
. "$(dirname "$0")/lib/worker_env.sh"

make_pool 0.01 || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
"$DO" track add --slug bigb --kind byod --budget 100000 --db "$DB" >/dev/null
"$DO" track add --slug bigs --kind standard --budget 100000 --db "$DB" >/dev/null
start_server --set jobs.lease_seconds=20 || exit 1
pool_ids 20000 0 >"$T/big.txt"
"$DO" materialize --pool "$POOL" --ids "$T/big.txt" --out "$T/big.json" >/dev/null 2>&1
size=$(wc -c <"$T/big.json")
check "a BYOD file of over 4 MB" [ "$size" -gt 4000000 ]
start_worker A; PA=$WPID
submit "$TA" bigb "$T/big.json" application/json; JB=$JOB
check "the BYOD job succeeds" wait_until 90 job_is "$TA" "$JB" 'j["state"]=="succeeded"'
check "the worker downloaded every byte and trained on every item" \
    jtrue "l=d['job']['log_tail']; 'materialize: downloaded $size bytes' in l and 'proxy model: 20000 samples' in l"
pool_ids 20000 20000 >"$T/big2.txt"
submit "$TA" bigs "$T/big2.txt"; JS=$JOB
check "the 20,000-ID standard job succeeds" wait_until 90 job_is "$TA" "$JS" 'j["state"]=="succeeded"'
check "it trained on all 20,000 samples" jtrue '"materialize: 20000 samples" in d["job"]["log_tail"]'
kill -TERM "$PA"; wait "$PA"
check "no sanitizer report from the worker" worker_sanitizer_clean
check "SIGTERM: the server exits cleanly" stop_server
