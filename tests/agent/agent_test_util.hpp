// Helpers for the agent tests: a scratch folder, the sandbox tool options, running the real binaries.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "hrm/agent/shell.hpp"
#include "hrm/agent/tools.hpp"

namespace hrm_agent_test {

namespace fs = std::filesystem;

// A fresh folder of its own under /tmp, removed at the end of the test.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    char tmpl[] = "/tmp/hrm-agent-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
    // Traversable by the sandbox's uids (its work dirs live below).
    fs::permissions(path, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// bash with the runtime's environment (default toolchain paths, nothing probed) and a short timeout.
inline hrm::agent::ToolOptions tool_options(double bash_timeout = 20) {
  hrm::agent::ToolOptions o;
  o.env = hrm::agent::shell_env(hrm::eval::Toolchains{}, "");
  o.bash_timeout_seconds = bash_timeout;
  return o;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>&1").c_str(), "r"), pclose);
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe.get())) > 0) r.output.append(buf, n);
  const int status = pclose(pipe.release());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string hrm_eval() { return std::string(HRM_BINARY_DIR) + "/bin/hrm-eval"; }
inline std::string hrm_data() { return std::string(HRM_BINARY_DIR) + "/bin/hrm-data"; }
inline std::string shipped_suite() { return std::string(HRM_SOURCE_DIR) + "/data/tools/suite.jsonl"; }

}  // namespace hrm_agent_test
