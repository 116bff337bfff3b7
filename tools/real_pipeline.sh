#!/usr/bin/env bash
# The real recipe, end to end on CPU: code pretraining -> SFT on real and synthetic data -> the three
# benchmarks. Not run in CI (it takes hours); every step is a command documented in docs/data.md,
# docs/training.md, docs/polyglot.md and docs/livecodebench.md.
#
#   1. corpus of this machine's own sources (docs/data.md) -> tokenizer (8k) -> packed 4096-token shards
#      -> causal-LM pretraining (configs/train/pretrain_code.yaml)
#   2. hrm-data exercism (train split, the Polyglot benchmark excluded) + hrm-data synth stages 1-2
#      -> SFT shards -> SFT from the pretrained weights (same model, 4096-token context)
#   3. evaluation: the Exercism held-out split, the real 225 Polyglot exercises (whole and diff, two
#      tries), and LiveCodeBench problems on or after the data cutoff (hrm-data lcb)
#
# Usage: tools/real_pipeline.sh [run dir]       (build first: tools/build.sh)
#   EXERCISM   folder with clones of the six tracks: cpp go java javascript python rust (exercism/<lang>)
#   POLYGLOT   a polyglot-benchmark clone (Aider-AI/polyglot-benchmark): excluded from training, evaluated
#   LCB        a folder with LiveCodeBench code_generation_lite test*.jsonl files
#   CUTOFF     the data cutoff (default 2024-08-01): LCB problems before it train GSPO, after it evaluate
#   PRETRAIN_STEPS (4000), SFT_STEPS (3000), PROCS (all cores), EVAL_THREADS (1)
#
# CPU budget (the sizes above, batch 8 x 4096 tokens): pretraining costs PRETRAIN_STEPS x 8 x the
# 4096-token step time that tools/bench/context_length.sh measures (not yet recorded), SFT
# the same per step; sandboxed verification of the six tracks (~700 exercises, 2 mutants each) takes
# about 1 hour of 2 cores with warm build caches; evaluation decodes up to 1024 tokens per reply for
# 225 x 2 x 2 Polyglot tries plus the LCB set. Print the plan and stop with DRY_RUN=1.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/real}
B=${HRM_BUILD_DIR:-build}/bin
EXERCISM=${EXERCISM:?set EXERCISM to a folder of Exercism track clones}
POLYGLOT=${POLYGLOT:?set POLYGLOT to a polyglot-benchmark clone}
LCB=${LCB:?set LCB to a folder of LiveCodeBench test*.jsonl files}
CUTOFF=${CUTOFF:-2024-08-01}
PRETRAIN_STEPS=${PRETRAIN_STEPS:-4000}
SFT_STEPS=${SFT_STEPS:-3000}
PROCS=${PROCS:-$(nproc)}
EVAL_THREADS=${EVAL_THREADS:-1}
for bin in hrm-data hrm-train hrm-launch hrm-eval; do
  [ -x "$B/$bin" ] || { echo "real_pipeline: $B/$bin is missing; build first (tools/build.sh)" >&2; exit 1; }
done
start=$(date +%s)
stamp() { echo "== [$(( $(date +%s) - start ))s] $*"; }
run() { echo "+ $*"; [ -n "${DRY_RUN:-}" ] || "$@"; }
mkdir -p "$RUN"
abs_run=$(cd "$RUN" && pwd)

stamp "1. corpus, tokenizer, packed pretraining shards, pretraining"
SOURCES=(/usr/lib/go-1.23/src /usr/lib/python3.11 /usr/share/cargo/registry /usr/include/c++/12 /usr/lib/node_modules)
[ -d /tmp/jdk-src ] && SOURCES+=(/tmp/jdk-src)
run "$B/hrm-data" corpus --from "${SOURCES[@]}" --out "$RUN/corpus/corpus.jsonl"
run "$B/hrm-data" tokenizer train --input "$RUN/corpus/corpus.jsonl" --vocab-size 8192 --max-sentences 20000 \
  --out "$RUN/tok/tok.model"
sed -e "s|runs/tok/tok.model|$abs_run/tok/tok.model|; s|runs/data/pretrain_code|$abs_run/data/pretrain|" \
    -e "s|runs/corpus/debian.jsonl|$abs_run/corpus/corpus.jsonl|; s|benchmarks/polyglot|$POLYGLOT|" \
    configs/data/pretrain_code.yaml > "$RUN/pretrain_data.yaml"
run "$B/hrm-data" build --config "$RUN/pretrain_data.yaml"
run "$B/hrm-launch" --nproc-per-node "$PROCS" -- "$B/hrm-train" --config configs/train/pretrain_code.yaml \
  --out "$RUN/pretrain" --set "stages.0.steps=$PRETRAIN_STEPS" --set threads=1 \
  --set "stages.0.data.train.0.path=$abs_run/data/pretrain/train" \
  --set "stages.0.data.validation.0=$abs_run/data/pretrain/validation"

stamp "2. Exercism (train split) + synthetic stages 1-2 -> SFT"
tracks=()
for lang in cpp go java javascript python rust; do tracks+=("$EXERCISM/$lang"); done
run "$B/hrm-data" exercism --track "${tracks[@]}" --exclude "$POLYGLOT" --out "$RUN/exercism"
run "$B/hrm-data" synth --out "$RUN/synth" --stages 1,2 --languages cpp,go,java,javascript,python,rust \
  --per-family 40 --edit-format both
run "$B/hrm-data" lcb --data "$LCB"/test*.jsonl --before "$CUTOFF" --out "$RUN/lcb"
cat > "$RUN/sft_data.yaml" <<YAML
tokenizer: $abs_run/tok/tok.model
out: $abs_run/data/sft
mode: sft
inputs: [$abs_run/exercism/sft/train.jsonl, $abs_run/exercism/repair/train.jsonl, $abs_run/synth/sft/train.jsonl,
         $abs_run/synth/repair/train.jsonl]
seq_len: 4096
packing: false
validation_fraction: 0.02
max_document_tokens: 4096
last_turn_only: true
decontamination: {benchmarks: [$POLYGLOT, $abs_run/exercism/polyglot/test, $abs_run/lcb/after_cutoff.jsonl]}
YAML
run "$B/hrm-data" build --config "$RUN/sft_data.yaml"
run "$B/hrm-launch" --nproc-per-node "$PROCS" -- "$B/hrm-train" --config configs/train/pretrain_code.yaml \
  --out "$RUN/sft" --set "init=$abs_run/pretrain/final" --set stages.0.name=sft --set "stages.0.steps=$SFT_STEPS" \
  --set threads=1 --set "data_cutoff=$CUTOFF" --set model.halt_max_steps=2 \
  --set "stages.0.data.train.0.path=$abs_run/data/sft/train" --set "stages.0.data.validation.0=$abs_run/data/sft/validation"

stamp "3. evaluation"
model="hrm:$abs_run/sft/final?act=adaptive"
run "$B/hrm-eval" --bench polyglot --data "$RUN/exercism/polyglot/test" --model "$model" --tries 2 \
  --edit-format whole --max-tokens 1024 --threads "$EVAL_THREADS" --no-progress --out "$RUN/eval/exercism-test"
for format in whole diff; do
  run "$B/hrm-eval" --bench polyglot --data "$POLYGLOT" --model "$model" --tries 2 --edit-format "$format" \
    --max-tokens 1024 --threads "$EVAL_THREADS" --no-progress --out "$RUN/eval/polyglot-$format"
done
run "$B/hrm-eval" --bench livecodebench --data "$RUN/lcb/after_cutoff.jsonl" --model "$model" --n 1 --k 1 \
  --max-tokens 1024 --threads "$EVAL_THREADS" --no-progress --out "$RUN/eval/lcb-after-cutoff"
stamp "done: summaries in $RUN/eval/*/summary.json (CPU seconds: $(( ($(date +%s) - start) * $(nproc) )) at most)"
