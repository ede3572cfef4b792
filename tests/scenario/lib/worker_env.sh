# Shared by the tests/scenario/worker_*.sh scripts (sourced, POSIX sh), on
# top of server_env.sh: starts real dataoptim-worker processes against the
# real dataoptimd on loopback, with short backoffs, and waits on job
# states.  At exit every worker is killed with SIGKILL, and so is every
# stage process group a worker log names, before the server's cleanup.
. "$(dirname "$0")/lib/server_env.sh"

DOW=$DO_BIN/dataoptim-worker
VAL=$T/pool/val.json
: >"$T/wpids"

# worker_kill: SIGKILL to every worker and every stage group (the first
# half of worker_cleanup; slurm_env.sh's cleanup runs it too)
worker_kill() {
	for p in $(cat "$T"/wpids 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
	for g in $(sed -n 's/.*process group \([0-9][0-9]*\).*/\1/p' "$T"/worker-*.log 2>/dev/null); do
		kill -KILL -"$g" 2>/dev/null
	done
}
worker_cleanup() {
	worker_kill
	cleanup
}
trap worker_cleanup EXIT

# start_worker NAME [flags]: a worker with work dir $T/w-NAME, log
# $T/worker-NAME.log; its pid in $WPID
start_worker() {
	_n=$1; shift
	"$DOW" --server "$URL" --token "$TW" --work-dir "$T/w-$_n" --name "$_n" \
	    --pool "$POOL" --val "$VAL" \
	    --set worker.claim_min_ms=100 --set worker.claim_max_ms=400 \
	    --set worker.retry_min_ms=100 --set worker.retry_max_ms=800 \
	    --set worker.http_timeout=5 --set worker.kill_grace=2 \
	    "$@" >>"$T/worker-$_n.log" 2>&1 &
	WPID=$!
	echo "$WPID" >>"$T/wpids"
}

# submit TOKEN TRACK FILE [TYPE]: sets SUB and JOB
submit() {
	req POST "/api/v1/submissions?track=$2&method_name=m$(basename "$3")" \
	    -H "Authorization: Bearer $1" -H "Content-Type: ${4:-text/plain}" \
	    --data-binary @"$3"
	SUB=$(jv 'd["submission"]["id"]'); JOB=$(jv 'd["submission"]["job"]["id"]')
	[ "$CODE" = 201 ]
}

# pgid_of NAME JOB: the process group of the job's running stage, from
# the worker's log
pgid_of() {
	grep "job $2 " "$T/worker-$1.log" | sed -n 's/.*process group \([0-9][0-9]*\).*/\1/p' | tail -n 1
}

# group_gone PGID: no process is left in the group
group_gone() { ! pgrep -g "$1" >/dev/null 2>&1; }

# alive PID
alive() { kill -0 "$1" 2>/dev/null; }

# worker_sanitizer_clean: no ASan/UBSan report in any worker log
worker_sanitizer_clean() {
	! grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T"/worker-*.log
}

# make_fake_train: $T/fake_train.sh, a train command that behaves as the
# file $T/mode says when it starts:
#   ok        the proxy's real training
#   slowok    $SLOW_SECONDS (3) s of sleep, then the real training
#   slow      sleeps with a child process until stopped
#   stubborn  ignores SIGTERM (so does its child): only SIGKILL ends it
#   nofiles   exits 0 and leaves nothing behind
#   hf        prints the files $T/hf.* (Hugging Face Trainer output) one
#             by one, a second apart, then the real training
#   nan       prints a tqdm bar and a log dict with a nan loss every
#             0.05 s until stopped
# FAKE_TRAIN: the worker flags that use it.
make_fake_train() {
	cat >"$T/fake_train.sh" <<'SH'
#!/bin/sh
mode=$(cat "$1" 2>/dev/null || echo ok)
echo "fake train: mode $mode"
case $mode in
ok) exec "$4/dataoptim" proxy train --data "$2" --out "$3" ;;
slowok) sleep "${SLOW_SECONDS:-3}"
	exec "$4/dataoptim" proxy train --data "$2" --out "$3" ;;
slow) sleep 300 & wait ;;
stubborn) trap '' TERM; sleep 300 & wait; sleep 300 ;;
nofiles) echo "pretending to train"; exit 0 ;;
hf)	for f in "$(dirname "$1")"/hf.*; do cat "$f"; sleep 1; done
	exec "$4/dataoptim" proxy train --data "$2" --out "$3" ;;
nan)	i=0
	while :; do
		i=$((i + 1))
		printf '\r  0%%|          | %d/900 [00:01<00:10,  0.10s/it]' $i
		printf "\r{'loss': nan, 'learning_rate': 2e-05, 'epoch': 0.0}\n"
		sleep 0.05
	done ;;
esac
SH
	echo ok >"$T/mode"
}
FAKE_CMD="train.command=sh $T/fake_train.sh $T/mode {data_json} {output_dir} {bin_dir}"
FAKE_REQ="train.required=config.json trainer_state.json proxy_model.bin|*.safetensors"

# make_images DIR: a small file that starts like a JPEG under DIR for
# every image the pool's items name (what the worker's preflight checks)
make_images() {
	python3 - "$T/pool/data" "$1" <<'PY'
import glob, json, os, sys
for f in glob.glob(sys.argv[1] + "/*.json"):
    for it in json.load(open(f)):
        if "image" in it:
            p = os.path.join(sys.argv[2], it["image"])
            os.makedirs(os.path.dirname(p), exist_ok=True)
            open(p, "wb").write(b"\xff\xd8\xff\xe0\x00\x10JFIF")
PY
}

# delivered JOB: how many times any worker delivered a result for JOB
delivered() { cat "$T"/worker-*.log | grep -c "job $1 attempt [0-9]*: result delivered"; }

# bail_if_dead PID...: stop the script (not ok) when a worker died early
bail_if_dead() {
	for _p in "$@"; do
		alive "$_p" && continue
		notok "worker $_p died:"
		tail -n 20 "$T"/worker-*.log | sed 's/^/#   /'
		exit 1
	done
}
