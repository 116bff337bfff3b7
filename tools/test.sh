#!/usr/bin/env bash
# README command 2: set up, build and run the whole test suite (unit + integration) with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
cd "${HRM_BUILD_DIR:-build}"
ctest --output-on-failure --timeout 1200 -j "$(nproc)" "$@"
