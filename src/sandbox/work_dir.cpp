// Work dir checks and ownership (see work_dir.hpp): a run's uid gets write access to exactly this
// tree, so a wrong one would expose the system or the caller's files.
#include "work_dir.hpp"

#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "layout.hpp"

namespace hrm::sandbox::detail {

namespace fs = std::filesystem;

std::string check_work_dir(const fs::path& requested, fs::path* work_dir) {
  std::error_code ec;
  if (requested.empty() || !requested.is_absolute() || !fs::is_directory(requested, ec)) {
    return "work_dir '" + requested.string() + "' is not an existing absolute directory";
  }
  fs::path dir = requested.lexically_normal();
  if (dir.string() == "/" || dir.string().back() == '/') dir = dir.parent_path();
  for (const auto& p : system_readable_paths()) {
    if (dir == "/" || p.rfind(dir.string() + "/", 0) == 0 || dir == p) {
      return "work_dir " + dir.string() + " would expose the system directory " + p + " writable";
    }
  }
  *work_dir = dir;
  return "";
}

// A work dir is handed to the run's uid recursively, so it must be a directory of its own, never a
// shared one: not /tmp or another temp root, not a home, not a directory that holds the caller's cwd.
std::string shared_directory_reason(const fs::path& work_dir) {
  std::error_code ec;
  const fs::path real = fs::weakly_canonical(work_dir, ec);
  std::vector<fs::path> shared = {"/tmp", "/var/tmp", "/dev/shm", "/home", "/root",
                                  "/run", "/var",     "/srv",     "/mnt",  "/media"};
  shared.push_back(fs::temp_directory_path(ec));
  if (const char* home = getenv("HOME")) shared.emplace_back(home);
  for (const auto& s : shared) {
    if (!s.empty() && (real == fs::weakly_canonical(s, ec) || work_dir == s)) {
      return "work_dir " + work_dir.string() + " is the shared directory " + s.string() +
             "; give each run a directory of its own";
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

void chown_tree(const fs::path& root, uid_t uid, gid_t gid) {
  lchown(root.c_str(), uid, gid);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end; !ec && it != end;
       it.increment(ec)) {
    lchown(it->path().c_str(), uid, gid);
  }
}

WorkDirOwnership::~WorkDirOwnership() {
  if (active_) chown_tree(dir_, geteuid(), getegid());
}

}  // namespace hrm::sandbox::detail
