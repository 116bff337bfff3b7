# hrm LiveCodeBench checker for the test-output-prediction and code-execution scenarios (runs inside
# the hrm sandbox; written by hrm::eval::lcb). Usage: python3 check.py job.json
# job: {"items": [{"kind": "testoutput", "prediction": str, "expected": json-text}
#                 | {"kind": "execution", "program": str, "timeout": s}]}
# Each item runs in its own forked child; the result of item k is written to r<k>.json as
# {"passed": bool, "detail": str}. A child that never writes a result failed (crash or timeout).
import ast, contextlib, io, json, os, signal, sys, time


class TimeoutException(Exception):
    pass


def parse_assert_statement(statement):
    try:
        parsed = ast.parse(statement, mode="exec")
    except SyntaxError:
        return "Invalid syntax"
    if len(parsed.body) == 0:
        return "Empty statement"
    if not isinstance(parsed.body[0], ast.Assert):
        return "Not an assert statement"
    comparison = parsed.body[0].test
    if not isinstance(comparison, ast.Compare) or not isinstance(comparison.ops[0], ast.Eq):
        return "Not an equality assertion"
    return ast.get_source_segment(statement, comparison.comparators[0])


def check_testcase_output(testcase_str, expected_output):
    if len(testcase_str.splitlines()) > 1:
        for line in testcase_str.splitlines():
            if line.startswith("#"):
                continue
            if "assert" in line:
                testcase_str = line
                break
    testcase_str = testcase_str.strip()
    if "assert" in testcase_str:
        output_str = str(parse_assert_statement(testcase_str))
    else:
        output_str = testcase_str
    try:
        got = eval(output_str)
    except BaseException:
        return False, "the predicted output does not evaluate"
    try:
        want = json.loads(expected_output)
    except BaseException:
        return False, "the expected output is not JSON"
    return bool(got == want), ""


def on_alarm(signum, frame):
    raise TimeoutException("Timed out!")


def run_item(item):
    if item["kind"] == "testoutput":
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, 3)
        try:
            return check_testcase_output(item["prediction"], item["expected"])
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    sink = io.StringIO()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, float(item.get("timeout", 3)))
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            exec(item["program"], {"__name__": "__main__"})
        return True, "passed"
    except TimeoutException:
        return False, "timed out"
    except BaseException as e:
        return False, "failed: %r" % (e,)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    for k, item in enumerate(job["items"]):
        pid = os.fork()
        if pid == 0:
            try:
                devnull = os.open(os.devnull, os.O_RDWR)
                os.dup2(devnull, 0)
                passed, detail = run_item(item)
                with open("r%d.json" % k, "w") as f:
                    json.dump({"passed": passed, "detail": detail}, f)
            finally:
                os._exit(0)
        deadline = time.monotonic() + float(item.get("timeout", 3)) + 2
        while True:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            time.sleep(0.002)


if __name__ == "__main__":
    main()
