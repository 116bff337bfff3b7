#!/usr/bin/env bash
# The code pipeline on generated data, end to end on CPU: verified stage-1 tasks (hrm-data synth), a
# tokenizer, SFT shards, SFT of a small prefix-LM HRM (hrm-train), then hrm-eval in the sandbox on
# held-out instances of the training families and on held-out families, printing pass@1 and pass@5.
# Usage: tools/code_pipeline.sh [run dir, default runs/quickstart]      (build first: tools/build.sh)
# Knobs (environment): PER_FAMILY (400), SFT_STEPS (the config's), BATCH (the config's), N (5 samples per
# problem), TEMPERATURE (0.2, LiveCodeBench's default), EVAL_LIMIT (problems per split, 0 = all), PROCS
# (SFT processes, data-parallel through hrm-launch and Gloo; default: the cores, lowered to a divisor of
# the global batch. The model is too small for intra-op threads to pay, but processes scale: 2 cores
# run a step in ~0.5x the time).
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/quickstart}
B=${HRM_BUILD_DIR:-build}/bin
PER_FAMILY=${PER_FAMILY:-400}
N=${N:-5}
TEMPERATURE=${TEMPERATURE:-0.2}
EVAL_LIMIT=${EVAL_LIMIT:-0}
. tools/pipeline_lib.sh
pipeline_start code_pipeline

stamp "synthetic stage-1 tasks, verified in the sandbox"
"$B/hrm-data" synth --out "$RUN/synth" --stages 1 --languages python --formats lcb --per-family "$PER_FAMILY" \
  --repairs 0 --seed 0
tokenize_and_shard configs/data/quickstart.yaml runs/quickstart "$RUN/synth/sft/train.jsonl"

stamp "SFT"
run_sft configs/train/quickstart.yaml

for split in test_instance test_family; do
  stamp "hrm-eval on $split"
  data="$RUN/synth/lcb/$split.jsonl"
  if [ "$EVAL_LIMIT" -gt 0 ]; then
    head -n "$EVAL_LIMIT" "$data" > "$RUN/$split.jsonl"
    data="$RUN/$split.jsonl"
  fi
  "$B/hrm-eval" --bench livecodebench --data "$data" --model "hrm:$RUN/train/final?act=adaptive" --n "$N" --k 1,5 \
    --temperature "$TEMPERATURE" --max-tokens 96 --out "$RUN/eval/$split" --no-progress --jobs 1 --threads 1
done

stamp "done"
python3 - "$RUN" <<'PY'
import json, sys
run = sys.argv[1]
for split, what in (("test_instance", "held-out instances of the training families"),
                    ("test_family", "held-out families")):
    s = json.load(open(f"{run}/eval/{split}/summary.json"))
    overall = next(g for g in s["groups"] if g["group"] == "all")
    ks = sorted(int(k.split("@")[1]) for k in overall if k.startswith("pass@"))
    print(f"{split:<14} {overall['problems']:>4} problems, n={s['samples'] // max(1, s['problems'])}: " +
          "  ".join(f"pass@{k} {100 * overall[f'pass@{k}']:.1f}%" for k in ks) + f"   ({what})")
PY
