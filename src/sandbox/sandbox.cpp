// hrm::sandbox::run: prepare a ChildPlan, clone the child into its namespaces, feed stdin, collect
// output, enforce wall/CPU/output limits and classify the outcome. See docs/sandbox.md.
#include "hrm/sandbox/sandbox.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bitset>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <sstream>

#include "cgroup.hpp"
#include "child.hpp"
#include "layout.hpp"
#include "plan_codec.hpp"
#include "seccomp_filter.hpp"

namespace hrm::sandbox {
namespace {

namespace fs = std::filesystem;
using detail::ChildPlan;
using detail::StatusMessage;
using Clock = std::chrono::steady_clock;

// How runs are isolated on this machine; chosen once by trying the strongest first.
struct Mode {
  std::string name;
  bool user_ns = false;
  bool namespaces = false;  // mount, PID, network, IPC and UTS namespaces
  bool seccomp = false;
  bool cgroups = false;
};

// Each concurrent run gets its own unprivileged uid (RLIMIT_NPROC counts per uid, and kill(-1) in a
// run without a PID namespace reaches only its own uid). The base depends on our pid so that two
// evaluators on one machine rarely share uids.
constexpr int kMaxSlots = 1024;
std::mutex g_slot_mutex;
std::bitset<kMaxSlots> g_slots;

uid_t slot_uid(int slot) { return 100000 + static_cast<uid_t>(getpid() % 256) * kMaxSlots + slot; }

class SlotLease {
 public:
  SlotLease() {
    std::lock_guard<std::mutex> lock(g_slot_mutex);
    for (int i = 0; i < kMaxSlots; ++i) {
      if (!g_slots[i]) {
        g_slots[i] = true;
        slot_ = i;
        return;
      }
    }
  }
  ~SlotLease() {
    if (slot_ >= 0) {
      std::lock_guard<std::mutex> lock(g_slot_mutex);
      g_slots[slot_] = false;
    }
  }
  int slot() const { return slot_; }

 private:
  int slot_ = -1;
};

// Network namespaces cost ~1 ms to create and more to destroy, so each slot keeps one: empty (only
// lo, down) and owned by our user namespace, in which a run has no capabilities, so a run cannot
// change it; its sockets die with its processes. A run enters it by the cloning thread switching into
// it just for the clone() (setns is per thread). Needs CAP_SYS_ADMIN; otherwise each run gets a new one.
class NetnsPool {
 public:
  NetnsPool() : original_(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)), fds_(kMaxSlots, -1) {}
  // The slot's namespace, created on first use; -1 if this machine does not allow it.
  int get(int slot) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (original_ < 0 || geteuid() != 0) return -1;
    if (fds_[slot] >= 0) return fds_[slot];
    if (unshare(CLONE_NEWNET) != 0) return -1;
    int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (setns(original_, CLONE_NEWNET) != 0) {
      spdlog::error("sandbox: cannot return to the original network namespace: {}", strerror(errno));
      std::abort();  // this thread would talk to an empty network from now on
    }
    return fds_[slot] = fd;
  }
  int original() const { return original_; }

 private:
  std::mutex mutex_;
  int original_;
  std::vector<int> fds_;
};

NetnsPool& netns_pool() {
  static NetnsPool* pool = new NetnsPool();  // never destroyed: worker threads may outlive statics
  return *pool;
}

bool write_proc_file(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// Where a program name is found: absolute as given, relative to the work dir if it has a slash, else
// in the PATH of the child's environment.
std::string find_program(const RunRequest& request) {
  const std::string& name = request.argv[0];
  if (!name.empty() && name[0] == '/') return name;
  if (name.find('/') != std::string::npos) return (request.work_dir / name).lexically_normal().string();
  auto it = request.env.find("PATH");
  std::istringstream ss(it != request.env.end() ? it->second : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(ss, dir, ':');) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Hand the work dir to the run's uid (without following links the previous run may have planted).
void chown_tree(const fs::path& root, uid_t uid, gid_t gid) {
  lchown(root.c_str(), uid, gid);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end; !ec && it != end;
       it.increment(ec)) {
    lchown(it->path().c_str(), uid, gid);
  }
}

// Gives the work dir back to the caller when the run is over, whatever path it returns by: a tree
// left owned by a run's uid breaks the caller's own tools (and their ownership checks).
class WorkDirOwnership {
 public:
  WorkDirOwnership(fs::path dir, bool active) : dir_(std::move(dir)), active_(active) {}
  ~WorkDirOwnership() {
    if (active_) chown_tree(dir_, geteuid(), getegid());
  }

 private:
  fs::path dir_;
  bool active_;
};

// A work dir is handed to the run's uid recursively, so it must be a directory of its own, never a
// shared one: not /tmp or another temp root, not a home, not a directory that holds the caller's cwd.
std::string shared_directory_reason(const fs::path& work_dir) {
  std::error_code ec;
  const fs::path real = fs::weakly_canonical(work_dir, ec);
  std::vector<fs::path> shared = {"/tmp", "/var/tmp", "/dev/shm", "/home", "/root", "/run", "/var", "/srv", "/mnt", "/media"};
  shared.push_back(fs::temp_directory_path(ec));
  if (const char* home = getenv("HOME")) shared.emplace_back(home);
  for (const auto& s : shared) {
    if (!s.empty() && (real == fs::weakly_canonical(s, ec) || work_dir == s)) {
      return "work_dir " + work_dir.string() + " is the shared directory " + s.string() + "; give each run a directory of its own";
    }
  }
  const fs::path cwd = fs::current_path(ec);
  if (!ec) {
    const auto rel = fs::weakly_canonical(cwd, ec).lexically_relative(real);
    if (!rel.empty() && *rel.begin() != "..") {
      return "work_dir " + work_dir.string() + " contains the caller's working directory " + cwd.string();
    }
  }
  return "";
}

RunResult error_result(std::string message) {
  RunResult r;
  r.verdict = Verdict::kSandboxError;
  r.error = std::move(message);
  return r;
}

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
    while (sigtimedwait(&set, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
};

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

// Collects one output stream up to the cap; the rest is read and dropped.
struct Capture {
  std::string* data;
  bool* truncated;
  int64_t cap;
  bool eof = false;
  bool read_from(int fd) {  // false on EOF
    char buf[65536];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;
    int64_t room = cap - static_cast<int64_t>(data->size());
    if (room > 0) data->append(buf, static_cast<size_t>(std::min<int64_t>(room, n)));
    if (n > room) *truncated = true;
    return true;
  }
};

// Kill every process of `uid` (a run without PID namespace or cgroup): a helper takes that uid and
// uses kill(-1), which reaches exactly the processes it may signal.
void kill_uid(uid_t uid) {
  pid_t pid = fork();
  if (pid == 0) {
    if (setresgid(uid, uid, uid) == 0 && setresuid(uid, uid, uid) == 0) kill(-1, SIGKILL);
    _exit(0);
  }
  if (pid > 0) waitpid(pid, nullptr, 0);
}

// The init binary, found once: $HRM_SANDBOX_INIT, next to the running executable, the build tree,
// the install prefix. Empty if none: then each run's init is a clone() of the caller.
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
  ssize_t ignored = write(detail::kInitStatus, &m, sizeof(m));
  (void)ignored;
  _exit(126);
}

RunResult run_in_mode(const Mode& mode, const RunRequest& request) {
  auto start = Clock::now();
  if (request.argv.empty()) return error_result("empty argv");
  std::error_code ec;
  if (request.work_dir.empty() || !request.work_dir.is_absolute() || !fs::is_directory(request.work_dir, ec)) {
    return error_result("work_dir '" + request.work_dir.string() + "' is not an existing absolute directory");
  }
  fs::path work_dir = request.work_dir.lexically_normal();
  if (work_dir.string() == "/" || work_dir.string().back() == '/') work_dir = work_dir.parent_path();
  for (const auto& p : detail::system_readable_paths()) {
    if (work_dir == "/" || p.rfind(work_dir.string() + "/", 0) == 0 || work_dir == p) {
      return error_result("work_dir " + work_dir.string() + " would expose the system directory " + p + " writable");
    }
  }
  std::string exe = find_program(request);
  if (exe.empty()) return error_result("program '" + request.argv[0] + "' not found in the PATH of the run's environment");

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
  std::unique_ptr<detail::RunCgroup> cgroup;
  if (mode.cgroups) {
    std::string err;
    cgroup = detail::RunCgroup::create(request.limits.max_processes, request.limits.memory_bytes, &err);
    if (!cgroup) return error_result("creating the run's cgroup: " + err);
  }
  const bool cg_memory = cgroup && detail::cgroup_support().memory;
  const bool cg_cpu = cgroup && detail::cgroup_support().cpu;

  // The file system view.
  detail::Layout layout;
  if (mode.namespaces) {
    detail::LayoutRequest lr;
    lr.work_dir = work_dir;
    lr.writable = request.extra_writable;
    lr.readable = request.extra_readable;
    auto node_path = request.env.find("NODE_PATH");  // node's shared modules, wherever they live
    if (node_path != request.env.end()) {
      std::istringstream ss(node_path->second);
      for (std::string p; std::getline(ss, p, ':');) {
        if (!p.empty() && p[0] == '/' && fs::exists(p, ec)) lr.readable.push_back(p);
      }
    }
    lr.exe = exe;
    lr.tmp_bytes = request.limits.memory_bytes;
    layout = detail::build_layout(lr);
    for (const auto& p : layout.exposed) spdlog::debug("sandbox: exposing {} read-only", p);
  }
  if (drop_uid) chown_tree(work_dir, uid, uid);
  const WorkDirOwnership give_back(work_dir, drop_uid);

  // Everything the child needs, prepared here: after clone it may not allocate.
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : request.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = request.argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  const Limits& lim = request.limits;
  std::vector<ChildPlan::Rlimit> rlimits;
  auto cpu = static_cast<rlim_t>(std::max(1.0, std::ceil(lim.cpu_seconds)));
  rlimits.push_back({RLIMIT_CPU, {cpu, cpu + 1}});
  rlimits.push_back({RLIMIT_FSIZE, {static_cast<rlim_t>(lim.max_file_bytes), static_cast<rlim_t>(lim.max_file_bytes)}});
  rlimits.push_back({RLIMIT_NOFILE, {static_cast<rlim_t>(lim.max_open_files), static_cast<rlim_t>(lim.max_open_files)}});
  rlimits.push_back({RLIMIT_CORE, {0, 0}});
  if (drop_uid || mode.user_ns) {
    // Counted per uid and, since Linux 5.14, per user namespace: a run's own processes only. Not root,
    // the init (and hrm-sandbox-init above it) share the program's uid in the run's user namespace.
    rlim_t nproc = static_cast<rlim_t>(lim.max_processes + (drop_uid ? 0 : 2));
    rlimits.push_back({RLIMIT_NPROC, {nproc, nproc}});
  }  // (not root and no user namespace is refused by probe(): nothing could bound or clean up the run)
  if (!cg_memory) {
    rlimits.push_back({RLIMIT_AS, {static_cast<rlim_t>(lim.memory_bytes), static_cast<rlim_t>(lim.memory_bytes)}});
  }

  Pipe in, out, err, status, sync;
  if (!in.open() || !out.open() || !err.open() || !status.open() || !sync.open()) {
    return error_result(std::string("pipe: ") + strerror(errno));
  }
  ChildPlan plan;
  plan.sync_read = sync.read;
  plan.status_write = status.write;
  plan.stdin_read = in.read;
  plan.stdout_write = out.write;
  plan.stderr_write = err.write;
  plan.mount_ns = plan.uts_ns = plan.pid_ns = mode.namespaces;
  plan.drop_to_uid = drop_uid;
  plan.uid = uid;
  plan.gid = uid;
  plan.root_tmpfs_options = layout.root_options.c_str();
  plan.ops = layout.ops.data();
  plan.num_ops = static_cast<int>(layout.ops.size());
  std::string work_dir_str = work_dir.string();
  plan.work_dir = work_dir_str.c_str();
  plan.rlimits = rlimits.data();
  plan.num_rlimits = static_cast<int>(rlimits.size());
  plan.seccomp = mode.seccomp ? &detail::seccomp_program().program : nullptr;
  plan.exe = exe.c_str();
  plan.argv = argv.data();
  plan.envp = envp.data();

  unsigned long flags = SIGCHLD;
  if (mode.namespaces) flags |= CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
  if (mode.user_ns) flags |= CLONE_NEWUSER;
  int netns = mode.namespaces ? netns_pool().get(slot.slot()) : -1;
  if (netns >= 0) flags &= ~static_cast<unsigned long>(CLONE_NEWNET);

  BlockSigpipe block_sigpipe;
  const std::string& init = init_binary();
  int plan_fd = -1;
  if (!init.empty()) {
    // The init is hrm-sandbox-init, exec'ed from a child that shares our memory until then: nothing of
    // the caller (which may hold gigabytes) is copied. It creates its namespaces itself, and its plan
    // travels in a memfd.
    plan.unshare_flags = flags & ~static_cast<unsigned long>(CSIGNAL);
    flags = SIGCHLD;
    std::string bytes = detail::encode_plan(plan);
    plan_fd = memfd_create("hrm-sandbox-plan", MFD_CLOEXEC);
    if (plan_fd < 0 || write(plan_fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
      if (plan_fd >= 0) close(plan_fd);
      return error_result(std::string("writing the sandbox plan: ") + strerror(errno));
    }
  }
  if (netns >= 0 && setns(netns, CLONE_NEWNET) != 0) {
    if (plan_fd >= 0) close(plan_fd);
    return error_result(std::string("entering the network namespace: ") + strerror(errno));
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
    if (pid == 0) detail::child_main(plan);
  }
  int clone_errno = errno;
  if (netns >= 0 && setns(netns_pool().original(), CLONE_NEWNET) != 0) {
    spdlog::error("sandbox: cannot return to the original network namespace: {}", strerror(errno));
    std::abort();
  }
  if (pid < 0) return error_result(std::string("clone: ") + strerror(clone_errno));
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
    bool ready = poll(&pfd, 1, 10000) == 1 && read(status.read, &m, sizeof(m)) == sizeof(m) &&
                 m.kind == StatusMessage::kReady;
    if (!ready) {
      reap_child();
      if (m.kind == StatusMessage::kSetupError) {
        return error_result(std::string("sandbox setup failed: ") + m.stage + ": " + strerror(m.err));
      }
      return error_result("hrm-sandbox-init (" + init + ") did not start");
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
      return error_result(std::string("writing the user namespace id maps: ") + strerror(e));
    }
  }
  if (cgroup) {
    std::string e;
    if (!cgroup->attach(pid, &e)) {
      reap_child();
      return error_result("attaching to the run's cgroup: " + e);
    }
  }
  char go = 1;
  if (write(sync.write, &go, 1) != 1) {
    reap_child();
    return error_result("starting the sandbox");
  }
  sync.close_write();

  // Feed stdin, collect output, watch the clock.
  RunResult result;
  fcntl(in.write, F_SETFL, O_NONBLOCK);
  fcntl(out.read, F_SETFL, O_NONBLOCK);
  fcntl(err.read, F_SETFL, O_NONBLOCK);
  fcntl(status.read, F_SETFL, O_NONBLOCK);
  size_t stdin_written = 0;
  if (request.stdin_data.empty()) in.close_write();
  Capture cap_out{&result.stdout_data, &result.stdout_truncated, lim.max_output_bytes};
  Capture cap_err{&result.stderr_data, &result.stderr_truncated, lim.max_output_bytes};
  std::string messages;
  bool status_eof = false;
  enum class Kill { kNone, kWall, kCpu, kOutput } killed = Kill::kNone;
  auto kill_tree = [&](Kill why) {
    if (killed == Kill::kNone) killed = why;
    if (!mode.namespaces && drop_uid) kill_uid(uid);  // the program's tree first: it may not reparent
    if (cgroup) cgroup->kill_all();
    kill(pid, SIGKILL);  // the PID namespace's init: the kernel kills every process in it
  };
  const Clock::time_point wall_deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(lim.wall_seconds));
  Clock::time_point drain_deadline = Clock::time_point::max();
  while (!(status_eof && cap_out.eof && cap_err.eof)) {
    auto now = Clock::now();
    if (killed == Kill::kNone && now >= wall_deadline) kill_tree(Kill::kWall);
    if (killed == Kill::kNone && cg_cpu && cgroup->cpu_seconds() >= lim.cpu_seconds) kill_tree(Kill::kCpu);
    if (status_eof && now >= drain_deadline) {
      // The init is gone but something still holds the output pipes open (no PID namespace).
      if (cgroup) cgroup->kill_all();
      if (drop_uid) kill_uid(uid);
      if (now >= drain_deadline + std::chrono::seconds(1)) break;
    }
    pollfd fds[4];
    int n = 0;
    int i_status = -1, i_out = -1, i_err = -1, i_in = -1;
    if (!status_eof) fds[i_status = n++] = {status.read, POLLIN, 0};
    if (!cap_out.eof) fds[i_out = n++] = {out.read, POLLIN, 0};
    if (!cap_err.eof) fds[i_err = n++] = {err.read, POLLIN, 0};
    if (in.write >= 0) fds[i_in = n++] = {in.write, POLLOUT, 0};
    auto until = std::min(wall_deadline, drain_deadline);
    if (killed != Kill::kNone) until = now + std::chrono::milliseconds(50);
    double wait_ms = std::chrono::duration<double, std::milli>(until - now).count();
    if (cg_cpu) wait_ms = std::min(wait_ms, 50.0);  // the tree's CPU time is polled
    int timeout = static_cast<int>(std::clamp(wait_ms, 0.0, 1000.0)) + (wait_ms > 0 ? 1 : 0);
    if (poll(fds, n, timeout) < 0 && errno != EINTR) break;
    if (i_out >= 0 && fds[i_out].revents) cap_out.eof = !cap_out.read_from(out.read);
    if (i_err >= 0 && fds[i_err].revents) cap_err.eof = !cap_err.read_from(err.read);
    if ((result.stdout_truncated || result.stderr_truncated) && killed == Kill::kNone) kill_tree(Kill::kOutput);
    if (i_status >= 0 && fds[i_status].revents) {
      char buf[sizeof(StatusMessage) * 4];
      ssize_t r = read(status.read, buf, sizeof(buf));
      if (r > 0) messages.append(buf, r);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        status_eof = true;
        drain_deadline = Clock::now() + std::chrono::milliseconds(mode.namespaces ? 2000 : 200);
      }
    }
    if (i_in >= 0 && fds[i_in].revents) {
      if (fds[i_in].revents & (POLLERR | POLLHUP)) {
        in.close_write();
      } else {
        ssize_t w = write(in.write, request.stdin_data.data() + stdin_written, request.stdin_data.size() - stdin_written);
        if (w > 0) stdin_written += w;
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || stdin_written == request.stdin_data.size()) in.close_write();
      }
    }
  }
  int init_status = 0;
  waitpid(pid, &init_status, __WALL);
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();

  // Classify.
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
    result.verdict = killed == Kill::kWall ? Verdict::kWallTimeout
                     : killed == Kill::kCpu ? Verdict::kCpuTimeout : Verdict::kOutputLimit;
    result.signal = SIGKILL;
  } else if (finished) {
    int ws = finished->wait_status;
    if (WIFEXITED(ws)) {
      result.exit_code = WEXITSTATUS(ws);
      result.verdict = oom && result.exit_code != 0 ? Verdict::kMemoryLimit : Verdict::kExited;
    } else {
      result.signal = WTERMSIG(ws);
      bool cpu_spent = result.cpu_seconds >= lim.cpu_seconds * 0.95;
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

// ---- Mode selection and protections -------------------------------------------------------------

struct Probe {
  Mode mode;
  std::vector<Protection> protections;
};

RunResult probe_run(const Mode& mode, const fs::path& dir) {
  RunRequest r;
  r.argv = {"/bin/sh", "-c", "echo ok > probe && cat probe"};
  r.work_dir = dir;
  r.env = {{"PATH", "/usr/bin:/bin"}};
  r.limits.wall_seconds = 10;
  return run_in_mode(mode, r);
}

Probe probe() {
  Probe p;
  char tmpl[] = "/tmp/hrm-sandbox-probe-XXXXXX";
  std::string dir = mkdtemp(tmpl) ? tmpl : "";
  const auto& seccomp = detail::seccomp_program();
  const auto& cg = detail::cgroup_support();
  // HRM_SANDBOX_DISABLE=userns,namespaces,seccomp,cgroups switches mechanisms off, to test how the
  // sandbox degrades on machines that lack them (tests/sandbox uses it). It can only weaken.
  const char* disable_env = getenv("HRM_SANDBOX_DISABLE");
  std::string disable = disable_env ? "," + std::string(disable_env) + "," : "";
  auto disabled = [&](const char* what) { return disable.find("," + std::string(what) + ",") != std::string::npos; };
  std::vector<Mode> candidates;
  for (bool sec : {true, false}) {
    if (sec && (!seccomp.error.empty() || disabled("seccomp"))) continue;
    for (bool cgroups : {true, false}) {
      if (cgroups && (cg.version == 0 || disabled("cgroups"))) continue;
      if (!disabled("userns") && !disabled("namespaces")) {
        candidates.push_back({"user+mount+pid+net+ipc+uts namespaces", true, true, sec, cgroups});
      }
      if (!disabled("namespaces")) {
        candidates.push_back({"mount+pid+net+ipc+uts namespaces (no user namespace)", false, true, sec, cgroups});
      }
      // Without namespaces only root can give the program a uid of its own; as the caller's uid the
      // program could signal the caller and leave processes nothing can find again (a fork bomb that
      // outlives its run). That is no sandbox: refuse instead.
      if (geteuid() == 0) candidates.push_back({"no namespaces", false, false, sec, cgroups});
    }
  }
  if (!disable.empty()) spdlog::warn("sandbox: HRM_SANDBOX_DISABLE={} weakens the sandbox on purpose", disable_env);
  // The first failure of each kind of mode says why a stronger mode is not in use.
  std::string userns_failure, namespaces_failure, any_failure;
  bool found = false;
  for (const auto& m : candidates) {
    RunResult r = dir.empty() ? error_result("mkdtemp failed") : probe_run(m, dir);
    if (r.ok() && r.stdout_data == "ok\n") {
      p.mode = m;
      found = true;
      break;
    }
    std::string why = m.name + ": " + (r.error.empty() ? std::string(verdict_name(r.verdict)) + " " + r.stderr_data : r.error);
    if (m.user_ns && userns_failure.empty()) userns_failure = why;
    if (m.namespaces && !m.user_ns && namespaces_failure.empty()) namespaces_failure = why;
    if (any_failure.empty()) any_failure = why;
  }
  if (!dir.empty()) fs::remove_all(dir);
  const bool root = geteuid() == 0;
  auto why_not = [&](const char* knob, const std::string& failure) {
    if (disabled(knob)) return std::string("disabled by HRM_SANDBOX_DISABLE");
    return failure.empty() ? std::string("not offered by this machine") : "failed here (" + failure + ")";
  };
  const Mode& m = p.mode;
  auto add = [&](std::string name, bool active, std::string detail) { p.protections.push_back({name, active, detail}); };
  if (!found) {
    add("sandbox", false,
        "no isolation mode works on this machine, so every run fails: " +
            (any_failure.empty() ? std::string("not root, and user namespaces are unavailable or disabled")
                                 : any_failure));
    return p;
  }
  const std::string ns_why = why_not("namespaces", namespaces_failure);
  add("user namespace", m.user_ns,
      m.user_ns ? "setup runs as root of a new user namespace; the run's uid is mapped 1:1"
                : why_not(disabled("namespaces") ? "namespaces" : "userns", userns_failure) +
                      (root ? "; privileges are dropped with setuid instead" : ""));
  add("mount namespace", m.namespaces,
      m.namespaces ? "new root: system dirs read-only, private /tmp and /dev/shm, work dir writable; the project, "
                     "/root (but its toolchains), /home, /run, /var are absent"
                   : ns_why + ": the host file system is visible, writable where the run's uid may write");
  add("pid namespace", m.namespaces,
      m.namespaces ? "the run sees only its own processes; all die when the program ends or is killed"
                   : ns_why + ": leftovers are killed by uid (kill -1 as the run's uid)");
  add("network namespace", m.namespaces,
      m.namespaces ? std::string("no network: loopback only, down") +
                         (root ? " (one namespace per concurrent slot, reused; a run holds no capability over it)" : "")
                   : ns_why + ": only seccomp keeps the host network away");
  add("ipc+uts namespaces", m.namespaces, m.namespaces ? "private System V IPC, hostname 'sandbox'" : ns_why);
  add("unprivileged uid", root || m.user_ns,
      root ? "a uid of its own per concurrent run (100000+), no capabilities, no_new_privs, not dumpable"
           : std::string("runs as the caller's uid") + (m.user_ns ? ", without capabilities" : " (not root: cannot switch)"));
  add("seccomp", m.seccomp, m.seccomp ? detail::seccomp_summary() : why_not("seccomp", seccomp.error));
  const std::string cg_why = why_not("cgroups", cg.version == 0 ? cg.detail : "");
  add("cgroup pids", m.cgroups && cg.pids,
      m.cgroups && cg.pids ? cg.detail : cg_why + "; RLIMIT_NPROC of the run's uid instead");
  add("cgroup memory", m.cgroups && cg.memory,
      m.cgroups && cg.memory ? "memory (and swap) limit and OOM detection for the whole tree"
                             : cg_why + "; RLIMIT_AS per process instead (JVM, Go and node reserve a lot of address space)");
  add("cgroup cpu", m.cgroups && cg.cpu,
      m.cgroups && cg.cpu ? "CPU time of the whole tree, polled every 50 ms" : cg_why + "; RLIMIT_CPU per process only");
  add("sandbox init", !init_binary().empty(),
      init_binary().empty() ? "hrm-sandbox-init not found (next to the executable, in the build or install tree, or "
                              "$HRM_SANDBOX_INIT): each run's init is a copy of the caller, which costs ~50 ms per GiB "
                              "the caller holds"
                            : init_binary() + ": a fresh process per run; the caller's memory is never copied");
  add("rlimits", true, std::string("CPU, file size, open files, no core dumps") + (root || m.user_ns ? ", processes" : ""));
  return p;
}

const Probe& probed() {
  static const Probe p = [] {
    Probe result = probe();
    for (const auto& prot : result.protections) {
      if (!prot.active) spdlog::warn("sandbox: {} is NOT active: {}", prot.name, prot.detail);
    }
    if (!result.mode.namespaces) {
      spdlog::warn("sandbox: runs are NOT isolated from the host file system and network on this machine");
    }
    return result;
  }();
  return p;
}

}  // namespace

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kExited: return "exited";
    case Verdict::kSignaled: return "signaled";
    case Verdict::kWallTimeout: return "wall_timeout";
    case Verdict::kCpuTimeout: return "cpu_timeout";
    case Verdict::kMemoryLimit: return "memory_limit";
    case Verdict::kOutputLimit: return "output_limit";
    case Verdict::kSandboxError: return "sandbox_error";
  }
  return "unknown";
}

RunResult run(const RunRequest& request) {
  const Probe& p = probed();
  if (p.protections.size() == 1 && !p.protections[0].active) {
    return error_result("the sandbox cannot run here: " + p.protections[0].detail);
  }
  return run_in_mode(p.mode, request);
}

std::vector<Protection> protections() { return probed().protections; }

std::string format_protections(const std::vector<Protection>& protections) {
  std::ostringstream out;
  for (const auto& p : protections) {
    out << (p.active ? "  [ok]      " : "  [MISSING] ") << p.name << ": " << p.detail << "\n";
  }
  return out.str();
}

}  // namespace hrm::sandbox
