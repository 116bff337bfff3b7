#!/usr/bin/env bash
# GSPO vs rejection-sampling fine-tuning (RFT) vs continued SFT, from one SFT checkpoint, at equal
# compute (issue [7], docs/benchmarks.md "GSPO vs RFT vs continued SFT").
#
#   tools/bench/rl_comparison.sh [quickstart run dir, default runs/quickstart] [out dir, default <run>/rl_comparison]
#
# The run dir is a finished tools/code_pipeline.sh run (train/final, data/, synth/lcb/). Every arm
# starts from <run>/train/final and trains on synth/lcb/train.jsonl (gspo, rft) or on the SFT shards
# data/train (sft); all are scored the same way: hrm-eval on the held-out instances
# (synth/lcb/test_instance.jsonl), n = 10 samples at temperature 0.8, pass@1 and pass@5.
# Compute: gspo and rft run STEPS rollout batches (the same sampling and judging work); the sft arm
# gets as many optimizer steps as fit in the gspo arm's CPU seconds (calibrated by a short SFT run).
# Noise: every arm runs once per SEEDS entry, and the starting checkpoint is scored once per seed too
# (eval noise alone).
# Knobs (environment): SEEDS ("0 1"), STEPS (60), N (10), TEMPERATURE (0.8), THREADS (1), PARALLEL (2:
# arms of one seed run side by side, one core each), ARMS ("gspo rft sft": the arms to (re)run; the table
# shows every arm with results in OUT), GSPO_SET (extra hrm-train --set KEY=VALUE words for the gspo arm,
# e.g. "gspo.clip_low=3.0e-3 gspo.clip_high=4.0e-3").
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=${1:-runs/quickstart}
OUT=${2:-$RUN/rl_comparison}
SEEDS=${SEEDS:-0 1}
STEPS=${STEPS:-60}
N=${N:-10}
TEMPERATURE=${TEMPERATURE:-0.8}
THREADS=${THREADS:-1}
PARALLEL=${PARALLEL:-2}
ARMS=${ARMS:-gspo rft sft}
GSPO_SET=${GSPO_SET:-}
B=${HRM_BUILD_DIR:-build}/bin
RUN=$(realpath "$RUN")
for need in "$RUN/train/final/model.safetensors" "$RUN/data/train" "$RUN/synth/lcb/train.jsonl" "$RUN/synth/lcb/test_instance.jsonl"; do
  [ -e "$need" ] || { echo "rl_comparison: $need is missing; run tools/code_pipeline.sh $RUN first" >&2; exit 1; }
done
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
TIMEFORMAT='%U %S %R'

# cpu_seconds LOG: user+sys seconds from the `time` line appended to LOG.
cpu_seconds() { tail -n 1 "$1" | awk '{printf "%.1f", $1 + $2}'; }

score() {  # score CHECKPOINT OUT SEED
  "$B/hrm-eval" --bench livecodebench --data "$RUN/synth/lcb/test_instance.jsonl" --model "hrm:$1" --n "$N" --k 1,5 \
    --temperature "$TEMPERATURE" --max-tokens 96 --seed "$3" --out "$2" --no-progress --jobs 1 --threads "$THREADS" > "$2.log" 2>&1
}

wants() { [[ " $ARMS " == *" $1 "* ]]; }

rl_arm() {  # rl_arm gspo|rft SEED
  local dir="$OUT/$1-seed$2"
  wants "$1" || return 0
  rm -rf "$dir"
  local extra=()
  if [ "$1" = gspo ]; then for kv in $GSPO_SET; do extra+=(--set "$kv"); done; fi
  { time "$B/hrm-train" --config "configs/train/${1}_quickstart.yaml" --out "$dir" --threads "$THREADS" \
      --set "policy=$RUN/train/final" --set "problems=$RUN/synth/lcb/train.jsonl" \
      --set "eval_problems=\"\"" \
      --set "steps=$STEPS" --set "seed=$2" "${extra[@]}" ; } > "$dir.log" 2>&1
  score "$dir/final" "$dir/eval" "$2"
}

sft_config() {  # sft_config STEPS SEED > yaml
  cat <<EOF
model: $RUN/train/final/config.yaml
init: $RUN/train/final
seed: $2
threads: $THREADS
log_interval: 25
checkpoint: {interval: 0, keep_last: 1}
stages:
  - name: sft_continued
    kind: sft
    steps: $1
    global_batch_size: 32
    micro_batch_size: 32
    data:
      train: [{path: $RUN/data/train, weight: 1.0}]
      validation: [$RUN/data/validation]
    optimizer: {name: adam_atan2, lr: 1.0e-4, lr_min_ratio: 1.0, warmup_steps: 0, weight_decay: 0.1, grad_clip: 1.0}
    eval: {interval: 100000, max_examples: 64, batch_size: 32}
EOF
}

sft_arm() {  # sft_arm STEPS SEED
  local dir="$OUT/sft-seed$2"
  rm -rf "$dir"
  sft_config "$1" "$2" > "$dir.yaml"
  { time "$B/hrm-train" --config "$dir.yaml" --out "$dir" --threads "$THREADS" ; } > "$dir.log" 2>&1
  score "$dir/final" "$dir/eval" "$2"
}

# The cost of one continued-SFT step on this machine, in CPU seconds (20 steps, minus startup).
if wants sft; then
  calib="$OUT/sft-calibration"
  rm -rf "$calib"
  sft_config 20 0 > "$calib.yaml"
  { time "$B/hrm-train" --config "$calib.yaml" --out "$calib" --threads "$THREADS" ; } > "$calib.log" 2>&1
  sft_step_cpu=$(python3 -c "import sys; print(float(sys.argv[1]) / 20)" "$(cpu_seconds "$calib.log")")
  echo "rl_comparison: one continued-SFT step ~ $sft_step_cpu CPU s (upper bound: includes startup)"
fi

for seed in $SEEDS; do
  echo "rl_comparison: seed $seed: starting checkpoint, gspo, rft"
  [ -e "$OUT/start-seed$seed/summary.json" ] || score "$RUN/train/final" "$OUT/start-seed$seed" "$seed" &
  rl_arm gspo "$seed" &
  [ "$PARALLEL" -ge 2 ] || wait
  rl_arm rft "$seed"
  wait
  wants sft || continue
  sft_steps=$(python3 -c "import sys; print(max(1, round(float(sys.argv[1]) / float(sys.argv[2]))))" \
    "$(cpu_seconds "$OUT/gspo-seed$seed.log")" "$sft_step_cpu")
  echo "rl_comparison: seed $seed: continued SFT for $sft_steps steps (the gspo arm's CPU seconds)"
  sft_arm "$sft_steps" "$seed"
done

python3 - "$OUT" $SEEDS <<'PY'
import json, sys, os, statistics
out, seeds = sys.argv[1], sys.argv[2:]
def cpu(log):
    try:
        u, s, r = open(log).read().strip().splitlines()[-1].split()
        return float(u) + float(s)
    except Exception:
        return float("nan")
def passk(summary):
    s = json.load(open(summary))
    g = next(g for g in s["groups"] if g["group"] == "all")
    return g["pass@1"], g["pass@5"]
rows = []
for arm, log in [("start (SFT checkpoint)", None), ("gspo", "gspo"), ("rft", "rft"), ("continued sft", "sft")]:
    p1, p5, c = [], [], []
    for seed in seeds:
        d = os.path.join(out, ("start" if log is None else log) + "-seed" + seed)
        summary = os.path.join(d if log is None else os.path.join(d, "eval"), "summary.json")
        if not os.path.exists(summary):
            break
        a, b = passk(summary)
        p1.append(a); p5.append(b)
        if log: c.append(cpu(d + ".log"))
    if len(p1) == len(seeds):
        rows.append((arm, p1, p5, c))
print("| arm | pass@1 per seed | pass@5 per seed | mean pass@1 | mean pass@5 | train CPU s per seed |")
print("|---|---|---|---|---|---|")
for arm, p1, p5, c in rows:
    f = lambda xs: " / ".join(f"{x*100:.1f}" for x in xs)
    print(f"| {arm} | {f(p1)} | {f(p5)} | {statistics.mean(p1)*100:.1f} | {statistics.mean(p5)*100:.1f} | "
          + (" / ".join(f"{x:.0f}" for x in c) if c else "-") + " |")
PY
