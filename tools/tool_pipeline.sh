#!/usr/bin/env bash
# The tool-use pipeline on generated data, end to end on CPU: stage-3/4 agent trajectories recorded in
# the sandbox (hrm-data synth --stages 3,4; seeds disjoint from data/tools/suite.jsonl, one family held
# out), some verified stage-1 code chats, a tokenizer, SFT shards (one document per assistant turn),
# SFT of a small prefix-LM HRM (hrm-train, data-parallel through hrm-launch), then hrm-eval --bench
# tools with the hrm: backend on the held-out suite's tasks of the training families and of the
# held-out family, printing success per family.
# Usage: tools/tool_pipeline.sh [run dir, default runs/tools]      (build first: tools/build.sh)
# Knobs (environment): PER_VARIANT (3 training tasks per variant), SEED (1; never the suite's 9001),
# HOLDOUT (shell: the family never trained on), CODE_PER_FAMILY (10 stage-1 Python tasks per family),
# SFT_STEPS and BATCH (the config's), EVAL_PER_VARIANT (1 of the suite's 3 tasks per variant, 0 = all:
# decoding with a 1000-token tool prompt costs ~0.2 s per token on 2 cores), MAX_TURNS (4 per episode),
# MAX_TOKENS (64 per turn: a bash call fits), PROCS (SFT processes; default: the cores, lowered to a
# divisor of the batch).
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/tools}
B=${HRM_BUILD_DIR:-build}/bin
PER_VARIANT=${PER_VARIANT:-3}
SEED=${SEED:-1}
HOLDOUT=${HOLDOUT:-shell}
CODE_PER_FAMILY=${CODE_PER_FAMILY:-10}
EVAL_PER_VARIANT=${EVAL_PER_VARIANT:-1}
MAX_TURNS=${MAX_TURNS:-4}
MAX_TOKENS=${MAX_TOKENS:-64}
. tools/pipeline_lib.sh
pipeline_start tool_pipeline

stamp "stage-3/4 tool trajectories, recorded and verified in the sandbox"
"$B/hrm-data" synth --stages 3,4 --out "$RUN/curriculum" --per-family "$PER_VARIANT" --seed "$SEED" \
  --holdout-families "$HOLDOUT" --heldout-suite data/tools/suite.jsonl
stamp "stage-1 code chats, verified in the sandbox"
"$B/hrm-data" synth --out "$RUN/code" --stages 1 --languages python --formats lcb --per-family "$CODE_PER_FAMILY" \
  --repairs 0 --seed "$SEED"
tokenize_and_shard configs/data/tool_sft.yaml runs/tools "$RUN/curriculum/sft/train.jsonl" "$RUN/code/sft/train.jsonl"

stamp "SFT"
run_sft configs/train/tool_sft.yaml

for split in test_instance test_family; do
  stamp "hrm-eval --bench tools on $split"
  data="$RUN/curriculum/eval/$split.jsonl"
  if [ "$EVAL_PER_VARIANT" -gt 0 ]; then  # the suite's ids end in -<n>, n = 1..3 per variant
    python3 -c 'import json, sys
for line in open(sys.argv[1]):
    if int(json.loads(line)["id"].rsplit("-", 1)[1]) <= int(sys.argv[2]): print(line, end="")' \
      "$data" "$EVAL_PER_VARIANT" > "$RUN/$split.jsonl"
    data="$RUN/$split.jsonl"
  fi
  "$B/hrm-eval" --bench tools --data "$data" --model "hrm:$RUN/train/final?act=adaptive" --max-turns "$MAX_TURNS" \
    --max-tokens "$MAX_TOKENS" --temperature 0 --out "$RUN/eval/$split" --no-progress --jobs 2
done

stamp "done"
python3 - "$RUN" <<'PY'
import json, sys
run = sys.argv[1]
for split, what in (("test_instance", "held-out instances of the training families"),
                    ("test_family", "held-out families")):
    s = json.load(open(f"{run}/eval/{split}/summary.json"))
    print(f"{split:<14} {s['passed']:>3}/{s['tasks']:<3} {s['success_rate']:5.1f}%   ({what}); invalid calls "
          f"{s['invalid_calls']}, {s['tool_calls_per_episode']:.1f} calls/episode")
    for family, g in sorted(s["by_family"].items()):
        print(f"    {family:<12} {g['passed']:>3}/{g['tasks']:<3} {g['success_rate']:5.1f}%")
PY
