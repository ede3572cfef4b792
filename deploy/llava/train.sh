#!/bin/sh
# DataOptim LLaVA backend, train stage: the competition's fine-tuning
# command (SEED-README.md, "Training"), unchanged but for the paths, with
# LLaVA-LLaMA-2-7B-chat, DeepSpeed ZeRO-3 and every listed
# hyper-parameter.  Run by dataoptim-worker (config/llava-worker.ini):
#
#   train.sh DATA_JSON IMAGE_FOLDER OUTPUT_DIR
#
# DATA_JSON is the materialized training file ({data_json}), OUTPUT_DIR
# the checkpoint directory ({output_dir}).  The host's paths come from
# the environment (the worker's [env] section):
#   LLAVA_DIR         LLaVA checkout at the competition's commit
#   MODEL_PATH        Llama-2-7b-chat-hf
#   PRETRAIN_ADAPTER  llava-pretrain-llama-2-7b-chat/mm_projector.bin
#   VISION_TOWER      default openai/clip-vit-large-patch14
#   DEEPSPEED_CONFIG  default $LLAVA_DIR/scripts/zero3.json
#   DEEPSPEED_ARGS    extra launcher arguments, e.g. "--num_gpus 8"
#   PYTHON_ENV        optional: a script to source first (conda/venv)
# Weights & Biases stays off (--report_to none, WANDB_MODE=disabled).
set -eu
[ $# -eq 3 ] || { echo "usage: train.sh DATA_JSON IMAGE_FOLDER OUTPUT_DIR" >&2; exit 2; }
DATA_JSON=$1 IMAGE_FOLDER=$2 OUTPUT_DIR=$3
: "${LLAVA_DIR:?set LLAVA_DIR (the LLaVA checkout)}"
: "${MODEL_PATH:?set MODEL_PATH (Llama-2-7b-chat-hf)}"
: "${PRETRAIN_ADAPTER:?set PRETRAIN_ADAPTER (mm_projector.bin)}"
VISION_TOWER=${VISION_TOWER:-openai/clip-vit-large-patch14}
DEEPSPEED_CONFIG=${DEEPSPEED_CONFIG:-$LLAVA_DIR/scripts/zero3.json}
PROMPT_VERSION=llava_llama_2
export WANDB_MODE=disabled
# shellcheck disable=SC1090
[ -n "${PYTHON_ENV:-}" ] && . "$PYTHON_ENV"
cd "$LLAVA_DIR"
echo "train.sh: $(wc -c <"$DATA_JSON") bytes of training data -> $OUTPUT_DIR"
# exec: the launcher leads the worker's process group (via its shim), so
# stopping the stage stops deepspeed and every rank it started
# shellcheck disable=SC2086
exec deepspeed ${DEEPSPEED_ARGS:-} llava/train/train_mem.py \
    --deepspeed "$DEEPSPEED_CONFIG" \
    --model_name_or_path "$MODEL_PATH" \
    --version "$PROMPT_VERSION" \
    --data_path "$DATA_JSON" \
    --image_folder "$IMAGE_FOLDER" \
    --vision_tower "$VISION_TOWER" \
    --pretrain_mm_mlp_adapter "$PRETRAIN_ADAPTER" \
    --mm_vision_select_layer -2 \
    --mm_use_im_start_end False \
    --mm_use_im_patch_token False \
    --bf16 True \
    --output_dir "$OUTPUT_DIR" \
    --num_train_epochs 1 \
    --per_device_train_batch_size 16 \
    --per_device_eval_batch_size 4 \
    --gradient_accumulation_steps 1 \
    --evaluation_strategy "no" \
    --save_strategy "steps" \
    --save_steps 50000 \
    --save_total_limit 1 \
    --learning_rate 2e-5 \
    --weight_decay 0. \
    --warmup_ratio 0.03 \
    --lr_scheduler_type "cosine" \
    --logging_steps 1 \
    --tf32 True \
    --model_max_length 2048 \
    --gradient_checkpointing True \
    --dataloader_num_workers 4 \
    --lazy_preprocess True \
    --report_to none
