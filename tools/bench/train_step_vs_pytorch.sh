#!/usr/bin/env bash
# One ACT training segment: hrm (C++/LibTorch) vs ../shared/baselines/hrm_torch.py (PyTorch eager),
# same config, batch, sequence length, threads and dtype, run back to back in this script.
# Usage: tools/bench/train_step_vs_pytorch.sh [threads] [steps] [rounds]    (build first: tools/build.sh)
# Each round runs the pair once per config; the last line per config is the median over rounds.
# Both sides get OPENBLAS_NUM_THREADS/OMP_NUM_THREADS = threads: torch.set_num_threads does not govern
# OpenBLAS's own pool, so without them the baseline's GEMMs take a second core at "--threads 1". The
# "cpu" column (user+sys seconds over wall seconds of the whole process) shows what each side used.
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS=${1:-1}
STEPS=${2:-10}
ROUNDS=${3:-3}
BASELINE=${HRM_BASELINE:-../shared/baselines/hrm_torch.py}
BENCH=${HRM_BUILD_DIR:-build}/bin/hrm-bench-train-step
[ -x "$BENCH" ] || { echo "build first: tools/build.sh" >&2; exit 1; }
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT

timed() {  # prints the command's JSON line with "cpu" (user+sys over wall) added
  local out
  out=$(/usr/bin/time -f '%e %U %S' -o "$TIMES" "$@")
  python3 -c 'import json,sys; j=json.loads(sys.argv[1]); e,u,s=map(float,open(sys.argv[2]).read().split()[-3:]); j["cpu"]=round((u+s)/e,2); print(json.dumps(j))' "$out" "$TIMES"
}

run_pair() {  # label, then the shared flags; prints one line, appends "hrm_ms py_ms" to $label's file
  local label=$1; shift
  local cpp py
  cpp=$(timed "$BENCH" "$@" --threads "$THREADS" --steps "$STEPS")
  py=$(timed /usr/bin/python3 "$BASELINE" "$@" --threads "$THREADS" --steps "$STEPS")
  python3 - "$label" "$cpp" "$py" <<'PY'
import json, sys
label, cpp, py = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f"{label:<28} params {cpp['params']:>10,}  hrm {cpp['ms_per_step']:>8.1f} ms/step (cpu {cpp['cpu']:.2f})  "
      f"pytorch {py['ms_per_step']:>8.1f} ms/step (cpu {py['cpu']:.2f})  speedup x{py['ms_per_step'] / cpp['ms_per_step']:.2f}",
      flush=True)
PY
}

echo "machine: $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); threads $THREADS; $STEPS timed steps; $ROUNDS rounds; load $(cut -d' ' -f1-3 /proc/loadavg)"
TINY=(--hidden 128 --heads 4 --h-layers 2 --l-layers 2 --seq-len 128 --batch 8 --dtype float32)
BIG=(--hidden 512 --heads 8 --h-layers 4 --l-layers 4 --seq-len 128 --batch 8 --dtype bfloat16)
LOG=$(mktemp)
for ((r = 1; r <= ROUNDS; r++)); do
  run_pair "tiny h128 2+2 fp32 b8 s128" "${TINY[@]}" | tee -a "$LOG"
  run_pair "27M h512 4+4 bf16 b8 s128" "${BIG[@]}" | tee -a "$LOG"
done
python3 - "$LOG" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(.*?)\s+params.*hrm\s+([\d.]+) ms/step.*pytorch\s+([\d.]+) ms/step", line)
    rows.setdefault(m.group(1), []).append((float(m.group(2)), float(m.group(3))))
for label, pairs in rows.items():
    hrm = statistics.median(h for h, _ in pairs)
    py = statistics.median(p for _, p in pairs)
    ratios = sorted(p / h for h, p in pairs)
    print(f"median {label:<28} hrm {hrm:8.1f}  pytorch {py:8.1f} ms/step  speedup x{statistics.median(ratios):.2f} "
          f"(rounds: {' '.join(f'x{x:.2f}' for x in ratios)})")
PY
rm -f "$LOG"
