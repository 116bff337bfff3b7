// What a sandboxed program may do: exit codes, stdin/stdout/stderr, the work dir, its environment,
// limits visible from inside, and the toolchains the evaluators use.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <utility>
#include <vector>

#include "sandbox_test_util.hpp"

namespace hrm::sandbox::testing {
namespace {

TEST_F(SandboxTest, ExitCodesAndStreamsAreReported) {
  RunResult r = sh("echo out; echo err >&2; exit 3");
  EXPECT_EQ(r.verdict, Verdict::kExited) << describe(r);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.stdout_data, "out\n");
  EXPECT_EQ(r.stderr_data, "err\n");
  EXPECT_FALSE(r.stdout_truncated);
  EXPECT_GT(r.wall_seconds, 0);
  EXPECT_TRUE(sh("true").ok());
}

TEST_F(SandboxTest, StdinPassesThroughEvenWhenLargerThanAPipe) {
  std::string input;
  for (int i = 0; i < 50000; ++i) input += "line " + std::to_string(i) + "\n";  // ~590 KB
  RunRequest r = request({"/usr/bin/wc", "-l"});
  r.stdin_data = input;
  RunResult res = run(r);
  ASSERT_TRUE(res.ok()) << describe(res);
  EXPECT_EQ(res.stdout_data, "50000\n");

  r = request({"/bin/cat"});
  r.stdin_data = "hello\nworld\n";
  EXPECT_EQ(run(r).stdout_data, "hello\nworld\n");

  // A program that never reads a large stdin neither blocks the run nor kills the caller (SIGPIPE).
  r = request({"/bin/true"});
  r.stdin_data = input;
  EXPECT_TRUE(run(r).ok());
}

TEST_F(SandboxTest, WorkDirIsWritableAndIsTheCurrentDirectory) {
  spit(work_ / "input.txt", "from the host\n");
  RunResult r = sh("pwd; cat input.txt; echo made > out.txt; mkdir -p sub/dir && echo deep > sub/dir/f");
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.stdout_data, work_.string() + "\nfrom the host\n");
  EXPECT_EQ(slurp(work_ / "out.txt"), "made\n");
  EXPECT_EQ(slurp(work_ / "sub/dir/f"), "deep\n");
  // The next run (another uid, maybe) can still write over the previous run's files.
  EXPECT_TRUE(sh("echo again > out.txt && rm -r sub").ok());
  EXPECT_EQ(slurp(work_ / "out.txt"), "again\n");
}

TEST_F(SandboxTest, EnvironmentIsExactlyTheRequestedOne) {
  setenv("HRM_SANDBOX_TEST_SECRET", "s3cr3t-env", 1);
  RunRequest r = request({"/usr/bin/env"});
  r.env = {{"ONLY", "this"}, {"PATH", "/usr/bin"}};
  RunResult res = run(r);
  unsetenv("HRM_SANDBOX_TEST_SECRET");
  ASSERT_TRUE(res.ok()) << describe(res);
  EXPECT_EQ(res.stdout_data, "ONLY=this\nPATH=/usr/bin\n");
}

TEST_F(SandboxTest, ProgramsAreFoundInTheRunsPathOrRelativeToTheWorkDir) {
  RunRequest r = request({"echo", "via PATH"});
  EXPECT_EQ(run(r).stdout_data, "via PATH\n");
  spit(work_ / "script.sh", "#!/bin/sh\necho script $1\n");
  chmod((work_ / "script.sh").c_str(), 0755);
  r = request({"./script.sh", "arg"});
  RunResult res = run(r);
  EXPECT_EQ(res.stdout_data, "script arg\n") << describe(res);
}

TEST_F(SandboxTest, BadRequestsAreSandboxErrors) {
  RunResult r = run(request({"no-such-program-hrm"}));
  EXPECT_EQ(r.verdict, Verdict::kSandboxError);
  EXPECT_NE(r.error.find("not found"), std::string::npos) << r.error;

  spit(work_ / "not-executable", "data");
  r = run(request({(work_ / "not-executable").string()}));
  EXPECT_EQ(r.verdict, Verdict::kSandboxError);
  EXPECT_NE(r.error.find("cannot execute"), std::string::npos) << r.error;

  RunRequest bad = request({"/bin/true"});
  bad.work_dir = dir_ / "missing";
  EXPECT_EQ(run(bad).verdict, Verdict::kSandboxError);
  bad.work_dir = "/usr";
  EXPECT_EQ(run(bad).verdict, Verdict::kSandboxError);
  bad.argv.clear();
  bad.work_dir = work_;
  EXPECT_EQ(run(bad).verdict, Verdict::kSandboxError);
}

// The work dir is handed to the run's uid recursively: it must come back to the caller afterwards,
// and shared directories (a temp root, a home, the caller's cwd) are never accepted as work dirs.
TEST_F(SandboxTest, WorkDirOwnershipComesBackAndSharedDirsAreRefused) {
  ASSERT_TRUE(sh("mkdir -p made/by/run && echo x > made/by/run/f").ok());
  for (const fs::path& p : {work_, work_ / "made", work_ / "made/by/run/f"}) {
    struct stat st {};
    ASSERT_EQ(lstat(p.c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_uid, geteuid()) << p << " still belongs to the run's uid";
  }
  if (geteuid() != 0) GTEST_SKIP() << "only root hands work dirs to another uid";
  for (const fs::path& shared : {fs::path("/tmp"), fs::temp_directory_path(), fs::current_path()}) {
    RunRequest r = request({"/bin/true"});
    r.work_dir = shared;
    RunResult res = run(r);
    EXPECT_EQ(res.verdict, Verdict::kSandboxError) << shared;
    EXPECT_NE(res.error.find("work_dir"), std::string::npos) << res.error;
  }
}

TEST_F(SandboxTest, LimitsAreVisibleInside) {
  Limits lim;
  lim.max_open_files = 40;
  RunResult r = sh("ulimit -n; ulimit -c", lim);
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.stdout_data, "40\n0\n");
}

TEST_F(SandboxTest, FileSizeLimitStopsTheWriter) {
  Limits lim;
  lim.max_file_bytes = 1 << 20;
  RunResult r = sh("head -c 3000000 /dev/zero > big; echo $?", lim);
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.stdout_data, std::to_string(128 + SIGXFSZ) + "\n");  // head died of SIGXFSZ
  EXPECT_LE(fs::file_size(work_ / "big"), static_cast<uintmax_t>(1 << 20));
}

TEST_F(SandboxTest, PrivateTmpAndHostnameAndUnprivilegedUid) {
  HRM_REQUIRE_PROTECTION("mount namespace");
  std::string marker = "/tmp/hrm-private-marker-" + std::to_string(getpid());
  RunResult r = sh("echo x > " + marker + " && cat " + marker + " && hostname && id -u");
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_FALSE(fs::exists(marker)) << "the run's /tmp is the host's";
  fs::remove(marker);
  std::istringstream out(r.stdout_data);
  std::string x, host, uid;
  out >> x >> host >> uid;
  EXPECT_EQ(x, "x");
  EXPECT_EQ(host, "sandbox");
  if (geteuid() == 0) {
    EXPECT_GE(std::stoi(uid), 100000) << "runs as an unprivileged uid";
  }  // else: the caller's own uid (root only inside the run's user namespace, without capabilities)
}

// The toolchains tools/setup-toolchains.sh verified on this machine, from the file it writes last
// (one "<tool> <absolute path>" per line; HRM_TOOLCHAINS_VERIFIED overrides its path). Empty when setup
// was not run here (a developer machine): then only what PATH happens to have is checked.
std::vector<std::pair<std::string, std::string>> verified_toolchains() {
  const char* override_path = std::getenv("HRM_TOOLCHAINS_VERIFIED");
  std::ifstream in(override_path != nullptr ? override_path : "/opt/hrm/toolchains.verified");
  std::vector<std::pair<std::string, std::string>> tools;
  std::string tool, path;
  while (in >> tool >> path) tools.emplace_back(tool, path);
  return tools;
}

// The toolchains the evaluators use must work inside (with the run's uid, read-only system dirs).
TEST_F(SandboxTest, ToolchainsWorkInside) {
  spit(work_ / "hello.c", "#include <stdio.h>\nint main(void){puts(\"compiled inside\");return 0;}\n");
  RunResult r = sh("gcc -O0 -o hello hello.c && ./hello");
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.stdout_data, "compiled inside\n");

  spit(work_ / "test_x.py", "def test_one():\n    assert 1 + 1 == 2\n");
  RunRequest py = request({"/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_x.py"});
  RunResult res = run(py);
  EXPECT_TRUE(res.ok()) << describe(res);
  EXPECT_NE(res.stdout_data.find("1 passed"), std::string::npos) << res.stdout_data;

  // `<tool> --version` (go: `go version`) must succeed inside, except where the run's uid cannot reach the
  // binary by design: without a mount namespace root's home (mode 0700) stays closed to it.
  std::string not_checked;
  const auto expect_runs_inside = [&](const std::string& tool, const std::string& path) {
    if (!sandbox_has("mount namespace") && path.rfind("/root/", 0) == 0) {
      not_checked += tool + " ";
      return;
    }
    RunRequest t = request({path, tool == "go" ? "version" : "--version"});
    // Without a memory cgroup the limit falls back to RLIMIT_AS, and the JVM alone reserves more than
    // 2 GiB of address space (docs/sandbox.md).
    if (!sandbox_has("cgroup memory")) t.limits.memory_bytes = 16LL << 30;
    RunResult tr = run(t);
    EXPECT_TRUE(tr.ok()) << tool << " (" << path << "): " << describe(tr);
  };
  // After tools/setup.sh every toolchain it verified must resolve and run here: a missing one fails.
  // Without setup (a developer machine) only the toolchains PATH happens to have are checked.
  const auto verified = verified_toolchains();
  for (const auto& [tool, path] : verified) {
    try {
      expect_runs_inside(tool, resolve_program(path));
    } catch (const std::exception& e) {
      ADD_FAILURE() << tool << ": tools/setup-toolchains.sh verified " << path << ", but now: " << e.what();
    }
  }
  const std::vector<std::string> path_tools = {"node", "javac", "cargo", "rustc", "go"};
  for (const auto& tool : verified.empty() ? path_tools : std::vector<std::string>{}) {
    try {
      expect_runs_inside(tool, resolve_program(tool));
    } catch (const std::exception&) {
      not_checked += tool + " ";  // not on PATH
    }
  }
  RecordProperty("toolchains_not_checked", not_checked.empty() ? "none" : not_checked);
}

}  // namespace
}  // namespace hrm::sandbox::testing
