#!/bin/sh
# The whole loop with real programs on loopback: dataoptimd and two
# dataoptim-worker processes on the proxy backend take 20 submissions from
# 5 teams (standard ID lists and a BYOD file); every job is scored exactly
# once, by one worker, in attempt 1; the leaderboard ranks the teams by
# their best score; the workers clean their work directories and stop
# cleanly on SIGTERM.
. "$(dirname "$0")/lib/worker_env.sh"

make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
TOK="$TA $TB"
for t in gamma delta eps; do
	"$DO" team add $t --db "$DB" >/dev/null
	echo "pw-$t-123456" | "$DO" user add --team $t --email $t@x.org --db "$DB" >/dev/null
	TOK="$TOK $("$DO" token create --email $t@x.org --db "$DB" 2>/dev/null)"
done
start_server --set jobs.lease_seconds=10 --set submissions.max_active_jobs=10 \
    --set leaderboard.cache_seconds=0 || exit 1
start_worker A; WA=$WPID
start_worker B; WB=$WPID

# 19 ID lists of different sizes and windows, one BYOD file
: >"$T/jobs"
i=0
for tok in $TOK; do
	for k in 1 2 3 4; do
		i=$((i + 1))
		[ $i -eq 20 ] && break
		pool_ids $((40 + 37 * i)) $((i * 211)) >"$T/ids$i.txt"
		submit "$tok" std "$T/ids$i.txt" || echo "# submit $i: $CODE $(head -c 300 "$T/body")"
		echo "$tok $SUB $JOB std" >>"$T/jobs"
	done
done
submit "$TB" byod "$SHARED/example-byod.json" application/json ||
    echo "# byod submit: $CODE $(head -c 300 "$T/body")"
echo "$TB $SUB $JOB byod" >>"$T/jobs"
check "20 submissions accepted" [ "$(grep -c " j_" "$T/jobs")" -eq 20 ]

all_done() {
	alive "$WA" && alive "$WB" || return 0	# a crash: stop waiting
	while read -r tok sub job track; do
		job_is "$tok" "$job" 'j["state"] in ("succeeded","failed","cancelled")' || return 1
	done <"$T/jobs"
}
check "every job finished within 120 s" wait_until 120 all_done

ok_all=1; once=1; att=1; proxy=1
while read -r tok sub job track; do
	job_is "$tok" "$job" 'j["state"]=="succeeded" and "overall" in j["scores"]' || { ok_all=0; echo "# $job: $(head -c 400 "$T/body")"; }
	jtrue 'd["job"]["attempt"]==1' || att=0
	jtrue 'd["job"]["backend"]=="proxy" and d["job"]["stage"]=="score"' || proxy=0
	[ "$(delivered "$job")" -eq 1 ] || { once=0; echo "# $job delivered $(delivered "$job") times"; }
done <"$T/jobs"
check "all 20 succeeded with scores" [ $ok_all -eq 1 ]
check "each result delivered exactly once" [ $once -eq 1 ]
check "each in its first attempt (no job ran twice)" [ $att -eq 1 ]
check "the jobs say their scores are proxy scores" [ $proxy -eq 1 ]
check "both workers took jobs" sh -c "grep -q 'result delivered' '$T/worker-A.log' && grep -q 'result delivered' '$T/worker-B.log'"
req GET "/api/v1/jobs/$JOB" -H "Authorization: Bearer $TB"
check "the job page shows the stage log" jtrue '"[worker] score: overall" in d["job"]["log_tail"] and "proxy eval:" in d["job"]["log_tail"]'

# each team's best score, from its submissions
: >"$T/best"
while read -r tok sub job track; do
	req GET "/api/v1/submissions/$sub" -H "Authorization: Bearer $tok"
	echo "$sub $(jv 'd["submission"]["scores"]["overall"]')" >>"$T/best"
done <"$T/jobs"
req GET "/api/v1/leaderboard?track=std"
check "the leaderboard ranks the teams by their best score" python3 - "$T/body" "$T/best" "$T/jobs" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
score = {l.split()[0]: float(l.split()[1]) for l in open(sys.argv[2])}
team_of = {}
for l in open(sys.argv[3]):
    tok, sub, job, track = l.split()
    if track == "std":
        team_of[sub] = tok
best = {}
for sub, tok in team_of.items():
    best[tok] = max(best.get(tok, -1.0), score[sub])
e = d["entries"]
assert len(e) == len(best) == 5, (len(e), len(best))
assert [x["rank"] for x in e] == [1, 2, 3, 4, 5]
ov = [x["scores"]["overall"] for x in e]
assert ov == sorted(ov, reverse=True), ov
for x in e:
    sub = x["submission_id"]
    assert abs(score[sub] - x["scores"]["overall"]) < 1e-9, sub
    assert abs(best[team_of[sub]] - score[sub]) < 1e-9, "not the team's best"
PY
check "every leaderboard entry is labelled with the proxy backend" \
    jtrue 'all(x.get("backend") == "proxy" for x in d["entries"])'
check "no attempt directory or pending result is left" \
    [ -z "$(find "$T/w-A/jobs" "$T/w-B/jobs" "$T/w-A/pending" "$T/w-B/pending" -mindepth 1)" ]

kill -TERM "$WA" "$WB"
check "SIGTERM: both workers exit 0" sh -c "wait_pid() { i=0; while kill -0 \$1 2>/dev/null && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done; ! kill -0 \$1 2>/dev/null; }; wait_pid $WA && wait_pid $WB"
wait "$WA"; ra=$?; wait "$WB"; rb=$?
check "the workers' exit status is 0" [ "$ra$rb" = 00 ]
check "no sanitizer report from the workers" worker_sanitizer_clean
check "SIGTERM: the server exits cleanly" stop_server
check "no sanitizer report from the server" no_sanitizer_errors
