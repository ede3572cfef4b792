#!/bin/sh
# Leaderboard policies (issue 5): hide, disqualify, baseline, the freeze,
# the private split published after the close, a team's picked entry,
# ties to the earlier submission, lower-is-better metrics, anonymous
# names, the visibility switch, and a re-run of a failed job that scores
# while the old attempt stays in the job's history.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
"$DO" team add base --db "$DB" >/dev/null
start_server --set submissions.reuse_scores=false \
    --set submissions.max_active_jobs=50 --set leaderboard.cache_seconds=60 || exit 1
STD=$SHARED/example-standard.txt
AUTH_A="Authorization: Bearer $TA"
AUTH_B="Authorization: Bearer $TB"
AUTH_W="Authorization: Bearer $TW"
ADM="Authorization: Bearer $TADM"
JSON='Content-Type: application/json'
# score TOKEN METHOD RESULT-SCORES: upload, claim, post the scores; sets S
score() {
	req POST "/api/v1/submissions?track=lb&method_name=$2" -H "Authorization: Bearer $1" \
	    -H 'Content-Type: text/plain' --data-binary @"$STD"
	S=$(jv 'd["submission"]["id"]'); J=$(jv 'd["submission"]["job"]["id"]')
	req POST /api/v1/worker/claim -H "$AUTH_W"
	A=$(jv 'd["job"]["attempt"]')
	req POST "/api/v1/worker/jobs/$J/result" -H "$AUTH_W" -H "$JSON" \
	    -d "{\"attempt\":$A,\"status\":\"succeeded\",\"scores\":$3}"
}
board() { req GET "/api/v1/leaderboard?track=lb${1:+&$1}"; }
names() { jv '[(e["team"], e["method_name"], e["rank"]) for e in d["entries"]]'; }
adm() { req POST "/api/v1/admin/$1" -H "$ADM" -H "$JSON" -d "${2:-{\}}"; }

req POST /api/v1/admin/tracks -H "$ADM" -H "$JSON" -d '{"slug":"lb","kind":"standard","budget":1000}'
expect 201 "a track for the board"

# alpha: a1 0.5, a2 0.7; beta: b1 0.6 -- public and private splits
score "$TA" a1 '{"public":{"vqa":0.5},"private":{"vqa":0.9}}'; SA1=$S
expect 200 "a result with a public and a private split is accepted"
score "$TA" "a2&url=https%3A%2F%2Fgithub.com%2Falpha%2Fa2&description=alpha%27s%20a2" '{"public":{"vqa":0.7},"private":{"vqa":0.2}}'; SA2=$S
score "$TB" b1 '{"vqa":0.6}'; SB1=$S
expect 200 "a plain result (public only) is still accepted"
board
check "one entry per team, its best by public score" [ "$(names)" = '[["alpha", "a2", 1], ["beta", "b1", 2]]' ]
check "the public board shows public scores only" jtrue 'd["entries"][0]["scores"]["vqa"]==0.7 and d["split"]=="public"'
req GET "/api/v1/submissions/$SA1" -H "$AUTH_A"
# no number of the private split (0.9) anywhere in the answer (grep '0.9'
# is a regex whose '.' matched hex digits of the hashes now and then)
check "a participant never sees the private split" jtrue 'import json
def nums(v):
    if isinstance(v, dict): return [x for w in v.values() for x in nums(w)]
    if isinstance(v, list): return [x for w in v for x in nums(w)]
    return [v] if isinstance(v, float) else []
; 0.5 in nums(d) and 0.9 not in nums(d) and "private" not in json.dumps(d["submission"].get("scores"))'

# a team picks its entry
req POST "/api/v1/submissions/$SA1/select" -H "$AUTH_B"
expect 404 "picking another team's submission: 404"
req POST "/api/v1/submissions/$SA1/select" -H "$AUTH_A"
expect 200 "alpha picks a1"
check "the submission shows it is picked" jtrue 'd["submission"]["selected"] is True'
board
check "the picked entry represents the team (beta moves up)" [ "$(names)" = '[["beta", "b1", 1], ["alpha", "a1", 2]]' ]
req DELETE "/api/v1/submissions/$SA1/select" -H "$AUTH_A"
board
check "un-picked: back to the team's best" [ "$(names)" = '[["alpha", "a2", 1], ["beta", "b1", 2]]' ]

# hide, disqualify, restore
adm "submissions/$SA2/hide" '{"reason":"dup"}'
board
check "hidden: the team's next best shows" [ "$(names)" = '[["beta", "b1", 1], ["alpha", "a1", 2]]' ]
adm "submissions/$SB1/disqualify" '{"reason":"rules"}'
board
check "disqualified: the team leaves the board" [ "$(names)" = '[["alpha", "a1", 1]]' ]
adm "submissions/$SA2/restore"; adm "submissions/$SB1/restore"
board
check "restored: as before" [ "$(names)" = '[["alpha", "a2", 1], ["beta", "b1", 2]]' ]

# baselines: shown, not ranked, not a team's entry
echo 'base-pass-1' | "$DO" user add --team base --email base@x.org --db "$DB" >/dev/null
TBASE=$("$DO" token create --email base@x.org --db "$DB" 2>/dev/null)
score "$TBASE" random '{"vqa":0.65}'; SBASE=$S
adm "submissions/$SBASE/baseline" '{"baseline":true}'
expect 200 "mark a baseline"
board
check "a baseline sits at its place by score with rank null; ranks skip it" [ "$(names)" = '[["alpha", "a2", 1], ["base", "random", null], ["beta", "b1", 2]]' ]
check "it is flagged baseline" jtrue 'd["entries"][1]["baseline"] is True'
req POST "/api/v1/submissions/$SBASE/select" -H "Authorization: Bearer $TBASE"
expect 409 "a baseline cannot be a team's pick"

# ties go to the earlier submission
score "$TB" b2 '{"vqa":0.7}'; SB2=$S; JB2=$J
board
check "a tie on the score: the earlier submission ranks first" [ "$(names)" = '[["alpha", "a2", 1], ["beta", "b2", 2], ["base", "random", null]]' ]

# lower is better
req PATCH /api/v1/admin/tracks/lb -H "$ADM" -H "$JSON" -d '{"direction":"min"}'
board
check "direction min: the lowest score ranks first" [ "$(names)" = '[["alpha", "a1", 1], ["beta", "b1", 2], ["base", "random", null]]' ]
req PATCH /api/v1/admin/tracks/lb -H "$ADM" -H "$JSON" -d '{"direction":"max"}'

# anonymous names, stable by first submission
req PATCH /api/v1/admin/tracks/lb -H "$ADM" -H "$JSON" -d '{"anonymous":true}'
board
check "anonymous: Team 1, Team 2 by first submission; baselines keep their name" [ "$(names)" = '[["Team 1", "a2", 1], ["Team 2", "b2", 2], ["base", "random", null]]' ]
check "... and a method's url and description, which could name the team, are left out" \
    jtrue 'all(e["url"] == "" and e["description"] == "" for e in d["entries"] if e["rank"] is not None)'
req GET "/api/v1/admin/exports/leaderboard?track=lb" -H "$ADM"
check "... the organizer's export still has them" jtrue 'any(e["url"] == "https://github.com/alpha/a2" and e["description"] == "alpha'"'"'s a2" for e in d["entries"])' 
req GET "/api/v1/leaderboard.csv?track=lb"
check "the CSV is anonymous too" sh -c "! grep -q alpha '$T/body' && grep -q 'Team 1' '$T/body'"
req GET "/api/v1/admin/exports/leaderboard?track=lb" -H "$ADM"
check "the organizer's export shows real names" jtrue '[e["team"] for e in d["entries"]][:2]==["alpha","beta"]'
req PATCH /api/v1/admin/tracks/lb -H "$ADM" -H "$JSON" -d '{"anonymous":false}'

# visibility
req PATCH /api/v1/admin/tracks/lb -H "$ADM" -H "$JSON" -d '{"leaderboard":"participants"}'
board
expect 401 "a participants-only board without login: 401"
req GET /api/v1/leaderboard?track=lb -H "$AUTH_A"
expect 200 "a participant sees it"
req PATCH /api/v1/admin/tracks/lb -H "$ADM" -H "$JSON" -d '{"leaderboard":"organizers"}'
req GET /api/v1/leaderboard?track=lb -H "$AUTH_A"
expect 403 "an organizers-only board for a participant: 403"
req GET /api/v1/leaderboard?track=lb -H "$ADM"
expect 200 "the organizer sees it"
req PATCH /api/v1/admin/tracks/lb -H "$ADM" -H "$JSON" -d '{"leaderboard":"public"}'

# the freeze: later scores and picks stay off the public board
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1.1
req PATCH /api/v1/admin/tracks/lb -H "$ADM" -H "$JSON" -d "{\"freeze_at\":\"$NOW\"}"
expect 200 "set a freeze time (now)"
board
BEFORE=$(names)
check "frozen: the board says so and is as before" sh -c "[ '$(jv 'd["frozen"]')' = true ] && [ '$BEFORE' = '[[\"alpha\", \"a2\", 1], [\"beta\", \"b2\", 2], [\"base\", \"random\", null]]' ]"
score "$TB" b3 '{"public":{"vqa":0.95},"private":{"vqa":0.95}}'; SB3=$S
req POST "/api/v1/submissions/$SA1/select" -H "$AUTH_A"
board
check "after the freeze a better score and a new pick do not change the public board" [ "$(names)" = "$BEFORE" ]
req GET "/api/v1/admin/exports/leaderboard?track=lb" -H "$ADM"
check "the organizer's export is never frozen" jtrue '[[e["team"], e["method_name"]] for e in d["entries"]]==[["beta","b3"],["base","random"],["alpha","a1"]]'
adm "submissions/$SA2/hide" '{"reason":"late finding"}'
board
check "hiding still applies on a frozen board" [ "$(names)" = '[["beta", "b2", 1], ["base", "random", null], ["alpha", "a1", 2]]' ]
adm "submissions/$SA2/restore"
# a re-run after the freeze: the frozen board keeps the score the entry had
adm "jobs/$JB2/rerun" '{"reason":"recheck"}'
expect 200 "re-run beta's frozen entry (b2) after the freeze"
board
check "frozen: the re-run entry stays, with its score at the freeze" \
    jtrue 'e=d["entries"]; [[x["team"], x["method_name"], x["rank"]] for x in e]==[["alpha","a2",1],["beta","b2",2],["base","random",None]] and list(e[1]["scores"].items())==[("overall",0.7),("vqa",0.7)] and e[1]["scored_at"]'
req POST /api/v1/worker/claim -H "$AUTH_W"
A=$(jv 'd["job"]["attempt"]')
check "the re-run is claimed" jtrue "d['job']['id']=='$JB2'"
req POST "/api/v1/worker/jobs/$JB2/result" -H "$AUTH_W" -H "$JSON" \
    -d "{\"attempt\":$A,\"status\":\"succeeded\",\"scores\":{\"vqa\":0.1}}"
board
check "frozen: the re-run's later score stays off the board; the old one shows" \
    jtrue 'e=d["entries"]; [x["method_name"] for x in e]==["a2","b2","random"] and e[1]["scores"]["vqa"]==0.7'
req PATCH /api/v1/admin/tracks/lb -H "$ADM" -H "$JSON" -d '{"freeze_at":null}'
board
check "freeze lifted: the later result and pick show" [ "$(names)" = '[["beta", "b3", 1], ["base", "random", null], ["alpha", "a1", 2]]' ]

# the private split: only once published after the close
board split=private
expect 404 "the private board before publishing: 404"
check "it says not_published" jtrue 'd["error"]["code"]=="not_published"'
req PATCH /api/v1/admin/tracks/lb -H "$ADM" -H "$JSON" -d "{\"closes_at\":\"$NOW\"}"
adm "tracks/lb/publish" '{"published":true}'
expect 200 "publish the private split after the close"
audit_ok=$(curl -s -H "$ADM" "$URL/api/v1/admin/audit?action=track.publish" | python3 -c 'import json,sys; d=json.load(sys.stdin); a=d["audit"]; print(len(a)==1 and a[0]["before"]["published_at"] is None and a[0]["after"]["published_at"] is not None)')
check "track.publish audited once with before/after" [ "$audit_ok" = True ]
board split=private
expect 200 "the private board is public now"
check "ranked by the private score of each team's entry (beta b3 0.95, alpha's pick a1 0.9)" [ "$(names)" = '[["beta", "b3", 1], ["alpha", "a1", 2]]' ]
check "it shows private scores" jtrue 'd["split"]=="private" and d["entries"][1]["scores"]["vqa"]==0.9'
req DELETE "/api/v1/submissions/$SA1/select" -H "$AUTH_A"
board split=private
check "without a pick the team's best public entry counts, with its private score" jtrue '[[e["team"], e["method_name"], round(e["scores"]["vqa"], 6)] for e in d["entries"]]==[["beta","b3",0.95],["alpha","a2",0.2]]'

# re-run of a failed job: a new score, the old attempt kept in history
req PATCH /api/v1/admin/tracks/lb -H "$ADM" -H "$JSON" -d '{"closes_at":null}'
req POST "/api/v1/submissions?track=lb&method_name=a4" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$STD"
S4=$(jv 'd["submission"]["id"]'); J4=$(jv 'd["submission"]["job"]["id"]')
req POST /api/v1/worker/claim -H "$AUTH_W" -H "$JSON" -d '{"worker":"gpu-1","version":"0.9"}'
req POST "/api/v1/worker/jobs/$J4/result" -H "$AUTH_W" -H "$JSON" -d '{"attempt":1,"status":"failed","error":"CUDA out of memory","fault":"system"}'
adm "jobs/$J4/rerun" '{"reason":"node fixed"}'
expect 200 "re-run the failed job"
check "queued again, history keeps the failed attempt" jtrue 'j=d["job"]; j["state"]=="queued" and j["error"] is None and len(j["history"])==1 and j["history"][0]["state"]=="failed" and j["history"][0]["error"]=="CUDA out of memory" and j["history"][0]["attempt"]==1 and j["history"][0]["worker"]=="gpu-1" and j["history"][0]["rerun_by"]=="admin@x.org"'
req GET "/api/v1/admin/audit?action=job.rerun&target=job:$J4" -H "$ADM"
check "job.rerun audited (failed -> queued)" jtrue 'a=d["audit"]; len(a)==1 and a[0]["before"]["state"]=="failed" and a[0]["after"]["state"]=="queued" and a[0]["reason"]=="node fixed"'
req POST /api/v1/worker/claim -H "$AUTH_W"
check "claimed as attempt 2" jtrue "d['job']['id']=='$J4' and d['job']['attempt']==2"
req POST "/api/v1/worker/jobs/$J4/result" -H "$AUTH_W" -H "$JSON" -d '{"attempt":2,"status":"succeeded","scores":{"vqa":0.99}}'
expect 200 "the re-run scores"
req GET "/api/v1/admin/jobs/$J4" -H "$ADM"
check "the job has the new score and the old attempt in its history" jtrue 'j=d["job"]; j["state"]=="succeeded" and j["scores"]["vqa"]==0.99 and j["history"][0]["state"]=="failed"'
board
check "the new score is on the board" jtrue 'd["entries"][0]["method_name"]=="a4" and d["entries"][0]["rank"]==1'
# re-run of a scored job keeps the old score in history
adm "jobs/$J4/rerun"
req GET "/api/v1/admin/jobs/$J4" -H "$ADM"
check "re-running a scored job keeps its score in history" jtrue 'h=d["job"]["history"]; len(h)==2 and h[1]["state"]=="succeeded" and h[1]["scores"]["vqa"]==0.99 and d["job"]["scores"]=={}'
req GET "/api/v1/admin/stats?track=lb" -H "$ADM"
check "statistics count the teams and outcomes" jtrue 'd["teams"]==3 and d["jobs"]["queued"]==1 and d["jobs"]["succeeded"]>=6'
check "no sanitizer report in the server log" no_sanitizer_errors
stop_server
check "the server stops cleanly" [ $? = 0 ]
