#!/usr/bin/env bash
# Agent tool-call overhead: the bash tool vs the sandbox run alone, and the file tools (docs/benchmarks.md).
# Usage: tools/bench/tool_overhead.sh [runs] [command]   (HRM_BUILD_DIR picks the build dir; default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/bench/bench_lib.sh
build_bench tool_overhead
print_machine
"$BIN/tool_overhead" --runs "${1:-100}" --command "${2:-true}"
