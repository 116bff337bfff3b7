// The sandbox's child side: everything between clone() and execve(). Internal to src/sandbox.
//
// The parent may be multithreaded (parallel_for), so the child is created with a raw clone() and must not
// allocate, lock or log: it only makes system calls on data the parent prepared in a ChildPlan.
// Process tree of one run:
//   parent (run()) --clone(namespaces)--> init (pid 1 of the run's PID namespace: mounts, limits,
//   privilege drop, seccomp) --vfork+execve--> the program. The init reaps every process, reports the
//   program's wait status on the status pipe, kills what is left and exits; the kernel then kills
//   anything remaining in the PID namespace.
#pragma once
#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>

namespace hrm::sandbox::detail {

// One file system step in the new root, executed in order after pivot_root. Source paths of binds
// are prefixed with the old root ("/oldroot/usr"); destination paths are inside the new root.
struct MountOp {
  enum Kind { kMkdir, kBindReadOnly, kBindWritable, kBindDevice, kSymlink, kTmpfs, kProc } kind;
  const char* source = nullptr;  // bind source, symlink target, or tmpfs options
  const char* target = nullptr;
  bool optional = false;  // a missing source is skipped instead of failing the run
};

// Messages on the status pipe (child -> parent); each is one write() below PIPE_BUF, so atomic.
struct StatusMessage {
  enum Kind : int32_t { kSetupError = 1, kExecError = 2, kFinished = 3, kReady = 4 } kind;
  int32_t err = 0;          // errno for kSetupError / kExecError
  int32_t wait_status = 0;  // kFinished: the program's wait status
  int32_t reserved = 0;
  int64_t cpu_micros = 0;  // kFinished: user+system time of every process the init reaped
  int64_t max_rss_kb = 0;
  char stage[96] = {};  // kSetupError: which step failed
};

struct ChildPlan {
  // File descriptors in the parent's numbering; the child moves them into place.
  int sync_read = -1;  // the child waits for one byte (id maps and cgroups are ready)
  int status_write = -1;
  int stdin_read = -1, stdout_write = -1, stderr_write = -1;

  // hrm-sandbox-init only: namespaces it creates itself with unshare() (a process exec'ed into a new
  // user namespace before its id maps exist would lose its capabilities). With CLONE_NEWPID it forks
  // the namespace's pid 1 and waits for it.
  unsigned long unshare_flags = 0;
  bool mount_ns = false;  // build a new root and pivot into it
  bool uts_ns = false;
  bool pid_ns = false;       // the init is pid 1; otherwise it becomes a child subreaper
  bool drop_to_uid = false;  // setresuid/setresgid to uid/gid below (we start as (namespaced) root)
  uid_t uid = 0;
  gid_t gid = 0;

  const char* staging_dir = "/tmp";  // where the new root's tmpfs is mounted before pivot_root
  const char* root_tmpfs_options = nullptr;
  const MountOp* ops = nullptr;
  int num_ops = 0;
  const char* work_dir = nullptr;  // chdir here (same path inside and outside)

  struct Rlimit {
    int resource;
    rlimit value;
  };
  const Rlimit* rlimits = nullptr;
  int num_rlimits = 0;

  const sock_fprog* seccomp = nullptr;  // null: no filter

  const char* exe = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
};

// Runs in a raw clone() child already in its namespaces; never returns.
[[noreturn]] void child_main(const ChildPlan& plan);

// hrm-sandbox-init's main: unshare the plan's namespaces, report kReady, wait for the parent (id maps,
// cgroup), then become (or fork) the init. Never returns.
[[noreturn]] void init_main(const ChildPlan& plan);

}  // namespace hrm::sandbox::detail
