#!/usr/bin/env bash
# The quantization table of docs/benchmarks.md for random-init causal checkpoints (speed, memory and
# float-vs-quantized agreement; not quality: these models are untrained):
#   file bytes of model.safetensors; peak RSS and decode tokens/s of hrm-generate at batch 1 and 16
#   (bf16 = the float checkpoint decoded in bfloat16, q8 / q4 = `hrm quantize` outputs, same build, one
#   after the other); then hrm-bench-quant --compare: KL and same-top-token rate vs bf16 and the relative
#   error of z_L / z_H after every module call and segment.
# Usage: tools/bench/quant_table.sh [configs...]   (default: tiny 27m; also 100m)
# Env: BUILD (default build), DATA_BIN (hrm-data, default $BUILD/bin/hrm-data), OUT (default /tmp/hrm-quant-table), THREADS (1), NEW_TOKENS (64), SEQ_LEN (1024),
# QUANT_DTYPE (float32: the activation dtype of the q8/q4 rows; the kernels take fp32 inputs, so bfloat16
# adds two conversions per layer).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BUILD:-build}/bin
OUT=${OUT:-/tmp/hrm-quant-table}
THREADS=${THREADS:-1}
NEW_TOKENS=${NEW_TOKENS:-64}
SEQ_LEN=${SEQ_LEN:-1024}
QUANT_DTYPE=${QUANT_DTYPE:-float32}
CONFIGS=("$@")
[ ${#CONFIGS[@]} -gt 0 ] || CONFIGS=(tiny 27m)
mkdir -p "$OUT"

if [ ! -f "$OUT/tok.model" ]; then
  "${DATA_BIN:-$BIN/hrm-data}" tokenizer train --input data/tokenizer-fixtures --vocab-size 600 --out "$OUT/tok.model" >/dev/null
fi
PROMPT="Write a Python function that returns the sum of a list of integers."
for i in $(seq 1 16); do echo "{\"prompt\": \"$PROMPT Variant $i.\"}"; done >"$OUT/prompts16.jsonl"

# "decode T s (X tok/s)" and "peak RSS N MiB" from hrm-generate's statistics line.
rss() { sed -n 's/.*peak RSS \([0-9]*\) MiB.*/\1/p' "$1" | tail -1; }
decode_rate() { sed -n 's/.*decode [0-9.]* s (\([0-9.]*\) tok\/s).*/\1/p' "$1" | tail -1; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); threads $THREADS"
for config in "${CONFIGS[@]}"; do
  dir="$OUT/$config"
  if [ ! -f "$dir/float/model.safetensors" ]; then
    "$BIN/hrm-bench-quant" --write-checkpoint "$dir/float" --config "$config" --vocab 600 --seq-len "$SEQ_LEN" >/dev/null
    cp "$OUT/tok.model" "$dir/float/tokenizer.model"
  fi
  for type in q8 q4; do
    "$BIN/hrm" quantize --ckpt "$dir/float" --type "$type" --out "$dir/$type" --threads "$THREADS"
  done
  echo
  echo "### $config (random init, seq_len $SEQ_LEN, $NEW_TOKENS new tokens, greedy, 1 ACT segment per token)"
  echo "| weights | file bytes | peak RSS MiB (batch 1) | batch-1 decode tok/s | batch-16 decode tok/s | peak RSS MiB (batch 16) |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for variant in float q8 q4; do
    ckpt="$dir/$variant"
    dtype=$QUANT_DTYPE
    [ "$variant" = float ] && dtype=bfloat16
    "$BIN/hrm-generate" --ckpt "$ckpt" --prompt "$PROMPT" --max-new-tokens "$NEW_TOKENS" --dtype "$dtype" \
      --segments 1 --threads "$THREADS" >/dev/null 2>"$dir/$variant.b1.log"
    "$BIN/hrm-generate" --ckpt "$ckpt" --file "$OUT/prompts16.jsonl" --batch 16 --max-new-tokens "$NEW_TOKENS" \
      --dtype "$dtype" --segments 1 --threads "$THREADS" --out "$dir/$variant.b16.jsonl" 2>"$dir/$variant.b16.log"
    name="$variant ($dtype activations)"
    [ "$variant" = float ] && name=bf16
    echo "| $name | $(stat -c %s "$ckpt/model.safetensors") | $(rss "$dir/$variant.b1.log") |" \
      "$(decode_rate "$dir/$variant.b1.log") | $(decode_rate "$dir/$variant.b16.log") | $(rss "$dir/$variant.b16.log") |"
  done
  "$BIN/hrm-bench-quant" --compare "$dir/float" --quantized "$dir/q8" --quantized "$dir/q4" --threads "$THREADS"
done
