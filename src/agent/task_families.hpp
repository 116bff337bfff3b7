// Internal to src/agent: the helpers the task families share, and each family's variants.
#pragma once
#include <random>
#include <string>
#include <vector>

#include "hrm/agent/task_generator.hpp"

namespace hrm::agent::families {

// A uniformly chosen element (rng() % size: the same on every standard library).
template <typename T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& items) {
  return items[rng() % items.size()];
}
inline int uniform(std::mt19937_64& rng, int lo, int hi) {
  return lo + static_cast<int>(rng() % static_cast<uint64_t>(hi - lo + 1));
}

// A shell command that writes `content` to `path` (a quoted here-document).
std::string write_cmd(const std::string& path, const std::string& content);
// 'text' for /bin/sh.
std::string quote(const std::string& text);
// The verifier's check that `command`'s stdout is exactly `expected` (prints both when not).
std::string expect_output(const std::string& command, const std::string& expected);

ReferenceCall bash(const std::string& command);
ReferenceCall edit(const std::string& path, const std::string& search, const std::string& replace);
ReferenceCall write(const std::string& path, const std::string& content);
ReferenceCall read(const std::string& path);
ReferenceCall submit();

// Every tool (most tasks offer all of them).
std::vector<std::string> all_tools();

std::vector<TaskVariant> git_variants();
std::vector<TaskVariant> build_variants();
std::vector<TaskVariant> package_variants();
std::vector<TaskVariant> debugging_variants();
std::vector<TaskVariant> shell_variants();
std::vector<TaskVariant> multifile_variants();

}  // namespace hrm::agent::families
