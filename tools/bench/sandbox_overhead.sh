#!/usr/bin/env bash
# Sandbox overhead per run: /bin/true bare vs in hrm::sandbox (see docs/benchmarks.md).
# Usage: tools/bench/sandbox_overhead.sh [runs]   (HRM_BUILD_DIR picks the build dir; default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/bench/bench_lib.sh
build_bench sandbox_overhead
print_machine
"$BIN/sandbox_overhead" --runs "${1:-200}"
