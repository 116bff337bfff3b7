# hrm LiveCodeBench judge driver (runs inside the hrm sandbox; written by hrm::eval::lcb).
# Usage: python3 driver.py job.json
# job: {"timeout", "clock", "memory_bytes", "problems": [{"tag", "fn_name", "inputs", "outputs",
#       "samples": [{"index", "code"}]}]}
# Judges samples against their problem's tests the way LiveCodeBench's testing_util does, loading the
# imports once and forking one child per sample. Each child reports on a side channel,
# <tag>_<index>.jsonl, one JSON record per line: {"t":"start","i":i} before test i, then
# {"t":"pass","i":i} or {"t":"fail",...}, {"t":"compile",...} when the code cannot be loaded,
# {"t":"done",...} at the end. The parent writes <tag>_<index>.exit with how the child ended, so a
# crash or hang is attributed to the test in flight. A test's stdin and stdout are memfds (files
# here when memfd_create is unavailable).
import ast, builtins, io, json, os, select, signal, sys, threading, time

PRELUDE = (
    "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\n"
    "from heapq import *\nfrom bisect import *\nfrom copy import *\nfrom math import *\n"
    "from random import *\nfrom statistics import *\nfrom itertools import *\nfrom functools import *\n"
    "from operator import *\nfrom io import *\nfrom sys import *\nfrom json import *\n"
    "from builtins import *\nfrom typing import *\nimport string\nimport re\nimport datetime\n"
    "import collections\nimport heapq\nimport bisect\nimport copy\nimport math\nimport random\n"
    "import statistics\nimport itertools\nimport functools\nimport operator\nimport io\nimport sys\n"
    "import json\nsys.setrecursionlimit(50000)\n"
)
WATCHDOG_EXIT = 86


class TimeoutException(Exception):
    pass


def truncatefn(s, length=300):
    if not isinstance(s, str):
        s = str(s)
    if len(s) <= length:
        return s
    return s[: length // 2] + "...(truncated) ..." + s[-length // 2:]


def stripped_lines(value):
    return [line.strip() for line in value.strip().split("\n")]


def outputs_match(prediction, expected):
    from decimal import Decimal
    got, want = stripped_lines(prediction), stripped_lines(expected)
    if len(got) != len(want):
        return False, "Wrong answer: mismatched output length"
    for idx, (a, b) in enumerate(zip(got, want)):
        message = "Wrong answer at output_line_idx=%d: %s != %s" % (idx, truncatefn(a), truncatefn(b))
        if a == b:
            continue
        try:
            da = [Decimal(x) for x in a.split()]
            db = [Decimal(x) for x in b.split()]
        except Exception:
            return False, message
        try:
            if da == db:
                continue
        except Exception:
            pass
        return False, message
    return True, ""


class Channel:
    def __init__(self, path):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)

    def emit(self, record):
        self.write((json.dumps(record) + "\n").encode("utf-8", "surrogatepass"))

    def write(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]


class Limiter:
    """Per-test time limit. The timer raises TimeoutException in the code under test, as LiveCodeBench's
    signal.alarm does: ITIMER_PROF (CPU time) for clock "cpu", ITIMER_REAL for "wall". A second, wall
    clock backstop at 2 x timeout + 1 s ends the process (exit 86) when the exception was swallowed or
    the test is blocked: with clock "cpu" it is ITIMER_REAL, with "wall" the same timer re-armed. Code
    stuck in C without releasing the GIL is killed by the parent at LiveCodeBench's global timeout."""

    def __init__(self, seconds, clock):
        self.seconds = seconds
        self.cpu = clock == "cpu"
        self.fired = False
        signal.signal(signal.SIGALRM, self._on_alarm)
        if self.cpu:
            signal.signal(signal.SIGPROF, self._on_prof)

    def _on_prof(self, signum, frame):
        raise TimeoutException()

    def _on_alarm(self, signum, frame):
        if self.cpu or self.fired:
            os._exit(WATCHDOG_EXIT)
        self.fired = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds + 1)
        raise TimeoutException()

    def arm(self):
        self.fired = False
        if self.cpu:
            signal.setitimer(signal.ITIMER_PROF, self.seconds)
            signal.setitimer(signal.ITIMER_REAL, 2 * self.seconds + 1)
        else:
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def disarm(self):
        signal.setitimer(signal.ITIMER_REAL, 0)
        if self.cpu:
            signal.setitimer(signal.ITIMER_PROF, 0)


def failure(code, message, inputs, expected, error=None, output=None):
    meta = {}
    if output is not None:
        meta["output"] = truncatefn(output)
    if error is not None:
        meta["error"] = error
    meta.update({"error_code": code, "error_message": message,
                 "inputs": truncatefn(inputs), "expected": truncatefn(expected)})
    return meta


def scratch_fd(name):
    """A fresh read-write file for a test's stdin or stdout: an anonymous memfd, else a file here."""
    try:
        return os.memfd_create(name, 0)
    except (AttributeError, OSError):
        return os.open(name, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)


def install(fd, target):
    # The program may have closed `target` (open(0) closes fd 0), so a new fd may already be it.
    if fd != target:
        os.dup2(fd, target)
        os.close(fd)


def set_stdio(data, tag):
    fd = scratch_fd(tag + ".in")
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    install(fd, 0)
    install(scratch_fd(tag + ".out"), 1)
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8")


def captured_stdout():
    chunks, offset = [], 0
    while True:
        chunk = os.pread(1, 1 << 20, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def run_stdin(code, compiled, job, k, prelude, chan, limiter):
    total = 0.0
    for i, (inp, expected) in enumerate(zip(job["inputs"], job["outputs"])):
        set_stdio(inp.encode("utf-8", "surrogatepass"), k)
        env = {"__builtins__": prelude, "__name__": "__main__", "stdin": sys.stdin, "stdout": sys.stdout,
               "stderr": sys.stderr}
        before = set(threading.enumerate())
        chan.write(b'{"t": "start", "i": %d}\n' % i)
        error = None
        start = time.perf_counter()
        limiter.arm()
        try:
            try:
                exec(compiled, env)
            except SystemExit:
                pass
            for t in threading.enumerate():  # a program's non-daemon threads finish before it exits
                if t not in before and not t.daemon:
                    t.join()
            try:
                sys.stdout.flush()
            except SystemExit:
                pass
        except TimeoutException as e:
            error = (-3, "Time Limit Exceeded", repr(e))
        except BaseException as e:
            error = (-4, "Runtime Error", repr(e))
        finally:
            limiter.disarm()
        total += time.perf_counter() - start
        if error:
            chan.emit({"t": "fail", "i": i, "code": error[0],
                       "meta": failure(error[0], error[1], inp, expected, error=error[2])})
            return
        try:
            prediction = captured_stdout()
        except OSError as e:  # the program closed its stdout
            chan.emit({"t": "fail", "i": i, "code": -4,
                       "meta": failure(-4, "Runtime Error", inp, expected, error=repr(e))})
            return
        if prediction == expected:  # the common case: no need to parse lines and decimals
            chan.write(b'{"t": "pass", "i": %d}\n' % i)
            continue
        ok, message = outputs_match(prediction, expected)
        # The output goes back so the evaluator can re-check the comparison (not when it is huge).
        out = prediction if len(prediction) <= (1 << 20) else None
        if not ok:
            chan.emit({"t": "fail", "i": i, "code": -2, "out": out,
                       "meta": failure(-2, message, inp, expected, output=prediction)})
            return
        chan.emit({"t": "pass", "i": i, "out": out})
    chan.emit({"t": "done", "meta": {"execution time": total}})


def run_functional(code, compiled, job, k, prelude, chan, limiter):
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8")
    fn_name = job["fn_name"]
    env = {"__builtins__": prelude, "__name__": "tmp_sol", "stdout": sys.stdout}
    limiter.arm()
    try:
        exec(compiled, env)
        target = env["Solution"]() if "class Solution" in code else None
        method = getattr(target, fn_name, None) if target is not None else env.get(fn_name)
        if method is None:
            raise KeyError(fn_name)
        all_inputs = [[json.loads(line) for line in inp.split("\n")] for inp in job["inputs"]]
        all_outputs = [json.loads(out) for out in job["outputs"]]
    except BaseException as e:
        limiter.disarm()
        if isinstance(e, KeyError) and e.args and e.args[0] in (fn_name, "Solution"):
            message = "function %s not found" % e.args[0]
        else:
            message = str(e) if not isinstance(e, TimeoutException) else "TimeoutException()"
        chan.emit({"t": "compile", "meta": {"error_code": -4, "error_message": "Error during testing: %s" % message}})
        return
    limiter.disarm()
    total = 0.0
    for i, (args, expected) in enumerate(zip(all_inputs, all_outputs)):
        chan.write(b'{"t": "start", "i": %d}\n' % i)
        limiter.arm()
        try:
            start = time.perf_counter()
            prediction = method(*args)
            total += time.perf_counter() - start
            limiter.disarm()
            if isinstance(prediction, tuple):
                prediction = list(prediction)
            if not (prediction == expected):
                chan.emit({"t": "fail", "i": i, "code": -2, "meta": {
                    "output": truncatefn(prediction), "inputs": truncatefn(args), "expected": truncatefn(expected),
                    "error_code": -2, "error_message": "Wrong Answer"}})
                return
        except TimeoutException as e:
            limiter.disarm()
            chan.emit({"t": "fail", "i": i, "code": -3,
                       "meta": failure(-3, "Time Limit Exceeded", args, expected, error=repr(e))})
            return
        except BaseException as e:
            limiter.disarm()
            chan.emit({"t": "fail", "i": i, "code": -4,
                       "meta": failure(-4, "Runtime Error", args, expected, error=repr(e))})
            return
        chan.write(b'{"t": "pass", "i": %d}\n' % i)
    chan.emit({"t": "done", "meta": {"execution time": total}})


def vm_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except Exception:
        return 0


def child(sample, compiled, job, prelude):
    k = "%s_%d" % (job["tag"], sample["index"])
    os.setpgid(0, 0)
    if job.get("memory_bytes"):
        import resource
        limit = vm_bytes() + int(job["memory_bytes"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    chan = Channel(k + ".jsonl")
    limiter = Limiter(float(job["timeout"]), job.get("clock", "cpu"))
    if job["fn_name"]:
        run_functional(sample["code"], compiled, job, k, prelude, chan, limiter)
    else:
        run_stdin(sample["code"], compiled, job, k, prelude, chan, limiter)


def wait_child(pid, seconds):
    """Waits for `pid` up to `seconds`; kills its process group after that. Returns (status, killed)."""
    deadline = time.monotonic() + seconds
    pidfd = None
    try:
        pidfd = os.pidfd_open(pid)
    except Exception:
        pidfd = None
    delay = 0.0005
    killed = False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        left = deadline - time.monotonic()
        if left <= 0:
            killed = True
            for fn in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
                try:
                    fn()
                except Exception:
                    pass
            _, status = os.waitpid(pid, 0)
            break
        if pidfd is not None:
            select.select([pidfd], [], [], left)
        else:
            time.sleep(min(delay, left))
            delay = min(delay * 2, 0.02)
    if pidfd is not None:
        os.close(pidfd)
    try:
        os.killpg(pid, signal.SIGKILL)  # stray grandchildren of this sample
    except Exception:
        pass
    return status, killed


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(50000)
    # The prepended imports' names, served to the programs as their builtins: a program sees them as
    # LiveCodeBench's prepended imports, and nothing is copied (or written) per test.
    namespace = {"__builtins__": builtins}
    exec(PRELUDE, namespace)
    prelude = dict(builtins.__dict__)
    prelude.update((k, v) for k, v in namespace.items() if k != "__builtins__")
    import decimal  # noqa: F401  (warm for the children)
    import gc
    gc.collect()
    gc.freeze()  # the children's garbage collector leaves the shared objects alone: fewer copied pages
    settings = {key: job[key] for key in ("timeout", "clock", "memory_bytes")}
    for problem in job["problems"]:
        problem.update(settings)
        per_sample = (float(job["timeout"]) + 1) * max(1, len(problem["inputs"])) + 5
        for sample in problem["samples"]:
            name = "%s_%d" % (problem["tag"], sample["index"])
            # Compiled here, not in the child: the compiler's memory would be copy-on-write faults there.
            try:
                tree = compile(sample["code"], "<solution>", "exec", ast.PyCF_ONLY_AST)
                if not problem["fn_name"] and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body):
                    # LiveCodeBench wraps a stdin program's statements in a function, which fails to
                    # compile when there are none (e.g. an empty answer).
                    raise SyntaxError("the program has no statements besides imports")
                compiled = compile(tree, "<solution>", "exec")
            except BaseException as e:
                Channel(name + ".jsonl").emit({"t": "compile", "meta": {
                    "error_code": -4, "error_message": "Error during testing: %s" % e}})
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    child(sample, compiled, problem, prelude)
                    sys.stderr.flush()
                except BaseException:
                    import traceback
                    traceback.print_exc()
                    code = 70
                os._exit(code)
            status, killed = wait_child(pid, per_sample)
            record = {"killed": killed}
            if os.WIFSIGNALED(status):
                record.update({"status": "signaled", "signal": os.WTERMSIG(status)})
            else:
                record.update({"status": "exited", "code": os.WEXITSTATUS(status)})
            with open(name + ".exit", "w") as f:
                json.dump(record, f)


if __name__ == "__main__":
    main()
