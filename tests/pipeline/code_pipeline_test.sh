#!/usr/bin/env bash
# The quickstart's code pipeline (tools/code_pipeline.sh), shortened for CI: real synth + sandbox
# verification, tokenizer, shards, SFT of the quickstart model, hrm-eval with the hrm: backend in the
# sandbox. Asserts a clear learning signal (held-out token accuracy far above chance, loss far below the
# untrained ln(vocab)) and that both evaluation reports were written through the real path.
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
cd "$source_dir"
HRM_BUILD_DIR="$build_dir" PER_FAMILY=20 SFT_STEPS=100 BATCH=16 N=2 EVAL_LIMIT=6 \
  tools/code_pipeline.sh "$run/qs" | tee "$run/log"
python3 - "$run/qs" <<'PY'
import json, math, sys
run = sys.argv[1]
evals = [json.loads(l) for l in open(f"{run}/train/metrics.jsonl") if "eval_token_accuracy" in l]
assert evals, "no evaluation in the SFT metrics"
last = evals[-1]
print("held-out token accuracy", last["eval_token_accuracy"], "loss", last["eval_loss"])
assert last["eval_token_accuracy"] > 0.5, last            # chance is ~1/1650
assert last["eval_loss"] < 0.5 * math.log(1650), last
for split in ("test_instance", "test_family"):
    s = json.load(open(f"{run}/eval/{split}/summary.json"))
    assert s["samples"] == 6 * 2, s["samples"]
    assert s["model"].startswith("hrm:"), s["model"]
    overall = next(g for g in s["groups"] if g["group"] == "all")
    assert "pass@1" in overall, overall
PY
grep -q "test_instance" "$run/log"
