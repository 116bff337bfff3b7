#!/usr/bin/env bash
# Sandbox overhead per run: /bin/true bare vs in hrm::sandbox (see docs/benchmarks.md).
# Usage: tools/bench/sandbox_overhead.sh [runs]   (HRM_BUILD_DIR picks the build dir; default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${HRM_BUILD_DIR:-build}
[ -f "$BUILD_DIR/CMakeCache.txt" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" --target sandbox_overhead >/dev/null
echo "machine: $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$BUILD_DIR/bin/sandbox_overhead" --runs "${1:-200}"
