// Helpers for the sandbox tests: a scratch work directory, shell/C runs, leftover-process checks.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hrm/sandbox/sandbox.hpp"

namespace hrm::sandbox::testing {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void spit(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
}

// Live processes left by this test binary's sandbox runs: their uids lie in our block (see
// slots.cpp). Zombies are dead; without a PID namespace the host's init reaps them a moment later.
inline int leftover_sandbox_processes() {
  const uid_t base = 100000 + static_cast<uid_t>(getpid() % 256) * 1024;
  int count = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::istringstream in(slurp(e.path() / "status"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("State:", 0) == 0 && line.find('Z') != std::string::npos) break;
      if (line.rfind("Uid:", 0) == 0) {
        uid_t uid = static_cast<uid_t>(std::stoul(line.substr(4)));
        if (uid >= base && uid < base + 1024) ++count;
      }
    }
  }
  return count;
}

// leftover_sandbox_processes() once it reaches 0, or after ~2 s. A process SIGKILLed at the end of a run
// can still be in its exit path (files closed, so the run's pipes already saw EOF, but not yet a zombie)
// for a moment after run() returns; one that is still there after 2 s outlived its run.
inline int leftover_sandbox_processes_settled() {
  int left = leftover_sandbox_processes();
  for (int i = 0; i < 200 && left > 0; ++i) {
    usleep(10000);
    left = leftover_sandbox_processes();
  }
  return left;
}

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hrm-sandbox-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // Traversable (not listable) by the run's uid: without a mount namespace the host's permissions
    // on the work dir's parents apply.
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    work_ = dir_ / "work";
    fs::create_directories(work_);
  }
  void TearDown() override {
    EXPECT_EQ(leftover_sandbox_processes_settled(), 0) << "a sandboxed process outlived its run";
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  RunRequest request(std::vector<std::string> argv) const {
    RunRequest r;
    r.argv = std::move(argv);
    r.work_dir = work_;
    r.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", work_.string()}, {"LANG", "C.UTF-8"}};
    r.limits.wall_seconds = 20;
    r.limits.cpu_seconds = 20;
    return r;
  }
  RunResult sh(const std::string& script, Limits limits = Limits{}) const {
    RunRequest r = request({"/bin/sh", "-c", script});
    r.limits = limits;
    return run(r);
  }
  // Compiles `source` (C) with gcc outside the sandbox into the work dir; returns the binary's path.
  std::string compile_c(const std::string& name, const std::string& source) const {
    fs::path src = dir_ / (name + ".c"), bin = work_ / name;
    spit(src, source);
    std::string cmd = "gcc -O1 -w -o " + bin.string() + " " + src.string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return bin.string();
  }

  fs::path dir_;   // scratch, host side (outside the work dir)
  fs::path work_;  // the run's work dir
};

inline bool sandbox_has(const std::string& protection) {
  for (const auto& p : protections()) {
    if (p.name == protection) return p.active;
  }
  return false;
}

// A test of a protection fails where this machine should offer it, and is skipped only where the
// tester switched it off on purpose (HRM_SANDBOX_DISABLE; see docs/sandbox.md).
#define HRM_REQUIRE_PROTECTION(name)                                            \
  do {                                                                          \
    if (!sandbox_has(name) && std::getenv("HRM_SANDBOX_DISABLE")) {             \
      GTEST_SKIP() << name << " disabled by HRM_SANDBOX_DISABLE";               \
    }                                                                           \
    ASSERT_TRUE(sandbox_has(name)) << name << " is not active on this machine"; \
  } while (0)

inline std::string describe(const RunResult& r) {
  return std::string("verdict=") + verdict_name(r.verdict) + " exit=" + std::to_string(r.exit_code) +
         " signal=" + std::to_string(r.signal) + " error='" + r.error + "' stdout='" + r.stdout_data.substr(0, 2000) +
         "' stderr='" + r.stderr_data.substr(0, 2000) + "'";
}

}  // namespace hrm::sandbox::testing
