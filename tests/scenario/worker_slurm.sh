#!/bin/sh
# The Slurm executor on a real one-node Slurm cluster (slurm_env.sh:
# munged, slurmctld and slurmd from Debian's packages, started for this
# script and stopped at its end): dataoptimd and dataoptim-worker with
# executor.kind = slurm run the train and evaluate stages as batch jobs.
# A job goes through the whole pipeline; 6 queued submissions share 2
# Slurm slots (all scored once, at most 2 running at a time); a cancel
# while the batch job waits and while it runs, and a worker's SIGTERM,
# leave no Slurm job and no process; the stage timeout stops the batch
# job; a node set DOWN mid-run fails the attempt as the system's fault and
# the next attempt runs once the node is back; a worker killed with
# SIGKILL mid-train and started again adopts its running batch job (no
# second sbatch, one result), or cancels it when the attempt was
# cancelled meanwhile.
. "$(dirname "$0")/lib/worker_env.sh"
. "$(dirname "$0")/lib/slurm_env.sh"

slurm_start			# no Slurm here: it says so, exits 0
make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
make_fake_train
start_server --set jobs.lease_seconds=30 --set jobs.max_attempts=2 \
    --set submissions.max_active_jobs=20 || exit 1

SL="--set executor.kind=slurm --set slurm.poll_ms=250 --set slurm.cpus_per_task=1 --set worker.heartbeat=1"

# note_is TOKEN JOB PREFIX: the job's stage_note starts with PREFIX
note_is() { job_is "$1" "$2" "(j.get('stage_note') or '').startswith('$3')"; }
# finished TOKEN JOB
finished() { job_is "$1" "$2" 'j["state"] in ("succeeded","failed","cancelled")'; }
# n_named NAME: how many Slurm jobs are named NAME (any state)
n_named() { slurm_jobs_named "$1" | wc -l; }
# state_of NAME: the state of the last Slurm job named NAME
state_of() {
	_id=$(slurm_jobs_named "$1" | tail -n 1)
	if [ -n "$_id" ]; then slurm_job_state "$_id"; else echo none; fi
}
state_of_is() { [ "$(state_of "$1")" = "$2" ]; }
# procs: this script's fake train processes and their children
procs() {
	for _p in $(pgrep -f "^sh $T/fake_train.sh"); do
		echo "$_p"; pgrep -P "$_p"
	done
}
none_left() { [ -z "$(procs)" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }
stop_worker() { kill -TERM "$1" 2>/dev/null; wait_until 30 gone "$1"; }
cancel() {
	req POST "/api/v1/submissions/$2/cancel" -H "Authorization: Bearer $1"
}
# ids K: a file of IDs no other submission here has (the server reuses the
# result of a set it has scored)
ids() { pool_ids $((20 + $1)) 200 >"$T/ids$1.txt"; echo "$T/ids$1.txt"; }

"$DOW" --config "$ROOT/config/slurm-worker.ini" --token x --print-config >"$T/cfg" 2>&1
check "config/slurm-worker.ini is read: executor slurm, its #SBATCH options" sh -c \
    "grep -qx 'kind = slurm' '$T/cfg' && grep -qx 'extra = --gpus=1; --cpus-per-task=8; --mem=64G' '$T/cfg'"

# ---- 1. the whole pipeline on Slurm ----
start_worker A $SL --set "slurm.extra=--comment=dataoptim-test"; WA=$WPID
submit "$TA" std "$(ids 1)"; J1=$JOB
submit "$TB" byod "$SHARED/example-byod.json" application/json; J2=$JOB
check "a probe job checked the shared work dir before the first claim" \
    wait_until 30 grep -q "the work dir is shared; claiming jobs" "$T/worker-A.log" ||
    { sed 's/^/#   /' "$T/worker-A.log" | tail -n 20; exit 1; }
for j in $J1 $J2; do
	tok=$TA; [ "$j" = "$J2" ] && tok=$TB
	wait_until 60 finished "$tok" "$j"
	check "$j: succeeded in attempt 1 with scores" job_is "$tok" "$j" \
	    'j["state"]=="succeeded" and j["attempt"]==1 and "overall" in j["scores"]'
	check "$j: the stages' output came through Slurm's output file" \
	    jtrue '"proxy model:" in d["job"]["log_tail"] and "proxy eval:" in d["job"]["log_tail"]'
	check "$j: one train batch job, COMPLETED" sh -c \
	    "[ $(n_named "dataoptim-$j-1-train") -eq 1 ] && [ $(state_of "dataoptim-$j-1-train") = COMPLETED ]"
	check "$j: one evaluate batch job, COMPLETED" sh -c \
	    "[ $(n_named "dataoptim-$j-1-evaluate") -eq 1 ] && [ $(state_of "dataoptim-$j-1-evaluate") = COMPLETED ]"
	check "$j: delivered once" [ "$(delivered "$j")" -eq 1 ]
done
stop_worker "$WA"
check "the worker stopped on SIGTERM" gone "$WA"

# ---- 2. six submissions, two Slurm slots ----
cat >"$T/conc_train.sh" <<'SH'
#!/bin/sh
echo "start $(date +%s%N) $SLURM_JOB_ID" >>"$5"
sleep 2
echo "end $(date +%s%N) $SLURM_JOB_ID" >>"$5"
exec "$4/dataoptim" proxy train --data "$1" --out "$2"
SH
: >"$T/conc.log"
start_worker B $SL --set executor.max_jobs=6 \
    --set "train.command=sh $T/conc_train.sh {data_json} {output_dir} x {bin_dir} $T/conc.log"; WB=$WPID
: >"$T/six"
for i in 1 2 3 4 5 6; do
	tok=$TA; [ $i -gt 3 ] && tok=$TB
	pool_ids $((30 + 7 * i)) $((i * 13)) >"$T/six$i.txt"
	submit "$tok" std "$T/six$i.txt"
	echo "$tok $JOB" >>"$T/six"
done
six_done() {
	while read -r tok job; do finished "$tok" "$job" || return 1; done <"$T/six"
}
maxrun=0; waited=0; i=0
while [ $i -lt 240 ] && ! six_done; do
	n=$(slurm_count_running dataoptim-j_)
	[ "$n" -gt "$maxrun" ] && maxrun=$n
	while read -r tok job; do
		note_is "$tok" "$job" "waiting in Slurm" && waited=1
	done <"$T/six"
	sleep 0.25; i=$((i + 1))
done
all_ok=1
while read -r tok job; do
	job_is "$tok" "$job" 'j["state"]=="succeeded" and j["attempt"]==1' || all_ok=0
	[ "$(delivered "$job")" -eq 1 ] || all_ok=0
	[ "$(n_named "dataoptim-$job-1-train")" -eq 1 ] || all_ok=0
done <"$T/six"
check "all 6 succeeded in attempt 1, each delivered once, one train batch job each" [ $all_ok -eq 1 ]
check "Slurm ran at most 2 at a time (seen: $maxrun)" [ "$maxrun" -le 2 ]
check "the trainings overlapped 2 at a time, never 3 (one worker, several jobs)" python3 - "$T/conc.log" <<'PY'
import sys
ev = []
for l in open(sys.argv[1]):
    k, t, _ = l.split()
    ev.append((int(t), 1 if k == "start" else -1))
ev.sort()
n = top = 0
for _, d in ev:
    n += d
    top = max(top, n)
print("# most at once:", top)
sys.exit(0 if top == 2 and len(ev) == 12 else 1)
PY
check "a job waiting for a slot said so: 'waiting in Slurm: ...'" [ $waited -eq 1 ]
stop_worker "$WB"

# ---- 3. cancel while waiting, cancel while running, SIGTERM ----
start_worker C $SL --set "stage.train.extra=--begin=now+3600"; WC=$WPID
submit "$TA" std "$(ids 11)"; S3=$SUB; J3=$JOB
check "a batch job held by --begin: 'waiting in Slurm: BeginTime'" \
    wait_until 30 note_is "$TA" "$J3" "waiting in Slurm: BeginTime"
check "its Slurm job is PENDING" state_of_is "dataoptim-$J3-1-train" PENDING
cancel "$TA" "$S3"
check "cancelled while PENDING: the Slurm job is CANCELLED" \
    wait_until 20 state_of_is "dataoptim-$J3-1-train" CANCELLED
check "the job is cancelled" wait_until 10 job_is "$TA" "$J3" 'j["state"]=="cancelled"'
stop_worker "$WC"

echo slow >"$T/mode"
start_worker D $SL --set "$FAKE_CMD" --set "$FAKE_REQ"; WD=$WPID
submit "$TA" std "$(ids 12)"; S4=$SUB; J4=$JOB
check "the slow train runs in Slurm ('Slurm job N on ...')" \
    wait_until 30 note_is "$TA" "$J4" "Slurm job "
wait_until 10 sh -c "pgrep -f '^sh $T/fake_train.sh' >/dev/null"
P4=$(procs)
check "its processes run (a shell and its child: $(echo $P4))" [ "$(echo "$P4" | wc -w)" -ge 2 ]
cancel "$TA" "$S4"
check "cancelled while RUNNING: the Slurm job is CANCELLED" \
    wait_until 20 state_of_is "dataoptim-$J4-1-train" CANCELLED
check "... and its process tree is gone" wait_until 20 none_left
check "the job is cancelled" wait_until 10 job_is "$TA" "$J4" 'j["state"]=="cancelled"'

submit "$TA" std "$(ids 13)"; S5=$SUB; J5=$JOB
wait_until 30 note_is "$TA" "$J5" "Slurm job "
kill -TERM "$WD"
check "SIGTERM to the worker: it stops" wait_until 30 gone "$WD"
check "... its running batch job is CANCELLED" \
    wait_until 20 state_of_is "dataoptim-$J5-1-train" CANCELLED
check "... no process is left" wait_until 20 none_left
check "... and the attempt was handed back (queued again)" \
    job_is "$TA" "$J5" 'j["state"]=="queued"'
cancel "$TA" "$S5"

# ---- 4. the stage timeout ----
start_worker E $SL --set "$FAKE_CMD" --set "$FAKE_REQ" --set train.timeout=2; WE=$WPID
submit "$TA" std "$(ids 14)"; J6=$JOB
wait_until 60 finished "$TA" "$J6"
check "timed out: the attempt failed with the limit named" job_is "$TA" "$J6" \
    'j["state"]=="failed" and j["attempt"]==1 and "timed out after 2 s (limit train.timeout)" in j["error"] and "Slurm job" in j["error"]'
check "its batch job was cancelled" state_of_is "dataoptim-$J6-1-train" CANCELLED
check "no process is left" wait_until 20 none_left
B6="$T/w-E/jobs/$J6-1/train.sbatch"
check "the batch script has --time from train.timeout, the options, the job name" sh -c \
    "grep -qx '#SBATCH --time=1' '$B6' && grep -qx '#SBATCH --cpus-per-task=1' '$B6' &&
     grep -qx '#SBATCH --job-name=dataoptim-$J6-1-train' '$B6' && grep -qx '#SBATCH --no-requeue' '$B6'"
stop_worker "$WE"

# ---- 5. the node goes DOWN mid-run ----
echo slowok >"$T/mode"
SLOW_SECONDS=4 start_worker F $SL --set "$FAKE_CMD" --set "$FAKE_REQ"; WF=$WPID
submit "$TA" std "$(ids 15)"; J7=$JOB
check "the train batch job runs" wait_until 30 state_of_is "dataoptim-$J7-1-train" RUNNING
slurm_node_down "dataoptim test"
check "the node is down: Slurm ends the batch job NODE_FAIL" \
    wait_until 30 state_of_is "dataoptim-$J7-1-train" NODE_FAIL
check "attempt 2 waits in Slurm for the node" \
    wait_until 30 job_is "$TA" "$J7" 'j["attempt"]==2 and (j.get("stage_note") or "").startswith("waiting in Slurm")'
slurm_node_up
wait_until 60 finished "$TA" "$J7"
check "... succeeded in attempt 2" job_is "$TA" "$J7" 'j["state"]=="succeeded" and j["attempt"]==2'
check "attempt 1 was handed back as the node's fault" \
    grep -q "job $J7 attempt 1: train: Slurm job [0-9]* on .* its node failed (NODE_FAIL); handed back" "$T/worker-F.log"
stop_worker "$WF"

# ---- 6. SIGKILL mid-train, then a restart adopts the batch job ----
SLOW_SECONDS=6 start_worker G $SL --set "$FAKE_CMD" --set "$FAKE_REQ"; WG=$WPID
submit "$TA" std "$(ids 16)"; J8=$JOB
wait_until 30 state_of_is "dataoptim-$J8-1-train" RUNNING
kill -KILL "$WG"
wait_until 10 gone "$WG"
check "the worker is killed; its batch job keeps running" state_of_is "dataoptim-$J8-1-train" RUNNING
SLOW_SECONDS=6 start_worker G $SL --set "$FAKE_CMD" --set "$FAKE_REQ"; WG=$WPID
check "the restarted worker adopts the running batch job" \
    wait_until 30 grep -q "job $J8 attempt 1: adopting Slurm job" "$T/worker-G.log"
wait_until 60 finished "$TA" "$J8"
check "... and the job succeeds in attempt 1" job_is "$TA" "$J8" 'j["state"]=="succeeded" and j["attempt"]==1'
check "one train batch job: no second sbatch" [ "$(n_named "dataoptim-$J8-1-train")" -eq 1 ]
check "one result delivered" [ "$(delivered "$J8")" -eq 1 ]
check "the log the team sees says so" jtrue '"the worker restarted: following Slurm job" in d["job"]["log_tail"]'

# ---- 7. ... and cancels it when the attempt was cancelled meanwhile ----
echo slow >"$T/mode"
submit "$TA" std "$(ids 17)"; S9=$SUB; J9=$JOB
wait_until 30 state_of_is "dataoptim-$J9-1-train" RUNNING
kill -KILL "$WG"
wait_until 10 gone "$WG"
cancel "$TA" "$S9"
check "cancelled while its worker was down" job_is "$TA" "$J9" 'j["state"]=="cancelled"'
start_worker G $SL --set "$FAKE_CMD" --set "$FAKE_REQ"; WG=$WPID
check "the restarted worker cancels the batch job of the cancelled attempt" \
    wait_until 30 state_of_is "dataoptim-$J9-1-train" CANCELLED
check "... and its processes are gone" wait_until 20 none_left
check "... and it says why" grep -q "job $J9 attempt 1: cancelled" "$T/worker-G.log"
stop_worker "$WG"

check "no sanitizer report in the workers' logs" worker_sanitizer_clean
