#!/usr/bin/env bash
# README command 1: set up, build, and run the main job on the bundled default: train the tiny HRM
# on the bundled 4x4 Sudoku set (data/sudoku4x4) and print its held-out exact accuracy.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
exec "${HRM_BUILD_DIR:-build}/bin/hrm-train" --config configs/train/sudoku4x4.yaml --out runs/sudoku4x4 "$@"
