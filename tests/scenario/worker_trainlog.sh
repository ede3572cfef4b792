#!/bin/sh
# The train stage's output as LLaVA's Hugging Face Trainer writes it, with
# real programs on loopback and a train command (lib/worker_env.sh) that
# prints recorded Trainer text: tqdm's bar redrawn after '\r' and one
# {'loss': ...} dict a step, in reads cut anywhere (inside lines, inside
# the bar's UTF-8 characters).  While the job runs, GET /api/v1/jobs/{id}
# shows the real progress and the loss series; at the end the whole
# curve, downsampled to at most 500 points with its first and last step.
# A loss that stays nan for worker.nan_steps steps stops the run: the
# attempt is handed back for another (a system fault: no charge), and
# when it happens again the job fails as the team's fault.
. "$(dirname "$0")/lib/worker_env.sh"

make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
make_fake_train
start_server --set jobs.lease_seconds=10 --set jobs.max_attempts=5 || exit 1

# 1200 steps of Trainer output (loss 2 / (1 + step / 300), step 700 nan),
# cut into three reads at odd byte offsets
python3 - "$T" <<'PY'
import sys
t, n = sys.argv[1], 1200
bar = lambda i: "\r%3d%%|%s| %d/%d [00:%02d<20:32,  2.04s/it]" % (
    100 * i // n, ("\u2588" * (10 * i // n)).ljust(10), i, n, i % 60)
out = ["[INFO] [real_accelerator.py:161] Setting ds_accelerator to cuda\n",
    bar(0)]
for i in range(1, n + 1):
    loss = "nan" if i == 700 else repr(round(2 / (1 + i / 300), 4))
    out.append(bar(i))
    out.append("\r" + " " * 60 + "\r")
    out.append("{'loss': %s, 'learning_rate': 2e-05, 'epoch': %.2f}\n" % (loss, i / n))
    out.append(bar(i))
out.append("\r" + " " * 60 + "\r{'train_runtime': 1274.5, 'train_loss': 0.9, 'epoch': 1.0}\n")
b = "".join(out).encode()
cuts = [0, len(b) // 3 + 1, 2 * len(b) // 3 + 2, len(b)]
for k in range(3):
    open("%s/hf.%d" % (t, k), "wb").write(b[cuts[k]:cuts[k + 1]])
PY
echo hf >"$T/mode"
start_worker A --set "$FAKE_CMD" --set "$FAKE_REQ" --set worker.heartbeat=1
PA=$WPID
sleep 0.3; bail_if_dead "$PA"
pool_ids 60 10 >"$T/ids.txt"
submit "$TA" std "$T/ids.txt"; J=$JOB
check "while it trains, the job shows the real progress and a loss curve" \
    wait_until 20 job_is "$TA" "$J" 'j["state"]=="running" and j["stage"]=="train" and j["train_steps"]==1200 and 0 < j["train_step"] < 1200 and 0.1 < j["progress"] < 0.8 and 1 < len(j["loss"]) <= 500'
check "... the series so far starts at step 1, steps rising" \
    jtrue 'l=d["job"]["loss"]; l[0]==[1, 1.9934] and all(a[0] < b[0] for a, b in zip(l, l[1:]))'
check "the job succeeds" wait_until 30 job_is "$TA" "$J" 'j["state"]=="succeeded"'
check "its loss series: at most 500 points, steps 1 to 1200, each a real step's loss" \
    jtrue 'l=d["job"]["loss"]; 250 <= len(l) <= 500 and l[0][0]==1 and l[-1]==[1200, 0.4] and all(v is None if s==700 else abs(v - round(2/(1+s/300), 4)) < 1e-6 for s, v in l)'
check "... and the bar's last step" jtrue 'j=d["job"]; j["train_step"]==1200 and j["train_steps"]==1200'
req GET "/api/v1/jobs/$J" -H "Authorization: Bearer $TB"
check "another team cannot see it (404)" [ "$CODE" = 404 ]

# ---- nan for worker.nan_steps steps: retried once, then the team's ----
echo nan >"$T/mode"
pool_ids 60 200 >"$T/ids2.txt"
submit "$TA" std "$T/ids2.txt"; J=$JOB
check "a nan loss stops the second attempt too; the job fails" \
    wait_until 40 job_is "$TA" "$J" 'j["state"]=="failed"'
check "... as the team's fault, on attempt 2, saying why" \
    jtrue 'j=d["job"]; j["fault"]=="team" and j["attempt"]==2 and j["error"].startswith("train: the loss was NaN or infinite for ") and "(worker.nan_steps = 20)" in j["error"] and "an earlier attempt stopped so too" in j["error"]'
check "... its series holds the nan steps as null" \
    jtrue 'l=d["job"]["loss"]; len(l) >= 20 and all(v is None for s, v in l)'
check "attempt 1 was stopped and handed back for another attempt" \
    grep -q "job $J attempt 1: train: the loss was NaN or infinite for [0-9]* steps in a row from step 1 (worker.nan_steps = 20); handed back for another attempt" "$T/worker-A.log"
check "... and the server took it back (no charge: a hand-back)" \
    grep -q "job $J attempt 1: handed back to the server" "$T/worker-A.log"
G1=$(grep "job $J attempt 1: train: started" "$T/worker-A.log" | sed -n 's/.*process group \([0-9][0-9]*\).*/\1/p')
G2=$(pgid_of A "$J")
both_gone() { [ -n "$G1" ] && [ -n "$G2" ] && group_gone "$G1" && group_gone "$G2"; }
check "both attempts' stage process groups are gone" wait_until 5 both_gone

kill -TERM "$PA"; wait "$PA"
check "no sanitizer report from the worker" worker_sanitizer_clean
check "SIGTERM: the server exits cleanly" stop_server
