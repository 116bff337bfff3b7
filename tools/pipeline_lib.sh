# Shared by tools/code_pipeline.sh and tools/tool_pipeline.sh (sourced, not run): the binaries check, a
# fresh run directory with a stage clock, and the data-parallel SFT launch.
# Needs B (the bin dir) and RUN; reads SFT_STEPS, BATCH and PROCS from the environment.

# pipeline_start <name>: every binary there, $RUN emptied, stamp() prints the seconds since the start.
pipeline_start() {
  local bin
  for bin in hrm-data hrm-train hrm-launch hrm-eval; do
    [ -x "$B/$bin" ] || { echo "$1: $B/$bin is missing; build first (tools/build.sh)" >&2; exit 1; }
  done
  rm -rf "$RUN"
  mkdir -p "$RUN"
  start=$(date +%s)
}
stamp() { echo "== [$(( $(date +%s) - start ))s] $*"; }

# run_sft <train config>: SFT on $RUN/data/{train,validation} into $RUN/train, one single-threaded
# process per core (PROCS, lowered to a divisor of the global batch) through hrm-launch and Gloo.
run_sft() {
  local config=$1 abs_run global_batch procs
  abs_run=$(cd "$RUN" && pwd)
  local train_args=(--config "$config" --out "$RUN/train"
    --set "stages.0.data.train.0.path=$abs_run/data/train" --set "stages.0.data.validation.0=$abs_run/data/validation")
  [ -n "${SFT_STEPS:-}" ] && train_args+=(--set "stages.0.steps=$SFT_STEPS")
  [ -n "${BATCH:-}" ] && train_args+=(--set "stages.0.global_batch_size=$BATCH")
  global_batch=${BATCH:-$(sed -n 's/^ *global_batch_size: *\([0-9]*\).*/\1/p' "$config")}
  procs=${PROCS:-$(nproc)}
  while [ $((global_batch % procs)) -ne 0 ]; do procs=$((procs - 1)); done
  echo "SFT: $procs processes x $((global_batch / procs)) examples"
  "$B/hrm-launch" --nproc-per-node "$procs" -- "$B/hrm-train" "${train_args[@]}"
}

# tokenize_and_shard <data config> <its default run dir> <sft jsonl>...: a 2048-piece BPE tokenizer
# trained on the rows, then the config's shards with its paths moved from the default run dir to $RUN.
tokenize_and_shard() {
  local config=$1 default_run=$2 rows inputs=()
  shift 2
  for rows in "$@"; do inputs+=(--input "$rows"); done
  stamp "tokenizer"
  "$B/hrm-data" tokenizer train "${inputs[@]}" --vocab-size 2048 --model-type bpe --out "$RUN/tok/tok.model"
  stamp "SFT shards"
  sed -e "s|$default_run|$RUN|g" "$config" > "$RUN/data.yaml"
  "$B/hrm-data" build --config "$RUN/data.yaml"
}
