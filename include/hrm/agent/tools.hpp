// The agent's tools: what the model is offered (OpenAI function schemas) and how each call runs.
//
//   bash        {command}                      a shell command in the workspace, in the sandbox
//   read_file   {path, start_line?, end_line?} a file, or the lines start..end (1-based, inclusive)
//   write_file  {path, content}                creates or replaces a file (and its folders)
//   edit_file   {path, search, replace}        replaces `search` (found by the Polyglot diff matcher)
//   list_files  {path?}                        the files under a folder (default: the workspace)
//   submit      {summary?}                     ends the episode; the verifier then runs
//
// A call that cannot run (bad JSON, unknown tool, missing or mistyped argument, path outside the
// workspace, SEARCH text not found) returns an error result naming the problem; nothing here throws for
// what the model sends. Results longer than the budget keep their head and tail around a marker.
//
// Exports: kToolNames, tool_schemas(), ToolOptions, ToolResult, execute_tool(), truncate_middle().
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/util/chat_message.hpp"

namespace hrm::agent {

extern const std::vector<std::string> kToolNames;  // bash, read_file, write_file, edit_file, list_files, submit

// The schemas of `names`, in that order. Throws hrm::Error on an unknown name (a task file's typo).
nlohmann::json tool_schemas(const std::vector<std::string>& names);

struct ToolOptions {
  double bash_timeout_seconds = 60;  // wall limit of one bash call (CPU: 2x)
  size_t max_result_bytes = 16000;   // about 4000 tokens
  int max_list_entries = 400;
  std::map<std::string, std::string> env;             // the complete environment of bash (shell_env.hpp)
  std::vector<std::filesystem::path> extra_writable;  // shared build caches, if any
  std::vector<std::filesystem::path> extra_readable;
};

struct ToolResult {
  std::string content;     // what the model reads (already truncated)
  bool error = false;      // the call was malformed or refused and did not run
  int exit_code = -1;      // bash: the command's exit code (-1 when killed or not bash)
  std::string verdict;     // bash: the sandbox verdict ("exited", "wall_timeout", ...)
  double seconds = 0;      // wall time of the call
  bool submitted = false;  // a valid submit call
};

// Runs `call` if its name is in `allowed`.
ToolResult execute_tool(const ToolCall& call, const std::vector<std::string>& allowed,
                        const std::filesystem::path& workspace, const ToolOptions& options);

// `text` when it fits in `max_bytes`; else its head and tail with "[... N bytes omitted ...]" between.
std::string truncate_middle(const std::string& text, size_t max_bytes);

}  // namespace hrm::agent
