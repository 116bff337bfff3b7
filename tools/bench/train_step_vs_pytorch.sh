#!/usr/bin/env bash
# One ACT training segment: hrm (C++/LibTorch) vs ../shared/baselines/hrm_torch.py (PyTorch eager),
# same config, batch, sequence length, threads and dtype, run back to back in this script.
# Usage: tools/bench/train_step_vs_pytorch.sh [threads] [steps]    (build first: tools/build.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS=${1:-1}
STEPS=${2:-10}
BASELINE=${HRM_BASELINE:-../shared/baselines/hrm_torch.py}
BENCH=${HRM_BUILD_DIR:-build}/bin/hrm-bench-train-step
[ -x "$BENCH" ] || { echo "build first: tools/build.sh" >&2; exit 1; }

run_pair() {  # label, then the shared flags
  local label=$1; shift
  local cpp py
  cpp=$("$BENCH" "$@" --threads "$THREADS" --steps "$STEPS")
  py=$(/usr/bin/python3 "$BASELINE" "$@" --threads "$THREADS" --steps "$STEPS")
  python3 - "$label" "$cpp" "$py" <<'PY'
import json, sys
label, cpp, py = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f"{label:<34} params {cpp['params']:>10,}  hrm {cpp['ms_per_step']:>9.1f} ms/step  "
      f"pytorch {py['ms_per_step']:>9.1f} ms/step  speedup x{py['ms_per_step'] / cpp['ms_per_step']:.2f}")
PY
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); threads $THREADS; $STEPS timed steps"
run_pair "tiny h128 2+2 fp32 b8 s128" --hidden 128 --heads 4 --h-layers 2 --l-layers 2 --seq-len 128 --batch 8 --dtype float32
run_pair "27M h512 4+4 bf16 b8 s128" --hidden 512 --heads 8 --h-layers 4 --l-layers 4 --seq-len 128 --batch 8 --dtype bfloat16
