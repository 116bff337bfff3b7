#!/usr/bin/env bash
# Polyglot in agent mode vs the standard two tries, same model, same exercises, back to back: the
# standard run's pass_rate_1/pass_rate_2 next to the agent run's pass rate per turn budget.
# Usage: tools/bench/polyglot_agent_vs_tries.sh <polyglot data dir> <model> <exercises> [budgets] [out]
#   e.g. tools/bench/polyglot_agent_vs_tries.sh /data/polyglot-benchmark hrm:runs/x/final \
#          'python/poker,python/transpose' 2,4,8 results/agent-vs-tries
#   Extra hrm-eval flags (sampling, --jobs) through HRM_EVAL_FLAGS, e.g. HRM_EVAL_FLAGS='--max-tokens 256'.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=$1
MODEL=$2
EXERCISES=$3
BUDGETS=${4:-2,4,8}
OUT=${5:-$(mktemp -d)}
BIN=${HRM_BUILD_DIR:-build}/bin
[ -x "$BIN/hrm-eval" ] || { echo "build first: $BIN/hrm-eval is missing" >&2; exit 1; }
# shellcheck disable=SC2086
COMMON=(--data "$DATA" --model "$MODEL" --exercises "$EXERCISES" --no-progress ${HRM_EVAL_FLAGS:-})
"$BIN/hrm-eval" --bench polyglot "${COMMON[@]}" --tries 2 --out "$OUT/tries" >/dev/null
"$BIN/hrm-eval" --bench polyglot --agent "${COMMON[@]}" --max-turns "$BUDGETS" --out "$OUT/agent" >/dev/null
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
tries = json.load(open(f"{out}/tries/summary.json"))
agent = json.load(open(f"{out}/agent/summary.json"))
print(f"model {tries['model']}, {tries['test_cases']} exercises")
print(f"  standard (Aider's two tries): pass_rate_1 {tries['pass_rate_1']:.1f}%, pass_rate_2 {tries['pass_rate_2']:.1f}%, "
      f"{tries['seconds_per_case']:.1f} s per exercise")
for b in agent["budgets"]:
    v = agent["by_budget"][str(b)]
    print(f"  agent, {b:>2} turns: {v['passed']}/{agent['cases']} ({v['pass_rate']:.1f}%)")
e = agent["episodes"]
print(f"  agent episodes: {e['turns_per_episode']:.1f} turns, {e['tool_calls_per_episode']:.1f} tool calls, "
      f"{e['invalid_calls']} invalid calls, stops {json.dumps(e['stop_reasons'])}, {e['episode_seconds_mean']:.1f} s each")
PY
echo "results: $OUT"
