// hrm::sandbox — run untrusted programs (model-written code, build and test commands) so that hostile
// code cannot reach the network, the host's files, other runs or the evaluator itself.
//
// Exports: Limits, RunRequest, Verdict, RunResult, run(), resolve_program(), Protection,
// protections(). No model dependency. See docs/sandbox.md for what is isolated and how it degrades.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace hrm::sandbox {

// Per-run limits. Every limit applies to the whole process tree of the run.
struct Limits {
  double wall_seconds = 30;             // whole process tree killed when exceeded
  double cpu_seconds = 30;              // CPU time of the tree (cgroup) or per process (RLIMIT_CPU)
  int64_t memory_bytes = 2LL << 30;     // cgroup memory.max when available, else RLIMIT_AS per process
  int max_processes = 128;              // cgroup pids.max when available, else RLIMIT_NPROC of the sandbox uid
  int64_t max_file_bytes = 64LL << 20;  // RLIMIT_FSIZE: largest file a process may write
  int max_open_files = 256;             // RLIMIT_NOFILE
  int64_t max_output_bytes = 1 << 20;   // per stream; excess is dropped and marked truncated
};

struct RunRequest {
  std::vector<std::string> argv;           // argv[0] resolved through PATH of `env` if not absolute
  std::filesystem::path work_dir;          // the only writable directory (plus a private /tmp)
  std::map<std::string, std::string> env;  // the COMPLETE environment of the child (nothing inherited)
  std::string stdin_data;
  Limits limits;
  std::vector<std::filesystem::path> extra_writable;  // e.g. a shared ccache/cargo target dir, rarely needed
  // Read-only paths to expose even if they lie under a hidden directory (/root, /home, the project
  // checkout), e.g. a node_modules folder. Toolchain dirs (/root/.cargo, /root/.rustup) are exposed always.
  std::vector<std::filesystem::path> extra_readable;
};

enum class Verdict {
  kExited,       // the main process exited by itself; see exit_code
  kSignaled,     // the main process was killed by a signal it got from inside the run (or a crash)
  kWallTimeout,  // wall_seconds passed; the tree was killed
  kCpuTimeout,   // cpu_seconds used up (SIGXCPU / cgroup accounting); the tree was killed
  kMemoryLimit,  // memory limit hit (cgroup OOM kill); exits after a failed allocation stay kExited
  kOutputLimit,  // stdout or stderr exceeded max_output_bytes: the tree was killed; see *_truncated
  kSandboxError  // the sandbox itself failed (bad request, exec failure, setup error); see error
};
const char* verdict_name(Verdict verdict);

struct RunResult {
  Verdict verdict = Verdict::kSandboxError;
  int exit_code = -1;
  int signal = 0;
  std::string stdout_data, stderr_data;
  bool stdout_truncated = false, stderr_truncated = false;
  double wall_seconds = 0, cpu_seconds = 0;
  int64_t peak_memory_bytes = 0;
  std::string error;  // kSandboxError details
  bool ok() const { return verdict == Verdict::kExited && exit_code == 0; }
};

// Run one request; blocking and thread-safe. Never throws for what the child does; a malformed request
// (empty argv, missing work_dir) or a setup failure gives kSandboxError with `error` set.
// Many at once: hrm::parallel_for (hrm/util/parallel.hpp) with one run() per item, `jobs` sandboxes at most.
RunResult run(const RunRequest& request);

// The real binary for `name` (a bare name looked up in PATH, or a path), following symlinks and
// pyenv/rbenv-style shell shims to the interpreter they dispatch to. Cached; thread-safe.
// Throws hrm::Error when nothing is found.
std::string resolve_program(const std::string& name);

// One protection mechanism and whether this machine gives it to us (for `hrm doctor`).
struct Protection {
  std::string name;  // "user namespace", "seccomp", "cgroup pids", ...
  bool active = false;
  std::string detail;  // how it is applied, or why it is unavailable and what replaces it
};
// Probed once (the first call), then cached. Missing mechanisms are logged once as spdlog warnings.
std::vector<Protection> protections();
// The report `hrm doctor` prints: one line per protection ("[ok]" or "[MISSING]", name, detail).
std::string format_protections(const std::vector<Protection>& protections);

}  // namespace hrm::sandbox
