#!/usr/bin/env bash
# Post-training quantization (PTQ) against quantization-aware training (QAT) on a trained checkpoint
# (issue [13]; docs/benchmarks.md, "Quantization quality on the trained quickstart model"). Variants:
#   float      the SFT checkpoint (<run>/train/final), decoded in its own dtype
#   q8, q4     `hrm quantize --type q8|q4` of it (PTQ; embedding and LM head q8, the defaults)
#   qat-q4     configs/train/qat_quickstart.yaml (STEPS steps with 4-bit weights in the forward) from it,
#              exported by `hrm quantize` (the integers the training forward saw)
#   ft-q4      the control for QAT's extra training: the same STEPS steps, learning rate and data in
#              float, then `hrm quantize --type q4`
# Each variant is scored by hrm-eval on the run's held-out instances (pass@1 and pass@5, n = N, once per
# eval seed in SEEDS: the spread over seeds is the eval noise), and hrm-bench-quant --compare gives the
# KL divergence and same-top-token rate of each quantized variant against the float one, teacher-forced on
# the replies of held-out chats (ft-q4 and qat-q4 against their own starting point, the SFT checkpoint).
#
#   tools/bench/quant_quality.sh [run dir, default runs/quickstart] [out dir, default <run>/quant_quality]
#
# The run dir is a finished tools/code_pipeline.sh run. Knobs (environment): SEEDS ("0 1 2"), N (10),
# TEMPERATURE (0.2, the pipeline's), LIMIT (held-out problems, 0 = all), STEPS (200), PARALLEL (2: evals
# side by side, one core each), MAX_TOKENS (96), REUSE (1: keep the checkpoints and finished evaluations
# already in the out dir).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/bench/bench_lib.sh
RUN=$(realpath "${1:-runs/quickstart}")
OUT=${2:-$RUN/quant_quality}
SEEDS=${SEEDS:-0 1 2}
N=${N:-10}
TEMPERATURE=${TEMPERATURE:-0.2}
LIMIT=${LIMIT:-0}
STEPS=${STEPS:-200}
PARALLEL=${PARALLEL:-2}
MAX_TOKENS=${MAX_TOKENS:-96}
require_bins hrm hrm-train hrm-eval hrm-bench-quant
START=$RUN/train/final
for need in "$START/model.safetensors" "$RUN/data/train" "$RUN/synth/lcb/test_instance.jsonl"; do
  [ -e "$need" ] || { echo "quant_quality: $need is missing; run tools/code_pipeline.sh $RUN first" >&2; exit 1; }
done
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
print_machine | tee "$OUT/machine.txt"

HELDOUT=$RUN/synth/lcb/test_instance.jsonl
if [ "$LIMIT" -gt 0 ]; then
  head -n "$LIMIT" "$HELDOUT" > "$OUT/heldout.jsonl"
  HELDOUT=$OUT/heldout.jsonl
fi
# The chats of the KL comparison: held-out SFT conversations, messages only (hrm-generate --file rows).
python3 - "$RUN/synth/sft/test_instance.jsonl" "$OUT/chats.jsonl" <<'PY'
import json, sys
with open(sys.argv[1]) as src, open(sys.argv[2], "w") as dst:
    for line in src:
        if line.strip():
            dst.write(json.dumps({"messages": json.loads(line)["messages"]}) + "\n")
PY

# The float control's config: the QAT config without its model.quantization block.
awk '/^  quantization:/ {skip = 1; next} skip && /^    / {next} {skip = 0; print}' configs/train/qat_quickstart.yaml \
  > "$OUT/float_fine_tune.yaml"

fine_tune() {  # fine_tune NAME CONFIG: STEPS steps of CONFIG from START
  rm -rf "${OUT:?}/$1"
  "$BIN/hrm-train" --config "$2" --out "$OUT/$1" --threads 1 \
    --set "init=$START" --set "stages.0.steps=$STEPS" --set "stages.0.data.train.0.path=$RUN/data/train" \
    --set "stages.0.data.validation.0=$RUN/data/validation" > "$OUT/$1.log" 2>&1
}

# With REUSE=1 the checkpoints (and evaluations) already in OUT are kept: rerun the scoring alone, e.g.
# after a decoder change (delete OUT/eval first).
if [ "${REUSE:-0}" = 1 ] && [ -f "$OUT/qat-q4/model.safetensors" ] && [ -f "$OUT/ft-q4/model.safetensors" ]; then
  echo "quant_quality: reusing the quantized and fine-tuned checkpoints in $OUT"
else
  echo "quant_quality: PTQ and the two $STEPS-step fine-tunes"
  "$BIN/hrm" quantize --ckpt "$START" --type q8 --out "$OUT/q8" > "$OUT/q8.log" 2>&1
  "$BIN/hrm" quantize --ckpt "$START" --type q4 --out "$OUT/q4" > "$OUT/q4.log" 2>&1
  fine_tune qat-train configs/train/qat_quickstart.yaml &
  fine_tune ft-train "$OUT/float_fine_tune.yaml" &
  wait
  "$BIN/hrm" quantize --ckpt "$OUT/qat-train/final" --out "$OUT/qat-q4" > "$OUT/qat-q4.log" 2>&1
  "$BIN/hrm" quantize --ckpt "$OUT/ft-train/final" --type q4 --out "$OUT/ft-q4" > "$OUT/ft-q4.log" 2>&1
fi

declare -A CKPT=([float]=$START [q8]=$OUT/q8 [q4]=$OUT/q4 [qat-q4]=$OUT/qat-q4 [ft-q4]=$OUT/ft-q4)
VARIANTS=(float q8 q4 ft-q4 qat-q4)
echo "quant_quality: hrm-eval, ${#VARIANTS[@]} variants x seeds $SEEDS, n = $N"
jobs_running=0
for seed in $SEEDS; do
  for v in "${VARIANTS[@]}"; do
    [ -f "$OUT/eval/$v-seed$seed/summary.json" ] && continue
    "$BIN/hrm-eval" --bench livecodebench --data "$HELDOUT" --model "hrm:${CKPT[$v]}?act=adaptive" --n "$N" --k 1,5 \
      --temperature "$TEMPERATURE" --max-tokens "$MAX_TOKENS" --seed "$seed" --out "$OUT/eval/$v-seed$seed" \
      --no-progress --jobs 1 --threads 1 > "$OUT/eval-$v-seed$seed.log" 2>&1 &
    jobs_running=$((jobs_running + 1))
    if [ "$jobs_running" -ge "$PARALLEL" ]; then
      wait -n
      jobs_running=$((jobs_running - 1))
    fi
  done
done
wait

echo "quant_quality: KL against float on held-out chats"
"$BIN/hrm-bench-quant" --compare "$START" --quantized "$OUT/q8" --quantized "$OUT/q4" --quantized "$OUT/ft-q4" \
  --quantized "$OUT/qat-q4" --chats "$OUT/chats.jsonl" --chat-rows 64 > "$OUT/compare.txt"

python3 - "$OUT" "$START" "$SEEDS" "${VARIANTS[@]}" <<'PY'
import json, os, re, statistics, sys
out, start, seeds, variants = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4:]
compare = open(f"{out}/compare.txt").read()
def score(v, s):
    summary = json.load(open(f"{out}/eval/{v}-seed{s}/summary.json"))
    g = next(g for g in summary["groups"] if g["group"] == "all")
    return 100 * g["pass@1"], 100 * g["pass@5"], g["problems"]
rows = {v: [score(v, s) for s in seeds] for v in variants}
float_p1 = statistics.mean(r[0] for r in rows["float"])
print(f"\n{rows['float'][0][2]} held-out problems, seeds {' '.join(seeds)}\n")
print("| variant | bytes | pass@1 mean (per seed) | pass@5 mean | pass@1 vs float | mean KL | same top token |")
print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
for v in variants:
    p1 = [r[0] for r in rows[v]]
    p5 = [r[1] for r in rows[v]]
    m = re.search(rf"/{re.escape(v)}: mean KL ([0-9.]+), max KL [0-9.]+, same top token ([0-9.]+)%", compare)
    kl = f"{float(m.group(1)):.5f}" if m else "-"
    top = f"{m.group(2)}%" if m else "-"
    size = os.path.getsize(f"{start if v == 'float' else f'{out}/{v}'}/model.safetensors")
    rel = 100 * (statistics.mean(p1) - float_p1) / float_p1
    print(f"| {v} | {size} | {statistics.mean(p1):.2f} ({' / '.join(f'{x:.2f}' for x in p1)}) | "
          f"{statistics.mean(p5):.2f} | {rel:+.2f}% | {kl} | {top} |")
PY
