#!/usr/bin/env bash
# README command 1: set up, build, and run the main job on generated data: verified stage-1 Python tasks
# (hrm-data synth), a tokenizer, SFT of a small prefix-LM HRM on CPU, and hrm-eval in the sandbox on
# held-out tasks, printing pass@1 and pass@5 (tools/code_pipeline.sh; docs/benchmarks.md has a measured run).
# The bundled Sudoku job: tools/build.sh && build/bin/hrm-train --config configs/train/sudoku4x4.yaml
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
exec tools/code_pipeline.sh "$@"
