#!/bin/sh
# The worker against a hostile server (lib/hostile_server.py, a Python
# stand-in for dataoptimd's worker routes on loopback) that hands out, one
# claim after the other, BYOD jobs whose answers lie:
#   (a) endless: the submission streams forever (size_bytes says 251);
#       biglen: its Content-Length says 8 MiB
#   (b) wrong:   251 bytes, but not the ones sha256 names
#   (c) short:   100 of the 251 bytes, as a complete answer
#   (d) bigclaim: a 2 MiB claim answer (valid JSON, a real job);
#       oldsrv:  a claim without size_bytes/sha256 (an older server)
#       whose heartbeats are answered with a 2 MiB {"cancelled":true}
#   good: an honest job between them, its result answered with 5 MiB
#       (the job with a huge log tail: the worker needs its status only)
# The real worker must hang up on (a) at the announced size, fail (a)-(c)
# as system faults with a readable error and run no stage for them, refuse
# both oversized answers (the 1 MiB limit of wkhttp) but take the status
# of the oversized result answer, run the honest and the older server's
# jobs to their stage, and live on with bounded memory.
. "$(dirname "$0")/lib/worker_env.sh"

make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
HS=$ROOT/tests/scenario/lib/hostile_server.py
python3 "$HS" "$T/hs.port" "$T/hs.log" 120 >"$T/hs.err" 2>&1 &
echo $! >>"$T/bgpids"
wait_until 10 test -s "$T/hs.port" || { echo "not ok 1 - the hostile server did not start"; cat "$T/hs.err"; exit 1; }
URL=http://127.0.0.1:$(cat "$T/hs.port")
TW=hostile-test-token
set -- $(python3 -c 'import sys, hashlib; sys.path.insert(0, sys.argv[1])
import hostile_server as h
print(h.SHA, hashlib.sha256(h.WRONG).hexdigest(), len(h.PAYLOAD), h.SHORT, h.CHUNK)' "$ROOT/tests/scenario/lib")
SHA=$1 WRONG_SHA=$2 SIZE=$3 SHORT=$4 CHUNK=$5

# a stage command that says it ran; oldsrv's train lasts 3 s (heartbeats)
cat >"$T/stage.sh" <<'SH'
#!/bin/sh
echo "$2" >>"$1/ran.$3"
[ "$3" = oldsrv ] && [ "$2" = train ] && sleep 3
echo "stage $2 of $3: failing on purpose"
exit 3
SH
start_worker A --set worker.heartbeat=1 \
    --set "train.command=sh $T/stage.sh $T train {job_id}" \
    --set "evaluate.command=sh $T/stage.sh $T evaluate {job_id}"
PA=$WPID
JD=$T/w-A/jobs

# ev EXPR: the hostile server's log (events as E, a list of dicts) makes
# the Python expression true
ev() {
	python3 -c 'import json, sys
E = [json.loads(l) for l in open(sys.argv[1])]
def of(kind, job): return [e for e in E if e["ev"] == kind and e["job"] == job]
def result(job):
    r = of("result", job)
    return r[-1]["body"] if r else {}
sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/hs.log" "$1"
}
# failed_with JOB TEXT: JOB's last posted result failed, fault system,
# with exactly the error TEXT
failed_with() {
	ev "result('$1').get('status') == 'failed' and result('$1').get('fault') == 'system' and result('$1').get('error') == '''$2'''"
}
# dl_bytes JOB: bytes of JOB's submission on the worker's disk (either
# name: materialize renames a BYOD file to data.json); "none" if neither
dl_bytes() {
	if [ -f "$JD/$1-1/submission.json" ] || [ -f "$JD/$1-1/data.json" ]; then
		cat "$JD/$1-1/submission.json" "$JD/$1-1/data.json" 2>/dev/null | wc -c
	else
		echo none
	fi
}
# why JOB: a comment line for a failed check
why() { echo "#   $1: $(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("job") == sys.argv[2] and e["ev"] in ("download", "result"):
        print(e["ev"], json.dumps(e.get("body") or e)[:300], end="; ")' "$T/hs.log" "$1")"; }

# checkw JOB DESC COMMAND...: check, and show what JOB got when it fails
checkw() {
	_j=$1; _d=$2; shift 2
	if "$@"; then ok "$_d"; else notok "$_d"; why "$_j"; fi
}

# every job over (or 40 s: an old worker that obeys the big cancel
# never posts oldsrv's result)
wait_until 40 ev 'result("oldsrv") and result("good") and result("short")' || echo "# not every job reached its result"
sleep 0.5

# ---- (a) the endless submission ----
hung_up() { ev 'of("download", "endless") and all(e["ended"] == "client" and e["secs"] < 5 for e in of("download", "endless"))'; }
checkw endless "(a) endless: the worker hung up on the download within 5 s, long before the server's 64 MiB" hung_up
B=$(dl_bytes endless)
on_disk() { [ "$B" != none ] && [ "$B" -le $((SIZE + CHUNK)) ]; }
check "(a) endless: no more than size_bytes + one chunk on disk ($B <= $SIZE + $CHUNK bytes)" on_disk
checkw endless "(a) endless: a failed result, fault system: the server sent more than the $SIZE bytes announced" \
    failed_with endless "download: the server sent more than the $SIZE bytes the claim announced"
B=$(dl_bytes biglen)
biglen_refused() {
	[ "$B" = 0 ] && failed_with biglen "download: the server sent more than the $SIZE bytes the claim announced"
}
checkw biglen "(a) an 8 MiB Content-Length: stopped before a byte is written ($B on disk), failed the same way" biglen_refused

# ---- (b) the right size, the wrong bytes ----
checkw wrong "(b) wrong content: a failed result, fault system: SHA-256 mismatch (want, got)" \
    failed_with wrong "download: SHA-256 mismatch (want $SHA, got $WRONG_SHA)"

# ---- (c) a short body ----
checkw short "(c) short body: a failed result, fault system: $SHORT of the $SIZE bytes" \
    failed_with short "download: the server sent $SHORT of the $SIZE bytes the claim announced"

# ---- no stage for a download that does not match ----
nostage() {
	for j in endless biglen wrong short; do
		[ ! -e "$T/ran.$j" ] || return 1
		! grep -q "materialize: downloaded" "$JD/$j-1/job.log" 2>/dev/null || return 1
		[ -f "$JD/$j-1/FAILED" ] || return 1
	done
	ev 'all(e["body"].get("stage") == "materialize" for j in ("endless", "biglen", "wrong", "short") for e in of("heartbeat", j))' &&
	    [ -e "$T/ran.good" ] && [ -e "$T/ran.oldsrv" ] &&
	    ev 'result("good").get("error", "").startswith("train: the command exited with status 3")'
}
_d="(a)-(c): no stage ran for them (no materialize, train or evaluate; kept as FAILED); the honest download (size and SHA-256 matching) ran its stage"
if nostage; then ok "$_d"; else
	notok "$_d"; ls "$T" | grep '^ran\.' | sed 's/^/#   a stage ran for: /'
fi

# ---- (d) oversized answers ----
LIMIT_MSG="response body over the worker's 1048576-byte limit: request abandoned"
claim_refused() {
	grep -q "claim failed: $LIMIT_MSG" "$T/worker-A.log" && [ ! -e "$T/ran.bigclaim" ] &&
	    ev 'not of("download", "bigclaim") and not of("heartbeat", "bigclaim")'
}
checkw bigclaim "(d) a 2 MiB claim answer is refused at the 1 MiB limit: its job is never downloaded nor run" claim_refused
result_taken() {
	ev 'len(of("result", "good")) == 1' && grep -q "job good attempt 1: result delivered (failed)" "$T/worker-A.log"
}
checkw good "(d) a 5 MiB answer to a result (only its status matters) is cut at 1 MiB: its 200 stands, the result is sent once" result_taken
# (and, after all of it, the worker lives on, its peak RSS below the
# 64 MiB the endless download would have been)
HWM=$(rss_kb "$PA" VmHWM)
hb_refused() {
	grep -q "job oldsrv attempt 1: heartbeat failed: $LIMIT_MSG" "$T/worker-A.log" &&
	    ! grep -q "job oldsrv attempt 1: cancelled" "$T/worker-A.log" &&
	    ev 'result("oldsrv").get("error", "").startswith("train: the command exited with status 3")' &&
	    kill -0 "$PA" && [ "${HWM:-999999999}" -lt 65536 ]
}
checkw oldsrv "(d) 2 MiB heartbeat answers ({cancelled:true}) are refused; the job of an older server's claim (no size_bytes/sha256) runs on to its result; the worker lives on (peak RSS ${HWM:-?} kB < 64 MiB)" hb_refused

# ---- stopping ----
kill -TERM "$PA"; wait "$PA"; rc=$?
stopped_clean() { [ "$rc" -eq 0 ] && worker_sanitizer_clean; }
check "SIGTERM: the worker exits 0; no sanitizer report in its log" stopped_clean
echo "1..$N"
