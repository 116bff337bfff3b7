// Running a real binary from a test: a shell command line, its exit code and everything it printed.
#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <string>

namespace hrm::testing {

struct CommandResult {
  int exit_code = -1;  // -1: not started, or ended by a signal
  std::string output;  // stdout and stderr together
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen((command + " 2>&1").c_str(), "r"), ::pclose);
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0) r.output.append(buf, n);
  const int status = ::pclose(pipe.release());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// build/bin/<name> of this build tree.
inline std::string binary_path(const std::string& name) { return std::string(HRM_BINARY_DIR) + "/bin/" + name; }

}  // namespace hrm::testing
