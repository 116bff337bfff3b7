// Spawning a run's init (see spawn.hpp): the caller may hold gigabytes, so the init is exec'ed from a
// child that shares our memory, and it is configured from outside before it may go on.
#include "spawn.hpp"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "plan_codec.hpp"
#include "slots.hpp"

namespace hrm::sandbox::detail {
namespace {

namespace fs = std::filesystem;

bool write_proc_file(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

struct SpawnArgs {
  int fds[6];  // stdin, stdout, stderr, status, sync, plan: become 0..5 in the init
  const char* init;
};

// Runs in a clone(CLONE_VM|CLONE_VFORK) child, sharing our memory while the cloning thread waits:
// put the descriptors in place and exec the init. Only system calls; all signals are blocked.
int spawn_init(void* arg) {
  const auto* a = static_cast<const SpawnArgs*>(arg);
  int high[6];
  for (int i = 0; i < 6; ++i) {
    if ((high[i] = fcntl(a->fds[i], F_DUPFD_CLOEXEC, 16)) < 0) _exit(126);
  }
  for (int i = 0; i < 6; ++i) {
    if (dup2(high[i], i) != i) _exit(126);
  }
  if (syscall(SYS_close_range, 6U, ~0U, 0U) != 0) {
    for (int fd = 6; fd < 65536; ++fd) close(fd);
  }
  char name[] = "hrm-sandbox-init";
  char* argv[] = {name, nullptr};
  char* envp[] = {nullptr};
  execve(a->init, argv, envp);
  StatusMessage m{};
  m.kind = StatusMessage::kSetupError;
  m.err = errno;
  memcpy(m.stage, "exec hrm-sandbox-init", sizeof("exec hrm-sandbox-init"));
  ssize_t ignored = write(kInitStatus, &m, sizeof(m));
  (void)ignored;
  _exit(126);
}

}  // namespace

const std::string& init_binary() {
  static const std::string path = [] {
    std::vector<std::string> candidates;
    if (const char* env = getenv("HRM_SANDBOX_INIT")) candidates.push_back(env);
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back((self.parent_path() / "hrm-sandbox-init").string());
#ifdef HRM_SANDBOX_INIT_BUILD_PATH
    candidates.push_back(HRM_SANDBOX_INIT_BUILD_PATH);
#endif
#ifdef HRM_SANDBOX_INIT_INSTALL_PATH
    candidates.push_back(HRM_SANDBOX_INIT_INSTALL_PATH);
#endif
    for (const auto& c : candidates) {
      if (fs::is_regular_file(c, ec) && access(c.c_str(), X_OK) == 0) return c;
    }
    return std::string();
  }();
  return path;
}

pid_t start_init(const Mode& mode, ChildPlan plan, RunPipes& pipes, int slot, uid_t uid, bool root, RunCgroup* cgroup,
                 std::string* error) {
  Pipe &in = pipes.in, &out = pipes.out, &err = pipes.err, &status = pipes.status, &sync = pipes.sync;
  plan.sync_read = sync.read;
  plan.status_write = status.write;
  plan.stdin_read = in.read;
  plan.stdout_write = out.write;
  plan.stderr_write = err.write;

  unsigned long flags = SIGCHLD;
  if (mode.namespaces) flags |= CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
  if (mode.user_ns) flags |= CLONE_NEWUSER;
  int netns = mode.namespaces ? slot_netns(slot) : -1;
  if (netns >= 0) flags &= ~static_cast<unsigned long>(CLONE_NEWNET);

  const std::string& init = init_binary();
  int plan_fd = -1;
  if (!init.empty()) {
    // The init is hrm-sandbox-init, exec'ed from a child that shares our memory until then: nothing of
    // the caller (which may hold gigabytes) is copied. It creates its namespaces itself, and its plan
    // travels in a memfd.
    plan.unshare_flags = flags & ~static_cast<unsigned long>(CSIGNAL);
    flags = SIGCHLD;
    std::string bytes = encode_plan(plan);
    plan_fd = memfd_create("hrm-sandbox-plan", MFD_CLOEXEC);
    if (plan_fd < 0 || write(plan_fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
      if (plan_fd >= 0) close(plan_fd);
      *error = std::string("writing the sandbox plan: ") + strerror(errno);
      return -1;
    }
  }
  if (netns >= 0 && setns(netns, CLONE_NEWNET) != 0) {
    if (plan_fd >= 0) close(plan_fd);
    *error = std::string("entering the network namespace: ") + strerror(errno);
    return -1;
  }
  pid_t pid = -1;
  if (!init.empty()) {
    SpawnArgs args{{in.read, out.write, err.write, status.write, sync.read, plan_fd}, init.c_str()};
    constexpr size_t kStack = 64 << 10;
    std::unique_ptr<char[]> stack(new char[kStack]);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);  // no handler of ours may run on the child's stack
    pid = clone(spawn_init, stack.get() + kStack, static_cast<int>(flags | CLONE_VM | CLONE_VFORK), &args);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    close(plan_fd);
    errno = clone_errno;
  } else {
    // No init binary: a raw clone with fork semantics (a copy of this process) runs the init's code;
    // no atfork handlers in a child that only makes system calls.
    pid = static_cast<pid_t>(syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr));
    if (pid == 0) child_main(plan);
  }
  int clone_errno = errno;
  if (netns >= 0 && setns(original_netns(), CLONE_NEWNET) != 0) {
    spdlog::error("sandbox: cannot return to the original network namespace: {}", strerror(errno));
    std::abort();
  }
  if (pid < 0) {
    *error = std::string("clone: ") + strerror(clone_errno);
    return -1;
  }
  auto reap_child = [&] {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, __WALL);
  };

  in.close_read();
  out.close_write();
  err.close_write();
  status.close_write();
  sync.close_read();

  if (!init.empty()) {
    // hrm-sandbox-init reports once it has its namespaces; only then can they be configured.
    StatusMessage m{};
    pollfd pfd{status.read, POLLIN, 0};
    bool ready =
        poll(&pfd, 1, 10000) == 1 && read(status.read, &m, sizeof(m)) == sizeof(m) && m.kind == StatusMessage::kReady;
    if (!ready) {
      reap_child();
      if (m.kind == StatusMessage::kSetupError) {
        *error = std::string("sandbox setup failed: ") + m.stage + ": " + strerror(m.err);
      } else {
        *error = "hrm-sandbox-init (" + init + ") did not start";
      }
      return -1;
    }
  }

  if (mode.user_ns) {
    // Inside: root (for the setup only; mapped to real root so it can reach /root/.cargo) and the run's
    // uid, the same number inside and out.
    std::string map = root ? "0 0 1\n" + std::to_string(uid) + " " + std::to_string(uid) + " 1\n"
                           : "0 " + std::to_string(geteuid()) + " 1\n";
    std::string gmap = root ? "0 0 1\n" + std::to_string(uid) + " " + std::to_string(uid) + " 1\n"
                            : "0 " + std::to_string(getegid()) + " 1\n";
    std::string proc = "/proc/" + std::to_string(pid);
    bool ok = write_proc_file(proc + "/uid_map", map) && (root || write_proc_file(proc + "/setgroups", "deny")) &&
              write_proc_file(proc + "/gid_map", gmap);
    if (!ok) {
      int e = errno;
      reap_child();
      *error = std::string("writing the user namespace id maps: ") + strerror(e);
      return -1;
    }
  }
  if (cgroup) {
    std::string e;
    if (!cgroup->attach(pid, &e)) {
      reap_child();
      *error = "attaching to the run's cgroup: " + e;
      return -1;
    }
  }
  char go = 1;
  if (write(sync.write, &go, 1) != 1) {
    reap_child();
    *error = "starting the sandbox";
    return -1;
  }
  sync.close_write();
  return pid;
}

}  // namespace hrm::sandbox::detail
