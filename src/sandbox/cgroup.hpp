// Per-run control groups: a hard cap on processes and memory for the whole process tree, exact CPU
// accounting, peak memory, OOM detection and killing every member. cgroup v2 where /sys/fs/cgroup is
// the unified hierarchy, else the v1 pids/memory/cpuacct hierarchies. Internal to src/sandbox.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hrm::sandbox::detail {

// What this machine offers, probed once (by creating and removing a test group).
struct CgroupSupport {
  int version = 0;  // 0: none usable, 1 or 2
  bool pids = false, memory = false, cpu = false;
  std::string detail;  // where the groups live, or why none can be used
};
const CgroupSupport& cgroup_support();

class RunCgroup {
 public:
  // A fresh group with the limits set; null (and `error` set) if the machine offers none or it fails.
  static std::unique_ptr<RunCgroup> create(int max_processes, int64_t memory_bytes, std::string* error);
  ~RunCgroup();  // kills what is left and removes the group
  RunCgroup(const RunCgroup&) = delete;
  RunCgroup& operator=(const RunCgroup&) = delete;

  bool attach(pid_t pid, std::string* error);
  double cpu_seconds() const;         // < 0 if not accounted
  int64_t peak_memory_bytes() const;  // 0 if unknown
  bool oom_killed() const;
  void kill_all();

 private:
  RunCgroup() = default;
  std::vector<std::string> dirs_;  // one per hierarchy (v1) or one (v2)
  std::string pids_dir_, memory_dir_, cpu_dir_;
};

}  // namespace hrm::sandbox::detail
