#!/usr/bin/env bash
# Peak RSS and time of q4 checkpoints at a long context (issue [13]: under 2 GB at 4-bit with a 4k
# context, for the 27M config and the ~100M code config), and the end-to-end time of a 128-token reply
# at 27M q4 (the "under 1 s per problem" goal, generation only: a stage-1 judge adds
# ~0.1 s, docs/benchmarks.md "Seconds per problem").
# Random-init causal checkpoints (hrm-bench-quant --write-checkpoint, seq_len CONTEXT, vocabulary 600)
# quantized with `hrm quantize --type q4`; hrm-generate prints prompt/generated tokens, prefill and decode
# time and peak RSS. The long prompt is one sentence of English prose repeated to just under
# CONTEXT - NEW_TOKENS tokens.
#   tools/bench/quant_long_context.sh [configs...]   (default: 27m 100m)
# Env: OUT (/tmp/hrm-quant-long), CONTEXT (4096), NEW_TOKENS (64), THREADS (1; 0 = all cores: on a loaded
# 2-vCPU machine two threads made a prefill 10x slower, every parallel region waiting for a descheduled one).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/bench/bench_lib.sh
require_bins hrm hrm-data hrm-generate hrm-bench-quant
OUT=${OUT:-/tmp/hrm-quant-long}
CONTEXT=${CONTEXT:-4096}
NEW_TOKENS=${NEW_TOKENS:-64}
THREADS=${THREADS:-1}
CONFIGS=("$@")
[ ${#CONFIGS[@]} -gt 0 ] || CONFIGS=(27m 100m)
mkdir -p "$OUT"
print_machine
[ -f "$OUT/tok.model" ] ||
  "$BIN/hrm-data" tokenizer train --input data/tokenizer-fixtures --vocab-size 600 --out "$OUT/tok.model" >/dev/null

stats() { grep -o '[0-9]* prompt tokens.*peak RSS [0-9]* MiB' "$1" | tail -1; }

for config in "${CONFIGS[@]}"; do
  dir=$OUT/$config-$CONTEXT
  if [ ! -f "$dir/q4/model.safetensors" ]; then
    "$BIN/hrm-bench-quant" --write-checkpoint "$dir/float" --config "$config" --vocab 600 --seq-len "$CONTEXT" >/dev/null
    cp "$OUT/tok.model" "$dir/float/tokenizer.model"
    "$BIN/hrm" quantize --ckpt "$dir/float" --type q4 --out "$dir/q4" >/dev/null 2>&1
    rm -rf "$dir/float"
  fi
  # As many repetitions of the prose as fit before the reply, counted with the checkpoint's tokenizer
  # (the chat template adds a few tokens: 16 are kept free).
  prose="The recurrent modules read the whole context at every cycle, so a long prompt costs memory in every cache. "
  per=$(printf '%s' "$prose" | "$BIN/hrm-data" tokenizer encode --model "$OUT/tok.model" | wc -w)
  reps=$(((CONTEXT - NEW_TOKENS - 16) / per))
  python3 -c 'import json, sys; print(json.dumps({"prompt": sys.argv[1] * int(sys.argv[2])}))' "$prose" "$reps" \
    > "$dir/prompt.jsonl"
  "$BIN/hrm-generate" --ckpt "$dir/q4" --file "$dir/prompt.jsonl" --max-new-tokens "$NEW_TOKENS" --segments 1 \
    --threads "$THREADS" --out "$dir/long.jsonl" 2> "$dir/long.log" || { tail -3 "$dir/long.log"; exit 1; }
  echo "$config q4, long prompt: $(stats "$dir/long.log")"
  "$BIN/hrm-generate" --ckpt "$dir/q4" --prompt "Write a Python function that returns the sum of a list." \
    --max-new-tokens 128 --segments 1 --threads "$THREADS" > /dev/null 2> "$dir/reply128.log"
  echo "$config q4, 128-token reply: $(stats "$dir/reply128.log")"
done
