// hrm::sandbox::run: one run from request to verdict — check the request, prepare a ChildPlan, start
// the child in its namespaces, watch it and classify the outcome. See docs/sandbox.md.
#include "hrm/sandbox/sandbox.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <sstream>

#include "cgroup.hpp"
#include "layout.hpp"
#include "mode.hpp"
#include "outcome.hpp"
#include "plan.hpp"
#include "probe.hpp"
#include "slots.hpp"
#include "spawn.hpp"
#include "supervise.hpp"
#include "hrm/util/enum_table.hpp"
#include "work_dir.hpp"

namespace hrm::sandbox {
namespace detail {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// SIGPIPE from writing stdin to a program that closed it must not kill us: block it in this thread
// while a run lasts and discard any that became pending.
class BlockSigpipe {
 public:
  BlockSigpipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~BlockSigpipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    timespec zero{0, 0};
    while (sigtimedwait(&set, nullptr, &zero) > 0) {}
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
};

}  // namespace

RunResult error_result(std::string message) {
  RunResult r;
  r.verdict = Verdict::kSandboxError;
  r.error = std::move(message);
  return r;
}

RunResult run_in_mode(const Mode& mode, const RunRequest& request) {
  auto start = Clock::now();
  if (request.argv.empty()) return error_result("empty argv");
  fs::path work_dir;
  const std::string bad_work_dir = check_work_dir(request.work_dir, &work_dir);
  if (!bad_work_dir.empty()) return error_result(bad_work_dir);
  std::string exe = find_program(request);
  if (exe.empty())
    return error_result("program '" + request.argv[0] + "' not found in the PATH of the run's environment");

  const bool root = geteuid() == 0;
  if (root) {
    const std::string shared = shared_directory_reason(work_dir);
    if (!shared.empty()) return error_result(shared);
  }
  SlotLease slot;
  if (slot.slot() < 0) return error_result("more than 1024 concurrent sandboxes");
  const uid_t uid = slot_uid(slot.slot());
  const bool drop_uid = root;

  // Control group first: the limits must hold before the program starts.
  std::unique_ptr<RunCgroup> cgroup;
  if (mode.cgroups) {
    std::string err;
    cgroup = RunCgroup::create(request.limits.max_processes, request.limits.memory_bytes, &err);
    if (!cgroup) return error_result("creating the run's cgroup: " + err);
  }
  const bool cg_memory = cgroup && cgroup_support().memory;
  const bool cg_cpu = cgroup && cgroup_support().cpu;

  // The file system view.
  Layout layout;
  if (mode.namespaces) layout = run_layout(request, work_dir, exe);
  if (drop_uid) chown_tree(work_dir, uid, uid);
  const WorkDirOwnership give_back(work_dir, drop_uid);

  // Everything the child needs, prepared here: after clone it may not allocate.
  const PlanData data(request, work_dir, mode, drop_uid, cg_memory);
  RunPipes pipes;
  if (!pipes.open()) return error_result(std::string("pipe: ") + strerror(errno));
  const ChildPlan plan = child_plan(data, layout, exe, mode, drop_uid, uid);

  BlockSigpipe block_sigpipe;
  std::string error;
  const pid_t pid = start_init(mode, plan, pipes, slot.slot(), uid, root, cgroup.get(), &error);
  if (pid < 0) return error_result(error);

  // Feed stdin, collect output, watch the clock.
  RunResult result;
  const Watched watched = supervise(mode, request, pipes, pid, cgroup.get(), cg_cpu, drop_uid, uid, start, &result);
  int init_status = 0;
  waitpid(pid, &init_status, __WALL);
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return classify(std::move(result), watched, init_status, exe, cgroup.get(), cg_cpu, cg_memory,
                  request.limits.cpu_seconds);
}

}  // namespace detail

const char* verdict_name(Verdict verdict) {
  static constexpr const char* kNames[] = {"exited",       "signaled",     "wall_timeout", "cpu_timeout",
                                           "memory_limit", "output_limit", "sandbox_error"};
  return enum_entry<Verdict::kSandboxError>(verdict, kNames, "unknown");
}

RunResult run(const RunRequest& request) {
  const detail::Probe& p = detail::probed();
  if (p.protections.size() == 1 && !p.protections[0].active) {
    return detail::error_result("the sandbox cannot run here: " + p.protections[0].detail);
  }
  return detail::run_in_mode(p.mode, request);
}

std::vector<Protection> protections() { return detail::probed().protections; }

std::string format_protections(const std::vector<Protection>& protections) {
  std::ostringstream out;
  for (const auto& p : protections) {
    out << (p.active ? "  [ok]      " : "  [MISSING] ") << p.name << ": " << p.detail << "\n";
  }
  return out.str();
}

}  // namespace hrm::sandbox
