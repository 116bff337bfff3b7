// A tool-use task: what the model is asked, the workspace it starts from, what it may use, how the
// result is checked, and a reference trajectory that solves it (replayed by the oracle).
//
// A suite is a JSONL file, one task per line (docs/tools.md, "Task format"):
//   {"id": "git/revert-bad-commit-3", "family": "git", "language": "python", "instruction": "...",
//    "files": {"calc.py": "..."}, "setup": "git init -q -b main && ...", "verify": "python3 test_calc.py",
//    "tools": ["bash", ...], "max_turns": 20, "time_limit_seconds": 600,
//    "reference": [{"name": "bash", "arguments": {"command": "..."}}, ...]}
//
// Exports: ReferenceCall, Task, task_to_json(), task_from_json(), load_suite(), write_suite().
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hrm::agent {

struct ReferenceCall {
  std::string name;
  nlohmann::json arguments = nlohmann::json::object();
};

struct Task {
  std::string id;        // "<family>/<variant>-<n>", unique in its suite
  std::string family;    // git, build, packages, debugging, shell, multifile
  std::string language;  // cpp, go, java, javascript, python, rust, or shell
  std::string instruction;
  std::map<std::string, std::string> files;  // relative path -> contents, written before setup
  std::string setup;                         // sh script run in the sandbox after the files ("" none)
  std::string verify;                        // sh script run on the final workspace: exit 0 = pass
  std::vector<std::string> tools;            // the tools offered (tools.hpp names)
  int max_turns = 20;
  double time_limit_seconds = 600;
  std::vector<ReferenceCall> reference;  // ends with a submit call
};

nlohmann::json task_to_json(const Task& task);
// Unknown keys and missing or mistyped fields throw hrm::Error prefixed with `where` ("suite.jsonl:4").
Task task_from_json(const nlohmann::json& json, const std::string& where);
// Every task of a suite file; duplicate ids are an error.
std::vector<Task> load_suite(const std::string& path);
void write_suite(const std::string& path, const std::vector<Task>& tasks);

}  // namespace hrm::agent
