// The pieces of a tool-use trajectory: which stage a family is, the error-recovery variant of a task's
// reference, and the SFT row of a recorded episode.
#include "hrm/synth/tool_curriculum.hpp"

#include <algorithm>

#include "hrm/tokenizer/tool_call.hpp"
#include "hrm/util/error.hpp"

namespace hrm::synth {

using json = nlohmann::json;
using agent::ReferenceCall;

int tool_stage(const std::string& family) {
  if (family == "multifile") return 3;
  for (const char* f : {"git", "build", "packages", "debugging", "shell"}) {
    if (family == f) return 4;
  }
  throw Error("the tools family '" + family + "' has no curriculum stage",
              "stage 3: multifile; stage 4: git, build, packages, debugging, shell");
}

namespace {

bool changes_files(const ReferenceCall& c) { return c.name == "edit_file" || c.name == "write_file"; }

// The check run before the fix: the last bash step after the first file change (the reference's own
// test run), inserted before that change. Its output is the failing test the fix then answers.
std::optional<RecoveryTask> with_failing_check(const agent::Task& task) {
  const auto& ref = task.reference;
  const auto first_change = std::find_if(ref.begin(), ref.end(), changes_files);
  if (first_change == ref.end()) return std::nullopt;
  const auto check = std::find_if(ref.rbegin(), std::make_reverse_iterator(first_change),
                                  [](const ReferenceCall& c) { return c.name == "bash"; });
  if (check == std::make_reverse_iterator(first_change)) return std::nullopt;
  RecoveryTask r{task, static_cast<size_t>(first_change - ref.begin()), "failing-check"};
  r.task.reference.insert(r.task.reference.begin() + static_cast<long>(r.failing_step), *check);
  return r;
}

// An edit that assumes the fix is already there (its SEARCH text is the replacement, not in the file):
// the tool's error, then reading the file, then the reference's edit.
std::optional<RecoveryTask> with_bad_edit(const agent::Task& task) {
  const auto& ref = task.reference;
  const auto edit = std::find_if(ref.begin(), ref.end(), [](const ReferenceCall& c) {
    return c.name == "edit_file" && c.arguments.value("replace", "") != c.arguments.value("search", "") &&
           !c.arguments.value("replace", "").empty();
  });
  if (edit == ref.end()) return std::nullopt;
  const std::string path = edit->arguments.at("path");
  const std::string replace = edit->arguments.at("replace");
  RecoveryTask r{task, static_cast<size_t>(edit - ref.begin()), "bad-edit"};
  const ReferenceCall wrong{"edit_file", {{"path", path}, {"search", replace}, {"replace", replace + replace}}};
  const ReferenceCall look{"read_file", {{"path", path}}};
  r.task.reference.insert(r.task.reference.begin() + static_cast<long>(r.failing_step), {wrong, look});
  return r;
}

}  // namespace

std::optional<RecoveryTask> recovery_task(const agent::Task& task, bool prefer_edit) {
  auto first = prefer_edit ? with_bad_edit(task) : with_failing_check(task);
  if (first) return first;
  return prefer_edit ? with_failing_check(task) : with_bad_edit(task);
}

json tool_sft_row(const agent::EpisodeResult& episode, int stage, const std::string& trajectory) {
  HRM_CHECK(episode.messages.size() >= 2 && episode.messages[0].role == "system",
            "episode " + episode.task + " does not start with a system message");
  json messages = json::array();
  // The system prompt the hrm: backend sends (hrm_backend.cpp, generate_turn): the tools described,
  // after the episode's own system text. Training and evaluation prompts must be identical.
  ChatMessage system{"system", render_tools_system_prompt(episode.tools, episode.messages[0].content)};
  messages.push_back(to_openai_json(system));
  for (size_t i = 1; i < episode.messages.size(); ++i) messages.push_back(to_openai_json(episode.messages[i]));
  return {{"messages", messages},     {"tools", episode.tools},       {"task", episode.task},
          {"family", episode.family}, {"language", episode.language}, {"stage", stage},
          {"trajectory", trajectory}};
}

}  // namespace hrm::synth
