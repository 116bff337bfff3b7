// Starting a run's init: hrm-sandbox-init exec'ed without copying the caller (or, without it, a clone
// of the caller), put into its namespaces, id maps and cgroup from outside, then released. Internal.
#pragma once
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <string>

#include "cgroup.hpp"
#include "child.hpp"
#include "mode.hpp"

namespace hrm::sandbox::detail {

struct Pipe {
  int read = -1, write = -1;
  bool open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0];
    write = fds[1];
    return true;
  }
  void close_read() {
    if (read >= 0) ::close(read);
    read = -1;
  }
  void close_write() {
    if (write >= 0) ::close(write);
    write = -1;
  }
  ~Pipe() {
    close_read();
    close_write();
  }
};

// Between run() and the run's init: the program's stdio, the init's status reports, the "go" byte.
struct RunPipes {
  Pipe in, out, err, status, sync;
  bool open() { return in.open() && out.open() && err.open() && status.open() && sync.open(); }
};

// The init binary, found once: $HRM_SANDBOX_INIT, next to the running executable, the build tree,
// the install prefix. Empty if none: then each run's init is a clone() of the caller.
const std::string& init_binary();

// Starts the init of a run in slot `slot` with `plan` (its descriptors taken from `pipes`), configures
// it (id maps, `cgroup` if any) and tells it to go; then only our ends of in, out, err and status are
// open. Its pid, or -1 with *error set (and no init left). `root`: we run as root.
pid_t start_init(const Mode& mode, ChildPlan plan, RunPipes& pipes, int slot, uid_t uid, bool root, RunCgroup* cgroup,
                 std::string* error);

}  // namespace hrm::sandbox::detail
