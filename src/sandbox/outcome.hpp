// A finished run's verdict: the program's own end, as its init reported it, told apart from our kills
// and the kernel's (OOM, SIGXCPU), with the cgroup's accounting where there is one. Internal.
#pragma once
#include <string>

#include "cgroup.hpp"
#include "hrm/sandbox/sandbox.hpp"
#include "supervise.hpp"

namespace hrm::sandbox::detail {

// `result` holds the captured output and wall time; `init_status` is the init's wait status; `exe` the
// program (for exec errors). `cg_cpu` / `cg_memory`: the cgroup accounts CPU time / memory.
RunResult classify(RunResult result, const Watched& watched, int init_status, const std::string& exe,
                   const RunCgroup* cgroup, bool cg_cpu, bool cg_memory, double cpu_seconds_limit);

}  // namespace hrm::sandbox::detail
