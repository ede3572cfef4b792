#!/bin/sh
# DataOptim LLaVA backend, evaluate stage: the competition's
# run_llava_eval command (SEED-README.md, "Evaluation").  Run by
# dataoptim-worker (config/llava-worker.ini):
#
#   eval.sh MODEL_DIR VAL_JSON RESULT_DIR
#
# MODEL_DIR is the train stage's {output_dir}, VAL_JSON the validation
# questions ({val_json}, dataoptim_val.json), RESULT_DIR where the
# <task>.txt answer files go ({result_dir}); the worker scores them.
# Environment:
#   LLAVA_DIR      LLaVA checkout with llava/eval/run_llava_eval.py copied in
#   VAL_IMAGE_DIR  the unzipped validation images (val.zip)
#   PYTHON_ENV     optional: a script to source first (conda/venv)
set -eu
[ $# -eq 3 ] || { echo "usage: eval.sh MODEL_DIR VAL_JSON RESULT_DIR" >&2; exit 2; }
MODEL_DIR=$1 VAL_JSON=$2 RESULT_DIR=$3
: "${LLAVA_DIR:?set LLAVA_DIR (the LLaVA checkout)}"
: "${VAL_IMAGE_DIR:?set VAL_IMAGE_DIR (the validation images)}"
export WANDB_MODE=disabled
# shellcheck disable=SC1090
[ -n "${PYTHON_ENV:-}" ] && . "$PYTHON_ENV"
[ -f "$LLAVA_DIR/llava/eval/run_llava_eval.py" ] || {
	echo "eval.sh: $LLAVA_DIR/llava/eval/run_llava_eval.py is missing (copy evaluation/run_llava_eval.py there)" >&2
	exit 2
}
mkdir -p "$RESULT_DIR"
cd "$LLAVA_DIR"
exec python -m llava.eval.run_llava_eval \
    --model-path "$MODEL_DIR" \
    --image-dir "$VAL_IMAGE_DIR" \
    --input-file "$VAL_JSON" \
    --result-dir "$RESULT_DIR" \
    --conv-mode llava_llama_2
