// The work dir is the one host directory a run may write, so it is checked before the run may have it,
// handed to the run's uid, and handed back afterwards. Internal to src/sandbox.
#pragma once
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>

namespace hrm::sandbox::detail {

// Why `requested` cannot be a work dir (not an existing absolute directory, or one that holds a
// system directory); empty when it can, with *work_dir set to its normal form (no trailing slash).
std::string check_work_dir(const std::filesystem::path& requested, std::filesystem::path* work_dir);

// Why `work_dir` is a shared directory that must not be handed to a run's uid; empty if it is not.
std::string shared_directory_reason(const std::filesystem::path& work_dir);

// Hand the work dir to the run's uid (without following links the previous run may have planted).
void chown_tree(const std::filesystem::path& root, uid_t uid, gid_t gid);

// Gives the work dir back to the caller when the run is over, whatever path it returns by: a tree
// left owned by a run's uid breaks the caller's own tools (and their ownership checks).
class WorkDirOwnership {
 public:
  WorkDirOwnership(std::filesystem::path dir, bool active) : dir_(std::move(dir)), active_(active) {}
  ~WorkDirOwnership();
  WorkDirOwnership(const WorkDirOwnership&) = delete;
  WorkDirOwnership& operator=(const WorkDirOwnership&) = delete;

 private:
  std::filesystem::path dir_;
  bool active_;
};

}  // namespace hrm::sandbox::detail
