#!/usr/bin/env bash
# Peak memory and step time of hrm-train with model.activation_checkpointing off and on, back to back in
# one run (the machine is shared: compare the pair, not runs made at different times), on 9x9 Sudoku
# (81 tokens, configs/train/pretrain_27m.yaml with overrides), AdamATan2, 1 process.
# Usage: tools/bench/activation_checkpointing.sh [steps] [threads]     (build first: tools/build.sh)
#   HRM_BUILD_DIR=build-ckpt ... to use another build directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${1:-6}
THREADS=${2:-1}
. tools/bench/bench_lib.sh
require_bins hrm-train hrm-puzzles
make_work_dir
"$BIN/hrm-puzzles" sudoku --size 9 --train 400 --test 16 --seed 0 --out "$WORK/sudoku9" > /dev/null

peak_mb() { awk '/Maximum resident set size/ {printf "%.0f", $6 / 1024}' "$1"; }
# ms_per_step of the last metrics window (the second half of the steps: the first window holds the warm-up).
last_ms() { python3 -c "import json,sys; l=[json.loads(x) for x in open(sys.argv[1]) if '\"ms_per_step\"' in x]; print(l[-1]['ms_per_step'])" "$1"; }

# label, hidden, heads, layers (H = L), dtype, batch
run_case() {
  local label=$1 hidden=$2 heads=$3 layers=$4 dtype=$5 batch=$6
  local common=(--set "model.hidden_size=$hidden" --set "model.num_heads=$heads" --set "model.H_layers=$layers"
                --set "model.L_layers=$layers" --set "model.forward_dtype=$dtype" --set model.halt_max_steps=8
                --set "stages.0.data.path=$WORK/sudoku9" --set "stages.0.steps=$STEPS"
                --set "stages.0.global_batch_size=$batch" --set stages.0.eval.max_examples=1
                --set stages.0.eval.interval=1000000 --set "log_interval=$((STEPS / 2))"
                --set checkpoint.keep_best=false --set "threads=$THREADS")
  local ms=() mb=()
  for ckpt in false true; do
    /usr/bin/time -v -o "$WORK/$ckpt.time" "$BIN/hrm-train" --config configs/train/pretrain_27m.yaml \
        --out "$WORK/run-$label-$ckpt" "${common[@]}" --set "model.activation_checkpointing=$ckpt" > "$WORK/$ckpt.log" 2>&1 ||
      { cat "$WORK/$ckpt.log" >&2; exit 1; }
    ms+=("$(last_ms "$WORK/run-$label-$ckpt/metrics.jsonl")")
    mb+=("$(peak_mb "$WORK/$ckpt.time")")
  done
  python3 - "$label" "${ms[@]}" "${mb[@]}" <<'PY'
import sys
label, ms_off, ms_on, mb_off, mb_on = sys.argv[1], *map(float, sys.argv[2:])
print(f"{label:<30} off: {ms_off:>8.0f} ms/step {mb_off:>6.0f} MiB peak RSS | on: {ms_on:>8.0f} ms/step "
      f"{mb_on:>6.0f} MiB peak RSS | time x{ms_on / ms_off:.2f}, peak RSS {100 * (mb_on - mb_off) / mb_off:+.0f}%")
PY
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB;" \
     "81 tokens per example, $STEPS steps (time: mean of the last $((STEPS - STEPS / 2))), $THREADS thread(s)"
run_case "h256 4+4 fp32, batch 32" 256 4 4 float32 32
run_case "27M h512 4+4 bf16, batch 16" 512 8 4 bfloat16 16
