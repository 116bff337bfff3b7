// An isolation mode and one run under it: the probe (probe.cpp) tries modes from the strongest down,
// run() then runs every request in the one that worked. Internal to src/sandbox.
#pragma once
#include <string>

#include "hrm/sandbox/sandbox.hpp"

namespace hrm::sandbox::detail {

// How runs are isolated on this machine; chosen once by trying the strongest first.
struct Mode {
  std::string name;
  bool user_ns = false;
  bool namespaces = false;  // mount, PID, network, IPC and UTS namespaces
  bool seccomp = false;
  bool cgroups = false;
};

// One run of `request` under `mode`, start to end (sandbox.cpp).
RunResult run_in_mode(const Mode& mode, const RunRequest& request);

// A kSandboxError result that says why.
RunResult error_result(std::string message);

}  // namespace hrm::sandbox::detail
