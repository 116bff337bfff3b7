#!/usr/bin/python3
"""Writes hrm's LiveCodeBench fixtures (project-written problems, not LiveCodeBench's) in the exact
official row formats: code_generation_lite rows (test.jsonl, test2.jsonl) with private tests encoded
as LiveCodeBench publishes them (base64 of zlib of a pickled JSON string), custom-output prediction
files covering every verdict, and rows for the test-output-prediction and code-execution scenarios.

Run from anywhere: /usr/bin/python3 data/lcb-fixtures/make_fixtures.py (stdlib only; deterministic)."""
import base64
import json
import os
import pickle
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def encode_private(tests, protocol=4):
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests), protocol=protocol))).decode()


def stdin_tests(pairs):
    return [{"input": i, "output": o, "testtype": "stdin"} for i, o in pairs]


def functional_tests(pairs):
    return [{"input": i, "output": o, "testtype": "functional"} for i, o in pairs]


def row(qid, title, platform, date, difficulty, content, public, private, starter="", func_name=None,
        encode=True, protocol=4):
    return {
        "question_title": title,
        "question_content": content,
        "platform": platform,
        "question_id": qid,
        "contest_id": qid.split("_")[0] if "_" in qid else "weekly-hrm-" + qid,
        "contest_date": date + "T00:00:00",
        "starter_code": starter,
        "difficulty": difficulty,
        "public_test_cases": json.dumps(public),
        "private_test_cases": encode_private(private, protocol) if encode else json.dumps(private),
        "metadata": json.dumps({"func_name": func_name} if func_name else {}),
    }


# ---- problems -----------------------------------------------------------------------------------
SUM = row("hrmA_sum", "Two Numbers", "atcoder", "2023-05-20", "easy",
          "Read two integers A and B on one line and print A+B.",
          stdin_tests([("1 2\n", "3\n")]),
          stdin_tests([("10 20\n", "30\n"), ("-5 5\n", "0\n"), ("1000000000000 1\n", "1000000000001\n")]),
          protocol=2)
AVG = row("hrmB_avg", "Average", "codeforces", "2023-07-15", "medium",
          "Read N and then N integers; print their average with exactly three digits after the point.",
          stdin_tests([("4\n1 2 3 4\n", "2.500\n")]),
          stdin_tests([("3\n1 1 2\n", "1.333\n"), ("2\n5 5\n", "5.000\n"), ("1\n7\n", "7.000\n")]),
          protocol=3)
WORDS = row("hrmC_words", "Distinct Words", "atcoder", "2023-10-01", "hard",
            "Read N and then N lines of words; print how many distinct words there are.",
            stdin_tests([("2\na b\nb c\n", "3\n")]),
            stdin_tests([("1\nx x x\n", "1\n"), ("3\nab cd\nef\ncd ab\n", "3\n")]),
            protocol=5)
TOP2 = row("9001", "Two Largest", "leetcode", "2024-02-10", "medium",
           "Given an integer array nums with at least two elements, return its two largest values in "
           "decreasing order.",
           functional_tests([("[1, 5, 4]", "[5, 4]")]),
           functional_tests([("[7, 7, 1]", "[7, 7]"), ("[-3, -1, -2, -8]", "[-1, -2]")]),
           starter="class Solution:\n    def twoLargest(self, nums: List[int]) -> List[int]:\n        ",
           func_name="twoLargest", protocol=4)
COUNT = row("9002", "Count Character", "leetcode", "2024-06-22", "easy",
            "Given a string s and a character c, return how many times c occurs in s.",
            functional_tests([('"hello"\n"l"', "2")]),
            functional_tests([('"zzz"\n"z"', "3"), ('"abc"\n"d"', "0")]),
            starter="class Solution:\n    def countChars(self, s: str, c: str) -> int:\n        ",
            func_name="countChars", protocol=5)
REVERSE = row("hrmD_reverse", "Reverse Words", "codeforces", "2024-09-30", "hard",
              "Read N and then N lines; print each line with its words in reverse order.",
              stdin_tests([("2\na b c\nhello world\n", "c b a\nworld hello\n")]),
              stdin_tests([("1\nsingle\n", "single\n"), ("3\n1 2\n3 4\n5 6\n", "2 1\n4 3\n6 5\n")]),
              encode=False)

# ---- samples (LiveCodeBench custom outputs: already-extracted code) --------------------------------
SAMPLES = {
    "hrmA_sum": [
        "a, b = map(int, input().split())\nprint(a + b)",                               # pass
        "a, b = map(int, input().split())\nprint(a + b if a >= 0 else a - b)",         # -2 on private test 2
        "a, b = map(int, input().split())\nwhile a == 10:\n    pass\nprint(a + b)",     # -3 on test 1
        "a, b = map(int, input().split())\nif a < 0:\n    raise ValueError(a)\nprint(a + b)",  # -4 on test 2
        "a, b = map(int, input().split()\nprint(a + b)",                                # does not compile: [-4]
    ],
    "hrmB_avg": [
        "n = int(input())\nxs = list(map(int, input().split()))\nprint(f'{sum(xs) / n:.3f}')",  # pass
        "n = int(input())\nxs = list(map(int, input().split()))\nprint(sum(xs) / n)",           # 2.5 ok, 1.333.. -2
        "n = int(input())\nxs = list(map(int, input().split()))\nprint(round(sum(xs) / n, 3))",  # 5.0 == 5.000: pass
        "n = int(input())\nxs = list(map(int, input().split()))\nprint(f'  {sum(xs) / n:.3f}   \\n\\n')",  # pass
        "n = int(input())\nxs = list(map(int, input().split()))\nprint(f'{sum(xs) / n:.3f}')\nprint('extra')",  # -2
    ],
    "hrmC_words": [
        "import sys\ndata = sys.stdin.buffer.read().split()\nprint(len(set(data[1:])))",         # pass (stdin.buffer)
        "import ctypes, sys\ndata = sys.stdin.buffer.read().split()\nif data[0] == b'1':\n"
        "    ctypes.string_at(0)\nprint(len(set(data[1:])))",                                 # crash: -4 on test 1
        "import sys, time\ndata = sys.stdin.read().split()\nif data[0] == b'3' or data[0] == '3':\n"
        "    time.sleep(1000)\nprint(len(set(data[1:])))",                                    # hang: -3 on test 2
        "import sys\ndata = sys.stdin.read().split()\nif len(data) > 3:\n    block = bytearray(1 << 40)\n"
        "print(len(set(data[1:])))",                                                           # memory: -4 on test 0
        "text = open(0).read().split()\nprint(len(set(text[1:])))",                            # pass (open(0))
    ],
    "9001": [
        "class Solution:\n    def twoLargest(self, nums: List[int]) -> List[int]:\n"
        "        s = sorted(nums)\n        return (s[-1], s[-2])",                              # tuple result: pass
        "class Solution:\n    def twoLargest(self, nums: List[int]) -> List[int]:\n"
        "        return sorted(nums)[-2:]",                                                   # -2 on test 0
        "class Solution:\n    def largestTwo(self, nums):\n        return sorted(nums)[::-1][:2]",  # no such method: [-4]
        "class Solution:\n    def twoLargest(self, nums):\n        return heapq.nlargest(2, nums)",  # prepended imports: pass
        "class Solution:\n    def twoLargest(self, nums):\n        return self.twoLargest(nums)",   # RecursionError: -4
    ],
    "9002": [
        "def countChars(s, c):\n    return s.count(c)",                                          # function-based: pass
        "def countChars(s, c):\n    return s.count(c) + (c == 'z')",                              # -2 on test 1
        "def countChars(s, c):\n    print('debug', s, c)\n    return s.count(c)",                 # stdout ignored: pass
        "class Solution:\n    def countChars(self, s: str, c: str) -> int:\n        return sum(ch == c for ch in s)",  # pass
        "from hrm_no_such_module import helper\ndef countChars(s, c):\n    return helper(s, c)",  # load error: [-4]
    ],
    "hrmD_reverse": [
        "def main():\n    n = int(input())\n    for _ in range(n):\n        print(' '.join(input().split()[::-1]))\n\n"
        "if __name__ == \"__main__\":\n    main()",                                              # __main__: pass
        "import sys\nlines = sys.stdin.read().split('\\n')\nfor line in lines[1:int(lines[0]) + 1]:\n"
        "    print(*line.split()[::-1])",                                                         # pass
        "n = int(input())\nfor _ in range(n):\n    print(' '.join(reversed(input().split())))\nexit(0)",  # exit(): pass
        "import sys\nn = int(sys.stdin.readline())\nout = []\nfor _ in range(n):\n"
        "    out.append(' '.join(sys.stdin.readline().split()[::-1]))\nsys.stdout.write('\\n'.join(out))",  # pass
        "",                                                                                       # no code: [-4]
    ],
}

# Replies in the shape a chat model gives them (for the extraction path: predictions:<file.jsonl>).
def reply_of(code):
    return "Here is my solution.\n```python\n" + code + "\n```\nIt reads the input and prints the answer."


# ---- test output prediction (livecodebench/test_generation rows) ---------------------------------
TESTOUT = [
    {"question_title": "Count Character", "question_content": "Given a string s and a character c, return how "
     "many times c occurs in s.", "question_id": "9002", "contest_id": "weekly-hrm-9002",
     "contest_date": "2024-06-22T00:00:00", "difficulty": "easy",
     "test": json.dumps(functional_tests([('"banana"\n"a"', "3")])),
     "starter_code": "def countChars(s: str, c: str) -> int:\n    pass", "function_name": "countChars", "test_id": 0},
    {"question_title": "Two Largest", "question_content": "Return the two largest values of nums in decreasing "
     "order.", "question_id": "9001", "contest_id": "weekly-hrm-9001", "contest_date": "2024-02-10T00:00:00",
     "difficulty": "medium", "test": json.dumps(functional_tests([("[3, 9, 4]", "[9, 4]")])),
     "starter_code": "def twoLargest(nums: List[int]) -> List[int]:\n    pass", "function_name": "twoLargest",
     "test_id": 1},
]
TESTOUT_PREDS = [
    {"question_id": "9002", "test_id": 0, "pred_list": ['assert countChars("banana", "a") == 3',
                                                        'assert countChars("banana", "a") == 2',
                                                        "3",
                                                        'assert countChars("banana", "a") == len("abc")']},
    {"question_id": "9001", "test_id": 1, "pred_list": ["assert twoLargest([3, 9, 4]) == [9, 4]",
                                                       "assert twoLargest([3, 9, 4]) == (9, 4)",
                                                       "assert twoLargest([3, 9, 4]) == [9, 4",
                                                       "assert twoLargest([3, 9, 4]) == [4, 9]"]},
]

# ---- code execution (livecodebench/execution-v2 rows) --------------------------------------------
EXEC = [
    {"question_id": "9002", "contest_id": "weekly-hrm-9002", "contest_date": "2024-06-22T00:00:00",
     "difficulty": "easy", "function_name": "countChars",
     "code": "def countChars(s, c):\n    total = 0\n    for ch in s:\n        if ch == c:\n            total += 1\n    return total",
     "input": "countChars(s = 'abracadabra', c = 'a')", "output": "5", "id": "sample_2", "problem_id": "9002",
     "numsteps": 40},
    {"question_id": "9001", "contest_id": "weekly-hrm-9001", "contest_date": "2024-02-10T00:00:00",
     "difficulty": "medium", "function_name": "twoLargest",
     "code": "def twoLargest(nums):\n    s = sorted(nums)\n    return [s[-1], s[-2]]",
     "input": "twoLargest(nums = [3, 9, 4])", "output": "[9, 4]", "id": "sample_10", "problem_id": "9001",
     "numsteps": 12},
]
EXEC_PREDS = [
    {"id": "sample_2", "pred_list": ["5", "4", "countChars(s = 'abracadabra', c = 'a')", "__import__('time').sleep(30)"]},
    {"id": "sample_10", "pred_list": ["[9, 4]", "[9, 4]", "(9, 4)", "[4, 9]"]},
]


def write_jsonl(name, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def write_json(name, value):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1)
        f.write("\n")


def main():
    write_jsonl("test.jsonl", [SUM, AVG, WORDS])          # release v1
    write_jsonl("test2.jsonl", [TOP2, COUNT, REVERSE])    # added by release v2
    write_json("custom_outputs.json", [{"question_id": q, "code_list": c} for q, c in SAMPLES.items()])
    # try 1: code generation replies; try 2: self-repair replies (sample k's repair is replies[k]).
    # Every repair answers with the problem's first (correct) sample, except hrmA_sum's sample 2,
    # which stays in its infinite loop.
    repairs = {q: [codes[0]] * len(codes) for q, codes in SAMPLES.items()}
    repairs["hrmA_sum"][2] = SAMPLES["hrmA_sum"][2]
    write_jsonl("replies.jsonl", [{"task": q, "try": 1, "replies": [reply_of(c) for c in codes]}
                                  for q, codes in SAMPLES.items()] +
                [{"task": q, "try": 2, "replies": [reply_of(c) for c in codes]} for q, codes in repairs.items()])
    write_jsonl("testoutput.jsonl", TESTOUT)
    write_json("testoutput_outputs.json", TESTOUT_PREDS)
    write_jsonl("execution.jsonl", EXEC)
    write_json("execution_outputs.json", EXEC_PREDS)
    # Decoder vectors: the same JSON text pickled with every protocol the reader accepts, and a
    # string long enough for BINUNICODE (> 255 bytes) and for framing.
    text = json.dumps(stdin_tests([("é " * 200, "ü\n" * 3)]))
    vectors = [{"protocol": p, "text": t, "encoded": encode_private(json.loads(t), p)}
               for p in (2, 3, 4, 5) for t in ('[]', text)]
    hostile = {
        # A pickle that would call os.system("echo pwned") if loaded with pickle.loads.
        "global_reduce": base64.b64encode(zlib.compress(
            b"\x80\x04\x95\x1f\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94"
            b"\x8c\x0aecho pwned\x94\x85\x94R\x94.")).decode(),
        # A pickled list instead of a str.
        "list": base64.b64encode(zlib.compress(pickle.dumps(["a"], protocol=4))).decode(),
        # Protocol 0 (text opcodes).
        "protocol0": base64.b64encode(zlib.compress(pickle.dumps("x", protocol=0))).decode(),
    }
    write_json("decoder_vectors.json", {"valid": vectors, "hostile": hostile})


if __name__ == "__main__":
    main()
