#!/bin/sh
# The worker's preflight, with real programs on loopback: a BYOD
# submission naming an image that the worker's image_folder lacks fails
# in preflight within seconds, before the train command starts, as a
# system fault that names the missing path; it does not use up the team's
# quota (a track of one submission a day takes the next one), and once
# the image is there the same data trains; a training file whose item
# count is not the submission's fails there too.
. "$(dirname "$0")/lib/worker_env.sh"

make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
"$DO" track add --slug once --kind byod --budget 1000 --per-day 1 --db "$DB" >/dev/null
make_fake_train
start_server --set jobs.lease_seconds=10 || exit 1
make_images "$T/img" || { echo "not ok 1 - images"; exit 1; }

# 40 pool items as a BYOD file; one of their images goes missing
pool_ids 40 100 >"$T/ids.txt"
"$DO" materialize --pool "$POOL" --ids "$T/ids.txt" --out "$T/byod.json" >/dev/null
GONE=$(python3 -c 'import json,sys
print([it["image"] for it in json.load(open(sys.argv[1])) if "image" in it][3])' "$T/byod.json")
mv "$T/img/$GONE" "$T/gone.jpg"

start_worker A --set "$FAKE_CMD" --set "$FAKE_REQ" \
    --set "worker.image_folder=$T/img"
PA=$WPID
sleep 0.3; bail_if_dead "$PA"
submit "$TA" once "$T/byod.json" application/json || echo "# submit: $CODE $(head -c 300 "$T/body")"
J=$JOB; t0=$(date +%s)
check "the job fails within 10 s" wait_until 10 job_is "$TA" "$J" 'j["state"]=="failed"'
t1=$(date +%s)
echo "#: failed in preflight after $((t1 - t0)) s"
check "in the preflight stage, as a system fault" \
    jtrue 'j=d["job"]; j["stage"]=="preflight" and j["fault"]=="system"'
check "the error names the missing image and the count" \
    jtrue 'j=d["job"]; j["error"].startswith("preflight: 1 of ") and "'"$GONE"' (missing)" in j["error"]'
check "the log lists it, and no path of the worker host" \
    jtrue 'l=d["job"]["log_tail"]; "preflight: '"$GONE"': missing" in l and "'"$T"'" not in l'
check "the train command never started" jtrue '"fake train:" not in d["job"]["log_tail"]'

# a system fault costs no quota: the track's one submission a day is free
mv "$T/gone.jpg" "$T/img/$GONE"
submit "$TA" once "$T/byod.json" application/json
check "the team may submit again on the one-a-day track (201)" [ "$CODE" = 201 ]
J2=$JOB
check "with the image back, the same data trains and is scored" \
    wait_until 30 job_is "$TA" "$J2" 'j["state"]=="succeeded"'
check "its log says preflight passed, then the train command" \
    jtrue 'l=d["job"]["log_tail"]; "preflight: 40 items" in l and "preflight: passed" in l and l.index("preflight: passed") < l.index("[worker] train: ")'
check "the train command ran this time" jtrue '"fake train: mode ok" in d["job"]["log_tail"]'
submit "$TA" once "$T/byod.json" application/json
check "a scored submission does count: the third one is refused (429)" [ "$CODE" = 429 ]

kill -TERM "$PA"; wait "$PA"

# a training file whose item count is not the submission's (here the
# database says 41): refused in preflight, before any GPU stage
submit "$TA" byod "$T/byod.json" application/json
sqlite3 "$DB" "PRAGMA busy_timeout = 5000; UPDATE submissions SET n_samples = 41 WHERE id = '$SUB'" >/dev/null
start_worker B --set "$FAKE_CMD" --set "$FAKE_REQ" \
    --set "worker.image_folder=$T/img"
PB=$WPID
check "an item count that is not the submission's fails in preflight" \
    wait_until 15 job_is "$TA" "$JOB" 'j["stage"]=="preflight" and j["fault"]=="system" and "the training file holds 40 items, the submission 41" in (j["error"] or "")'
check "... before the train command" jtrue '"fake train:" not in d["job"]["log_tail"]'
kill -TERM "$PB"; wait "$PB"
check "no sanitizer report from the worker" worker_sanitizer_clean
check "SIGTERM: the server exits cleanly" stop_server
