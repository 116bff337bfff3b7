#!/usr/bin/env bash
# Agent tool-call overhead: the bash tool vs the sandbox run alone, and the file tools (docs/benchmarks.md).
# Usage: tools/bench/tool_overhead.sh [runs] [command]   (HRM_BUILD_DIR picks the build dir; default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${HRM_BUILD_DIR:-build}
[ -f "$BUILD_DIR/CMakeCache.txt" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" --target tool_overhead >/dev/null
echo "machine: $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BUILD_DIR/bin/tool_overhead" --runs "${1:-100}" --command "${2:-true}"
