// Watching a started run from outside: its stdin fed, its output captured up to the caps, its clocks
// checked, the whole tree killed on a limit. Internal to src/sandbox.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <string>

#include "cgroup.hpp"
#include "hrm/sandbox/sandbox.hpp"
#include "mode.hpp"
#include "spawn.hpp"

namespace hrm::sandbox::detail {

// Why we killed a run's tree, if we did.
enum class Kill { kNone, kWall, kCpu, kOutput };

// What the watch saw besides the output: the init's status reports (StatusMessages, back to back).
struct Watched {
  std::string messages;
  Kill killed = Kill::kNone;
};

// Watches the run whose init is `pid` until the init's status pipe and both output pipes are closed
// (or the init is gone and its leftovers hold them open too long); output goes to *result.
// `cg_cpu`: the cgroup accounts the tree's CPU time. `drop_uid`: the run has a uid of its own.
Watched supervise(const Mode& mode, const RunRequest& request, RunPipes& pipes, pid_t pid, RunCgroup* cgroup,
                  bool cg_cpu, bool drop_uid, uid_t uid, std::chrono::steady_clock::time_point start,
                  RunResult* result);

}  // namespace hrm::sandbox::detail
