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
#include "../run_command.hpp"

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

using hrm::testing::CommandResult;
using hrm::testing::run_command;

inline std::string hrm_eval() { return std::string(HRM_BINARY_DIR) + "/bin/hrm-eval"; }
inline std::string hrm_data() { return std::string(HRM_BINARY_DIR) + "/bin/hrm-data"; }
inline std::string shipped_suite() { return std::string(HRM_SOURCE_DIR) + "/data/tools/suite.jsonl"; }

}  // namespace hrm_agent_test
