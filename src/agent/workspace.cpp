#include "hrm/agent/workspace.hpp"

#include <algorithm>
#include <vector>

#include "hrm/util/error.hpp"

namespace hrm::agent {

namespace fs = std::filesystem;

fs::path resolve_in_workspace(const fs::path& root, const std::string& path) {
  const std::string hint = "paths are relative to the workspace root, e.g. src/main.py";
  if (path.empty()) throw Error("empty path", hint);
  const fs::path p(path);
  if (p.is_absolute()) throw Error("path '" + path + "' is absolute; it must stay inside the workspace", hint);
  for (const auto& part : p) {
    if (part == "..") throw Error("path '" + path + "' contains '..'; it must stay inside the workspace", hint);
  }
  const fs::path base = fs::canonical(root);
  // weakly_canonical follows every symbolic link among the components that exist.
  const fs::path resolved = fs::weakly_canonical(base / p);
  const auto rel = resolved.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") {
    throw Error("path '" + path + "' leads outside the workspace (through a symbolic link)", hint);
  }
  return resolved;
}

std::string list_workspace(const fs::path& root, const fs::path& dir, int max_entries) {
  std::vector<std::string> entries;
  const fs::path base = fs::canonical(root);
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    const bool is_dir = it->is_directory() && !it->is_symlink();
    if (is_dir && name == ".git") it.disable_recursion_pending();
    std::string rel = it->path().lexically_relative(base).string();
    if (it->is_symlink()) rel += " -> " + fs::read_symlink(it->path()).string();
    entries.push_back(rel + (is_dir ? "/" : ""));
  }
  std::sort(entries.begin(), entries.end());
  std::string out;
  const size_t shown = std::min(entries.size(), static_cast<size_t>(std::max(0, max_entries)));
  for (size_t i = 0; i < shown; ++i) out += entries[i] + "\n";
  if (shown < entries.size()) out += "[" + std::to_string(entries.size() - shown) + " more entries not shown]\n";
  if (entries.empty()) out = "(no files)\n";
  return out;
}

}  // namespace hrm::agent
