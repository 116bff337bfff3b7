#!/usr/bin/python3
"""Writes a LiveCodeBench-format benchmark set for judge throughput (hrm vs the official harness's
per-sample cost): problems in code_generation_lite rows (test.jsonl, private tests encoded as LCB
publishes them) and samples in LCB's custom-output format (custom_outputs.json). Project-written,
deterministic. Usage: lcb_bench_set.py <out_dir> [--problems 40] [--n 10] [--tests 15]"""
import argparse
import base64
import json
import os
import pickle
import random
import zlib

# Each template: (kind, func_name, starter, make_test(rng) -> (input, output), samples).
# Samples: 6 correct variants, 2 wrong on some inputs, 1 runtime error, 1 that does not compile.


def t_sum(rng):
    xs = [rng.randint(-10**6, 10**6) for _ in range(rng.randint(1, 200))]
    return "%d\n%s\n" % (len(xs), " ".join(map(str, xs))), "%d\n" % sum(xs)


SUM_SAMPLES = [
    "n = int(input())\nprint(sum(map(int, input().split())))",
    "import sys\ndata = sys.stdin.read().split()\nprint(sum(int(x) for x in data[1:]))",
    "import sys\ndata = sys.stdin.buffer.read().split()\nprint(sum(map(int, data[1:])))",
    "def main():\n    n = int(input())\n    xs = list(map(int, input().split()))\n    total = 0\n    for x in xs:\n"
    "        total += x\n    print(total)\n\nif __name__ == '__main__':\n    main()",
    "n = int(input())\nxs = [int(v) for v in input().split()]\nprint(functools.reduce(operator.add, xs, 0))",
    "import sys\nn = int(sys.stdin.readline())\nprint(sum(map(int, sys.stdin.readline().split())))",
    "n = int(input())\nxs = list(map(int, input().split()))\nprint(sum(xs) if n < 150 else sum(xs) + 1)",
    "n = int(input())\nxs = list(map(int, input().split()))\nprint(max(xs) * n)",
    "n = int(input())\nxs = list(map(int, input().split()))\nprint(sum(xs) // (n - 1) * (n - 1) + xs[n])",
    "n = int(input()\nprint(n)",
]


def t_sort(rng):
    xs = [rng.randint(0, 1000) for _ in range(rng.randint(1, 100))]
    return "%d\n%s\n" % (len(xs), " ".join(map(str, xs))), " ".join(map(str, sorted(xs))) + "\n"


SORT_SAMPLES = [
    "input()\nprint(*sorted(map(int, input().split())))",
    "import sys\ndata = list(map(int, sys.stdin.read().split()))\nprint(' '.join(map(str, sorted(data[1:]))))",
    "n = int(input())\nxs = list(map(int, input().split()))\nxs.sort()\nprint(' '.join(str(x) for x in xs))",
    "import heapq\nn = int(input())\nh = list(map(int, input().split()))\nheapify(h)\n"
    "print(*[heappop(h) for _ in range(n)])",
    "n = int(input())\nxs = list(map(int, input().split()))\ncnt = Counter(xs)\n"
    "print(*[k for k in sorted(cnt) for _ in range(cnt[k])])",
    "import sys\nsys.stdin.readline()\nprint(*sorted(int(v) for v in sys.stdin.readline().split()))",
    "n = int(input())\nprint(*sorted(set(map(int, input().split()))))",
    "n = int(input())\nprint(*sorted(map(int, input().split()), reverse=n > 50))",
    "n = int(input())\nxs = list(map(int, input().split()))\nprint(*sorted(xs)[: n - 1], xs[n + 5])",
    "print(*sorted(map(int, input().split()))",
]


def t_pairs(rng):
    nums = [rng.randint(-50, 50) for _ in range(rng.randint(2, 80))]
    target = rng.randint(-60, 60)
    count = sum(1 for i in range(len(nums)) for j in range(i + 1, len(nums)) if nums[i] + nums[j] == target)
    return "%s\n%d" % (json.dumps(nums), target), json.dumps(count)


PAIRS_SAMPLES = [
    "class Solution:\n    def countPairs(self, nums: List[int], target: int) -> int:\n"
    "        return sum(1 for i in range(len(nums)) for j in range(i + 1, len(nums)) if nums[i] + nums[j] == target)",
    "class Solution:\n    def countPairs(self, nums, target):\n        seen = Counter()\n        total = 0\n"
    "        for x in nums:\n            total += seen[target - x]\n            seen[x] += 1\n        return total",
    "def countPairs(nums, target):\n    return sum(1 for a, b in combinations(nums, 2) if a + b == target)",
    "class Solution:\n    def countPairs(self, nums, target):\n        nums = sorted(nums)\n        total = 0\n"
    "        for i, x in enumerate(nums):\n            lo = bisect_left(nums, target - x, i + 1)\n"
    "            hi = bisect_right(nums, target - x, i + 1)\n            total += hi - lo\n        return total",
    "class Solution:\n    def countPairs(self, nums, target):\n        c = 0\n        for i in range(len(nums)):\n"
    "            for j in range(i + 1, len(nums)):\n                c += nums[i] + nums[j] == target\n        return c",
    "def countPairs(nums, target):\n    d = defaultdict(int)\n    r = 0\n    for x in nums:\n        r += d[target - x]\n"
    "        d[x] += 1\n    return r",
    "class Solution:\n    def countPairs(self, nums, target):\n"
    "        return sum(1 for i in range(len(nums)) for j in range(len(nums)) if i != j and nums[i] + nums[j] == target)",
    "class Solution:\n    def countPairs(self, nums, target):\n        return len(set(nums))",
    "class Solution:\n    def countPairs(self, nums, target):\n        return nums[len(nums)] + target",
    "class Solution:\n    def countPairs(self, nums, target)\n        return 0",
]


def t_minmax(rng):
    nums = [rng.randint(-1000, 1000) for _ in range(rng.randint(1, 120))]
    return json.dumps(nums), json.dumps([min(nums), max(nums)])


MINMAX_SAMPLES = [
    "class Solution:\n    def minMax(self, nums: List[int]) -> List[int]:\n        return (min(nums), max(nums))",
    "class Solution:\n    def minMax(self, nums):\n        return [min(nums), max(nums)]",
    "def minMax(nums):\n    s = sorted(nums)\n    return [s[0], s[-1]]",
    "class Solution:\n    def minMax(self, nums):\n        lo = hi = nums[0]\n        for x in nums:\n"
    "            lo = min(lo, x)\n            hi = max(hi, x)\n        return [lo, hi]",
    "class Solution:\n    def minMax(self, nums):\n        return list((heapq.nsmallest(1, nums)[0], heapq.nlargest(1, nums)[0]))",
    "def minMax(nums):\n    return [functools.reduce(min, nums), functools.reduce(max, nums)]",
    "class Solution:\n    def minMax(self, nums):\n        return [min(nums), max(nums)] if len(nums) < 100 else [0, 0]",
    "class Solution:\n    def minMax(self, nums):\n        return [max(nums), min(nums)]",
    "class Solution:\n    def minMax(self, nums):\n        return [nums[-len(nums) - 1], 0]",
    "class Solution:\n    def minMax(self, nums):\n    return nums",
]

TEMPLATES = [
    ("sum", None, "", t_sum, SUM_SAMPLES, "atcoder", "easy"),
    ("sort", None, "", t_sort, SORT_SAMPLES, "codeforces", "medium"),
    ("pairs", "countPairs", "class Solution:\n    def countPairs(self, nums: List[int], target: int) -> int:\n        ",
     t_pairs, PAIRS_SAMPLES, "leetcode", "medium"),
    ("minmax", "minMax", "class Solution:\n    def minMax(self, nums: List[int]) -> List[int]:\n        ",
     t_minmax, MINMAX_SAMPLES, "leetcode", "easy"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--problems", type=int, default=40)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--tests", type=int, default=15)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    rng = random.Random(1234)
    rows, outputs = [], []
    for p in range(args.problems):
        name, fn, starter, make, samples, platform, difficulty = TEMPLATES[p % len(TEMPLATES)]
        testtype = "functional" if fn else "stdin"
        tests = [dict(zip(("input", "output"), make(rng)), testtype=testtype) for _ in range(args.tests)]
        qid = "bench%03d_%s" % (p, name)
        rows.append({
            "question_title": name, "question_content": "Benchmark problem %s." % name, "platform": platform,
            "question_id": qid, "contest_id": "bench%03d" % p,
            "contest_date": "2024-%02d-%02dT00:00:00" % (1 + p % 12, 1 + p % 28), "starter_code": starter,
            "difficulty": difficulty, "public_test_cases": json.dumps(tests[:2]),
            "private_test_cases": base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests[2:]), 4))).decode(),
            "metadata": json.dumps({"func_name": fn} if fn else {}),
        })
        outputs.append({"question_id": qid, "code_list": [samples[k % len(samples)] for k in range(args.n)]})
    with open(os.path.join(args.out_dir, "test.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    with open(os.path.join(args.out_dir, "custom_outputs.json"), "w") as f:
        json.dump(outputs, f)
    print("wrote %d problems x %d samples x %d tests to %s" % (args.problems, args.n, args.tests, args.out_dir))


if __name__ == "__main__":
    main()
