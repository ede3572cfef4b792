#!/bin/sh
# Job answers served from memory (server.job_cache_ms): each team sees
# only its own jobs, any change the server commits shows at once, a change
# made behind its back (sqlite3 on the live database) shows when the
# server next commits anything or when the answer's time is up, and 0
# turns the cache off.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
STD=$SHARED/example-standard.txt
AUTH_A="Authorization: Bearer $TA"
AUTH_W="Authorization: Bearer $TW"
up() {	# up TOKEN FILE
	req POST "/api/v1/submissions?track=std&method_name=m" \
	    -H "Authorization: Bearer $1" -H 'Content-Type: text/plain' \
	    --data-binary @"$2"
}
shell_set_error() {	# shell_set_error JOB TEXT: behind the server's back
	sqlite3 "$DB" "PRAGMA busy_timeout = 5000; UPDATE jobs SET error = '$2' WHERE id = '$1'" >/dev/null
}

start_server --set server.job_cache_ms=60000 || exit 1
up "$TA" "$STD"; J1=$(jv 'd["submission"]["job"]["id"]')
check "the owner sees the queued job" job_is "$TA" "$J1" 'j["state"]=="queued" and j["error"] is None'
check "so does an organizer" job_is "$TADM" "$J1" 'j["state"]=="queued"'
req GET "/api/v1/jobs/$J1" -H "Authorization: Bearer $TB"
expect 404 "another team: 404, with the owner's answer in memory"
req GET "/api/v1/jobs/$J1" -H "Authorization: Bearer $TA2"
expect 200 "a teammate: 200"

shell_set_error "$J1" "set from the shell"
check "a change behind the server's back: the answer in memory still" \
    job_is "$TA" "$J1" 'j["error"] is None'
up "$TB" "$STD"
expect 201 "the server commits something else (beta's submission)"
check "then the answer is read again and shows the change" \
    job_is "$TA" "$J1" 'j["error"]=="set from the shell"'
check "the organizer's too" job_is "$TADM" "$J1" 'j["error"]=="set from the shell"'

req POST /api/v1/worker/claim -H "$AUTH_W"
check "a worker claims the job" jtrue "d['job']['id']=='$J1'"
check "at once the owner sees it running" job_is "$TA" "$J1" 'j["state"]=="running" and j["attempt"]==1'
req POST "/api/v1/worker/jobs/$J1/heartbeat" -H "$AUTH_W" -H 'Content-Type: application/json' \
    -d '{"attempt":1,"stage":"train","progress":0.25}'
check "a heartbeat's stage and progress show at once" \
    job_is "$TA" "$J1" 'j["stage"]=="train" and j["progress"]==0.25'
req POST "/api/v1/worker/jobs/$J1/heartbeat" -H "$AUTH_W" -H 'Content-Type: application/json' \
    -d '{"attempt":1,"progress":0.5}'
check "and the next one" job_is "$TA" "$J1" 'j["progress"]==0.5'
req POST /api/v1/worker/claim -H "$AUTH_W"
check "the worker claims beta's job too" jtrue "d['job']['id']!='$J1'"
check "(the owner's answer is read again)" job_is "$TA" "$J1" 'j["error"]=="set from the shell"'
shell_set_error "$J1" "while running"
req POST /api/v1/worker/claim -H "$AUTH_W"
expect 204 "an idle claim: 204"
check "an idle claim (the worker's last-seen time) keeps the answer in memory" \
    job_is "$TA" "$J1" 'j["error"]=="set from the shell"'
req POST "/api/v1/worker/jobs/$J1/heartbeat" -H "$AUTH_W" -H 'Content-Type: application/json' \
    -d '{"attempt":1,"progress":0.75}'
check "a heartbeat ends it" job_is "$TA" "$J1" 'j["error"]=="while running" and j["progress"]==0.75'
stop_server

start_server --set server.job_cache_ms=400 || exit 1
check "(restarted with job_cache_ms=400)" job_is "$TA" "$J1" 'j["error"]=="while running"'
shell_set_error "$J1" "second"
check "a change from the shell shows when the answer's time is up" \
    wait_until 5 job_is "$TA" "$J1" 'j["error"]=="second"'
stop_server

start_server --set server.job_cache_ms=0 || exit 1
check "(restarted with job_cache_ms=0)" job_is "$TA" "$J1" 'j["error"]=="second"'
shell_set_error "$J1" "third"
check "without the cache a change from the shell shows at once" \
    job_is "$TA" "$J1" 'j["error"]=="third"'
check "no sanitizer reports" no_sanitizer_errors
