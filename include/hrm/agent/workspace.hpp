// The workspace of one episode: a directory the tools may read and change, and nothing outside it.
//
// Exports: resolve_in_workspace(), list_workspace().
#pragma once
#include <filesystem>
#include <string>

namespace hrm::agent {

// `root / path` when it stays inside `root`. Throws hrm::Error naming the path when it is empty, absolute,
// contains a ".." component, or reaches outside `root` through a symbolic link (every existing component
// is resolved). `root` must exist.
std::filesystem::path resolve_in_workspace(const std::filesystem::path& root, const std::string& path);

// The files under `dir` (relative to `root`, sorted, directories with a trailing '/'), without .git's
// contents, at most `max_entries` lines (then a line saying how many more there are).
std::string list_workspace(const std::filesystem::path& root, const std::filesystem::path& dir, int max_entries);

}  // namespace hrm::agent
