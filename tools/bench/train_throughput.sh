#!/usr/bin/env bash
# Training throughput (tokens/s) and peak memory of hrm-train on CPU — 1 process, and 2 processes under
# hrm-launch (c10d Gloo) — side by side with ../shared/baselines/hrm_torch.py (PyTorch eager) in the
# same run, for a tiny model and the 27M model (configs/train/pretrain_27m.yaml), on 9x9 Sudoku
# (vocab 11, 81 tokens), AdamW + softmax CE as the baseline, 1 thread per process.
# Usage: tools/bench/train_throughput.sh [steps] [batch]        (build first: tools/build.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${1:-20}
BATCH=${2:-8}
BASELINE=${HRM_BASELINE:-../shared/baselines/hrm_torch.py}
. tools/bench/bench_lib.sh
require_bins hrm-train hrm-launch hrm-puzzles
make_work_dir
"$BIN/hrm-puzzles" sudoku --size 9 --train 400 --test 16 --seed 0 --out "$WORK/sudoku9" > /dev/null

peak_mb() { awk '/Maximum resident set size/ {printf "%.0f", $6 / 1024}' "$1"; }
last_metric() { python3 -c "import json,sys; l=[json.loads(x) for x in open(sys.argv[1]) if '\"tokens_per_s\"' in x]; print(l[-1][sys.argv[2]])" "$1" "$2"; }

# label, hidden, heads, layers (H = L), dtype
run_case() {
  local label=$1 hidden=$2 heads=$3 layers=$4 dtype=$5
  local common=(--set "model.hidden_size=$hidden" --set "model.num_heads=$heads" --set "model.H_layers=$layers"
                --set "model.L_layers=$layers" --set "model.forward_dtype=$dtype" --set model.loss=softmax
                --set model.halt_max_steps=8 --set "stages.0.data.path=$WORK/sudoku9" --set "stages.0.steps=$STEPS"
                --set "stages.0.global_batch_size=$BATCH" --set stages.0.optimizer.name=adamw
                --set stages.0.eval.max_examples=1 --set stages.0.eval.interval=1000000
                --set "log_interval=$((STEPS / 2))" --set checkpoint.keep_best=false --set threads=1)
  local py
  py=$(/usr/bin/time -v -o "$WORK/py.time" /usr/bin/python3 "$BASELINE" --hidden "$hidden" --heads "$heads" --h-layers "$layers" \
       --l-layers "$layers" --vocab 11 --seq-len 81 --batch "$BATCH" --halt-max-steps 8 --steps "$STEPS" --threads 1 --dtype "$dtype")
  /usr/bin/time -v -o "$WORK/one.time" "$BIN/hrm-train" --config configs/train/pretrain_27m.yaml --out "$WORK/one-$label" "${common[@]}" > "$WORK/one.log" 2>&1
  /usr/bin/time -v -o "$WORK/two.time" "$BIN/hrm-launch" --nproc-per-node 2 --master-port $((29500 + RANDOM % 1000)) -- \
       "$BIN/hrm-train" --config configs/train/pretrain_27m.yaml --out "$WORK/two-$label" "${common[@]}" > "$WORK/two.log" 2>&1
  python3 - "$label" "$py" "$(last_metric "$WORK/one-$label/metrics.jsonl" tokens_per_s)" "$(peak_mb "$WORK/one.time")" \
           "$(last_metric "$WORK/two-$label/metrics.jsonl" tokens_per_s)" "$(peak_mb "$WORK/two.time")" "$(peak_mb "$WORK/py.time")" <<'PY'
import json, sys
label, py, one, one_mb, two, two_mb, py_mb = sys.argv[1], json.loads(sys.argv[2]), *map(float, sys.argv[3:])
print(f"{label:<28} params {py['params']:>11,}  pytorch {py['tokens_per_s']:>8.0f} tok/s {py_mb:>6.0f} MiB | "
      f"hrm-train x1 {one:>8.0f} tok/s {one_mb:>6.0f} MiB | hrm-train x2 (gloo) {two:>8.0f} tok/s {two_mb:>6.0f} MiB/rank")
PY
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB;" \
     "batch $BATCH x 81 tokens, $STEPS steps, 1 thread per process"
run_case "tiny h128 2+2 fp32" 128 4 2 float32
run_case "27M h512 4+4 bf16" 512 8 4 bfloat16
