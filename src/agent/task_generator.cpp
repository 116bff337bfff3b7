#include "hrm/agent/task_generator.hpp"

#include <algorithm>

#include "hrm/agent/tools.hpp"
#include "hrm/util/error.hpp"
#include "task_families.hpp"

namespace hrm::agent {

namespace families {

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string write_cmd(const std::string& path, const std::string& content) {
  std::string body = content;
  if (!body.empty() && body.back() != '\n') body += '\n';
  return "mkdir -p \"$(dirname " + quote(path) + ")\" && cat > " + quote(path) + " <<'HRM_EOF'\n" + body + "HRM_EOF\n";
}

std::string expect_output(const std::string& command, const std::string& expected) {
  return "actual=$(" + command + ") || { echo \"command failed: $actual\"; exit 1; }\n" +
         "expected=" + quote(expected) + "\n" +
         "[ \"$actual\" = \"$expected\" ] || { printf 'expected:\\n%s\\ngot:\\n%s\\n' \"$expected\" \"$actual\"; exit "
         "1; }\n";
}

ReferenceCall bash(const std::string& command) { return {"bash", {{"command", command}}}; }
ReferenceCall edit(const std::string& path, const std::string& search, const std::string& replace) {
  return {"edit_file", {{"path", path}, {"search", search}, {"replace", replace}}};
}
ReferenceCall write(const std::string& path, const std::string& content) {
  return {"write_file", {{"path", path}, {"content", content}}};
}
ReferenceCall read(const std::string& path) { return {"read_file", {{"path", path}}}; }
ReferenceCall submit() { return {"submit", {{"summary", "done"}}}; }

std::vector<ReferenceCall> fix_and_rerun(const std::string& command, const std::string& path, const std::string& search,
                                         const std::string& replace, bool read_first) {
  std::vector<ReferenceCall> calls = {bash(command)};
  if (read_first) calls.push_back(read(path));
  calls.push_back(edit(path, search, replace));
  calls.push_back(bash(command));
  calls.push_back(submit());
  return calls;
}
std::vector<std::string> all_tools() { return kToolNames; }

}  // namespace families

const std::vector<TaskVariant>& task_variants() {
  using namespace families;
  // generate_tasks seeds each variant by its index here: append new variants, never reorder.
  static const std::vector<TaskVariant> all = {
      {"git", "branch-commit", "python", branch_commit},
      {"git", "revert-bad-commit", "python", revert_bad_commit},
      {"git", "merge-conflict", "python", merge_conflict},
      {"git", "bisect", "python", bisect},
      {"build", "makefile-renamed-source", "cpp", makefile_renamed_source},
      {"build", "cmake-missing-source", "cpp", cmake_missing_source},
      {"build", "npm-test-script", "javascript", npm_test_script},
      {"packages", "npm-file-dependency", "javascript", npm_file_dependency},
      {"packages", "cargo-path-dependency", "rust", cargo_path_dependency},
      {"packages", "go-replace", "go", go_replace},
      {"debugging", "python-traceback", "python", python_traceback},
      {"debugging", "cpp-segfault", "cpp", cpp_segfault},
      {"debugging", "rust-panic", "rust", rust_panic},
      {"debugging", "java-exception", "java", java_exception},
      {"debugging", "javascript-wrong-total", "javascript", javascript_wrong_total},
      {"shell", "rename-files", "shell", rename_files},
      {"shell", "replace-in-tree", "shell", replace_in_tree},
      {"shell", "extract-from-logs", "shell", extract_from_logs},
      {"multifile", "python-shared-function", "python", python_shared_function},
      {"multifile", "javascript-rename-api", "javascript", javascript_rename_api},
      {"multifile", "cpp-rename-api", "cpp", cpp_rename_api}};
  return all;
}

std::vector<Task> generate_tasks(uint64_t seed, int per_variant, const std::vector<std::string>& families) {
  HRM_CHECK(per_variant > 0, "tasks per variant must be positive");
  std::vector<Task> tasks;
  for (size_t v = 0; v < task_variants().size(); ++v) {
    const auto& variant = task_variants()[v];
    if (!families.empty() && std::find(families.begin(), families.end(), variant.family) == families.end()) continue;
    for (int n = 0; n < per_variant; ++n) {
      std::seed_seq seq{seed, static_cast<uint64_t>(v), static_cast<uint64_t>(n)};
      std::mt19937_64 rng(seq);
      Task t = variant.make(rng);
      t.id = variant.family + "/" + variant.name + "-" + std::to_string(n + 1);
      t.family = variant.family;
      t.language = variant.language;
      if (t.tools.empty()) t.tools = families::all_tools();
      tasks.push_back(std::move(t));
    }
  }
  return tasks;
}

}  // namespace hrm::agent
