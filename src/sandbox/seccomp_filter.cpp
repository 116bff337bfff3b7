// The seccomp filter: allow by default (toolchains use hundreds of system calls), deny what no build or
// test needs and what widens the kernel's attack surface. Compiled once by libseccomp to BPF, which the
// child loads with a bare prctl() (no allocation after clone).
#include "seccomp_filter.hpp"

#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

namespace hrm::sandbox::detail {
namespace {

// Denied with EPERM: mounting and namespaces, tracing other processes, kernel keyrings, modules, BPF,
// perf, rebooting, swap, clock setting, raw I/O ports, file handles (escape via open_by_handle_at).
constexpr const char* kDeniedEperm[] = {
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "unshare",
    "setns",
    "kexec_load",
    "kexec_file_load",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "open_by_handle_at",
    "name_to_handle_at",
    "lookup_dcookie",
    "syslog",
    "quotactl",
    "quotactl_fd",
    "nfsservctl",
    "vhangup",
    "iopl",
    "ioperm",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "uselib",
    "fanotify_init",
};
// Denied with ENOSYS, so runtimes fall back to the older interface (glibc: clone3 -> clone; libuv:
// io_uring -> thread pool).
constexpr const char* kDeniedEnosys[] = {"clone3", "io_uring_setup", "io_uring_enter", "io_uring_register"};

constexpr uint64_t kNamespaceFlags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,    CLONE_NEWNET,
                                        CLONE_NEWIPC,  CLONE_NEWUTS, CLONE_NEWCGROUP, CLONE_NEWTIME};

std::string build(scmp_filter_ctx ctx) {
  auto add = [&](uint32_t action, const char* name, unsigned count, const scmp_arg_cmp* args) -> std::string {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return "";  // not a system call on this architecture
    int rc = seccomp_rule_add_array(ctx, action, nr, count, args);
    return rc == 0 ? "" : std::string("seccomp rule for ") + name + ": " + strerror(-rc);
  };
  std::string err;
  for (const char* name : kDeniedEperm) {
    if (!(err = add(SCMP_ACT_ERRNO(EPERM), name, 0, nullptr)).empty()) return err;
  }
  for (const char* name : kDeniedEnosys) {
    if (!(err = add(SCMP_ACT_ERRNO(ENOSYS), name, 0, nullptr)).empty()) return err;
  }
  // New sockets: only AF_UNIX (pipes between test workers); the network namespace has no usable network
  // anyway, this keeps the rest of the protocol families' code out of reach.
  scmp_arg_cmp not_unix[] = {SCMP_A0(SCMP_CMP_NE, AF_UNIX)};
  if (!(err = add(SCMP_ACT_ERRNO(EAFNOSUPPORT), "socket", 1, not_unix)).empty()) return err;
  if (!(err = add(SCMP_ACT_ERRNO(EAFNOSUPPORT), "socketpair", 1, not_unix)).empty()) return err;
  // clone() creating namespaces; fork/vfork/threads stay allowed.
  for (uint64_t flag : kNamespaceFlags) {
    scmp_arg_cmp has_flag[] = {SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)};
    if (!(err = add(SCMP_ACT_ERRNO(EPERM), "clone", 1, has_flag)).empty()) return err;
  }
  // Pushing characters into a terminal's input (TIOCSTI/TIOCLINUX) could reach a shell outside.
  scmp_arg_cmp sti[] = {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI)};
  if (!(err = add(SCMP_ACT_ERRNO(EPERM), "ioctl", 1, sti)).empty()) return err;
  scmp_arg_cmp linux_ioctl[] = {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX)};
  if (!(err = add(SCMP_ACT_ERRNO(EPERM), "ioctl", 1, linux_ioctl)).empty()) return err;
  return "";
}

SeccompProgram compile() {
  SeccompProgram out;
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) {
    out.error = "seccomp_init failed";
    return out;
  }
  out.error = build(ctx);
  if (out.error.empty()) {
    int fd = memfd_create("hrm-seccomp", MFD_CLOEXEC);
    int rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
    struct stat st {};
    if (rc != 0 || fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size % sizeof(sock_filter) != 0) {
      out.error = std::string("exporting the seccomp filter: ") + strerror(rc ? -rc : errno);
    } else {
      out.instructions.resize(st.st_size / sizeof(sock_filter));
      if (pread(fd, out.instructions.data(), st.st_size, 0) != st.st_size) {
        out.error = "reading back the seccomp filter";
        out.instructions.clear();
      }
    }
    if (fd >= 0) close(fd);
  }
  seccomp_release(ctx);
  if (out.error.empty()) {
    out.program.len = static_cast<unsigned short>(out.instructions.size());
    out.program.filter = out.instructions.data();
  }
  return out;
}

}  // namespace

const SeccompProgram& seccomp_program() {
  static const SeccompProgram* program = [] {
    auto* p = new SeccompProgram(compile());  // lives for the process: children point into it
    p->program.filter = p->instructions.data();
    return p;
  }();
  return *program;
}

std::string seccomp_summary() {
  size_t n = sizeof(kDeniedEperm) / sizeof(kDeniedEperm[0]) + sizeof(kDeniedEnosys) / sizeof(kDeniedEnosys[0]);
  return "denies " + std::to_string(n) +
         " system calls (mount, namespaces, ptrace, bpf, perf, keyrings, modules, kexec, reboot, swap, clocks, "
         "io_uring, ...; docs/sandbox.md lists them), sockets other than AF_UNIX, clone() with namespace flags, "
         "TIOCSTI; other architectures are killed";
}

}  // namespace hrm::sandbox::detail
