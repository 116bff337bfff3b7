// Many sandboxes at once (results never mix), program resolution, and the protections report.
#include <fstream>
#include <set>

#include "hrm/util/error.hpp"
#include "hrm/util/parallel.hpp"
#include "sandbox_test_util.hpp"

namespace hrm::sandbox::testing {
namespace {

TEST_F(SandboxTest, ConcurrentRunsKeepTheirResultsApart) {
  // 32 runs on 4 threads (the way the evaluators run many sandboxes): each result is its own run's.
  constexpr int kRuns = 32;
  std::vector<RunResult> results(kRuns);
  parallel_for(4, kRuns, [&](size_t i) {
    fs::path dir = dir_ / ("run" + std::to_string(i));
    fs::create_directories(dir);
    RunRequest r = request({"/bin/sh", "-c",
                            "read x; echo $ID $x; echo err$ID >&2; echo $ID > mine; sleep 0.0$((ID % 5)); "
                            "cat mine; exit $((ID % 7))"});
    r.work_dir = dir;
    r.env["ID"] = std::to_string(i);
    r.stdin_data = "in" + std::to_string(i) + "\n";
    results[i] = run(r);
  });
  for (int i = 0; i < kRuns; ++i) {
    const RunResult& r = results[i];
    std::string id = std::to_string(i);
    EXPECT_EQ(r.verdict, Verdict::kExited) << describe(r);
    EXPECT_EQ(r.exit_code, i % 7);
    EXPECT_EQ(r.stdout_data, id + " in" + id + "\n" + id + "\n");
    EXPECT_EQ(r.stderr_data, "err" + id + "\n");
  }
}

TEST_F(SandboxTest, ConcurrentRunsOnEveryCore) {
  const int jobs = resolve_jobs(0);
  std::vector<RunResult> results(static_cast<size_t>(jobs));
  parallel_for(0, results.size(), [&](size_t i) {
    results[i] = run(request({"/bin/echo", "run", std::to_string(i)}));
  });
  for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i].stdout_data, "run " + std::to_string(i) + "\n");
}

bool is_elf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

TEST(ResolveProgram, FindsRealBinariesBehindShimsAndLinks) {
  std::string sh = resolve_program("sh");
  EXPECT_TRUE(is_elf(sh)) << sh;
  EXPECT_EQ(resolve_program("sh"), sh);  // cached
  EXPECT_EQ(resolve_program("/usr/bin/python3"), fs::canonical("/usr/bin/python3").string());
  // Whatever PATH offers for python3 here (on this machine a pyenv shim script), the result is the
  // interpreter itself, not a script that starts a version manager on every call.
  std::string py = resolve_program("python3");
  EXPECT_TRUE(is_elf(py)) << py;
  try {
    std::string cargo = resolve_program("cargo");  // a rustup proxy where rustup is used
    EXPECT_TRUE(is_elf(cargo)) << cargo;
    EXPECT_NE(fs::path(cargo).filename(), "rustup") << cargo;
  } catch (const hrm::Error&) {
    // no cargo on this machine
  }
  EXPECT_THROW(resolve_program("hrm-no-such-program"), hrm::Error);
}

TEST(ResolveProgram, FollowsAVersionManagerShim) {
  // A fake pyenv-style manager and shim, written by the test.
  char tmpl[] = "/tmp/hrm-shim-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  fs::path dir = tmpl;
  fs::create_directories(dir / "libexec");
  fs::create_directories(dir / "shims");
  spit(dir / "libexec/mgr", "#!/bin/sh\n[ \"$1\" = which ] && echo /bin/true && exit 0\nexit 1\n");
  spit(dir / "shims/faketool", "#!/usr/bin/env bash\nset -e\nprogram=\"${0##*/}\"\nexec \"" +
                                   (dir / "libexec/mgr").string() + "\" exec \"$program\" \"$@\"\n");
  fs::permissions(dir / "libexec/mgr", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(dir / "shims/faketool", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  EXPECT_EQ(resolve_program((dir / "shims/faketool").string()), fs::canonical("/bin/true").string());
  fs::remove_all(dir);
}

TEST(Protections, ReportsEveryMechanismAndWhyItIsMissing) {
  auto list = protections();
  std::set<std::string> names;
  for (const auto& p : list) {
    names.insert(p.name);
    EXPECT_FALSE(p.detail.empty()) << p.name;
  }
  for (const char* expected : {"user namespace", "mount namespace", "pid namespace", "network namespace", "seccomp",
                               "cgroup pids", "cgroup memory", "unprivileged uid", "rlimits"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
  EXPECT_EQ(std::string(verdict_name(Verdict::kWallTimeout)), "wall_timeout");
}

}  // namespace
}  // namespace hrm::sandbox::testing
