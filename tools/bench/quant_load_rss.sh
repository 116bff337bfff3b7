#!/usr/bin/env bash
# Peak RSS of loading a checkpoint and generating a few tokens with hrm-generate (docs/benchmarks.md,
# "Quantization"), measured by /usr/bin/time -v for each checkpoint directory given, with this build and,
# when BEFORE names another build directory, with that one too (side by side, ROUNDS times each).
# Usage: BEFORE=/work/main/build tools/bench/quant_load_rss.sh <checkpoint dir>...
# Env: BUILD (default build), BEFORE (optional), ROUNDS (2), THREADS (1).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILDS=("${BUILD:-build}")
[ -n "${BEFORE:-}" ] && BUILDS=("$BEFORE" "${BUILDS[@]}")
ROUNDS=${ROUNDS:-2}
[ $# -gt 0 ] || { echo "usage: $0 <checkpoint dir>..." >&2; exit 2; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| checkpoint | build | peak RSS MiB (each round) |"
echo "| --- | --- | --- |"
for ckpt in "$@"; do
  for build in "${BUILDS[@]}"; do
    peaks=()
    for _ in $(seq 1 "$ROUNDS"); do
      kb=$(/usr/bin/time -v "$build/bin/hrm-generate" --ckpt "$ckpt" --prompt "def add(a, b):" --max-new-tokens 4 \
        --dtype bfloat16 --segments 1 --threads "${THREADS:-1}" 2>&1 >/dev/null |
        sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p')
      peaks+=("$((kb / 1024))")
    done
    echo "| $ckpt | $build | ${peaks[*]} |"
  done
done
