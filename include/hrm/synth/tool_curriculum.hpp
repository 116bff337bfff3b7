// `hrm-data synth --stages 3,4`: the tool-use curriculum ([15]). Training tasks are drawn from the task
// families of the tools suite (`hrm-data tools`, src/agent/gen_*.cpp) with a seed other than the held-out
// suite's: stage 3 is the multifile family (small projects with modules and tests, a change that needs
// more than one file), stage 4 the workflows (git, build, packages, debugging, shell). Whole families can
// be held out of training; their tasks of the held-out suite are written as a separate evaluation split.
//
// Every trajectory is recorded by running it: the oracle policy replays the task's reference steps in
// the sandbox through the agent runtime (run_episode), so every tool result in a row is a real output,
// and the task's verifier decides whether the row is written. Besides the reference, a task gives one
// error-recovery trajectory (recovery_task): the check the reference runs after its fix, run before
// it (a failing command and its real output), or an edit whose SEARCH text is not in the file (a real
// tool error), then the steps that fix it. A recovery row is kept only if that step really failed.
//
// Output folder (docs/data.md, "Tool-use curriculum"):
//   sft/train.jsonl              multi-turn SFT rows (tool_sft_row), the reference and recovery ones
//   tasks/train.jsonl            the training tasks whose reference passed (a suite: GSPO episodes)
//   eval/test_instance.jsonl     held-out suite tasks of the training families
//   eval/test_family.jsonl       held-out suite tasks of the held-out families
//   stats.json                   counts per stage, family and language; seconds
//
// Exports: ToolCurriculumOptions, run_tool_curriculum(), format_tool_curriculum_stats(), tool_stage(),
// recovery_task(), tool_sft_row().
#pragma once
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hrm/agent/episode.hpp"
#include "hrm/agent/task.hpp"

namespace hrm::synth {

struct ToolCurriculumOptions {
  std::filesystem::path out_dir;  // must be empty or absent
  uint64_t seed = 1;              // must differ from the held-out suite's
  int per_variant = 4;            // tasks drawn per variant of each training family
  std::vector<int> stages = {3, 4};
  std::vector<std::string> families;                      // only these (empty: every family of `stages`)
  std::vector<std::string> holdout_families = {"shell"};  // never trained on; evaluated apart
  std::filesystem::path heldout_suite = "data/tools/suite.jsonl";
  uint64_t heldout_seed = 9001;  // the held-out suite's seed (refused as `seed`)
  bool recovery = true;          // one error-recovery trajectory per task
  int jobs = 0;                  // episodes in parallel (0: all cores)
  double bash_timeout_seconds = 60;
  std::filesystem::path cache_dir;  // shared build caches (default: <out>/cache, removed at the end)
};

// Draws, records, verifies and writes everything; returns the statistics (also <out>/stats.json).
// Throws hrm::Error for bad options, a missing held-out suite, an output folder that is not empty, or a
// task whose setup fails (a broken generator).
nlohmann::json run_tool_curriculum(const ToolCurriculumOptions& options);
std::string format_tool_curriculum_stats(const nlohmann::json& stats);

// 3 for multifile, 4 for git, build, packages, debugging and shell; throws hrm::Error otherwise.
int tool_stage(const std::string& family);

// `task` with an error-recovery prefix and the index of the step that must fail, or nullopt when the
// reference has no step to build one from. `prefer_edit` picks the bad-edit kind first.
struct RecoveryTask {
  agent::Task task;
  size_t failing_step = 0;  // index in task.reference (one call per turn)
  std::string kind;         // "failing-check" or "bad-edit"
};
std::optional<RecoveryTask> recovery_task(const agent::Task& task, bool prefer_edit);

// The SFT row of a recorded episode: {"messages": OpenAI messages whose system message is the one the
// hrm: backend builds at evaluation time (render_tools_system_prompt), "tools", "task", "family",
// "language", "stage", "trajectory"}. Loss is taken on the assistant turns (their text and tool-call
// JSON); system, user and tool messages are context.
nlohmann::json tool_sft_row(const agent::EpisodeResult& episode, int stage, const std::string& trajectory);

}  // namespace hrm::synth
