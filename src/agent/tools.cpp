// The tools: argument checking, the file tools, and bash through run_shell().
#include "hrm/agent/tools.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <sstream>

#include "hrm/agent/shell.hpp"
#include "hrm/agent/workspace.hpp"
#include "hrm/eval/edit_format.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::agent {

namespace fs = std::filesystem;
using json = nlohmann::json;

const std::vector<std::string> kToolNames = {"bash", "read_file", "write_file", "edit_file", "list_files", "submit"};

namespace {

json schema(const std::string& name, const std::string& description, json properties,
            std::vector<std::string> required) {
  return {{"type", "function"},
          {"function",
           {{"name", name},
            {"description", description},
            {"parameters", {{"type", "object"}, {"properties", std::move(properties)}, {"required", required}}}}}};
}

json str(const std::string& description) { return {{"type", "string"}, {"description", description}}; }
json integer(const std::string& description) { return {{"type", "integer"}, {"description", description}}; }

const json& schema_of(const std::string& name) {
  static const std::map<std::string, json> schemas = {
      {"bash", schema("bash",
                      "Run a shell command (/bin/sh) in the workspace and return its exit code and output. No "
                      "network. git, make, cmake, gcc/g++, python3, node/npm, go, cargo/rustc and javac/java "
                      "are available. Each call is a fresh shell: state lives in the files.",
                      {{"command", str("the command, e.g. `make test` or `git log --oneline`")}}, {"command"})},
      {"read_file", schema("read_file", "Read a file of the workspace, whole or the lines start_line..end_line.",
                           {{"path", str("relative to the workspace root")},
                            {"start_line", integer("first line to show, 1-based (optional)")},
                            {"end_line", integer("last line to show, inclusive (optional)")}},
                           {"path"})},
      {"write_file", schema("write_file", "Create or replace a file of the workspace (folders are created).",
                            {{"path", str("relative to the workspace root")}, {"content", str("the whole new file")}},
                            {"path", "content"})},
      {"edit_file",
       schema("edit_file",
              "Replace `search` in a file by `replace`: a text found exactly once is replaced where it is; "
              "otherwise `search` must match whole existing lines (indentation may differ by a uniform offset).",
              {{"path", str("relative to the workspace root")},
               {"search", str("the existing lines to replace")},
               {"replace", str("the new lines")}},
              {"path", "search", "replace"})},
      {"list_files", schema("list_files", "List the files under a folder of the workspace (recursively, without .git).",
                            {{"path", str("a folder relative to the workspace root (default: the root)")}}, {})},
      {"submit", schema("submit", "Finish the task. The workspace as it is now is checked.",
                        {{"summary", str("one line on what was done (optional)")}}, {})},
  };
  const auto it = schemas.find(name);
  if (it == schemas.end()) {
    throw Error("unknown tool '" + name + "'", "tools are bash, read_file, write_file, edit_file, list_files, submit");
  }
  return it->second;
}

// The arguments of a call, checked against the tool's schema: an object, every required key present,
// no unknown key, each value of its declared type. Throws hrm::Error naming the first problem.
json checked_arguments(const ToolCall& call) {
  json args;
  try {
    args = json::parse(call.arguments.empty() ? "{}" : call.arguments);
  } catch (const std::exception& e) {
    throw Error("the arguments of " + call.name + " are not valid JSON: " + e.what());
  }
  if (!args.is_object()) throw Error("the arguments of " + call.name + " must be a JSON object");
  const json& params = schema_of(call.name)["function"]["parameters"];
  for (const auto& key : params["required"]) {
    if (!args.contains(key.get<std::string>())) {
      throw Error(call.name + ": missing argument '" + key.get<std::string>() + "'");
    }
  }
  for (const auto& item : args.items()) {
    const auto prop = params["properties"].find(item.key());
    if (prop == params["properties"].end()) throw Error(call.name + ": unknown argument '" + item.key() + "'");
    const std::string type = (*prop)["type"];
    const bool ok = type == "string" ? item.value().is_string() : item.value().is_number_integer();
    if (!ok)
      throw Error(call.name + ": argument '" + item.key() + "' must be " +
                  (type == "string" ? "a string" : "an integer"));
  }
  return args;
}

std::string read_lines(const fs::path& file, const json& args) {
  const std::string text = read_file(file);
  if (!args.contains("start_line") && !args.contains("end_line")) return text.empty() ? "[empty file]\n" : text;
  const int64_t start = args.value("start_line", int64_t{1});
  const int64_t end = args.value("end_line", int64_t{1} << 40);
  if (start < 1 || end < start)
    throw Error("read_file: the line range " + std::to_string(start) + ".." + std::to_string(end) +
                " is empty or invalid");
  std::istringstream in(text);
  std::string line, out;
  for (int64_t n = 1; std::getline(in, line) && n <= end; ++n) {
    if (n >= start) out += line + "\n";
  }
  return out.empty() ? "[no lines in that range]\n" : out;
}

std::string edit(const fs::path& file, const json& args) {
  const std::string search = args["search"], replace = args["replace"];
  if (search.empty()) throw Error("edit_file: 'search' is empty", "use write_file to create or replace a whole file");
  const std::string before = read_file(file);
  // A text found exactly once is replaced where it is (part of a line too); otherwise the Polyglot
  // matcher works on whole lines (exact, uniform indentation offset, `...` elision).
  std::optional<std::string> after;
  const size_t at = before.find(search);
  if (at != std::string::npos && before.find(search, at + 1) == std::string::npos) {
    after = before.substr(0, at) + replace + before.substr(at + search.size());
  } else {
    after = eval::replace_most_similar_chunk(before, search, replace);
  }
  if (!after) {
    throw Error("edit_file: the search text was not found in " + args["path"].get<std::string>(),
                "read the file and copy the lines to replace exactly");
  }
  write_file_atomic(file, *after);
  return "edited " + args["path"].get<std::string>() + "\n";
}

ToolResult run_bash(const fs::path& workspace, const json& args, const ToolOptions& options) {
  const auto result = run_shell(workspace, args["command"].get<std::string>(), options, options.bash_timeout_seconds);
  ToolResult r;
  r.verdict = sandbox::verdict_name(result.verdict);
  r.exit_code = result.verdict == sandbox::Verdict::kExited ? result.exit_code : -1;
  std::string head;
  switch (result.verdict) {
    case sandbox::Verdict::kExited:
      head = "exit code: " + std::to_string(result.exit_code) + "\n";
      break;
    case sandbox::Verdict::kWallTimeout:
    case sandbox::Verdict::kCpuTimeout:
      head = "error: the command timed out after " + std::to_string(static_cast<int>(options.bash_timeout_seconds)) +
             " s; every process it started was killed\n";
      break;
    case sandbox::Verdict::kOutputLimit:
      head = "error: the command printed more than 1 MiB and was killed; redirect long output to a file\n";
      break;
    case sandbox::Verdict::kMemoryLimit:
      head = "error: the command ran out of memory and was killed\n";
      break;
    case sandbox::Verdict::kSignaled:
      head = "killed by signal " + std::to_string(result.signal) + "\n";
      break;
    case sandbox::Verdict::kSandboxError:
      // Not the model's fault: stop the run (a std::runtime_error passes execute_tool's catch of hrm::Error).
      throw std::runtime_error("the sandbox failed to run a bash call: " + result.error + " (run `hrm doctor`)");
  }
  const std::string output = result.stdout_data + result.stderr_data;
  r.content = head + (output.empty() ? "[no output]\n" : output);
  return r;
}

ToolResult dispatch(const ToolCall& call, const std::vector<std::string>& allowed, const fs::path& workspace,
                    const ToolOptions& options) {
  if (std::find(allowed.begin(), allowed.end(), call.name) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw Error("unknown tool '" + call.name + "'", "the tools of this task are " + list);
  }
  const json args = checked_arguments(call);
  ToolResult r;
  if (call.name == "bash") return run_bash(workspace, args, options);
  if (call.name == "submit") {
    r.submitted = true;
    r.content = "submitted\n";
    return r;
  }
  const std::string rel = args.value("path", ".");
  const fs::path target = rel == "." ? fs::canonical(workspace) : resolve_in_workspace(workspace, rel);
  if (call.name == "list_files") {
    HRM_CHECK(fs::is_directory(target), "list_files: '" + rel + "' is not a folder");
    r.content = list_workspace(workspace, target, options.max_list_entries);
  } else if (call.name == "write_file") {
    HRM_CHECK(!fs::is_directory(target), "write_file: '" + rel + "' is a folder");
    fs::create_directories(target.parent_path());
    write_file_atomic(target, args["content"].get<std::string>());
    r.content = "wrote " + rel + " (" + std::to_string(args["content"].get<std::string>().size()) + " bytes)\n";
  } else {
    HRM_CHECK(fs::is_regular_file(target), call.name + ": '" + rel + "' is not a file");
    r.content = call.name == "read_file" ? read_lines(target, args) : edit(target, args);
  }
  return r;
}

}  // namespace

json tool_schemas(const std::vector<std::string>& names) {
  json out = json::array();
  for (const auto& n : names) out.push_back(schema_of(n));
  return out;
}

ToolResult execute_tool(const ToolCall& call, const std::vector<std::string>& allowed, const fs::path& workspace,
                        const ToolOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  ToolResult r;
  try {
    r = dispatch(call, allowed, workspace, options);
  } catch (const Error& e) {
    r = ToolResult{};
    r.error = true;
    r.content = "error: " + e.describe() + "\n";
  } catch (const fs::filesystem_error& e) {
    r = ToolResult{};
    r.error = true;
    r.content = "error: " + call.name + ": " + e.code().message() + "\n";
  }
  r.content = truncate_middle(r.content, options.max_result_bytes);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

std::string truncate_middle(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  const size_t head = max_bytes / 2, tail = max_bytes - head;
  return text.substr(0, head) + "\n[... " + std::to_string(text.size() - head - tail) + " bytes omitted ...]\n" +
         text.substr(text.size() - tail);
}

}  // namespace hrm::agent
