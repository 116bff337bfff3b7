#!/usr/bin/env bash
# LiveCodeBench judge throughput: the same (problem, sample) pairs judged by `hrm-eval --bench
# livecodebench` (one judge at a time: --jobs 1) and at the official harness's per-sample cost
# (tools/bench/lcb_official_cost.py: a multiprocessing Manager + Process per sample, one at a time),
# then the verdicts of both compared sample by sample.
# Usage: tools/bench/lcb_throughput.sh [--problems 40] [--n 10] [--lcb-repo DIR]
#   --lcb-repo: a LiveCodeBench checkout; its own testing_util.run_test then judges inside the
#               official-cost loop (needs numpy), otherwise lcb_official_cost.py's stdlib judge does.
# Env: HRM_BUILD_DIR (default build), PYTHON (default /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${HRM_BUILD_DIR:-build}
PY=${PYTHON:-/usr/bin/python3}
PROBLEMS=40 N=10 LCB_REPO=""
while [ $# -gt 0 ]; do
  case "$1" in
    --problems) PROBLEMS=$2; shift 2 ;;
    --n) N=$2; shift 2 ;;
    --lcb-repo) LCB_REPO=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
WORK=$(mktemp -d /tmp/hrm-lcb-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$PY" tools/bench/lcb_bench_set.py "$WORK/set" --problems "$PROBLEMS" --n "$N"

# Wall and CPU (user + system, the whole process tree) of each side; CPU per sample is the per-core
# cost that does not depend on what else the machine is running.
/usr/bin/time -f "%e %U %S" -o "$WORK/hrm.time" "$BUILD/bin/hrm-eval" --bench livecodebench \
  --data "$WORK/set/test.jsonl" --model "predictions:$WORK/set/custom_outputs.json" --jobs 1 --no-progress \
  --out "$WORK/hrm" >/dev/null

extra=()
[ -n "$LCB_REPO" ] && extra=(--lcb-repo "$LCB_REPO")
/usr/bin/time -f "%e %U %S" -o "$WORK/official.time" "$PY" tools/bench/lcb_official_cost.py \
  "$WORK/set/test.jsonl" "$WORK/set/custom_outputs.json" --json "$WORK/official.json" "${extra[@]}"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
hrm = {e["question_id"]: e["results"] for e in json.load(open(work + "/hrm/eval_all.json"))}
off = json.load(open(work + "/official.json"))
samples = sum(len(v) for v in hrm.values())
hrm_wall, hu, hs = map(float, open(work + "/hrm.time").read().split()[-3:])
off_wall, ou, os_ = map(float, open(work + "/official.time").read().split()[-3:])
same = diff = 0
for qid, runs in off["results"].items():
    for k, r in enumerate(runs):
        if hrm[qid][k] == r:
            same += 1
        else:
            diff += 1
            print("verdicts differ: %s sample %d: hrm %s, official %s" % (qid, k, hrm[qid][k], r))
n_off = off["samples"]
print("                     wall s  samples/s  CPU ms/sample  samples per CPU-s")
print("hrm (--jobs 1)      %7.2f  %9.1f  %13.1f  %17.1f" % (hrm_wall, samples / hrm_wall, 1000 * (hu + hs) / samples,
                                                           samples / (hu + hs)))
print("official cost loop  %7.2f  %9.1f  %13.1f  %17.1f" % (off_wall, n_off / off_wall, 1000 * (ou + os_) / n_off,
                                                           n_off / (ou + os_)))
print("speed-up: %.1fx wall, %.1fx per CPU-second; identical verdicts: %d of %d samples" % (
    (samples / hrm_wall) / (n_off / off_wall), (samples / (hu + hs)) / (n_off / (ou + os_)), same, same + diff))
PY
