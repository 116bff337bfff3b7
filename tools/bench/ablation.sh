#!/usr/bin/env bash
# Ablation of the recurrence (docs/model.md "Architectures", results in docs/benchmarks.md): HRM vs an
# L-only recurrence vs a plain transformer vs TRM, each trained by hrm-train on the same data with the
# same optimizer, seed and steps, at equal parameters (the same blocks, arranged differently).
#
#   tools/bench/ablation.sh [--steps 300] [--sft-steps 0] [--out runs/ablation] [--threads 1]
#
# Puzzle task: the bundled 4x4 Sudoku (configs/train/sudoku4x4.yaml, hidden 64): HRM 2+2 layers; L-only
# 4 layers x 3 calls (HRM's 12 block passes per segment); transformer 4 layers, one pass, one segment;
# TRM one 4-layer net, T=2 rounds of n=1 z update + 1 y update (16 block passes).
# Reports held-out loss and exact accuracy, ms per training step, and decode tokens/s of the same
# arrangements at the quickstart's prefix-LM shape (hidden 128, vocab 2048; random weights: the decoder's
# speed does not depend on them) with hrm-bench-decode --model-config.
# --sft-steps N > 0 also runs the sft stage of configs/train/quickstart.yaml on runs/quickstart/data
# (tools/code_pipeline.sh makes it; QUICKSTART_DATA=dir points elsewhere) for N steps per architecture and reports its validation loss.
# Writes <out>/table.md, and <out>/exact.png (held-out exact vs step) when gnuplot is installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$root/build/bin"
steps=300 sft_steps=0 out="$root/runs/ablation" threads=1
quickstart_data="${QUICKSTART_DATA:-$root/runs/quickstart/data}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --sft-steps) sft_steps="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "ablation.sh: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
for b in hrm-train hrm-bench-decode; do
  [[ -x "$bin/$b" ]] || { echo "ablation.sh: $bin/$b is missing; run tools/build.sh" >&2; exit 1; }
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
archs=(hrm l_only transformer trm)

# The model keys that turn the HRM of a task into each architecture ($1: arch, $2: HRM layers per module).
arch_keys() {
  local total=$(($2 * 2))
  case "$1" in
    hrm) ;;
    l_only) printf 'architecture: l_only\nL_layers: %d\nL_cycles: 3\n' "$total" ;;
    transformer) printf 'architecture: transformer\nL_layers: %d\n' "$total" ;;
    trm) printf 'architecture: trm\nL_layers: %d\nH_cycles: 2\nL_cycles: 1\n' "$total" ;;
  esac
}

# $1: base model YAML, $2: arch, $3: HRM layers per module -> the arch's model YAML on stdout.
model_yaml() {
  if [[ "$2" == hrm ]]; then cat "$1"; return; fi
  grep -vE '^(H_layers|L_layers|H_cycles|L_cycles|z_H_init|bp_steps|halt_max_steps):' "$1"
  arch_keys "$2" "$3"
  [[ "$2" == transformer ]] && echo "halt_max_steps: 1"
  [[ "$2" == transformer ]] || grep -E '^halt_max_steps:' "$1" || true
  [[ "$2" == trm ]] && grep -E '^z_H_init:' "$1" || true
}

last_json() {  # $1: metrics.jsonl, $2: key -> the key's last value
  python3 -c 'import json,sys
v="-"
for line in open(sys.argv[1]):
    d=json.loads(line)
    if sys.argv[2] in d: v=d[sys.argv[2]]
print(f"{v:.4f}" if isinstance(v,float) else v)' "$1" "$2"
}

# The quickstart's model block (prefix-LM HRM, hidden 128, 1+1 layers) as a model YAML of its own.
python3 - "$root/configs/train/quickstart.yaml" >"$out/quickstart-model.yaml" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
for line in lines[lines.index("model:") + 1:]:
    if not line.startswith("  "): break
    print(line[2:].split("#")[0].rstrip())
PY

echo "| architecture | parameters | sudoku held-out loss | held-out exact | ms/step | decode tok/s (b=1) | sft val loss |" >"$out/table.md"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |" >>"$out/table.md"
for arch in "${archs[@]}"; do
  run="$out/sudoku-$arch"
  rm -rf "$run" && mkdir -p "$run"
  model_yaml "$root/configs/arch/sudoku4x4_tiny.yaml" "$arch" 2 >"$run/model.yaml"
  sed -e "s|^model: .*|model: $run/model.yaml|" -e "s|^  path: .*|  path: $root/data/sudoku4x4|" \
    -e "s|^eval_interval: .*|eval_interval: $(((steps + 1) / 2))|" -e "s|^log_interval: .*|log_interval: 25|" \
    "$root/configs/train/sudoku4x4.yaml" >"$run/train.yaml"
  echo "== $arch: sudoku, $steps steps" >&2
  start=$(date +%s.%N)
  "$bin/hrm-train" --config "$run/train.yaml" --out "$run/out" --steps "$steps" --threads "$threads" >"$run/train.log" 2>&1
  params=$(grep -oE 'model: [0-9]+ parameters' "$run/train.log" | grep -oE '[0-9]+')
  metrics="$run/out/metrics.jsonl"
  ms=$(last_json "$metrics" ms_per_step)

  decode="$out/decode-$arch.yaml"
  model_yaml "$out/quickstart-model.yaml" "$arch" 1 >"$decode"
  tok=$("$bin/hrm-bench-decode" --model-config "$decode" --dtype float32 --batch 1 --seconds 1 --threads "$threads" \
    --no-recompute | awk -F'|' '/^\| .*float32/ {gsub(/ /, "", $5); print $5}')

  sft_loss="-"
  if [[ "$sft_steps" -gt 0 ]]; then
    sft="$out/sft-$arch"
    rm -rf "$sft" "$sft.yaml"
    sed -e "s|\.\./\.\./runs/quickstart/data|$quickstart_data|g" -e "s|interval: 200|interval: $sft_steps|" \
      -e "s|global_batch_size: 32|global_batch_size: 8|" "$root/configs/train/quickstart.yaml" >"$sft.yaml"
    "$bin/hrm-train" --config "$sft.yaml" --set "model=$decode" --out "$sft" --steps "$sft_steps" \
      --threads "$threads" >"$sft.log" 2>&1
    sft_loss=$(last_json "$sft/metrics.jsonl" eval_loss)
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$arch" "$params" "$(last_json "$metrics" eval_loss)" \
    "$(last_json "$metrics" eval_exact_accuracy)" "$ms" "$tok" "$sft_loss" >>"$out/table.md"
done
cat "$out/table.md"

if command -v gnuplot >/dev/null; then
  plot=""
  for arch in "${archs[@]}"; do
    python3 -c 'import json,sys
for line in open(sys.argv[1]):
    d=json.loads(line)
    if "eval_exact_accuracy" in d: print(d["step"], d["eval_exact_accuracy"])' \
      "$out/sudoku-$arch/out/metrics.jsonl" >"$out/exact-$arch.dat"
    plot+="${plot:+, }'$out/exact-$arch.dat' using 1:2 with linespoints title '$arch'"
  done
  gnuplot -e "set terminal pngcairo size 800,500; set output '$out/exact.png'; set xlabel 'step';
    set ylabel 'held-out exact (4x4 Sudoku)'; set key left top; plot $plot"
  echo "plot: $out/exact.png" >&2
fi
