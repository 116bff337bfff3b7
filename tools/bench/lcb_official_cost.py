#!/usr/bin/python3
"""Judges a LiveCodeBench custom-output file the way the official harness spends its time per sample
(lcb_runner/evaluation/compute_code_generation_metrics.py check_correctness): for every sample a new
multiprocessing.Manager, a new Process that judges the sample, a join with the global timeout. Stdlib
only. The judge inside the process is either a stdlib re-implementation of testing_util.run_test's
rules (default; stdin mocked with StringIO, LeetCode calls, Decimal comparison), or the official
run_test itself when --lcb-repo points at a LiveCodeBench checkout (it needs numpy).

Usage: lcb_official_cost.py <test.jsonl> <custom_outputs.json> [--lcb-repo DIR] [--limit N] [--json OUT]
Prints samples/s (one core: samples are judged one after another) and writes per-sample verdicts."""
import argparse
import base64
import json
import multiprocessing
import pickle
import sys
import time
import zlib

IMPORTS = ("from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\n"
           "from heapq import *\nfrom bisect import *\nfrom copy import *\nfrom math import *\nfrom random import *\n"
           "from statistics import *\nfrom itertools import *\nfrom functools import *\nfrom operator import *\n"
           "from io import *\nfrom sys import *\nfrom json import *\nfrom builtins import *\nfrom typing import *\n"
           "import string, re, datetime, collections, heapq, bisect, copy, math, random, statistics, itertools\n"
           "import functools, operator, io, sys, json\nsys.setrecursionlimit(50000)\n")


def stdlib_run_test(sample, code, timeout):
    """testing_util.run_test's rules, written for this benchmark (stdin via StringIO, signal.alarm)."""
    import ast, io, signal
    from decimal import Decimal
    from unittest.mock import patch

    class Timeout(Exception):
        pass

    def on_alarm(signum, frame):
        raise Timeout()

    signal.signal(signal.SIGALRM, on_alarm)
    io_spec = json.loads(sample["input_output"])
    inputs, outputs, fn_name = io_spec["inputs"], io_spec["outputs"], io_spec.get("fn_name")
    results = []
    try:
        if fn_name:
            ns = {}
            signal.alarm(timeout)
            exec(IMPORTS + "\n\n" + code, ns)
            signal.alarm(0)
            target = ns["Solution"]() if "class Solution" in code else None
            method = getattr(target, fn_name) if target is not None else ns[fn_name]
            for inp, out in zip(inputs, outputs):
                args = [json.loads(line) for line in inp.split("\n")]
                expected = json.loads(out)
                signal.alarm(timeout)
                try:
                    got = method(*args)
                except Timeout:
                    return results + [-3]
                except Exception:
                    return results + [-4]
                finally:
                    signal.alarm(0)
                if isinstance(got, tuple):
                    got = list(got)
                if got != expected:
                    return results + [-2]
                results.append(True)
            return results
        tree = ast.parse(code)
        imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
        body = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        if body and isinstance(body[-1], ast.If) and ast.unparse(body[-1].test).strip() == "__name__ == '__main__'":
            body = body[:-1] + body[-1].body
        fn = ast.FunctionDef(name="wrapped", args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[],
                                                                  defaults=[]), body=body or [ast.Pass()],
                             decorator_list=[], lineno=1)
        ns = {}
        exec(IMPORTS + "\n" + ast.unparse(imports) + "\n" + ast.unparse(ast.fix_missing_locations(fn)), ns)
        for inp, out in zip(inputs, outputs):
            buf = io.StringIO()
            stdin = io.TextIOWrapper(io.BytesIO(inp.encode()), encoding="utf-8")
            signal.alarm(timeout)
            try:
                with patch("sys.stdin", stdin), patch("sys.stdout", buf):
                    try:
                        ns["wrapped"]()
                    except SystemExit:
                        pass
            except Timeout:
                return results + [-3]
            except Exception:
                return results + [-4]
            finally:
                signal.alarm(0)
            got = [l.strip() for l in buf.getvalue().strip().split("\n")]
            want = [l.strip() for l in out.strip().split("\n")]
            if len(got) != len(want):
                return results + [-2]
            for a, b in zip(got, want):
                if a == b:
                    continue
                try:
                    if [Decimal(x) for x in a.split()] == [Decimal(x) for x in b.split()]:
                        continue
                except Exception:
                    pass
                return results + [-2]
            results.append(True)
        return results
    except Exception:
        return [-4]


def target(run_test, sample, code, timeout, result):
    out = run_test(sample, code, timeout)
    result.append(out[0] if isinstance(out, tuple) else out)


def check_correctness(run_test, sample, code, timeout):
    manager = multiprocessing.Manager()
    result = manager.list()
    p = multiprocessing.Process(target=target, args=(run_test, sample, code, timeout, result))
    p.start()
    p.join(timeout=(timeout + 1) * len(json.loads(sample["input_output"])["inputs"]) + 5)
    if p.is_alive():
        p.kill()
    out = list(result[0]) if result else [-1]
    manager.shutdown()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("outputs")
    ap.add_argument("--lcb-repo")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--timeout", type=int, default=6)
    ap.add_argument("--json")
    args = ap.parse_args()
    if args.lcb_repo:
        sys.path.insert(0, args.lcb_repo)
        from lcb_runner.evaluation.testing_util import run_test as official

        def run_test(sample, code, timeout):
            return official(sample, test=code, debug=False, timeout=timeout)
    else:
        run_test = stdlib_run_test
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(50000)
    problems = {}
    for line in open(args.data):
        r = json.loads(line)
        private = r["private_test_cases"]
        try:
            private = json.loads(private)
        except Exception:
            private = json.loads(pickle.loads(zlib.decompress(base64.b64decode(private))))
        tests = json.loads(r["public_test_cases"]) + private
        problems[r["question_id"]] = {"input_output": json.dumps({
            "inputs": [t["input"] for t in tests], "outputs": [t["output"] for t in tests],
            "fn_name": json.loads(r["metadata"]).get("func_name")})}
    pairs = [(e["question_id"], k, c) for e in json.load(open(args.outputs)) for k, c in enumerate(e["code_list"])]
    if args.limit:
        pairs = pairs[: args.limit]
    verdicts = {}
    start = time.perf_counter()
    for qid, k, code in pairs:
        verdicts.setdefault(qid, []).append(check_correctness(run_test, problems[qid], code, args.timeout))
    secs = time.perf_counter() - start
    print("official-harness cost (%s judge): %d samples in %.2f s = %.2f samples/s, %.1f ms/sample" % (
        "official run_test" if args.lcb_repo else "stdlib", len(pairs), secs, len(pairs) / secs, 1000 * secs / len(pairs)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"seconds": secs, "samples": len(pairs), "results": verdicts}, f)


if __name__ == "__main__":
    main()
