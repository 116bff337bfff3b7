// One episode: a task's workspace is built (files, then the setup script in the sandbox), the model and
// the tools take turns until the model submits, stops calling tools, or a budget (turns, time) ends;
// then the verifier runs on the final workspace and decides pass/fail. The transcript is the OpenAI
// messages of the episode plus a record per tool call (timing, exit code).
//
// A caller with its own way to build or check the workspace (hrm-eval --bench polyglot --agent: the
// exercise's files, the Polyglot test runner) passes EpisodeHooks.
//
// Exports: EpisodeOptions, Verification, EpisodeHooks, CallRecord, EpisodeResult, run_episode(),
// prepare_workspace(), episode_to_json(), episode_from_json().
#pragma once
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/agent/model.hpp"
#include "hrm/agent/task.hpp"
#include "hrm/agent/tools.hpp"

namespace hrm::agent {

struct EpisodeOptions {
  ToolOptions tools;
  int max_turns = 0;  // 0: the task's own budget
  double verify_timeout_seconds = 300;
  std::filesystem::path work_root;  // the workspace is <work_root>/<task id>
  bool keep_workspace = false;
};

struct Verification {
  bool passed = false;
  int exit_code = -1;  // -1 when the check did not exit on its own (killed, timed out)
  std::string output;  // what it printed (truncated when recorded)
};

struct EpisodeHooks {
  // After the task's files and setup, before the first turn.
  std::function<void(const std::filesystem::path& workspace)> after_setup;
  // After every turn that does not end the episode (`turns_done` counts from 1).
  std::function<void(int turns_done, const std::filesystem::path& workspace)> after_turn;
  // Replaces the task's `verify` script.
  std::function<Verification(const std::filesystem::path& workspace)> verify;
};

struct CallRecord {
  std::string id, name;
  int turn = 0;
  double seconds = 0;
  int exit_code = -1;   // bash only
  std::string verdict;  // bash only
  bool error = false;   // malformed or refused
};

struct EpisodeResult {
  std::string task, family, language, model;
  bool passed = false;
  std::string stop_reason;  // submitted, no_tool_calls, max_turns, time_limit
  int turns = 0, tool_calls = 0, invalid_calls = 0;
  int64_t prompt_tokens = 0, completion_tokens = 0;  // sums of what the backend reported
  bool tokens_reported = false;
  double seconds = 0, model_seconds = 0, tool_seconds = 0, verify_seconds = 0;
  int verify_exit_code = -1;
  std::string verify_output;  // truncated
  nlohmann::json tools;       // the schemas offered
  std::vector<ChatMessage> messages;
  std::vector<CallRecord> calls;
};

// Creates <work_root>/<id> (the id's '/' make folders; '.' and '..' components are refused) from the task's files and
// runs its setup. Throws hrm::Error when the setup fails (a broken task, not the model's doing).
std::filesystem::path prepare_workspace(const Task& task, const EpisodeOptions& options);

EpisodeResult run_episode(const Task& task, AgentModel& model, const EpisodeOptions& options,
                          const EpisodeHooks& hooks = {});

// One transcript line: {"task", "family", "language", "model", "passed", ..., "tools", "messages", "calls"}.
nlohmann::json episode_to_json(const EpisodeResult& result);
EpisodeResult episode_from_json(const nlohmann::json& json, const std::string& where);

}  // namespace hrm::agent
