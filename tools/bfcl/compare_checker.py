#!/usr/bin/python3
"""Agreement of `hrm-eval --bench bfcl` with BFCL's official AST checker.

For the first --limit entries of each offline category it builds model outputs: the ground truth, and the
ground truth perturbed one way at a time (wrong function name, a required parameter dropped, a wrong type,
a value not allowed, an extra call, the parallel calls reversed, an int for a float, ...). A local
OpenAI-compatible server returns each output as native tool calls to the real hrm-eval binary (one run per
perturbation, --model openai:...), and the same calls go through the official checker of the gorilla
checkout given on the command line (bfcl_eval/eval_checker/ast_eval/ast_checker.py, imported from the
checkout; two imports it does not need, filelock and the model registry, are replaced by stand-ins in this
process). The verdicts are compared; every disagreement is printed with both reasons.

  tools/bfcl/compare_checker.py <gorilla checkout> [--hrm-eval build/bin/hrm-eval] [--limit 60] [--work DIR]

Nothing of BFCL is copied into this repository: the code and the data are read from the checkout.
"""
import argparse
import copy
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import types
from pathlib import Path

CATEGORIES = ["simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance", "simple_java",
              "simple_javascript"]
MODEL_NAME = "hrm-eval-FC"  # any name: the stand-in registry says it writes "a.b" as "a_b", as OpenAI models do


def import_official_checker(leaderboard: Path):
    sys.path.insert(0, str(leaderboard))
    filelock = types.ModuleType("filelock")
    filelock.FileLock = object
    sys.modules.setdefault("filelock", filelock)

    class Config:
        underscore_to_dot = True

    class Registry(dict):
        def __missing__(self, key):
            return Config()

    registry = types.ModuleType("bfcl_eval.constants.model_config")
    registry.MODEL_CONFIG_MAPPING = Registry()
    sys.modules["bfcl_eval.constants.model_config"] = registry
    from bfcl_eval.constants.enums import Language
    from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker
    from bfcl_eval.utils import is_empty_output, is_function_calling_format_output
    return Language, ast_checker, is_empty_output, is_function_calling_format_output


def data_file(data_dir: Path, category: str, folder: str = "") -> Path:
    names = {"simple_python": ["simple_python", "simple"], "simple_java": ["simple_java", "java"],
             "simple_javascript": ["simple_javascript", "javascript"]}.get(category, [category])
    pattern = re.compile(r"BFCL_v(\d+)_(.+)\.json")
    found = sorted((int(m[1]), p) for p in (data_dir / folder).iterdir()
                   for m in [pattern.fullmatch(p.name)] if m and m[2] in names)
    if not found:
        sys.exit(f"no BFCL file for {category} in {data_dir / folder}")
    return found[-1][1]


def load_entries(data_dir: Path, category: str, limit: int):
    questions = [json.loads(l) for l in data_file(data_dir, category).read_text().splitlines() if l.strip()]
    answers = {}
    if category != "irrelevance":
        for line in data_file(data_dir, category, "possible_answer").read_text().splitlines():
            if line.strip():
                a = json.loads(line)
                answers[a["id"]] = a["ground_truth"]
    entries = []
    for q in questions[:limit]:
        entries.append({"id": q["id"], "category": category, "question": q["question"][0], "function": q["function"],
                        "ground_truth": answers.get(q["id"])})
    return entries


def request_key(messages, tool_names):
    return json.dumps([[m.get("content") for m in messages], tool_names])


def entry_key(entry):
    return request_key(entry["question"], [f["name"].replace(".", "_") for f in entry["function"]])


# ---- model outputs: calls as {name: arguments} with Python values, rendered per language ----

def first_value(allowed, last=False):
    values = [v for v in allowed if v != ""]
    if not values:
        return None
    return values[-1] if last else values[0]


def params_of(entry, name):
    for f in entry["function"]:
        if f["name"] == name:
            return f["parameters"]["properties"]
    return {}


def code_value(value, decl, language):
    """A Python value as the Java or JavaScript code string a model would write for it."""
    if language == "python" or isinstance(value, str):
        return value
    t = decl.get("type", "")
    nested = decl.get("items", {}).get("type", "")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}L" if t == "long" else f"{value}n" if t == "Bigint" else str(value)
    if isinstance(value, float):
        return f"{value}f" if t == "float" and language == "java" else repr(value)
    if isinstance(value, list):
        items = [code_value(v, {"type": nested}, language) for v in value]
        items = [f'"{v}"' if nested == "String" and language == "java" else v for v in items]
        if language == "javascript":
            return "[" + ", ".join(json.dumps(v) if isinstance(v, str) and nested == "String" else str(v)
                                   for v in items) + "]"
        if t == "ArrayList":
            return "new ArrayList<>(Arrays.asList(" + ", ".join(items) + "))"
        return "new " + (nested or "Object") + "[]{" + ", ".join(items) + "}"
    if isinstance(value, dict):
        if language == "javascript":
            return "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in value.items()) + "}"
        return "new HashMap<String, String>() {{ " + "".join(f'put("{k}", {json.dumps(v)}); ' for k, v in value.items()) + "}}"
    return json.dumps(value)


def resolve(value):
    """A dict answer lists the allowed values of each key: pick the first, as for parameters."""
    if isinstance(value, dict):
        return {k: first_value(x) for k, x in value.items() if isinstance(x, list) and first_value(x) is not None}
    if isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
        return [resolve(x) for x in value]
    return value


def truth_calls(entry, language, last=False):
    calls = []
    for expected in entry["ground_truth"]:
        name, params = next(iter(expected.items()))
        decls = params_of(entry, name)
        args = {}
        for p, allowed in params.items():
            v = first_value(allowed, last)
            if v is not None:
                args[p] = code_value(resolve(v), decls.get(p, {}), language)
        calls.append([name, args])
    return calls


def invented_call(entry):
    """A call of the entry's first function with a value of each required parameter's type (irrelevance)."""
    f = entry["function"][0]
    samples = {"string": "x", "integer": 3, "float": 2.5, "boolean": True, "array": [], "dict": {}, "tuple": []}
    args = {p: samples.get(d["type"], "x") for p, d in f["parameters"]["properties"].items()
            if p in f["parameters"].get("required", [])}
    return [[f["name"], args]]


def other_value(v):
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return v + 1
    if isinstance(v, float):
        return v * 1.5 + 1
    if isinstance(v, str):
        return v + " extra"
    if isinstance(v, list):
        return v + (v[:1] if v else ["extra"])
    if isinstance(v, dict):
        return {**v, "extra_key": "x"}
    return "x"


def wrong_type(v):
    if isinstance(v, bool):
        return "true"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return 12345
    if isinstance(v, list):
        return "a, b"
    return [v]


def mutate_first_param(calls, fn):
    if not calls or not calls[0][1]:
        return None
    out = copy.deepcopy(calls)
    p = next(iter(out[0][1]))
    out[0][1][p] = fn(out[0][1][p])
    return out


def perturbations(entry, language):
    """name -> calls (a list of [name, args]) or a raw reply (dict with "content"/"arguments")."""
    if entry["category"] == "irrelevance":
        return {"no_call": {"content": "None of the functions can answer this."}, "a_call": invented_call(entry),
                "malformed_arguments": {"arguments": "{\"a\": "}, "arguments_not_object": {"arguments": "5"}}
    truth = truth_calls(entry, language)
    required = [p for p in next(f for f in entry["function"] if f["name"] == truth[0][0])["parameters"].get(
        "required", []) if p in truth[0][1]]
    optional = [p for p in truth[0][1] if p not in required]
    v = {"ground_truth": truth, "other_allowed_value": truth_calls(entry, language, last=True),
         "wrong_name": [[truth[0][0] + "_v2", truth[0][1]]] + truth[1:],
         "extra_param": [[truth[0][0], {**truth[0][1], "unexpected_param": "x"}]] + truth[1:],
         "value_not_allowed": mutate_first_param(truth, other_value),
         "wrong_type": mutate_first_param(truth, wrong_type),
         "extra_call": truth + truth[:1], "no_call": {"content": "I cannot call anything."},
         "arguments_not_object": {"arguments": "[1, 2]"}}
    if "." in truth[0][0]:
        v["dotted_name"] = {"dotted": truth}
    if required:
        v["missing_required"] = [[truth[0][0], {k: x for k, x in truth[0][1].items() if k != required[0]}]] + truth[1:]
    if optional:
        v["optional_left_out"] = [[truth[0][0], {k: x for k, x in truth[0][1].items() if k != optional[0]}]] + truth[1:]
    if len(truth) > 1:
        v["reversed_order"] = truth[::-1]
        v["missing_call"] = truth[:-1]
    swaps = {"int_for_float": lambda x: int(x) if isinstance(x, float) and x == int(x) else None,
             "float_for_int": lambda x: float(x) if type(x) is int else None,
             "bool_for_int": lambda x: bool(x) if type(x) is int and x in (0, 1) else None,
             "restyled_string": lambda x: "  " + x.upper().replace(" ", "-") + "." if isinstance(x, str) else None,
             "reversed_list": lambda x: x[::-1] if isinstance(x, list) and len(x) > 1 else None}
    for name, swap in swaps.items():
        for i, (_, args) in enumerate(truth):
            hit = next((p for p, x in args.items() if swap(x) is not None), None)
            if hit is not None:
                out = copy.deepcopy(truth)
                out[i][1][hit] = swap(args[hit])
                v[name] = out
                break
    return {k: x for k, x in v.items() if x is not None}


def reply_message(output):
    """The assistant message a server returns for a perturbation."""
    if isinstance(output, dict) and "content" in output:
        return {"role": "assistant", "content": output["content"]}, None
    if isinstance(output, dict) and "arguments" in output:
        return None, output["arguments"]  # the raw arguments text of a call to the first function
    calls = output["dotted"] if isinstance(output, dict) else output
    rename = (lambda n: n) if isinstance(output, dict) else (lambda n: n.replace(".", "_"))
    tool_calls = [{"id": f"call_{i}", "type": "function",
                   "function": {"name": rename(n), "arguments": json.dumps(a)}} for i, (n, a) in enumerate(calls)]
    return {"role": "assistant", "content": None, "tool_calls": tool_calls}, None


def message_for(entry, output):
    message, raw = reply_message(output)
    if message is None:
        name = entry["function"][0]["name"].replace(".", "_")
        message = {"role": "assistant", "content": None,
                   "tool_calls": [{"id": "call_0", "type": "function", "function": {"name": name, "arguments": raw}}]}
    return message


# ---- the official verdict of one message (the eval runner's steps for function-calling models) ----

def official_verdict(checker, entry, message):
    Language, ast_checker, is_empty_output, is_function_calling_format_output = checker
    language = {"simple_java": Language.JAVA, "simple_javascript": Language.JAVASCRIPT}.get(entry["category"],
                                                                                           Language.PYTHON)
    try:
        if not message.get("tool_calls"):
            raise ValueError("no tool calls: the reply is text")  # decode_ast iterates over the text and fails
        decoded = [{c["function"]["name"]: json.loads(c["function"]["arguments"])} for c in message["tool_calls"]]
    except Exception as e:  # noqa: BLE001 - the runner's own except
        decoded, error = None, str(e)
    if entry["category"] == "irrelevance":
        called = decoded is not None and not is_empty_output(decoded)
        return (not called), "" if not called else "irrelevance_error:decoder_success"
    if decoded is None:
        return False, "ast_decoder:decoder_failed"
    if not is_function_calling_format_output(decoded):
        return False, "ast_decoder:decoder_wrong_output_format"
    result = ast_checker(entry["function"], decoded, entry["ground_truth"], language, entry["category"], MODEL_NAME)
    return result["valid"], result.get("error_type", "") if not result["valid"] else ""


# ---- the replaying server and the hrm-eval runs ----

class Replies:
    def __init__(self):
        self.table = {}


def serve(replies):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            key = request_key(body["messages"], [t["function"]["name"] for t in body.get("tools", [])])
            message = replies.table.get(key)
            if message is None:
                sys.stderr.write("unknown request: " + key[:300] + "\n")
                self.send_response(404)
                self.end_headers()
                return
            out = json.dumps({"choices": [{"index": 0, "message": message}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkout", type=Path, help="a gorilla checkout (github.com/ShishirPatil/gorilla)")
    ap.add_argument("--hrm-eval", default=str(Path(__file__).resolve().parents[2] / "build/bin/hrm-eval"))
    ap.add_argument("--limit", type=int, default=60, help="entries per category")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--work", type=Path, help="folder for the runs (default: a temporary folder)")
    args = ap.parse_args()
    leaderboard = args.checkout / "berkeley-function-call-leaderboard"
    data_dir = leaderboard / "bfcl_eval" / "data"
    checker = import_official_checker(leaderboard)
    work = args.work or Path(tempfile.mkdtemp(prefix="bfcl-compare-"))

    entries = [e for c in CATEGORIES for e in load_entries(data_dir, c, args.limit)]
    language = {"simple_java": "java", "simple_javascript": "javascript"}
    outputs = {}  # perturbation -> {id: message}
    for e in entries:
        for name, output in perturbations(e, language.get(e["category"], "python")).items():
            outputs.setdefault(name, {})[e["id"]] = message_for(e, output)
    by_id = {e["id"]: e for e in entries}

    replies = Replies()
    server = serve(replies)
    base = f"http://127.0.0.1:{server.server_address[1]}/v1/replay"
    total, agree, disagreements, per_name = 0, 0, [], {}
    for name, messages in sorted(outputs.items()):
        replies.table = {entry_key(by_id[i]): m for i, m in messages.items()}
        # Entries without this perturbation get the ground truth's reply (or a text reply); only those with it count.
        for e in entries:
            replies.table.setdefault(entry_key(e), {"role": "assistant", "content": "-"})
        out = work / name
        cmd = [args.hrm_eval, "--bench", "bfcl", "--data", str(args.checkout), "--limit", str(args.limit), "--model",
               "openai:" + base, "--jobs", str(args.jobs), "--no-progress", "--out", str(out)]
        run = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HRM_OPENAI_MAX_RETRIES": "0"})
        if run.returncode != 0:
            sys.exit(f"hrm-eval failed for {name}:\n{run.stdout}{run.stderr}")
        ours = {r["id"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
        n = a = passed = 0
        for i, message in messages.items():
            valid, error_type = official_verdict(checker, by_id[i], message)
            mine = ours[i]
            n += 1
            passed += valid
            if mine["valid"] == valid:
                a += 1
            else:
                disagreements.append({"perturbation": name, "id": i, "official": [valid, error_type],
                                      "hrm": [mine["valid"], mine["error_type"], mine["reason"]], "message": message})
        per_name[name] = (a, n, passed)
        total, agree = total + n, agree + a
    server.shutdown()

    print(f"{'perturbation':24} agree/cases  valid (official)")
    for name, (a, n, passed) in sorted(per_name.items()):
        print(f"{name:24} {a:5}/{n:<5} {passed:5}")
    print(f"entries: {len(entries)} ({args.limit} per category), cases: {total}, agreement: {agree}/{total} = "
          f"{100.0 * agree / max(1, total):.2f}%")
    (work / "disagreements.jsonl").write_text("".join(json.dumps(d) + "\n" for d in disagreements))
    for d in disagreements:
        print("DISAGREE", json.dumps(d)[:600])
    print(f"runs and disagreements.jsonl in {work}")
    return 0 if agree == total else 1


if __name__ == "__main__":
    sys.exit(main())
