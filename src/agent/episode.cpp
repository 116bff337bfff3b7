// The episode loop (model -> tool calls -> results -> model ...), then the verifier.
#include "hrm/agent/episode.hpp"

#include <chrono>

#include "hrm/agent/shell.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::agent {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// <work_root>/<id>: nested like the episode files, so that a Polyglot workspace ends in <lang>/<slug> (the
// C++ exercises' CMakeLists take the exercise name from their folder).
fs::path workspace_path(const fs::path& work_root, const std::string& id) {
  const fs::path rel(id);
  bool safe = !id.empty() && rel.is_relative();
  for (const auto& part : rel) safe = safe && !part.empty() && part != "." && part != "..";
  HRM_CHECK(safe, "task id '" + id + "' cannot name a workspace folder",
            "ids are <family>/<name>, without '.' or '..' components");
  return work_root / rel;
}

const char* const kSystemPrompt =
    "You are an engineer working in a workspace (the current directory of every command) through tools. "
    "Look before you change things, check your work by running it, and call submit when the task is done. "
    "There is no network.";

// Runs the calls of one assistant turn; returns true when one of them was a valid submit.
bool run_calls(const Task& task, const fs::path& workspace, const EpisodeOptions& options, int turn,
               std::vector<ToolCall>& calls, EpisodeResult& r) {
  for (size_t i = 0; i < calls.size(); ++i) {
    auto& call = calls[i];
    if (call.id.empty()) call.id = "call_" + std::to_string(turn + 1) + "_" + std::to_string(i + 1);
  }
  r.messages.back().tool_calls = calls;
  for (const auto& call : calls) {
    const ToolResult res = execute_tool(call, task.tools, workspace, options.tools);
    ChatMessage m{"tool", res.content};
    m.tool_call_id = call.id;
    m.name = call.name;
    r.messages.push_back(std::move(m));
    r.calls.push_back({call.id, call.name, turn, res.seconds, res.exit_code, res.verdict, res.error});
    ++r.tool_calls;
    r.invalid_calls += res.error;
    r.tool_seconds += res.seconds;
    if (res.submitted) return true;
  }
  return false;
}

Verification run_verify_script(const Task& task, const fs::path& workspace, const EpisodeOptions& options) {
  const auto result = run_shell(workspace, task.verify, options.tools, options.verify_timeout_seconds);
  if (result.verdict == sandbox::Verdict::kSandboxError) {
    throw Error(task.id + ": the sandbox failed to run the verifier: " + result.error, "run `hrm doctor`");
  }
  return {result.ok(), result.verdict == sandbox::Verdict::kExited ? result.exit_code : -1,
          std::string(sandbox::verdict_name(result.verdict)) + "\n" + result.stdout_data};
}

void verify(const Task& task, const fs::path& workspace, const EpisodeOptions& options, const EpisodeHooks& hooks,
            EpisodeResult& r) {
  const auto t0 = Clock::now();
  const Verification v = hooks.verify ? hooks.verify(workspace) : run_verify_script(task, workspace, options);
  r.verify_seconds = since(t0);
  r.passed = v.passed;
  r.verify_exit_code = v.exit_code;
  r.verify_output = truncate_middle(v.output, 4000);
}

}  // namespace

fs::path prepare_workspace(const Task& task, const EpisodeOptions& options) {
  const fs::path workspace = workspace_path(options.work_root, task.id);
  fs::remove_all(workspace);
  fs::create_directories(workspace);
  for (const auto& [path, text] : task.files) {
    const fs::path file = workspace / path;
    fs::create_directories(file.parent_path());
    write_file_atomic(file, text);
  }
  if (!task.setup.empty()) {
    const auto result = run_shell(workspace, task.setup, options.tools, 300);
    if (!result.ok()) {
      throw Error(task.id + ": the task's setup failed (" + sandbox::verdict_name(result.verdict) + ", exit code " +
                      std::to_string(result.exit_code) + "): " + result.stdout_data.substr(0, 2000) + result.error,
                  "the task suite is broken: regenerate it with hrm-data tools");
    }
  }
  return workspace;
}

EpisodeResult run_episode(const Task& task, AgentModel& model, const EpisodeOptions& options,
                          const EpisodeHooks& hooks) {
  const auto t0 = Clock::now();
  EpisodeResult r;
  r.task = task.id;
  r.family = task.family;
  r.language = task.language;
  r.model = model.name();
  r.tools = tool_schemas(task.tools);
  const fs::path workspace = prepare_workspace(task, options);
  if (hooks.after_setup) hooks.after_setup(workspace);
  r.messages = {{"system", kSystemPrompt}, {"user", task.instruction}};
  const int max_turns = options.max_turns > 0 ? options.max_turns : task.max_turns;
  r.stop_reason = "max_turns";
  for (int turn = 0; turn < max_turns; ++turn) {
    if (since(t0) > task.time_limit_seconds) {
      r.stop_reason = "time_limit";
      break;
    }
    TurnRequest request{&task, r.messages, r.tools, turn};
    const auto tm = Clock::now();
    eval::AssistantTurn reply = model.next_turn(request);
    r.model_seconds += since(tm);
    ++r.turns;
    if (reply.prompt_tokens >= 0 || reply.completion_tokens >= 0) r.tokens_reported = true;
    r.prompt_tokens += std::max<int64_t>(0, reply.prompt_tokens);
    r.completion_tokens += std::max<int64_t>(0, reply.completion_tokens);
    std::vector<ToolCall> calls = std::move(reply.message.tool_calls);
    r.messages.push_back({"assistant", reply.message.content});
    if (!reply.call_error.empty()) {
      // Calls that did not parse: the parser's message goes back as a tool result, and the episode goes on.
      r.messages.push_back({"tool", "error: " + reply.call_error + "\n"});
      r.calls.push_back({"", "", turn, 0, -1, "", true});
      ++r.tool_calls;
      ++r.invalid_calls;
      if (hooks.after_turn) hooks.after_turn(turn + 1, workspace);
      continue;
    }
    if (calls.empty()) {
      r.stop_reason = "no_tool_calls";
      break;
    }
    if (run_calls(task, workspace, options, turn, calls, r)) {
      r.stop_reason = "submitted";
      break;
    }
    if (hooks.after_turn) hooks.after_turn(turn + 1, workspace);
  }
  verify(task, workspace, options, hooks, r);
  if (!options.keep_workspace) fs::remove_all(workspace);
  r.seconds = since(t0);
  return r;
}

json episode_to_json(const EpisodeResult& r) {
  json messages = json::array();
  for (const auto& m : r.messages) messages.push_back(to_openai_json(m));
  json calls = json::array();
  for (const auto& c : r.calls) {
    calls.push_back({{"id", c.id},
                     {"name", c.name},
                     {"turn", c.turn},
                     {"seconds", c.seconds},
                     {"exit_code", c.exit_code},
                     {"verdict", c.verdict},
                     {"error", c.error}});
  }
  return {{"task", r.task},
          {"family", r.family},
          {"language", r.language},
          {"model", r.model},
          {"passed", r.passed},
          {"stop_reason", r.stop_reason},
          {"turns", r.turns},
          {"tool_calls", r.tool_calls},
          {"invalid_calls", r.invalid_calls},
          {"prompt_tokens", r.prompt_tokens},
          {"completion_tokens", r.completion_tokens},
          {"tokens_reported", r.tokens_reported},
          {"seconds", r.seconds},
          {"model_seconds", r.model_seconds},
          {"tool_seconds", r.tool_seconds},
          {"verify_seconds", r.verify_seconds},
          {"verify_exit_code", r.verify_exit_code},
          {"verify_output", r.verify_output},
          {"tools", r.tools},
          {"messages", messages},
          {"calls", calls}};
}

EpisodeResult episode_from_json(const json& j, const std::string& where) {
  EpisodeResult r;
  try {
    r.task = j.at("task");
    r.family = j.at("family");
    r.language = j.at("language");
    r.model = j.at("model");
    r.passed = j.at("passed");
    r.stop_reason = j.at("stop_reason");
    r.turns = j.at("turns");
    r.tool_calls = j.at("tool_calls");
    r.invalid_calls = j.at("invalid_calls");
    r.prompt_tokens = j.at("prompt_tokens");
    r.completion_tokens = j.at("completion_tokens");
    r.tokens_reported = j.at("tokens_reported");
    r.seconds = j.at("seconds");
    r.model_seconds = j.at("model_seconds");
    r.tool_seconds = j.at("tool_seconds");
    r.verify_seconds = j.at("verify_seconds");
    r.verify_exit_code = j.at("verify_exit_code");
    r.verify_output = j.at("verify_output");
    r.tools = j.at("tools");
    for (const auto& c : j.at("calls")) {
      r.calls.push_back(
          {c.at("id"), c.at("name"), c.at("turn"), c.at("seconds"), c.at("exit_code"), c.at("verdict"), c.at("error")});
    }
  } catch (const json::exception& e) {
    throw Error(where + ": not an episode record: " + e.what(), "delete the file to run the task again");
  }
  for (size_t i = 0; i < j["messages"].size(); ++i) {
    r.messages.push_back(chat_message_from_json(j["messages"][i], where + ": messages[" + std::to_string(i) + "]"));
  }
  return r;
}

}  // namespace hrm::agent
