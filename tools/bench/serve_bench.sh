#!/usr/bin/env bash
# hrm-serve throughput and latency for docs/benchmarks.md: the quickstart-size model and the 27M config
# (random init, causal), 1 / 4 / 16 concurrent streaming clients. Usage: tools/bench/serve_bench.sh [build dir]
set -euo pipefail
build=${1:-build}
cmake --build "$build" --target hrm-serve_bin hrm-bench-serve >/dev/null
echo "## quickstart (hidden 128, prefix-LM, fp32, 2 segments)"
"$build"/bin/hrm-bench-serve --arch quickstart --clients 1,4,16 --requests 2 --max-tokens 64 --ctx 256 --threads 2
echo "## 27M (configs/arch/hrm_v1.yaml, causal, bf16, 1 segment)"
"$build"/bin/hrm-bench-serve --arch 27m --dtype bfloat16 --segments 1 --clients 1,4,16 --requests 1 --max-tokens 32 \
  --ctx 128 --threads 2
