#!/usr/bin/env bash
# hrm-serve throughput and latency for docs/benchmarks.md: 1 / 4 / 16 concurrent streaming clients, time
# to first token, tokens/s, peak RSS (tools/bench/serve_bench.cpp). Every client count serves the same
# number of requests (--total-requests), so the 1-client round is not a fraction of a second long.
#   tools/bench/serve_bench.sh [build dir]                 random-init quickstart-size and 27M (fp32, bf16, q4)
#   tools/bench/serve_bench.sh build CKPT [CKPT ...]       trained (or quantized) checkpoints, --ctx = seq_len
# THREADS (default 1: on the 2-vCPU VM two LibTorch threads made batch-1 decoding slower, docs/benchmarks.md)
# sets hrm-serve's --threads.
set -euo pipefail
threads=${THREADS:-1}
build=${1:-build}
shift || true
cmake --build "$build" --target hrm-serve_bin hrm-bench-serve >/dev/null
echo "# $(date -u +%FT%TZ) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $# -gt 0 ]]; then
  for ckpt in "$@"; do
    seq_len=$(sed -n 's/^seq_len: *//p' "$ckpt/config.yaml")
    echo "## $ckpt (seq_len $seq_len)"
    "$build"/bin/hrm-bench-serve --model "$ckpt" --dtype float32 --clients 1,4,16 --total-requests 64 --max-tokens 64 \
      --ctx "$seq_len" --threads "$threads"
  done
  exit 0
fi
echo "## quickstart (hidden 128, prefix-LM, fp32, 2 segments)"
"$build"/bin/hrm-bench-serve --arch quickstart --clients 1,4,16 --total-requests 64 --max-tokens 64 --ctx 256 \
  --threads "$threads"
for weights in "--dtype float32" "--dtype bfloat16" "--quantize q4"; do
  echo "## 27M (configs/arch/hrm_v1.yaml, causal, 1 segment), $weights"
  # shellcheck disable=SC2086  # two words: the option and its value
  "$build"/bin/hrm-bench-serve --arch 27m $weights --segments 1 --clients 1,4,16 --total-requests 32 --max-tokens 32 \
    --ctx 128 --threads "$threads"
done
