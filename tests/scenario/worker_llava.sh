#!/bin/sh
# The LLaVA backend's plumbing without a GPU: a worker started from
# config/llava-worker.ini runs deploy/llava/train.sh and eval.sh, with
# stand-ins for `deepspeed` and `python` on PATH that record what they were
# given (the competition's exact training command, the materialized data,
# the [env] variables), leave the files LLaVA leaves, and answer every
# validation question with its answer in run_llava_eval's format.
. "$(dirname "$0")/lib/worker_env.sh"

make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
start_server --set jobs.lease_seconds=10 || exit 1
make_images "$T/pool/images" || { echo "not ok 1 - images"; exit 1; }
mkdir -p "$T/fakebin" "$T/llava/llava/eval" "$T/llava/scripts" "$T/valimg"
touch "$T/llava/llava/eval/run_llava_eval.py" "$T/llava/scripts/zero3.json" "$T/proj.bin"
cat >"$T/fakebin/deepspeed" <<SH
#!/bin/sh
printf '%s\n' "\$@" >"$T/ds.args"
env >"$T/ds.env"; pwd >"$T/ds.cwd"
out=""; prev=""
for a in "\$@"; do [ "\$prev" = --output_dir ] && out=\$a; prev=\$a; done
mkdir -p "\$out"; echo '{}' >"\$out/config.json"; echo '{}' >"\$out/trainer_state.json"
echo weights >"\$out/model.safetensors"
echo "fake deepspeed: 1 epoch done"
SH
cat >"$T/fakebin/python" <<SH
#!/bin/sh
printf '%s\n' "\$@" >"$T/py.args"
res=""; inp=""; prev=""
for a in "\$@"; do
	[ "\$prev" = --result-dir ] && res=\$a; [ "\$prev" = --input-file ] && inp=\$a; prev=\$a
done
exec python3 - "\$inp" "\$res" <<'PY'
import json, sys, os
val = json.load(open(sys.argv[1]))
files = {}
for it in val:
    task = it["image_id"].split("/")[0]
    if task not in files:
        files[task] = open(os.path.join(sys.argv[2], task + ".txt"), "w")
    f = files[task]
    f.write("%s.jpg\t%s\t%s\t%s\n" % (it["image_id"], it["question"], it["answer"], it["answer"].replace("\n", " ")))
PY
SH
chmod +x "$T/fakebin/deepspeed" "$T/fakebin/python"

PATH="$T/fakebin:$PATH" start_worker L --config "$ROOT/config/llava-worker.ini" \
    --set "train.command=$ROOT/deploy/llava/train.sh {data_json} {image_folder} {output_dir}" \
    --set "evaluate.command=$ROOT/deploy/llava/eval.sh {output_dir} {val_json} {result_dir}" \
    --set "worker.image_folder=$T/pool/images" \
    --set "env.LLAVA_DIR=$T/llava" --set "env.MODEL_PATH=$T/llama" \
    --set "env.PRETRAIN_ADAPTER=$T/proj.bin" --set "env.VAL_IMAGE_DIR=$T/valimg" \
    --set env.CUDA_VISIBLE_DEVICES=0,1
PL=$WPID
sleep 0.5; bail_if_dead "$PL"
pool_ids 120 50 >"$T/ids.txt"
submit "$TA" std "$T/ids.txt"; J=$JOB
check "the job succeeds through train.sh and eval.sh" \
    wait_until 30 job_is "$TA" "$J" 'j["state"]=="succeeded"'
check "preflight found every image under worker.image_folder" \
    jtrue '"preflight: passed" in d["job"]["log_tail"]'
check "its scores are labelled llava; every answer right scores 1" \
    jtrue 'j=d["job"]; j["backend"]=="llava" and abs(j["scores"]["overall"]-1.0)<1e-9'
check "deepspeed ran the competition's command" python3 - "$T/ds.args" "$T/w-L/jobs/$J-1" "$T" <<'PY'
import sys
a = open(sys.argv[1]).read().split("\n")[:-1]
d, t = sys.argv[2], sys.argv[3]
want = ["llava/train/train_mem.py", "--deepspeed", t + "/llava/scripts/zero3.json",
    "--model_name_or_path", t + "/llama", "--version", "llava_llama_2",
    "--data_path", d + "/data.json", "--image_folder", t + "/pool/images",
    "--vision_tower", "openai/clip-vit-large-patch14",
    "--pretrain_mm_mlp_adapter", t + "/proj.bin", "--mm_vision_select_layer", "-2",
    "--mm_use_im_start_end", "False", "--mm_use_im_patch_token", "False",
    "--bf16", "True", "--output_dir", d + "/model", "--num_train_epochs", "1",
    "--per_device_train_batch_size", "16", "--per_device_eval_batch_size", "4",
    "--gradient_accumulation_steps", "1", "--evaluation_strategy", "no",
    "--save_strategy", "steps", "--save_steps", "50000", "--save_total_limit", "1",
    "--learning_rate", "2e-5", "--weight_decay", "0.", "--warmup_ratio", "0.03",
    "--lr_scheduler_type", "cosine", "--logging_steps", "1", "--tf32", "True",
    "--model_max_length", "2048", "--gradient_checkpointing", "True",
    "--dataloader_num_workers", "4", "--lazy_preprocess", "True", "--report_to", "none"]
sys.exit(0 if a == want else print(a) or 1)
PY
check "the stage saw [env]: CUDA_VISIBLE_DEVICES, WANDB_MODE=disabled, DO_JOB_ID" \
    sh -c "grep -qx 'CUDA_VISIBLE_DEVICES=0,1' '$T/ds.env' && grep -qx 'WANDB_MODE=disabled' '$T/ds.env' && grep -qx 'DO_JOB_ID=$J' '$T/ds.env' && grep -qx '$T/llava' '$T/ds.cwd'"
check "run_llava_eval got the model, the images, the questions, the result dir" \
    sh -c "tr '\n' ' ' <'$T/py.args' | grep -q -- '-m llava.eval.run_llava_eval --model-path $T/w-L/jobs/$J-1/model --image-dir $T/valimg --input-file $VAL --result-dir $T/w-L/jobs/$J-1/results --conv-mode llava_llama_2'"
req GET "/api/v1/jobs/$J" -H "Authorization: Bearer $TA"
check "the log tail shows the training output" jtrue '"fake deepspeed: 1 epoch done" in d["job"]["log_tail"]'
kill -TERM "$PL"; wait "$PL"
check "no sanitizer report from the worker" worker_sanitizer_clean
check "SIGTERM: the server exits cleanly" stop_server
