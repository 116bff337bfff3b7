#!/usr/bin/env bash
# Step time of quantization-aware training against float training (docs/benchmarks.md, "Quantization"):
# hrm-bench-train-step on the same model and batch, float then --qat-bits 8, 4 and 4 with int8 activations,
# ROUNDS times in turn so that load drifts hit every variant alike. Prints one line per run and the
# median ms/step of each variant with its ratio to float.
# Usage: tools/bench/quant_qat_overhead.sh [extra hrm-bench-train-step flags]
#   default model: the quickstart architecture (hidden 128, 4 heads, expansion 2, 1+1 layers, 2x2 cycles,
#   vocab 2048, seq 192, batch 32, causal, 1 thread).
# Env: BUILD (default build), ROUNDS (3), STEPS (10).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BUILD:-build}/bin
ROUNDS=${ROUNDS:-3}
STEPS=${STEPS:-10}
MODEL=(--hidden 128 --heads 4 --expansion 2 --h-layers 1 --l-layers 1 --h-cycles 2 --l-cycles 2 --vocab 2048
  --seq-len 192 --batch 32 --causal --threads 1 --halt-max-steps 2 --steps "$STEPS" --warmup 2)
VARIANTS=("float:" "q8:--qat-bits 8" "q4:--qat-bits 4" "q4+a8:--qat-bits 4 --qat-int8-activations")
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for v in "${VARIANTS[@]}"; do
    name=${v%%:*}
    # shellcheck disable=SC2086  # the variant's flags are words
    line=$("$BIN/hrm-bench-train-step" "${MODEL[@]}" ${v#*:} "$@")
    echo "round $round $name $line"
    echo "$line" | sed -n 's/.*"ms_per_step":\([0-9.]*\).*/\1/p' >>"$OUT/$name"
  done
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
base=$(median "$OUT/float")
for v in "${VARIANTS[@]}"; do
  name=${v%%:*}
  m=$(median "$OUT/$name")
  echo "$name: median $m ms/step over $ROUNDS rounds, $(awk -v m="$m" -v b="$base" 'BEGIN {printf "%.2f", m / b}')x float"
done
