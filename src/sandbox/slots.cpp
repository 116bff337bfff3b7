// Per-run slots (see slots.hpp): the uid that keeps concurrent runs apart and the network namespace
// that spares each run the cost of a new one.
#include "slots.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bitset>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace hrm::sandbox::detail {
namespace {

// Each concurrent run gets its own unprivileged uid (RLIMIT_NPROC counts per uid, and kill(-1) in a
// run without a PID namespace reaches only its own uid). The base depends on our pid so that two
// evaluators on one machine rarely share uids.
constexpr int kMaxSlots = 1024;
std::mutex g_slot_mutex;
std::bitset<kMaxSlots> g_slots;

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

}  // namespace

SlotLease::SlotLease() {
  std::lock_guard<std::mutex> lock(g_slot_mutex);
  for (int i = 0; i < kMaxSlots; ++i) {
    if (!g_slots[i]) {
      g_slots[i] = true;
      slot_ = i;
      return;
    }
  }
}

SlotLease::~SlotLease() {
  if (slot_ >= 0) {
    std::lock_guard<std::mutex> lock(g_slot_mutex);
    g_slots[slot_] = false;
  }
}

uid_t slot_uid(int slot) { return 100000 + static_cast<uid_t>(getpid() % 256) * kMaxSlots + slot; }

int slot_netns(int slot) { return netns_pool().get(slot); }

int original_netns() { return netns_pool().original(); }

// A helper takes that uid and uses kill(-1), which reaches exactly the processes it may signal.
void kill_uid(uid_t uid) {
  pid_t pid = fork();
  if (pid == 0) {
    // kill(-1) walks the process list once, so a child forked during the walk can be missed: repeat
    // until it finds nobody else with this uid (ESRCH), at most 8 rounds (dying processes still count).
    if (setresgid(uid, uid, uid) == 0 && setresuid(uid, uid, uid) == 0) {
      for (int round = 0; round < 8 && kill(-1, SIGKILL) == 0; ++round) {}
    }
    _exit(0);
  }
  if (pid > 0) waitpid(pid, nullptr, 0);
}

}  // namespace hrm::sandbox::detail
