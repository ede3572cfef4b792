#!/bin/sh
# dataoptim-worker's configuration: flags over the file, the proxy
# backend's defaults, and mistakes told at start (unknown key, bad
# template, no token, no validation set, a pool that is not there, an
# executor setting that cannot work).
. "$(dirname "$0")/lib/worker_env.sh"

make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
run_w() { "$DOW" "$@" >"$T/out" 2>&1; }
has() { grep -q -- "$1" "$T/out"; }

run_w --server http://127.0.0.1:1 --token t --val "$VAL" --print-config
check "--print-config: the proxy backend by default" \
    sh -c "grep -q 'command = {bin_dir}/dataoptim proxy train --data {data_json} --out {output_dir}' '$T/out' && grep -q 'required = config.json trainer_state.json proxy_model.bin' '$T/out' && grep -q 'token = (set)' '$T/out'"
(cd "$T" && "$DOW" --token t --val ./v//val.json --work-dir w --pool p.idx \
    --set worker.image_folder=img/ --print-config) >"$T/out" 2>&1
check "--print-config: relative paths are made absolute at start" \
    sh -c "grep -qx 'work_dir = $T/w' '$T/out' && grep -qx 'val = $T/v/val.json' '$T/out' && grep -qx 'pool = $T/p.idx' '$T/out' && grep -qx 'image_folder = $T/img' '$T/out'"
(cd "$T" && "$DOD" --db d.db --state-dir st --pool p.idx --static-dir s \
    --print-config) >"$T/out" 2>&1
check "... and so by dataoptimd" \
    sh -c "grep -qx 'db = $T/d.db' '$T/out' && grep -qx 'state_dir = $T/st' '$T/out' && grep -qx 'pool = $T/p.idx' '$T/out' && grep -qx 'static_dir = $T/s' '$T/out'"
printf '[server]\nlisten = x\n[worker]\nname = from-file\nbackend = llava\n[train]\ncommand = t.sh {data_json}\n[evaluate]\ncommand = e.sh {result_dir}\n[env]\nCUDA_VISIBLE_DEVICES = 3\n' >"$T/w.ini"
run_w --config "$T/w.ini" --token t --val "$VAL" --name from-flag --set env.WANDB_MODE=disabled --print-config
check "the file is read (the server's sections skipped), flags win" \
    sh -c "grep -q 'name = from-flag' '$T/out' && grep -q 'backend = llava' '$T/out' && grep -q 'CUDA_VISIBLE_DEVICES = 3' '$T/out' && grep -q 'WANDB_MODE = disabled' '$T/out'"
run_w --token t --val "$VAL" --set worker.nosuch=1
check "an unknown key is refused" sh -c "[ $? -ne 0 ] && grep -q 'unknown configuration key worker.nosuch' '$T/out'"
run_w --token t --val "$VAL" --set worker.kill_grace=-1
check "an out-of-range value is refused" has 'kill_grace: -1 is out of range'
run_w --server http://127.0.0.1:1 --token t --val "$VAL" --print-config
check "worker.nan_steps: 20 by default" sh -c "grep -qx 'nan_steps = 20' '$T/out'"
run_w --token t --val "$VAL" --set worker.nan_steps=-1
check "... and never below 0 (0: the loss never stops a run)" has 'nan_steps: -1 is out of range'
run_w --token t --val "$VAL" --print-config
check "executor.kind: local by default, one job at a time" sh -c "grep -qx 'kind = local' '$T/out' && grep -qx 'max_jobs = 1' '$T/out'"
run_w --token t --val "$VAL" --set executor.kind=slurm --print-config
check "... 8 at a time with slurm" grep -qx 'max_jobs = 8' "$T/out"
run_w --token t --val "$VAL" --set executor.kind=pbs
check "an unknown executor is refused" has "executor.kind: local or slurm, not 'pbs'"
run_w --token t --val "$VAL" --set stage.train.where=slurm
check "a stage on Slurm needs the slurm executor (the section's dot read)" has 'stage.train.where = slurm needs executor.kind = slurm'
run_w --token t --val "$VAL" --set executor.kind=slurm --set 'slurm.partition=gpu a100'
check "a #SBATCH value with a blank is refused" has "slurm.partition: one word without blanks or quotes"
run_w --token t --val "$VAL" --set executor.kind=slurm --work-dir "$T/with space"
check "... and a work dir with one, with Slurm" has 'worker.work_dir: with executor.kind = slurm it must not hold blanks'
run_w --token t --val "$VAL" --set executor.kind=slurm --set 'stage.evaluate.extra=--gpus=1;mem=4G'
check "a Slurm option that is not one is told at start" has 'the Slurm option "mem=4G" must be one line starting with'
run_w --server "$URL" --token t --val "$VAL" --set 'train.command=x {nosuch}'
check "an unknown placeholder is told at start" has 'train.command: unknown placeholder {nosuch}'
run_w --token t --val "$VAL" --set "train.command=x 'open"
check "an unterminated quote is told at start" has "train.command: unterminated ' quote"
run_w --token t --val "$VAL" --set 'worker.metrics=vqa=fuzzy'
check "an unknown metric is told at start" has "worker.metrics: vqa: unknown metric 'fuzzy' (vqa, choice or exact)"
run_w --token t --val "$VAL" --set 'worker.metrics=vqa=exact, =choice'
check "an entry without its task is told at start" has "worker.metrics: '=choice' is not TASK=vqa|choice|exact"
run_w --val "$VAL"
check "no token: told" has 'no worker token'
run_w --token t
check "no validation set: told" has 'no validation set'
run_w --token t --val "$VAL" --pool "$T/nosuch.idx"
check "a missing pool index: told" has "pool $T/nosuch.idx:"
run_w --token t --val "$VAL" --set worker.backend=llava
check "a non-proxy backend needs its commands" has "backend 'llava' needs train.command and evaluate.command"
run_w --token t --val "$VAL" --server ftp://x
check "the server URL must be http(s)" has 'must start with http:// or https://'
