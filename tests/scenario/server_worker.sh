#!/bin/sh
# The worker API driven by curl as a worker would: claim (lease, attempt
# number), submission download, heartbeat (lease, stage, log tail,
# cancellation), result (idempotent, stale attempts refused), lease expiry
# and re-queue, the attempt limit, the active-job cap, score reuse for an
# identical set, and the leaderboard the scores make.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
"$DO" track add --slug qs --kind standard --budget 100 --total 1 --db "$DB" >/dev/null
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
# a lease long enough for a loaded machine, until the part that waits for
# leases to expire (the server is started again with 2 s leases there)
SRV="--set jobs.max_attempts=2 --set submissions.max_active_jobs=2
    --set leaderboard.cache_seconds=60 --set server.allow_register=true
    --set server.connection_timeout=2 --set server.per_ip_connections=8"
start_server $SRV --set jobs.lease_seconds=60 || exit 1
STD=$SHARED/example-standard.txt
BYOD=$SHARED/example-byod.json
AUTH_A="Authorization: Bearer $TA"
AUTH_B="Authorization: Bearer $TB"
AUTH_W="Authorization: Bearer $TW"
up() {	# up TOKEN TRACK FILE [TYPE]
	req POST "/api/v1/submissions?track=$2&method_name=m" -H "Authorization: Bearer $1" \
	    -H "Content-Type: ${4:-text/plain}" --data-binary @"$3"
}

up "$TA" std "$STD"; S1=$(jv 'd["submission"]["id"]'); J1=$(jv 'd["submission"]["job"]["id"]')
up "$TA" byod "$BYOD" application/json; S2=$(jv 'd["submission"]["id"]'); J2=$(jv 'd["submission"]["job"]["id"]')
up "$TA" std "$STD"
expect 429 "a third queued job of the team: 429 (at most 2)"
check "the active-job 429 has Retry-After" [ -n "$(header Retry-After)" ]

req POST /api/v1/worker/claim -H "$AUTH_A"
expect 403 "claim with a participant token: 403"
req POST /api/v1/worker/claim
expect 401 "claim without a token: 401"
req GET "/api/v1/jobs/$J1" -H "$AUTH_W"
expect 403 "job status with a worker token: 403"

req POST /api/v1/worker/claim -H "$AUTH_W" -H 'Content-Type: application/json' -d '{"worker":"gpu-1"}'
expect 200 "claim: 200"
check "the oldest job, attempt 1, a lease, the submission and track" \
    jtrue "j=d['job']; j['id']=='$J1' and j['attempt']==1 and j['lease_expires_at'] and j['lease_seconds']==60 and j['submission']['id']=='$S1' and j['submission']['kind']=='standard' and j['track']['slug']=='std' and j['submission']['download']=='/api/v1/worker/jobs/$J1/submission'"
req GET "/api/v1/worker/jobs/$J1/submission?attempt=1" -H "$AUTH_W"
expect 200 "download the submission"
check "the downloaded file is the upload" cmp -s "$T/body" "$STD"
req GET "/api/v1/worker/jobs/$J1/submission?attempt=7" -H "$AUTH_W"
expect 409 "download for another attempt: 409"
req GET "/api/v1/worker/jobs/nosuch/submission" -H "$AUTH_W"
expect 404 "download of an unknown job: 404"
req GET "/api/v1/jobs/$J1" -H "$AUTH_A"
check "the owner sees it running, stage materialize, attempt 1" \
    jtrue 'j=d["job"]; j["state"]=="running" and j["stage"]=="materialize" and j["attempt"]==1 and j["started_at"]'

hb() {	# hb JOB BODY
	req POST "/api/v1/worker/jobs/$1/heartbeat" -H "$AUTH_W" -H 'Content-Type: application/json' -d "$2"
}
hb "$J1" '{"attempt":1,"stage":"train","progress":0.5,"log":"epoch 1 loss 2.0\n"}'
expect 200 "heartbeat: 200"
check "heartbeat: not cancelled, lease extended" jtrue 'd["cancelled"] is False and d["lease_expires_at"]'
hb "$J1" '{"attempt":1,"log":"epoch 2 loss 1.5\n"}'
req GET "/api/v1/jobs/$J1" -H "$AUTH_A"
check "job shows stage, progress and the log tail" \
    jtrue 'j=d["job"]; j["stage"]=="train" and j["progress"]==0.5 and j["log_tail"]=="epoch 1 loss 2.0\nepoch 2 loss 1.5\n"'
hb "$J1" '{"attempt":2}'
expect 409 "heartbeat for another attempt: 409"
check "409 stale_attempt" jtrue 'd["error"]["code"]=="stale_attempt"'
hb "$J1" '{"stage":"train"}'
expect 400 "heartbeat without attempt: 400"
check "... saying attempt is required" jtrue 'm=d["error"]["message"]; "attempt" in m and "required" in m'
hb "$J1" '{"attempt":1,"stage":"dance"}'
expect 400 "heartbeat with an unknown stage: 400"
check "... naming the stages" jtrue '"materialize, preflight, train, evaluate or score" in d["error"]["message"]'
hb "$J1" 'not json'
expect 400 "heartbeat with malformed JSON: 400"
hb nosuch '{"attempt":1}'
expect 404 "heartbeat for an unknown job: 404"
python3 -c 'import json; print(json.dumps({"attempt": 1, "log": "x" * 40000}))' >"$T/longlog.json"
req POST "/api/v1/worker/jobs/$J1/heartbeat" -H "$AUTH_W" -H 'Content-Type: application/json' --data-binary @"$T/longlog.json"
req GET "/api/v1/jobs/$J1" -H "$AUTH_A"
check "the log tail is bounded" jtrue 'len(d["job"]["log_tail"]) <= 16384 and d["job"]["log_tail"].endswith("xxx")'
check "no loss series before the train stage told one" \
    jtrue 'j=d["job"]; j["loss"]==[] and j["train_step"] is None and j["train_steps"] is None'
hb "$J1" '{"attempt":1,"train":{"step":2,"steps":10,"loss":[[1,2.5],[2,null]]}}'
expect 200 "heartbeat with the train progress and loss: 200"
hb "$J1" '{"attempt":1,"train":{"step":3,"steps":10,"loss":[[1,2.5],[2,null],[3,1.25]]}}'
req GET "/api/v1/jobs/$J1" -H "$AUTH_A"
check "the job shows the last series and step of steps (the cache follows)" \
    jtrue 'j=d["job"]; j["loss"]==[[1,2.5],[2,None],[3,1.25]] and j["train_step"]==3 and j["train_steps"]==10'
n400=0
for bad in '{"step":1,"steps":2}' '{"step":1,"steps":2,"loss":[[2,1.0],[2,0.5]]}' \
    '{"step":1,"steps":2,"loss":[[0,1.0]]}' '{"step":1,"steps":2,"loss":[[1,"nan"]]}' \
    '{"step":-1,"steps":2,"loss":[]}' '{"step":1,"steps":2,"loss":[[1,1.0,3]]}'; do
	hb "$J1" "{\"attempt\":1,\"train\":$bad}"
	if [ "$CODE" = 400 ] && jtrue '"train: {step, steps, loss: at most 500" in d["error"]["message"]'; then
		n400=$((n400 + 1))
	else
		echo "# train $bad: $CODE"
	fi
done
check "a train object that is not {step, steps, loss: rising [step, loss|null]}: 400" [ "$n400" -eq 6 ]
python3 -c 'import json; print(json.dumps({"attempt": 1, "train": {"step": 1, "steps": 1, "loss": [[i, 1.0] for i in range(1, 502)]}}))' >"$T/bigloss.json"
req POST "/api/v1/worker/jobs/$J1/heartbeat" -H "$AUTH_W" -H 'Content-Type: application/json' --data-binary @"$T/bigloss.json"
expect 400 "a series of 501 points: 400"

res() {	# res JOB BODY
	req POST "/api/v1/worker/jobs/$1/result" -H "$AUTH_W" -H 'Content-Type: application/json' -d "$2"
}
res "$J1" '{"attempt":1,"status":"succeeded"}'
expect 400 "a succeeded result without scores: 400"
res "$J1" '{"attempt":1,"status":"succeeded","scores":{"vqa":"high"}}'
expect 400 "a non-numeric score: 400"
res "$J1" '{"attempt":1,"status":"succeeded","scores":{"vqa":0.5,"choice":0.7}}'
expect 200 "result: 200"
check "job succeeded; overall is the mean of the tasks" \
    jtrue 'j=d["job"]; j["state"]=="succeeded" and abs(j["scores"]["overall"]-0.6)<1e-9 and j["scores"]["vqa"]==0.5 and d["duplicate"] is False'
res "$J1" '{"attempt":1,"status":"succeeded","scores":{"vqa":0.5,"choice":0.7}}'
expect 200 "the same result again: 200 (idempotent)"
check "marked as a duplicate, nothing changed" jtrue 'd["duplicate"] is True and d["job"]["state"]=="succeeded"'
res "$J1" '{"attempt":2,"status":"succeeded","scores":{"vqa":1}}'
expect 409 "a result for another attempt: 409"
req GET "/api/v1/submissions/$S1" -H "$AUTH_A"
check "the submission shows its scores" jtrue 's=d["submission"]; s["status"]=="succeeded" and abs(s["scores"]["overall"]-0.6)<1e-9'

req GET "/api/v1/leaderboard?track=std"
check "the leaderboard ranks the scored submission" \
    jtrue "e=d['entries']; len(e)==1 and e[0]['rank']==1 and e[0]['team']=='alpha' and e[0]['submission_id']=='$S1' and abs(e[0]['scores']['overall']-0.6)<1e-9 and e[0]['scores']['vqa']==0.5 and e[0]['baseline'] is False and e[0]['n_samples']==17"

# the same set again, from beta: the score is reused, no job runs
up "$TB" std "$STD"
expect 201 "an identical set from another team: 201"
SB=$(jv 'd["submission"]["id"]')
check "its score is reused (no new job)" \
    jtrue "s=d['submission']; s['reused'] is True and s['reused_from']=='$S1' and s['status']=='succeeded' and abs(s['scores']['overall']-0.6)<1e-9"
req GET "/api/v1/leaderboard?track=std"
check "tie on the score: the earlier submission ranks first, one entry per team" \
    jtrue "e=d['entries']; [x['team'] for x in e]==['alpha','beta'] and [x['rank'] for x in e]==[1,2]"
req GET "/api/v1/leaderboard.csv?track=std"
check "the CSV has both teams and a column per task" sh -c "grep -q '^1,alpha,m,$S1,17,' '$T/body' && head -n 1 '$T/body' | grep -q 'overall,choice,vqa'"

# organizers hide, disqualify and restore; the leaderboard follows
adm() {	# adm SUB ACTION BODY [TOKEN]
	req POST "/api/v1/admin/submissions/$1/$2" -H "Authorization: Bearer ${4:-$TADM}" \
	    -H 'Content-Type: application/json' -d "$3"
}
adm "$S1" hide '{"reason":"duplicate account"}' "$TA"
expect 403 "moderation by a participant: 403"
adm "$S1" hide '{}'
expect 400 "hiding needs a reason: 400"
check "... naming the field" jtrue 'm=d["error"]["message"]; "reason" in m and "required" in m'
adm "$S1" hide '{"reason":"duplicate account"}'
expect 200 "an organizer hides a submission"
check "it shows hidden with the reason" jtrue 'd["submission"]["hidden"] is True and d["submission"]["reason"]=="duplicate account"'
req GET "/api/v1/leaderboard?track=std"
check "a hidden submission leaves the leaderboard at once" jtrue '[x["team"] for x in d["entries"]]==["beta"] and d["entries"][0]["rank"]==1'
adm "$S1" restore '{}'
req GET "/api/v1/leaderboard?track=std"
check "restored, it is back" jtrue '[x["team"] for x in d["entries"]]==["alpha","beta"]'
adm "$SB" disqualify '{"reason":"broke the rules"}'
req GET "/api/v1/leaderboard?track=std"
check "a disqualified submission is left out" jtrue '[x["team"] for x in d["entries"]]==["alpha"]'
adm "s_nosuch" hide '{"reason":"x"}'
expect 404 "moderating an unknown submission: 404"
req GET "/api/v1/submissions/$SB" -H "Authorization: Bearer $TADM"
expect 200 "an organizer sees any team's submission"
adm "$S1" restore '{}'

# self-registration (on in this server)
req POST /api/v1/register -H 'Content-Type: application/json' -d '{"email":"new@x.org","password":"new-pass-123","team":"newteam"}'
expect 201 "self-registration: 201"
req POST /api/v1/register -H 'Content-Type: application/json' -d '{"email":"new2@x.org","password":"new-pass-123","team":"newteam"}'
expect 409 "registering a taken team: 409"
req POST /api/v1/register -H 'Content-Type: application/json' -d '{"email":"new3@x.org","password":"short","team":"t3"}'
expect 400 "a short password: 400"
req POST /api/v1/session -H 'Content-Type: application/json' -d '{"email":"new@x.org","password":"new-pass-123"}'
check "the new user can log in" jtrue 'd["user"]["team"]=="newteam"'

# lease expiry: the same database under 2 s leases; claim J2 and go silent
if stop_server && start_server $SRV --set jobs.lease_seconds=2; then
	ok "the server stops cleanly and starts again with 2 s leases"
else
	notok "the server stops cleanly and starts again with 2 s leases"; exit 1
fi
req POST /api/v1/worker/claim -H "$AUTH_W"
check "the next claim is the BYOD job (the reused one never queued)" jtrue "d['job']['id']=='$J2' and d['job']['attempt']==1"
check "an expired lease puts the job back in the queue" \
    wait_until 10 job_is "$TA" "$J2" 'j["state"]=="queued" and "lease expired" in j["error"]'
req POST /api/v1/worker/claim -H "$AUTH_W"
check "it is claimed again with attempt 2" jtrue "d['job']['id']=='$J2' and d['job']['attempt']==2"
hb "$J2" '{"attempt":1}'
expect 409 "the presumed-dead worker's heartbeat: 409"
res "$J2" '{"attempt":1,"status":"succeeded","scores":{"vqa":0.9}}'
expect 409 "the presumed-dead worker's result: 409"
hb "$J2" '{"attempt":2,"stage":"evaluate"}'
expect 200 "the current attempt's heartbeat: 200"
check "after the last attempt the job fails with the reason" \
    wait_until 10 job_is "$TA" "$J2" 'j["state"]=="failed" and "no attempts left" in j["error"] and j["fault"]=="system" and j["attempt"]==2'
res "$J2" '{"attempt":2,"status":"succeeded","scores":{"vqa":0.9}}'
expect 409 "a result after the lease expired for good: 409"
req POST /api/v1/worker/claim -H "$AUTH_W"
expect 204 "nothing queued: 204"


# cancellation reaches the worker on its next heartbeat
up "$TB" byod "$BYOD" application/json
S3=$(jv 'd["submission"]["id"]'); J3=$(jv 'd["submission"]["job"]["id"]')
req POST /api/v1/worker/claim -H "$AUTH_W"
check "claim the new job" jtrue "d['job']['id']=='$J3'"
req POST "/api/v1/submissions/$S3/cancel" -H "$AUTH_B"
expect 200 "the owner cancels the running job"
hb "$J3" '{"attempt":1}'
check "the next heartbeat says cancelled" jtrue 'd["cancelled"] is True'
res "$J3" '{"attempt":1,"status":"succeeded","scores":{"vqa":1}}'
expect 409 "a result for a cancelled job: 409"

# failures: the team's fault counts, the system's does not
up "$TB" qs "$STD"
J4=$(jv 'd["submission"]["job"]["id"]')
req POST /api/v1/worker/claim -H "$AUTH_W"
res "$J4" '{"attempt":1,"status":"failed","error":"GPU node lost","fault":"system"}'
check "a failed result is recorded with its reason" jtrue 'j=d["job"]; j["state"]=="failed" and j["error"]=="GPU node lost" and j["fault"]=="system"'
up "$TB" qs "$STD"
expect 201 "a job failed through no fault of the team does not use the quota"
J5=$(jv 'd["submission"]["job"]["id"]')
req POST /api/v1/worker/claim -H "$AUTH_W"
res "$J5" '{"attempt":1,"status":"failed","error":"training diverged","fault":"team"}'
up "$TB" qs "$STD"
expect 429 "a job failed by the team's fault uses the quota"

# an organizer re-runs the failed job: a new attempt, old ones fenced off
req POST "/api/v1/admin/jobs/$J2/rerun" -H "$AUTH_A"
expect 403 "re-run by a participant: 403"
req POST "/api/v1/admin/jobs/$J2/rerun" -H "Authorization: Bearer $TADM"
expect 200 "an organizer re-runs a finished job"
check "it is queued again, error cleared" jtrue 'j=d["job"]; j["state"]=="queued" and j["error"] is None and j["attempt"]==2'
req POST "/api/v1/admin/jobs/$J2/rerun" -H "Authorization: Bearer $TADM"
expect 409 "re-running a queued job: 409"
req POST /api/v1/worker/claim -H "$AUTH_W"
check "the re-run is claimed with attempt 3" jtrue "d['job']['id']=='$J2' and d['job']['attempt']==3"
res "$J2" '{"attempt":2,"status":"succeeded","scores":{"vqa":0.9}}'
expect 409 "an attempt from before the re-run: 409"
res "$J2" '{"attempt":3,"status":"succeeded","scores":{"vqa":0.9}}'
expect 200 "the re-run's result: 200"
req POST /api/v1/worker/claim -H "$AUTH_W"
expect 204 "nothing queued again: 204"

req GET /metrics
check "metrics count the jobs by state" sh -c "grep -q 'dataoptim_jobs{state=\"succeeded\"} 3' '$T/body' && grep -q 'dataoptim_jobs{state=\"failed\"} 2' '$T/body' && grep -q 'dataoptim_jobs{state=\"cancelled\"} 1' '$T/body'"
# a job handed back by its worker uses up none of its attempts (at most 2
# here): two hand-backs, then a lease expiry, and it still runs and scores
head -n 10 "$STD" >"$T/std10.txt"
up "$TA" std "$T/std10.txt"; J6=$(jv 'd["submission"]["job"]["id"]')
claim9() { req POST /api/v1/worker/claim -H "$AUTH_W" -H 'Content-Type: application/json' -d '{"worker":"gpu-9"}'; }
for a in 1 2; do
	claim9
	check "hand-back: attempt $a claimed" jtrue "d['job']['id']=='$J6' and d['job']['attempt']==$a"
	stop=""
	[ $a = 2 ] && stop=',"stop":"nan_loss"'
	check "... no attempt stopped for the loss before it" jtrue 'd["job"]["stops"]=={}'
	req POST "/api/v1/worker/jobs/$J6/release" -H "$AUTH_W" -H 'Content-Type: application/json' \
	    -d "{\"attempt\":$a,\"reason\":\"worker stopping\"$stop}"
	expect 200 "hand-back: attempt $a handed back"
done
req GET "/api/v1/jobs/$J6" -H "$AUTH_A"
check "handed back as often as max_attempts: queued, not failed" jtrue 'j=d["job"]; j["state"]=="queued" and "handed back" in j["error"]'
claim9
check "hand-back: claimed again as attempt 3" jtrue "d['job']['id']=='$J6' and d['job']['attempt']==3"
check "... its claim counts the attempt stopped for the loss" jtrue 'd["job"]["stops"]=={"nan_loss": 1}'
req POST "/api/v1/worker/jobs/$J6/release" -H "$AUTH_W" -H 'Content-Type: application/json' \
    -d '{"attempt":3,"stop":"bored"}'
expect 400 "a hand-back with an unknown stop: 400"
check "hand-back: a lease expiry after them is the first failed attempt: requeued" \
    wait_until 10 job_is "$TA" "$J6" 'j["state"]=="queued" and j["error"].startswith("lease expired on attempt 3") and j["error"].endswith("requeued")'
req GET /api/v1/admin/workers -H "Authorization: Bearer $TADM"
check "the expired lease is among its worker's recent failures" \
    jtrue "w=[x for x in d['workers'] if x['name']=='gpu-9'][0]; f=w['recent_failures'][0]; f['job_id']=='$J6' and f['attempt']==3 and 'lease expired' in f['error'] and f['fault']=='system' and f['at']"
req GET "/api/v1/admin/jobs/$J6" -H "Authorization: Bearer $TADM"
check "the attempt history keeps each ended attempt with its worker" \
    jtrue '[[a["attempt"], a["outcome"], a["worker"]] for a in d["job"]["attempts"]]==[[1,"released","gpu-9"],[2,"released","gpu-9"],[3,"expired","gpu-9"]]'
claim9
check "hand-back: claimed as attempt 4" jtrue "d['job']['id']=='$J6' and d['job']['attempt']==4"
res "$J6" '{"attempt":4,"status":"succeeded","scores":{"vqa":0.4}}'
expect 200 "hand-back: the job still succeeds"
check "hand-back: succeeded on attempt 4" jtrue 'j=d["job"]; j["state"]=="succeeded" and j["attempt"]==4'

# connection limits: an idle or slow client is dropped after the timeout;
# one address may hold at most per_ip_connections connections
python3 - "${URL#http://}" >"$T/limits.out" <<'PY'
import socket, sys, time
host, port = sys.argv[1].split(":")
addr = (host, int(port))
s = socket.create_connection(addr)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")   # never finished
s.settimeout(6)
t0 = time.time()
try:
    closed = s.recv(100) == b""
except OSError:
    closed = True
print("slow_closed", int(closed), "after", round(time.time() - t0, 1))
s.close()
time.sleep(0.3)
socks = [socket.create_connection(addr) for _ in range(12)]
time.sleep(0.5)
dropped = 0
for c in socks:
    c.settimeout(0.3)
    try:
        if c.recv(10) == b"":
            dropped += 1
    except socket.timeout:
        pass
    except OSError:
        dropped += 1
print("dropped", dropped)
for c in socks:
    c.close()
PY
check "a slow client is dropped after the connection timeout ($(head -n 1 "$T/limits.out"))" \
    grep -Eq '^slow_closed 1 after [1-4]' "$T/limits.out"
check "connections over the per-IP limit are refused ($(tail -n 1 "$T/limits.out"))" \
    awk '$1 == "dropped" { exit !($2 >= 4 && $2 < 12) }' "$T/limits.out"
sleep 0.5
req GET /healthz
expect 200 "the server still answers after the limit tests"
check "SIGTERM: clean exit" stop_server
check "no sanitizer report" no_sanitizer_errors
