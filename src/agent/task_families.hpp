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

// The reference of a one-edit fix: run `command` and see it fail, (read `path` first when `read_first`),
// replace `search` by `replace` in `path`, run `command` again, submit.
std::vector<ReferenceCall> fix_and_rerun(const std::string& command, const std::string& path, const std::string& search,
                                         const std::string& replace, bool read_first);

// One maker per variant, each defined in its family's gen_<family>.cpp; task_variants() lists them all.
using TaskMaker = Task(std::mt19937_64& rng);
TaskMaker branch_commit, revert_bad_commit, merge_conflict, bisect;                            // git
TaskMaker makefile_renamed_source, cmake_missing_source, npm_test_script;                      // build
TaskMaker npm_file_dependency, cargo_path_dependency, go_replace;                              // packages
TaskMaker python_traceback, cpp_segfault, rust_panic, java_exception, javascript_wrong_total;  // debugging
TaskMaker rename_files, replace_in_tree, extract_from_logs;                                    // shell
TaskMaker python_shared_function, javascript_rename_api, cpp_rename_api;                       // multifile

}  // namespace hrm::agent::families
