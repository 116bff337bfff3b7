// Classifying a finished run (see outcome.hpp): a SIGKILL means a CPU limit, an OOM kill or the
// program's own doing, and only the accounting tells which.
#include "outcome.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstring>

#include "child.hpp"
#include "mode.hpp"

namespace hrm::sandbox::detail {
namespace {

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

RunResult classify(RunResult result, const Watched& watched, int init_status, const std::string& exe,
                   const RunCgroup* cgroup, bool cg_cpu, bool cg_memory, double cpu_seconds_limit) {
  const std::string& messages = watched.messages;
  const Kill killed = watched.killed;
  const StatusMessage* finished = nullptr;
  for (size_t off = 0; off + sizeof(StatusMessage) <= messages.size(); off += sizeof(StatusMessage)) {
    const auto* m = reinterpret_cast<const StatusMessage*>(messages.data() + off);
    if (m->kind == StatusMessage::kSetupError) {
      return error_result(std::string("sandbox setup failed: ") + m->stage + ": " + strerror(m->err));
    }
    if (m->kind == StatusMessage::kExecError) {
      return error_result("cannot execute " + exe + ": " + strerror(m->err));
    }
    if (m->kind == StatusMessage::kFinished) finished = m;
  }
  double cg_cpu_seconds = cg_cpu ? cgroup->cpu_seconds() : -1;
  result.cpu_seconds = cg_cpu_seconds >= 0 ? cg_cpu_seconds : finished ? finished->cpu_micros / 1e6 : 0;
  result.peak_memory_bytes = cg_memory ? cgroup->peak_memory_bytes() : 0;
  if (result.peak_memory_bytes == 0 && finished) result.peak_memory_bytes = finished->max_rss_kb * 1024;
  const bool oom = cg_memory && cgroup->oom_killed();

  if (killed != Kill::kNone) {
    result.verdict = killed == Kill::kWall  ? Verdict::kWallTimeout
                     : killed == Kill::kCpu ? Verdict::kCpuTimeout
                                            : Verdict::kOutputLimit;
    result.signal = SIGKILL;
  } else if (finished) {
    int ws = finished->wait_status;
    if (WIFEXITED(ws)) {
      result.exit_code = WEXITSTATUS(ws);
      result.verdict = oom && result.exit_code != 0 ? Verdict::kMemoryLimit : Verdict::kExited;
    } else {
      result.signal = WTERMSIG(ws);
      bool cpu_spent = result.cpu_seconds >= cpu_seconds_limit * 0.95;
      if (result.signal == SIGXCPU || (result.signal == SIGKILL && cpu_spent)) {
        result.verdict = Verdict::kCpuTimeout;
      } else if (oom) {
        result.verdict = Verdict::kMemoryLimit;
      } else {
        result.verdict = Verdict::kSignaled;
      }
    }
  } else if (oom) {
    result.verdict = Verdict::kMemoryLimit;  // the init itself was chosen by the OOM killer
  } else {
    result.verdict = Verdict::kSandboxError;
    result.error = "the sandbox's init ended without a report (" + describe_wait_status(init_status) + ")";
  }
  return result;
}

}  // namespace hrm::sandbox::detail
