// What a run's child is handed, all prepared before the clone because after it the child may not
// allocate: the program, its argv and environment, the rlimits and the file system view. Internal.
#pragma once
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "child.hpp"
#include "hrm/sandbox/sandbox.hpp"
#include "layout.hpp"
#include "mode.hpp"

namespace hrm::sandbox::detail {

// Where a program name is found: absolute as given, relative to the work dir if it has a slash, else
// in the PATH of the child's environment. Empty if nowhere.
std::string find_program(const RunRequest& request);

// The file system view of a run in a mount namespace: the work dir, the request's extra paths,
// NODE_PATH's directories and the program's installation.
Layout run_layout(const RunRequest& request, const std::filesystem::path& work_dir, const std::string& exe);

// Owns the argv, environment and rlimits a ChildPlan points into (so it never moves).
struct PlanData {
  // `cg_memory`: the run's cgroup limits memory, so no RLIMIT_AS.
  PlanData(const RunRequest& request, const std::filesystem::path& work_dir, const Mode& mode, bool drop_uid,
           bool cg_memory);
  PlanData(const PlanData&) = delete;
  PlanData& operator=(const PlanData&) = delete;

  std::vector<std::string> env_strings, argv_strings;
  std::vector<char*> envp, argv;
  std::vector<ChildPlan::Rlimit> rlimits;
  std::string work_dir;
};

// The plan for everything but its descriptors (spawn.cpp wires those): it points into `data`,
// `layout` and `exe`, which must outlive it.
ChildPlan child_plan(const PlanData& data, const Layout& layout, const std::string& exe, const Mode& mode,
                     bool drop_uid, uid_t uid);

}  // namespace hrm::sandbox::detail
