// What each concurrent run holds for itself: a slot that gives it a uid of its own and a reusable
// network namespace, and a way to kill what that uid left behind. Internal to src/sandbox.
#pragma once
#include <sys/types.h>

namespace hrm::sandbox::detail {

// A free slot while it lives; slot() is -1 when all are taken.
class SlotLease {
 public:
  SlotLease();
  ~SlotLease();
  SlotLease(const SlotLease&) = delete;
  SlotLease& operator=(const SlotLease&) = delete;
  int slot() const { return slot_; }

 private:
  int slot_ = -1;
};

// The unprivileged uid of a slot.
uid_t slot_uid(int slot);

// The slot's network namespace, created on first use; -1 if this machine does not allow it.
int slot_netns(int slot);

// The network namespace the process started in (to return to after a clone in a slot's).
int original_netns();

// Kill every process of `uid` (a run without PID namespace or cgroup).
void kill_uid(uid_t uid);

}  // namespace hrm::sandbox::detail
