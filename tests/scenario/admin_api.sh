#!/bin/sh
# The organizer API (issue 5): a permission matrix over every admin
# endpoint (401 without credentials, 403 for participant and worker
# tokens, the organizer gets through), then each admin action with its
# one audit entry and the right before / after, team disabling, tokens,
# users, submissions, jobs (cancel, priority honoured by claims, fail),
# workers, statistics and the exports.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
start_server --set submissions.reuse_scores=false \
    --set submissions.max_active_jobs=50 || exit 1
STD=$SHARED/example-standard.txt
AUTH_A="Authorization: Bearer $TA"
AUTH_W="Authorization: Bearer $TW"
ADM="Authorization: Bearer $TADM"
JSON='Content-Type: application/json'
up() {	# up TOKEN TRACK
	req POST "/api/v1/submissions?track=$2&method_name=m" -H "Authorization: Bearer $1" \
	    -H 'Content-Type: text/plain' --data-binary @"$STD"
}
# audit_last ACTION: the newest audit entry with that action into $T/body
audit_last() { req GET "/api/v1/admin/audit?action=$1&limit=1" -H "$ADM"; }

up "$TA" std; S1=$(jv 'd["submission"]["id"]'); J1=$(jv 'd["submission"]["job"]["id"]')

# --- the permission matrix: every admin route of the routing table ---
matrix_ok=1
for ep in "GET /tracks" "POST /tracks" "GET /tracks/std" "PATCH /tracks/std" \
    "POST /tracks/std/publish" "GET /teams" "POST /teams" "GET /teams/1/members" \
    "POST /teams/1/disable" "POST /teams/1/enable" "GET /users" "POST /users" \
    "POST /users/1/disable" "POST /users/1/enable" "POST /users/1/password" \
    "GET /tokens" "POST /tokens" "POST /tokens/1/revoke" "GET /submissions" \
    "GET /submissions/$S1" "GET /submissions/$S1/file" "POST /submissions/$S1/hide" \
    "POST /submissions/$S1/disqualify" "POST /submissions/$S1/restore" \
    "POST /submissions/$S1/baseline" "GET /jobs" "GET /jobs/$J1" "POST /jobs/$J1/rerun" \
    "POST /jobs/$J1/cancel" "POST /jobs/$J1/priority" "POST /jobs/$J1/fail" \
    "GET /workers" "GET /audit" "GET /stats?track=std" \
    "GET /exports/leaderboard?track=std" "GET /exports/submissions" \
    "GET /webhooks" "POST /webhooks/1/retry"; do
	m=${ep%% *}; p=/api/v1/admin${ep#* }
	c0=$(curl -s -o /dev/null -w '%{http_code}' -X "$m" -H "$JSON" -d '{}' "$URL$p")
	c1=$(curl -s -o /dev/null -w '%{http_code}' -X "$m" -H "$JSON" -d '{}' -H "$AUTH_A" "$URL$p")
	c2=$(curl -s -o /dev/null -w '%{http_code}' -X "$m" -H "$JSON" -d '{}' -H "$AUTH_W" "$URL$p")
	if [ "$c0$c1$c2" != 401403403 ]; then
		echo "# $m $p: none $c0, participant $c1, worker $c2"; matrix_ok=0
	fi
done
check "every admin endpoint: 401 without credentials, 403 for participant and worker tokens" [ $matrix_ok = 1 ]
# the routing table has no admin route the matrix above forgot
n_routes=$(grep -c '^	ADMIN("' server/route.c)
check "the matrix covers all $n_routes admin routes (one per action)" [ "$n_routes" = 38 ]
req GET /api/v1/admin/audit -H "$ADM"
check "an organizer gets through (audit log)" jtrue '"audit" in d and "total" in d'

# --- tracks ---
req POST /api/v1/admin/tracks -H "$ADM" -H "$JSON" -d '{"slug":"t2","kind":"standard","budget":500,"per_day":3,"metric":"overall","direction":"max","leaderboard":"public"}'
expect 201 "create a track: 201"
check "the track carries its settings" jtrue 't=d["track"]; t["slug"]=="t2" and t["budget"]==500 and t["per_day"]==3 and t["direction"]=="max" and t["webhook_secret_set"] is False'
audit_last track.create
check "track.create audited: before null, after the track, actor the organizer" jtrue 'a=d["audit"][0]; a["actor"]=="admin@x.org" and a["before"] is None and a["after"]["slug"]=="t2" and a["target"]=="track:t2"'
req POST /api/v1/admin/tracks -H "$ADM" -H "$JSON" -d '{"slug":"t2","kind":"standard","budget":5}'
expect 409 "a taken slug: 409"
req POST /api/v1/admin/tracks -H "$ADM" -H "$JSON" -d '{"slug":"t3","kind":"standard","budget":5,"bogus":1}'
expect 400 "an unknown field: 400"
check "... naming it and the fields there are" jtrue 'm=d["error"]["message"]; "bogus" in m and "not known" in m and "webhook_secret" in m'
req POST /api/v1/admin/tracks -H "$ADM" -H "$JSON" -d '{"slug":"t3","kind":"standard"}'
expect 400 "a track without a budget: 400"
check "... saying the field is required and what it takes" jtrue 'd["error"]["message"]=="field %sbudget%s is required: an integer from 1 to 2147483647" % ("\x27", "\x27")'
req PATCH /api/v1/admin/tracks/t2 -H "$ADM" -H "$JSON" -d '{"budget":600,"closes_at":"2030-01-01T00:00:00Z","max_active":2}'
expect 200 "edit a track: 200"
audit_last track.update
check "track.update audited with before and after" jtrue 'a=d["audit"][0]; a["before"]["budget"]==500 and a["after"]["budget"]==600 and a["before"]["closes_at"] is None and a["after"]["closes_at"]=="2030-01-01T00:00:00Z" and a["after"]["max_active"]==2'
req PATCH /api/v1/admin/tracks/t2 -H "$ADM" -H "$JSON" -d '{"webhook_url":"http://127.0.0.1:9/x"}'
expect 400 "a webhook URL without a secret: 400"
req POST /api/v1/admin/tracks/t2/publish -H "$ADM" -H "$JSON" -d '{}'
expect 409 "publishing the private split of an open track: 409"
req GET /api/v1/admin/tracks -H "$ADM"
check "list tracks" jtrue '[t["slug"] for t in d["tracks"]][:2]==["std","byod"] and any(t["slug"]=="t2" for t in d["tracks"])'

# --- teams, users, tokens ---
req POST /api/v1/admin/teams -H "$ADM" -H "$JSON" -d '{"name":"gamma"}'
expect 201 "create a team"
TG=$(jv 'd["team"]["id"]')
audit_last team.create
check "team.create audited" jtrue "a=d['audit'][0]; a['after']['name']=='gamma' and a['target']=='team:$TG'"
req POST /api/v1/admin/users -H "$ADM" -H "$JSON" -d '{"email":"g@x.org","team":"gamma"}'
expect 201 "create a user with a generated password"
UG=$(jv 'd["user"]["id"]'); PW=$(jv 'd["password"]')
check "the generated password is shown once" [ ${#PW} -ge 16 ]
audit_last user.create
check "user.create audited without the password" sh -c "jv() { :; }; ! grep -q '$PW' '$T/body'"
req POST /api/v1/session -H "$JSON" -d "{\"email\":\"g@x.org\",\"password\":\"$PW\"}"
expect 200 "the new user logs in with it"
req POST /api/v1/admin/tokens -H "$ADM" -H "$JSON" -d '{"email":"g@x.org","label":"ci"}'
expect 201 "create a token"
TOKG=$(jv 'd["secret"]'); TOKID=$(jv 'd["token"]["id"]')
check "the token is shown once and listed without its hash" jtrue 'd["secret"].startswith("do_") and d["token"]["role"]=="participant" and "token_hash" not in d["token"]'
req GET /api/v1/me -H "Authorization: Bearer $TOKG"
expect 200 "the new token works"
req POST /api/v1/admin/teams/$TG/disable -H "$ADM" -H "$JSON" -d '{"reason":"cheating"}'
expect 200 "disable a team"
audit_last team.disable
check "team.disable audited (disabled false -> true, with the reason)" jtrue 'a=d["audit"][0]; a["before"]["disabled"] is False and a["after"]["disabled"] is True and a["reason"]=="cheating"'
req GET /api/v1/me -H "Authorization: Bearer $TOKG"
expect 403 "a disabled team's token: 403"
check "... told why: team_disabled with the reason" jtrue 'd["error"]["code"]=="team_disabled" and d["error"]["message"]=="your team has been disabled by the organizers: cheating"'
req POST /api/v1/admin/teams/$TG/enable -H "$ADM" -H "$JSON" -d '{}'
req GET /api/v1/me -H "Authorization: Bearer $TOKG"
expect 200 "re-enabled: the token works again"
req GET /api/v1/admin/teams/$TG/members -H "$ADM"
check "list a team's members" jtrue 'd["team"]["name"]=="gamma" and [u["email"] for u in d["members"]]==["g@x.org"]'
req POST /api/v1/admin/users/$UG/disable -H "$ADM" -H "$JSON" -d '{}'
expect 200 "disable a user"
req GET /api/v1/me -H "Authorization: Bearer $TOKG"
expect 403 "a disabled user's token: 403"
check "... told why: account_disabled" jtrue 'd["error"]["code"]=="account_disabled" and d["error"]["message"]=="your account has been disabled by the organizers"'
audit_last user.disable
check "user.disable audited" jtrue 'a=d["audit"][0]; a["before"]["disabled"] is False and a["after"]["disabled"] is True'
req POST /api/v1/admin/users/$UG/enable -H "$ADM" -H "$JSON" -d '{}'
req POST /api/v1/admin/users/$UG/password -H "$ADM" -H "$JSON" -d '{"password":"a-new-password-1"}'
expect 200 "reset a password"
audit_last user.password
check "user.password audited (no hash in it)" sh -c "grep -q '\"user.password\"' '$T/body' && ! grep -q argon2 '$T/body'"
req POST /api/v1/session -H "$JSON" -d '{"email":"g@x.org","password":"a-new-password-1"}'
expect 200 "the new password works"
req POST /api/v1/admin/tokens/$TOKID/revoke -H "$ADM" -H "$JSON" -d '{}'
expect 200 "revoke a token"
audit_last token.revoke
check "token.revoke audited (revoked_at null -> set)" jtrue 'a=d["audit"][0]; a["before"]["revoked_at"] is None and a["after"]["revoked_at"] is not None'
req GET /api/v1/me -H "Authorization: Bearer $TOKG"
expect 401 "a revoked token: 401"
req POST /api/v1/admin/tokens/$TOKID/revoke -H "$ADM" -H "$JSON" -d '{}'
expect 409 "revoking twice: 409"
# a revocation behind the server's back (the CLI on its database) takes
# effect once the cached caller expires: server.auth_cache_ms, 2 s
req POST /api/v1/admin/tokens -H "$ADM" -H "$JSON" -d '{"email":"g@x.org","label":"cli"}'
TOKC=$(jv 'd["secret"]'); TOKCID=$(jv 'd["token"]["id"]')
req GET /api/v1/me -H "Authorization: Bearer $TOKC"
expect 200 "a token in use (its caller now cached)"
"$DO" token revoke --id "$TOKCID" --db "$DB" >/dev/null
check "revoked with the CLI: refused within 4 s" wait_until 4 sh -c \
    "[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TOKC' '$URL/api/v1/me') = 401 ]"
req POST /api/v1/admin/tokens -H "$ADM" -H "$JSON" -d '{"email":"admin@x.org","role":"worker","label":"gpu-2"}'
TW2=$(jv 'd["secret"]')
req POST /api/v1/worker/claim -H "Authorization: Bearer $TW2" -H "$JSON" -d '{"worker":"gpu-2","version":"1.2.3","backend":"proxy"}'
expect 200 "a worker token made by the API claims a job"
check "the claim is the queued job" jtrue "d['job']['id']=='$J1'"

# --- workers ---
req POST "/api/v1/worker/jobs/$J1/heartbeat" -H "Authorization: Bearer $TW2" -H "$JSON" -d '{"attempt":1,"stage":"train"}'
req GET /api/v1/admin/workers -H "$ADM"
check "workers: name, version, backend, last heartbeat, current job" jtrue "w=[x for x in d['workers'] if x['name']=='gpu-2'][0]; w['version']=='1.2.3' and w['backend']=='proxy' and w['last_seen'] and w['current_job']['id']=='$J1' and w['current_job']['stage']=='train' and w['recent_failures']==[]"

# --- jobs: fail a stuck one, re-run, priority, cancel ---
req POST "/api/v1/admin/jobs/$J1/fail" -H "$ADM" -H "$JSON" -d '{"reason":"node lost"}'
expect 200 "fail a running job with a reason"
check "it is failed, fault system" jtrue 'j=d["job"]; j["state"]=="failed" and j["error"]=="node lost" and j["fault"]=="system"'
audit_last job.fail
check "job.fail audited (running -> failed)" jtrue 'a=d["audit"][0]; a["before"]["state"]=="running" and a["after"]["state"]=="failed" and a["reason"]=="node lost"'
req POST "/api/v1/worker/jobs/$J1/heartbeat" -H "Authorization: Bearer $TW2" -H "$JSON" -d '{"attempt":1}'
expect 409 "its worker gets 409 on the next heartbeat"
req GET /api/v1/admin/workers -H "$ADM"
check "the failure shows among the worker's recent failures" jtrue "w=[x for x in d['workers'] if x['name']=='gpu-2'][0]; w['current_job'] is None and w['recent_failures'][0]['job_id']=='$J1'"
up "$TA" std; J2=$(jv 'd["submission"]["job"]["id"]')
up "$TA" std; J3=$(jv 'd["submission"]["job"]["id"]')
up "$TA" std; S4=$(jv 'd["submission"]["id"]'); J4=$(jv 'd["submission"]["job"]["id"]')
req POST "/api/v1/admin/jobs/$J3/priority" -H "$ADM" -H "$JSON" -d '{"priority":5}'
expect 200 "change a job's priority"
req POST "/api/v1/admin/jobs/$J3/priority" -H "$ADM" -H "$JSON" -d '{"priority":5000}'
expect 400 "a priority out of range: 400"
check "... naming the field and its range" jtrue 'm=d["error"]["message"]; "priority" in m and "-1000 to 1000" in m'
audit_last job.priority
check "job.priority audited (0 -> 5)" jtrue 'a=d["audit"][0]; a["before"]["priority"]==0 and a["after"]["priority"]==5'
req GET "/api/v1/admin/jobs?state=queued" -H "$ADM"
check "the queue lists it first" jtrue "[j['id'] for j in d['jobs']][:3]==['$J3','$J2','$J4']"
req POST /api/v1/worker/claim -H "$AUTH_W"
check "a claim takes the highest priority first" jtrue "d['job']['id']=='$J3'"
req POST "/api/v1/admin/jobs/$J4/cancel" -H "$ADM" -H "$JSON" -d '{}'
expect 200 "cancel a queued job"
audit_last job.cancel
check "job.cancel audited (queued -> cancelled)" jtrue 'a=d["audit"][0]; a["before"]["state"]=="queued" and a["after"]["state"]=="cancelled"'
req POST "/api/v1/admin/jobs/$J4/cancel" -H "$ADM" -H "$JSON" -d '{}'
expect 409 "cancelling a finished job: 409"
req POST "/api/v1/admin/jobs/$J2/rerun" -H "$ADM" -H "$JSON" -d '{}'
expect 409 "re-running a queued job: 409"

# --- submissions ---
req POST "/api/v1/admin/submissions/$S4/disqualify" -H "$ADM" -H "$JSON" -d '{"reason":"used the test set"}'
expect 200 "disqualify with a reason"
audit_last submission.disqualify
check "submission.disqualify audited" jtrue "a=d['audit'][0]; a['target']=='submission:$S4' and a['before']['disqualified'] is False and a['after']['disqualified'] is True and a['after']['reason']=='used the test set'"
req GET "/api/v1/submissions/$S4" -H "$AUTH_A"
check "the team reads the organizer's reason" jtrue 's=d["submission"]; s["disqualified"] is True and s["reason"]=="used the test set"'
req POST "/api/v1/admin/submissions/$S1/hide" -H "$ADM" -H "$JSON" -d '{"reason":"internal note"}'
req GET "/api/v1/submissions/$S1" -H "$AUTH_A"
check "a hiding reason stays with the organizers" jtrue 's=d["submission"]; s["hidden"] is True and s["reason"] is None'
req POST "/api/v1/admin/submissions/$S1/restore" -H "$ADM" -H "$JSON" -d '{}'
audit_last submission.restore
check "submission.restore audited" jtrue 'a=d["audit"][0]; a["before"]["hidden"] is True and a["after"]["hidden"] is False'
req POST "/api/v1/admin/submissions/$S1/baseline" -H "$ADM" -H "$JSON" -d '{"baseline":true}'
audit_last submission.baseline
check "submission.baseline audited" jtrue 'a=d["audit"][0]; a["before"]["baseline"] is False and a["after"]["baseline"] is True'
req GET "/api/v1/admin/submissions?track=std&state=queued&team=alpha" -H "$ADM"
check "filter submissions by track, team and state" jtrue "d['total']==1 and d['submissions'][0]['job']['id']=='$J2'"
req GET "/api/v1/admin/submissions?flag=disqualified" -H "$ADM"
check "filter by flag" jtrue "[s['id'] for s in d['submissions']]==['$S4']"
req GET "/api/v1/admin/submissions?limit=2&offset=1" -H "$ADM"
check "paginate" jtrue 'd["total"]==4 and len(d["submissions"])==2 and d["offset"]==1'
TODAY=$(date -u +%Y-%m-%d)
req GET "/api/v1/admin/submissions?since=$TODAY" -H "$ADM"
check "filter by date" jtrue 'd["total"]==4'
req GET "/api/v1/admin/submissions?until=2001-01-01" -H "$ADM"
check "filter by date (none before 2001)" jtrue 'd["total"]==0'
req GET "/api/v1/admin/submissions?since=yesterday" -H "$ADM"
expect 400 "a malformed date filter: 400"
req GET "/api/v1/admin/audit?until=2001-13-45" -H "$ADM"
expect 400 "a malformed audit date filter: 400"
req GET "/api/v1/admin/submissions/$S1" -H "$ADM"
check "one submission with everything: user, job history, audit" jtrue 's=d["submission"]; s["user_email"]=="a@x.org" and s["job"]["state"]=="failed" and "history" in s["job"] and [a["action"] for a in s["audit"]][:3]==["submission.baseline","submission.restore","submission.hide"]'
req GET "/api/v1/admin/submissions/$S1/file" -H "$ADM"
check "download its file" cmp -s "$T/body" "$STD"

# --- statistics and exports ---
req GET "/api/v1/admin/stats?track=std" -H "$ADM"
check "statistics: submissions per day, teams, jobs by outcome" jtrue "d['submissions']==4 and d['submissions_per_day']==[{'day':'$TODAY','n':4}] and d['teams']==1 and d['jobs']['failed']==1 and d['jobs']['cancelled']==1 and d['jobs']['running']==1 and d['jobs']['queued']==1 and d['failures']['system']==1 and 'compute_seconds' in d"
req GET "/api/v1/admin/exports/submissions?format=csv" -H "$ADM"
check "submissions export as CSV: a header and 4 rows" sh -c "head -n1 '$T/body' | grep -q '^id,track,team,user_email' && [ \$(wc -l <'$T/body') -eq 5 ]"
req GET "/api/v1/admin/exports/submissions?format=json&track=std" -H "$ADM"
check "submissions export as JSON" jtrue 'len(d["submissions"])==4'
req GET "/api/v1/admin/exports/leaderboard?track=std&format=csv" -H "$ADM"
check "leaderboard export as CSV" sh -c "head -n1 '$T/body' | grep -q '^rank,team'"

# --- the audit log: filters and pagination ---
req GET "/api/v1/admin/audit?action=job.&limit=50" -H "$ADM"
check "audit filter by action prefix" jtrue 'set(a["action"] for a in d["audit"])=={"job.fail","job.priority","job.cancel"}'
req GET "/api/v1/admin/audit?target=team:$TG" -H "$ADM"
check "audit filter by target: one entry per action" jtrue '[a["action"] for a in d["audit"]]==["team.enable","team.disable","team.create"]'
req GET "/api/v1/admin/audit?limit=3&offset=3&actor=admin@x.org" -H "$ADM"
check "audit pagination" jtrue 'len(d["audit"])==3 and d["total"]>6'
check "no sanitizer report in the server log" no_sanitizer_errors
stop_server
check "the server stops cleanly" [ $? = 0 ]
