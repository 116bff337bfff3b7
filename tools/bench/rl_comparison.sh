#!/usr/bin/env bash
# GSPO (corrected loop) vs the previous GSPO loop vs rejection-sampling fine-tuning (RFT) vs continued
# SFT, from one start checkpoint, at equal compute (issues [7], [10]; docs/benchmarks.md "GSPO vs RFT vs
# continued SFT").
#
#   tools/bench/rl_comparison.sh [quickstart run dir, default runs/quickstart] [out dir, default <run>/rl_comparison]
#
# The run dir is a finished tools/code_pipeline.sh run (train/final, data/, synth/lcb/). Arms:
#   gspo       configs/train/gspo_quickstart.yaml: the paper's eps (3e-4 / 4e-4), the pipelined loop with
#              the decoupled trust region (log pi_prox at each update, capped behaviour weight)
#   gspo_prev  the same with gspo.decoupled=false: the clip centred on the (stale) sampling weights, as the
#              loop before issue [10]. Only the trust region is switched back; the stop-token, vocabulary and
#              temperature fixes and the ACT-GSPO changes stay (they are corrections, not options)
#   gspo_act   (not in the default ARMS) gspo with adaptive ACT halting: the Q head picks 1..segments per
#              prompt (halt_exploration 0.1), trained by ACT-GSPO; scored with hrm:...?act=adaptive. The
#              table adds its segment distribution (share of replies per segment count) next to the fixed arms
#   rft        configs/train/rft_quickstart.yaml (same sampling, judging and optimizer)
#   sft        continued SFT on the SFT shards, as many steps as fit in the gspo arm's CPU seconds
# Every arm starts from START and trains on TRAIN_PROBLEMS (gspo*, rft) or SFT_DATA/train (sft); all are
# scored the same way: hrm-eval on HELDOUT, n = N samples at TEMPERATURE, pass@1 and pass@5.
# Regimes: the defaults are the quickstart regime. For the edge-of-competence regime point START at a
# checkpoint whose SFT has plateaued, or TRAIN_PROBLEMS/HELDOUT at a family the start solves 20-60% of the
# time (e.g. a stage-2 family of hrm-data synth), and OUT at another directory.
# Noise: every arm runs once per SEEDS entry, and the start checkpoint is scored once per seed too (eval
# noise alone). Per update the gspo arms log clip_fraction, mean_abs_log_ratio and staleness (optimizer
# steps between sampling and update) to <arm>/metrics.jsonl; the table gives their means over the steps.
# Knobs (environment): SEEDS ("0 1 2"), STEPS (60), N (10), TEMPERATURE (0.8), THREADS (1), PARALLEL (2:
# arms of one seed run side by side, one core each), ARMS ("gspo gspo_prev rft sft": the arms to (re)run;
# the table shows every arm with results in OUT), GSPO_SET (extra hrm-train --set KEY=VALUE words for both
# gspo arms), MAX_TOKENS (96), START, TRAIN_PROBLEMS, HELDOUT, SFT_DATA (see above).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=${1:-runs/quickstart}
OUT=${2:-$RUN/rl_comparison}
SEEDS=${SEEDS:-0 1 2}
STEPS=${STEPS:-60}
N=${N:-10}
TEMPERATURE=${TEMPERATURE:-0.8}
THREADS=${THREADS:-1}
PARALLEL=${PARALLEL:-2}
ARMS=${ARMS:-gspo gspo_prev rft sft}
GSPO_SET=${GSPO_SET:-}
MAX_TOKENS=${MAX_TOKENS:-96}
B=${HRM_BUILD_DIR:-build}/bin
RUN=$(realpath "$RUN")
START=$(realpath "${START:-$RUN/train/final}")
TRAIN_PROBLEMS=$(realpath "${TRAIN_PROBLEMS:-$RUN/synth/lcb/train.jsonl}")
HELDOUT=$(realpath "${HELDOUT:-$RUN/synth/lcb/test_instance.jsonl}")
SFT_DATA=$(realpath "${SFT_DATA:-$RUN/data}")
for need in "$START/model.safetensors" "$SFT_DATA/train" "$TRAIN_PROBLEMS" "$HELDOUT"; do
  [ -e "$need" ] || { echo "rl_comparison: $need is missing; run tools/code_pipeline.sh $RUN first" >&2; exit 1; }
done
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
TIMEFORMAT='%U %S %R'

# cpu_seconds LOG: user+sys seconds from the `time` line appended to LOG.
cpu_seconds() { tail -n 1 "$1" | awk '{printf "%.1f", $1 + $2}'; }

score() {  # score CHECKPOINT OUT SEED [MODEL OPTIONS, e.g. ?act=adaptive]
  "$B/hrm-eval" --bench livecodebench --data "$HELDOUT" --model "hrm:$1${4:-}" --n "$N" --k 1,5 \
    --temperature "$TEMPERATURE" --max-tokens "$MAX_TOKENS" --seed "$3" --out "$2" --no-progress --jobs 1 --threads "$THREADS" > "$2.log" 2>&1
}

wants() { [[ " $ARMS " == *" $1 "* ]]; }

rl_arm() {  # rl_arm gspo|gspo_prev|gspo_act|rft SEED
  local dir="$OUT/$1-seed$2"
  wants "$1" || return 0
  rm -rf "$dir"
  local extra=() config=$1
  if [ "$1" != rft ]; then for kv in $GSPO_SET; do extra+=(--set "$kv"); done; fi
  if [ "$1" = gspo_prev ]; then config=gspo; extra+=(--set gspo.decoupled=false); fi
  if [ "$1" = gspo_act ]; then config=gspo; extra+=(--set adaptive_segments=true --set halt_exploration=0.1); fi
  { time "$B/hrm-train" --config "configs/train/${config}_quickstart.yaml" --out "$dir" --threads "$THREADS" \
      --set "policy=$START" --set "problems=$TRAIN_PROBLEMS" --set "sampling.max_new_tokens=$MAX_TOKENS" \
      --set "eval_problems=\"\"" \
      --set "steps=$STEPS" --set "seed=$2" "${extra[@]}" ; } > "$dir.log" 2>&1
  if [ "$1" = gspo_act ]; then score "$dir/final" "$dir/eval" "$2" "?act=adaptive"; else score "$dir/final" "$dir/eval" "$2"; fi
}

sft_config() {  # sft_config STEPS SEED > yaml
  cat <<EOF
model: $START/config.yaml
init: $START
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
      train: [{path: $SFT_DATA/train, weight: 1.0}]
      validation: [$SFT_DATA/validation]
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
  echo "rl_comparison: seed $seed: start checkpoint, then the arms of: $ARMS"
  [ -e "$OUT/start-seed$seed/summary.json" ] || score "$START" "$OUT/start-seed$seed" "$seed" &
  rl_arm gspo "$seed" &
  [ "$PARALLEL" -ge 2 ] || wait
  rl_arm gspo_prev "$seed"
  wait
  rl_arm rft "$seed" &
  [ "$PARALLEL" -ge 2 ] || wait
  rl_arm gspo_act "$seed"
  wait
  wants sft || continue
  [ -e "$OUT/gspo-seed$seed.log" ] || { echo "rl_comparison: the sft arm needs the gspo arm's CPU seconds" >&2; exit 1; }
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
def update_means(metrics):
    keys = ("clip_fraction", "mean_abs_log_ratio", "staleness")
    rows = [json.loads(l) for l in open(metrics)] if os.path.exists(metrics) else []
    rows = [r for r in rows if "clip_fraction" in r and r.get("zero_signal_fraction", 1) < 1]
    return [statistics.mean(r.get(k, float("nan")) for r in rows) if rows else float("nan") for k in keys]
def segment_shares(metrics):  # ACT segments -> share of the replies sampled over the run
    counts = {}
    for l in open(metrics):
        for k, n in json.loads(l).get("segments", {}).items():
            counts[k] = counts.get(k, 0) + n
    total = sum(counts.values()) or 1
    return " ".join(f"{k}:{n / total:.2f}" for k, n in sorted(counts.items(), key=lambda kv: int(kv[0])))
def passk(summary):
    s = json.load(open(summary))
    g = next(g for g in s["groups"] if g["group"] == "all")
    return g["pass@1"], g["pass@5"]
rows = []
arms = [("start checkpoint", None), ("gspo (decoupled)", "gspo"), ("gspo_prev (clip vs pi_behav)", "gspo_prev"),
        ("gspo_act (adaptive halting)", "gspo_act"), ("rft", "rft"), ("continued sft", "sft")]
for arm, log in arms:
    p1, p5, c, u, seg = [], [], [], [], []
    for seed in seeds:
        d = os.path.join(out, ("start" if log is None else log) + "-seed" + seed)
        summary = os.path.join(d if log is None else os.path.join(d, "eval"), "summary.json")
        if not os.path.exists(summary):
            break
        a, b = passk(summary)
        p1.append(a); p5.append(b)
        if log: c.append(cpu(d + ".log"))
        if log and log.startswith("gspo"): u.append(update_means(os.path.join(d, "metrics.jsonl")))
        if log in ("gspo", "gspo_act"): seg.append(segment_shares(os.path.join(d, "metrics.jsonl")))
    if len(p1) == len(seeds):
        rows.append((arm, p1, p5, c, u, seg))
sd = lambda xs: statistics.stdev(xs) * 100 if len(xs) > 1 else float("nan")
print("| arm | pass@1 per seed | pass@5 per seed | mean pass@1 (sd) | mean pass@5 (sd) | train CPU s per seed "
      "| clip fraction | mean abs log ratio | staleness | ACT segments (share of replies) per seed |")
print("|---|---|---|---|---|---|---|---|---|---|")
for arm, p1, p5, c, u, seg in rows:
    f = lambda xs: " / ".join(f"{x*100:.1f}" for x in xs)
    upd = " | ".join(f"{statistics.mean(v[i] for v in u):.3g}" for i in range(3)) if u else "- | - | -"
    print(f"| {arm} | {f(p1)} | {f(p5)} | {statistics.mean(p1)*100:.1f} ({sd(p1):.1f}) | "
          f"{statistics.mean(p5)*100:.1f} ({sd(p5):.1f}) | "
          + (" / ".join(f"{x:.0f}" for x in c) if c else "-") + f" | {upd} | " + (" / ".join(seg) or "-") + " |")
PY
