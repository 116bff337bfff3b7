#!/usr/bin/env bash
# Seconds per stage-1 problem end to end (prompt -> cached decoding -> sandboxed judging), through
# `hrm-eval --bench livecodebench` with the hrm: backend, for the quickstart checkpoint and for the 27M
# architecture (configs/arch/hrm_v1.yaml as a prefix-LM over the run's tokenizer, bf16; weights from one
# SFT step, which is enough for timing: replies are capped at MAX_TOKENS, above the 24-token mean of a
# stage-1 reply, and an untrained model always writes to the cap), and its q4 copy. One sample per problem, fixed ACT
# segments (2, as the quickstart model), all cores.
#   tools/bench/problem_latency.sh [quickstart run dir, default runs/quickstart]
# Knobs (environment): PROBLEMS (50), MAX_TOKENS (32), THREADS (0 = all cores), DTYPE (compute dtype of
# both float models: float32 or bfloat16; default: each checkpoint's forward_dtype), Q4_DTYPE (activations of
# the third model, `hrm quantize --type q4` of the 27M one: float32, the kernels' input, by default).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=$(realpath "${1:-runs/quickstart}")
PROBLEMS=${PROBLEMS:-50}
MAX_TOKENS=${MAX_TOKENS:-32}
THREADS=${THREADS:-0}
DTYPE=${DTYPE:-}
Q4_DTYPE=${Q4_DTYPE:-float32}
B=${HRM_BUILD_DIR:-build}/bin
for need in "$RUN/train/final/model.safetensors" "$RUN/data/train" "$RUN/synth/lcb/test_instance.jsonl"; do
  [ -e "$need" ] || { echo "problem_latency: $need is missing; run tools/code_pipeline.sh $RUN first" >&2; exit 1; }
done
WORK=$(mktemp -d /tmp/hrm-latency.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
head -n "$PROBLEMS" "$RUN/synth/lcb/test_instance.jsonl" > "$WORK/problems.jsonl"

cat > "$WORK/27m.yaml" <<EOF
model:
  vocab_size: 2048
  seq_len: 192
  hidden_size: 512
  num_heads: 8
  expansion: 4
  H_layers: 4
  L_layers: 4
  H_cycles: 2
  L_cycles: 2
  pos_encodings: rope
  attention: prefix_lm
  norm: pre
  halt_max_steps: 2
  loss: softmax
  forward_dtype: bfloat16
seed: 0
threads: $THREADS
log_interval: 1
checkpoint: {interval: 0, keep_last: 1}
stages:
  - name: sft
    kind: sft
    steps: 1
    global_batch_size: 4
    micro_batch_size: 4
    data:
      train: [{path: $RUN/data/train, weight: 1.0}]
      validation: [$RUN/data/validation]
    optimizer: {name: adam_atan2, lr: 1.0e-4, warmup_steps: 0, weight_decay: 0.1}
    eval: {interval: 100000, max_examples: 4, batch_size: 4}
EOF
"$B/hrm-train" --config "$WORK/27m.yaml" --out "$WORK/27m" > "$WORK/27m.log" 2>&1 ||
  { cat "$WORK/27m.log" >&2; exit 1; }

"$B/hrm" quantize --ckpt "$WORK/27m/final" --type q4 --out "$WORK/27m-q4" > "$WORK/27m-q4.log" 2>&1 ||
  { cat "$WORK/27m-q4.log" >&2; exit 1; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $PROBLEMS problems, n=1, <= $MAX_TOKENS new tokens, threads $THREADS, dtype ${DTYPE:-per checkpoint (27M: bfloat16)}, 27M-q4 activations $Q4_DTYPE"
for model in "quickstart:$RUN/train/final" "27M:$WORK/27m/final" "27M-q4:$WORK/27m-q4"; do
  name=${model%%:*}
  ckpt=${model#*:}
  dtype=$DTYPE
  [ "$name" = 27M-q4 ] && dtype=$Q4_DTYPE
  "$B/hrm-eval" --bench livecodebench --data "$WORK/problems.jsonl" --model "hrm:$ckpt?act=fixed${dtype:+&dtype=$dtype}" --n 1 --k 1 \
    --temperature 0.2 --max-tokens "$MAX_TOKENS" --threads "$THREADS" --out "$WORK/eval-$name" --no-progress --jobs 1 \
    > "$WORK/eval-$name.log" 2>&1 || { cat "$WORK/eval-$name.log" >&2; exit 1; }
  python3 - "$name" "$WORK/eval-$name/summary.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
s = json.load(open(path))
print(f"{name:<12} {s['problems']} problems in {s['wall_seconds']:.1f} s: {s['wall_seconds'] / s['problems']:.3f} s per problem "
      f"(pass@1 {100 * next(g for g in s['groups'] if g['group'] == 'all')['pass@1']:.1f}%)")
PY
done
