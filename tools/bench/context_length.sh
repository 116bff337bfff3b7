#!/usr/bin/env bash
# CPU step time, tokens/s and peak memory of causal-LM pretraining at long contexts (default 4096
# tokens: what code prompts need), configs/train/pretrain_code.yaml on packed shards built from this
# machine's own Python standard library, with model.activation_checkpointing off and on, back to back
# (the machine is shared: compare within a run).
# Usage: tools/bench/context_length.sh [seq_len] [steps] [threads]      (build first: tools/build.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
SEQ=${1:-4096}
STEPS=${2:-4}
THREADS=${3:-2}
. tools/bench/bench_lib.sh
require_bins hrm-train hrm-data
make_work_dir
SRC=${HRM_BENCH_SOURCES:-/usr/lib/python3.11/json /usr/lib/python3.11/email /usr/lib/python3.11/asyncio}
# shellcheck disable=SC2086
"$BIN/hrm-data" corpus --from $SRC --out "$WORK/corpus.jsonl" > /dev/null
"$BIN/hrm-data" tokenizer train --input "$WORK/corpus.jsonl" --vocab-size 2048 --max-sentences 4000 \
  --out "$WORK/tok.model" > /dev/null
cat > "$WORK/data.yaml" <<YAML
tokenizer: $WORK/tok.model
out: $WORK/shards
mode: pretrain
inputs: [$WORK/corpus.jsonl]
seq_len: $SEQ
packing: true
validation_fraction: 0.05
YAML
"$BIN/hrm-data" build --config "$WORK/data.yaml" > /dev/null

peak_mb() { awk '/Maximum resident set size/ {printf "%.0f", $6 / 1024}' "$1"; }
# ms_per_step of the last metrics window (the second half of the steps: the first holds the warm-up).
last_metric() { python3 -c "import json,sys; l=[json.loads(x) for x in open(sys.argv[1]) if '\"ms_per_step\"' in x]; print(l[-1][sys.argv[2]])" "$1" "$2"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1 /proc/loadavg);" \
     "configs/train/pretrain_code.yaml, seq_len $SEQ, batch 1, $STEPS steps, $THREADS threads"
for ckpt in false true; do
  /usr/bin/time -v -o "$WORK/$ckpt.time" "$BIN/hrm-train" --config configs/train/pretrain_code.yaml --out "$WORK/run-$ckpt" \
    --set model.vocab_size=2048 --set "model.seq_len=$SEQ" --set "model.activation_checkpointing=$ckpt" \
    --set "stages.0.data.train.0.path=$WORK/shards/train" --set "stages.0.data.validation.0=$WORK/shards/validation" \
    --set "stages.0.steps=$STEPS" --set stages.0.global_batch_size=1 --set stages.0.micro_batch_size=1 \
    --set stages.0.eval.interval=1000000 --set stages.0.eval.max_examples=1 --set "log_interval=$((STEPS / 2))" \
    --set checkpoint.interval=0 --set "threads=$THREADS" > "$WORK/$ckpt.log" 2>&1 || { cat "$WORK/$ckpt.log" >&2; exit 1; }
  printf 'activation_checkpointing %-5s  %8.0f ms/step  %7.0f tokens/s  peak %6s MiB\n' "$ckpt" \
    "$(last_metric "$WORK/run-$ckpt/metrics.jsonl" ms_per_step)" "$(last_metric "$WORK/run-$ckpt/metrics.jsonl" tokens_per_s)" \
    "$(peak_mb "$WORK/$ckpt.time")"
done
