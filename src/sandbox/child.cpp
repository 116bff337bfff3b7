// The sandbox's child side (see child.hpp): only system calls on prepared data, no allocation.
#include "child.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>
#include <linux/capability.h>

#include <time.h>

#include <cerrno>
#include <cstring>

namespace hrm::sandbox::detail {
namespace {

constexpr int kStatusFd = 3;
constexpr int kSyncFd = 4;

[[noreturn]] void fail(const char* stage, const char* path = nullptr) {
  StatusMessage m{};
  m.kind = StatusMessage::kSetupError;
  m.err = errno;
  size_t n = 0;
  for (const char* s = stage; *s && n + 1 < sizeof(m.stage); ++s) m.stage[n++] = *s;
  if (path) {
    for (const char* s = " "; *s && n + 1 < sizeof(m.stage); ++s) m.stage[n++] = *s;
    for (const char* s = path; *s && n + 1 < sizeof(m.stage); ++s) m.stage[n++] = *s;
  }
  ssize_t ignored = write(kStatusFd, &m, sizeof(m));
  (void)ignored;
  _exit(125);
}

// The mount flags of the mount holding `path` that an unprivileged remount must keep (a user
// namespace locks them), translated from statfs's ST_* to MS_*.
unsigned long locked_flags(const char* path) {
  struct statfs fs;
  if (statfs(path, &fs) != 0) fail("statfs", path);
  unsigned long flags = 0;
  if (fs.f_flags & ST_RDONLY) flags |= MS_RDONLY;
  if (fs.f_flags & ST_NOSUID) flags |= MS_NOSUID;
  if (fs.f_flags & ST_NODEV) flags |= MS_NODEV;
  if (fs.f_flags & ST_NOEXEC) flags |= MS_NOEXEC;
  if (fs.f_flags & ST_NOATIME) flags |= MS_NOATIME;
  if (fs.f_flags & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (fs.f_flags & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

void make_mount_point(const char* target, bool directory) {
  if (directory) {
    if (mkdir(target, 0755) != 0 && errno != EEXIST) fail("mkdir", target);
  } else {
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) fail("create mount point", target);
    close(fd);
  }
}

void apply(const MountOp& op) {
  switch (op.kind) {
    case MountOp::kMkdir:
      if (mkdir(op.target, 0755) != 0 && errno != EEXIST) fail("mkdir", op.target);
      return;
    case MountOp::kBindReadOnly:
    case MountOp::kBindWritable:
    case MountOp::kBindDevice: {
      struct stat st;
      if (stat(op.source, &st) != 0) {
        if (op.optional) return;
        fail("stat", op.source);
      }
      make_mount_point(op.target, S_ISDIR(st.st_mode));
      // Read-only binds are recursive (submounts such as /sys/fs/cgroup come along) and the parent adds
      // a kBindReadOnly remount for each submount; writable binds never carry submounts.
      unsigned long rec = op.kind == MountOp::kBindReadOnly ? MS_REC : 0;
      if (mount(op.source, op.target, nullptr, MS_BIND | rec, nullptr) != 0) {
        if (op.optional) return;
        fail("bind", op.source);
      }
      unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | locked_flags(op.target);
      if (op.kind == MountOp::kBindReadOnly) flags |= MS_RDONLY | MS_NODEV;
      if (op.kind == MountOp::kBindWritable) flags |= MS_NODEV;
      if (mount(nullptr, op.target, nullptr, flags, nullptr) != 0) fail("remount", op.target);
      return;
    }
    case MountOp::kSymlink:
      if (symlink(op.source, op.target) != 0 && errno != EEXIST) fail("symlink", op.target);
      return;
    case MountOp::kTmpfs:
      make_mount_point(op.target, true);
      if (mount("tmpfs", op.target, "tmpfs", MS_NOSUID | MS_NODEV, op.source) != 0) fail("tmpfs", op.target);
      return;
    case MountOp::kProc:
      make_mount_point(op.target, true);
      if (mount("proc", op.target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
        fail("mount proc", op.target);
      }
      return;
  }
}

// A remount of a submount that came along with a recursive read-only bind: it has its own flags.
void remount_read_only(const char* target) {
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | locked_flags(target);
  if (mount(nullptr, target, nullptr, flags, nullptr) != 0) fail("remount submount", target);
}

void build_root(const ChildPlan& plan) {
  // Nothing we mount may propagate back to the host.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail("make / private");
  if (mount("tmpfs", plan.staging_dir, "tmpfs", MS_NOSUID | MS_NODEV, plan.root_tmpfs_options) != 0) {
    fail("root tmpfs", plan.staging_dir);
  }
  char old_root[256];
  size_t n = strlen(plan.staging_dir);
  if (n + sizeof("/oldroot") > sizeof(old_root)) fail("staging path too long");
  memcpy(old_root, plan.staging_dir, n);
  memcpy(old_root + n, "/oldroot", sizeof("/oldroot"));
  if (mkdir(old_root, 0700) != 0) fail("mkdir", old_root);
  if (syscall(SYS_pivot_root, plan.staging_dir, old_root) != 0) fail("pivot_root");
  if (chdir("/") != 0) fail("chdir /");
  for (int i = 0; i < plan.num_ops; ++i) {
    const MountOp& op = plan.ops[i];
    if (op.kind == MountOp::kBindReadOnly && op.source == nullptr) {
      remount_read_only(op.target);  // submount of an earlier recursive bind
    } else {
      apply(op);
    }
  }
  if (umount2("/oldroot", MNT_DETACH) != 0) fail("umount old root");
  if (rmdir("/oldroot") != 0) fail("rmdir /oldroot");
  // The new root itself (a tmpfs holding the mount points) becomes read-only too.
  if (mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0) {
    fail("remount / read-only");
  }
}

void move_fds(const ChildPlan& plan) {
  // Lift every descriptor above the ones we assign, so no dup2 below clobbers a source.
  int fds[5] = {plan.stdin_read, plan.stdout_write, plan.stderr_write, plan.status_write, plan.sync_read};
  int high[5];
  for (int i = 0; i < 5; ++i) {
    high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 16);
    if (high[i] < 0) _exit(126);
  }
  for (int i = 0; i < 5; ++i) {
    if (dup2(high[i], i) != i) _exit(126);
  }
  // The status and sync pipes must not reach the program; stdio must.
  fcntl(kStatusFd, F_SETFD, FD_CLOEXEC);
  fcntl(kSyncFd, F_SETFD, FD_CLOEXEC);
  if (syscall(SYS_close_range, 5U, ~0U, 0U) != 0) {
    for (int fd = 5; fd < 65536; ++fd) close(fd);
  }
}

void reset_signals() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);  // EINVAL for KILL/STOP is fine
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

void drop_privileges(const ChildPlan& plan) {
  for (int cap = 0; cap < 64; ++cap) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);  // EINVAL past the last cap
  if (plan.drop_to_uid) {
    // Raw system calls: glibc's wrappers broadcast the change to every thread it believes exists, and
    // after a raw clone of a multithreaded parent it still believes in the parent's threads (deadlock).
    if (syscall(SYS_setgroups, 0, nullptr) != 0) fail("setgroups");
    if (syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0) fail("setresgid");
    if (syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) fail("setresuid");
  } else {
    // Staying at our uid (not root outside): give up the capabilities the user namespace granted.
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (syscall(SYS_capset, &header, data) != 0) fail("capset");
  }
}

// The program: limits, privileges and the filter apply to it (a vfork child, so only system calls),
// while the init keeps its own privileges (the program can neither signal nor trace it).
[[noreturn]] void exec_program(const ChildPlan& plan) {
  for (int i = 0; i < plan.num_rlimits; ++i) {
    if (setrlimit(static_cast<__rlimit_resource>(plan.rlimits[i].resource), &plan.rlimits[i].value) != 0) {
      fail("setrlimit");
    }
  }
  drop_privileges(plan);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
  if (plan.seccomp && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, plan.seccomp, 0, 0) != 0) fail("seccomp");
  execve(plan.exe, plan.argv, plan.envp);
  StatusMessage m{};
  m.kind = StatusMessage::kExecError;
  m.err = errno;
  ssize_t ignored = write(kStatusFd, &m, sizeof(m));
  (void)ignored;
  _exit(127);
}

// Without a PID namespace: orphans come to us (child subreaper), so kill our children until none is
// left; each one's own children then come to us too. Their pids come from
// /proc/thread-self/children (parsed on the stack).
void kill_children_until_gone() {
  for (int round = 0; round < 10000; ++round) {
    int fd = open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char buf[4096];
      ssize_t n;
      long pid = 0;
      bool in_number = false;
      while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; ++i) {
          if (buf[i] >= '0' && buf[i] <= '9') {
            pid = pid * 10 + (buf[i] - '0');
            in_number = true;
          } else if (in_number) {
            kill(static_cast<pid_t>(pid), SIGKILL);
            pid = 0;
            in_number = false;
          }
        }
      }
      if (in_number) kill(static_cast<pid_t>(pid), SIGKILL);
      close(fd);
    }
    pid_t reaped;
    while ((reaped = waitpid(-1, nullptr, __WALL | WNOHANG)) > 0) {}
    if (reaped < 0 && errno == ECHILD) return;
    timespec pause{0, 1000000};  // 1 ms for the killed to die
    nanosleep(&pause, nullptr);
  }
}

// Kill whatever the program left behind (daemons, background jobs). As pid 1 of the namespace,
// kill(-1) reaches exactly the run's processes. Without one, the init is their child subreaper and
// kills its children until none is left; as root a helper also takes the run's uid and kills every
// process of it (kill -1), which reaches even those that escaped the subreaper.
void kill_leftovers(const ChildPlan& plan) {
  if (plan.pid_ns) {
    kill(-1, SIGKILL);
    return;
  }
  if (plan.drop_to_uid) {
    pid_t helper = vfork();
    if (helper == 0) {
      if (syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) == 0 &&
          syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) == 0) {
        kill(-1, SIGKILL);
      }
      _exit(0);
    }
  }
  kill_children_until_gone();
}

}  // namespace

namespace {

void prepare(const ChildPlan& plan) {
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  move_fds(plan);
  reset_signals();
}

void wait_for_parent() {
  char go = 0;
  if (read(kSyncFd, &go, 1) != 1) _exit(126);  // the parent died or gave up
  close(kSyncFd);
}

[[noreturn]] void run_init(const ChildPlan& plan);

}  // namespace

void child_main(const ChildPlan& plan) {
  prepare(plan);
  wait_for_parent();
  run_init(plan);
}

void init_main(const ChildPlan& plan) {
  prepare(plan);
  if (plan.unshare_flags && unshare(static_cast<int>(plan.unshare_flags)) != 0) fail("unshare");
  StatusMessage ready{};
  ready.kind = StatusMessage::kReady;
  if (write(kStatusFd, &ready, sizeof(ready)) != sizeof(ready)) _exit(126);
  wait_for_parent();
  if (!(plan.unshare_flags & CLONE_NEWPID)) run_init(plan);
  // unshare(CLONE_NEWPID) put our next child, not us, into the new PID namespace: it is the init. We
  // stay only to pass on its death (and die with the caller: PDEATHSIG).
  pid_t init = fork();
  if (init == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    run_init(plan);
  }
  if (init < 0) fail("fork");
  for (int fd = 0; fd <= kStatusFd; ++fd) close(fd);  // only the init holds the pipes
  int status = 0;
  while (waitpid(init, &status, 0) < 0 && errno == EINTR) {}
  _exit(0);
}

namespace {

void run_init(const ChildPlan& plan) {
  if (plan.mount_ns) build_root(plan);
  if (plan.uts_ns && sethostname("sandbox", 7) != 0) fail("sethostname");
  if (chdir(plan.work_dir) != 0) fail("chdir", plan.work_dir);
  // Out of the caller's process group (its terminal's ^C is the evaluator's business). Without a mount
  // namespace /dev/tty is the caller's terminal, so also out of its session; setsid() costs ~1.5 ms
  // (it creates a scheduler autogroup), so only then.
  if (plan.mount_ns ? setpgid(0, 0) != 0 : setsid() < 0) fail("setsid");
  if (!plan.pid_ns && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) fail("subreaper");
  umask(022);
  // The init is a copy of the caller's memory (which may hold API keys): nobody may read it. execve
  // makes the program itself dumpable again, as usual.
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) fail("dumpable");

  pid_t program = vfork();
  if (program == 0) exec_program(plan);
  if (program < 0) fail("vfork");

  // Reap everything (orphans come to us as pid 1 or subreaper) until the program itself ends.
  StatusMessage done{};
  done.kind = StatusMessage::kFinished;
  for (;;) {
    int status = 0;
    struct rusage ru {};
    pid_t pid = wait4(-1, &status, __WALL, &ru);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: the program is gone
    }
    done.cpu_micros +=
        (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    if (ru.ru_maxrss > done.max_rss_kb) done.max_rss_kb = ru.ru_maxrss;
    if (pid == program) {
      done.wait_status = status;
      break;
    }
  }
  kill_leftovers(plan);
  while (wait4(-1, nullptr, __WALL, nullptr) > 0 || errno == EINTR) {}
  ssize_t ignored = write(kStatusFd, &done, sizeof(done));
  (void)ignored;
  _exit(0);
}

}  // namespace

}  // namespace hrm::sandbox::detail
