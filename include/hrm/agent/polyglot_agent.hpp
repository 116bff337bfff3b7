// `hrm-eval --bench polyglot --agent`: every Polyglot exercise as an agent episode. The model works in a
// copy of the exercise (stubs and tests) through the tools, may run the tests itself as often as its turn
// budget allows, and the exercise's real test run (eval::run_exercise_tests, the standard runner's) on the
// final workspace decides.
//
// Pass rate by turn budget: one episode per exercise runs to the largest budget, and the workspace is
// tested as it stood after each smaller budget's last turn. The model is not told its budget, so the
// first B turns of that episode are the episode a budget of B would have run, and the test run of the
// workspace after turn B is its verdict (docs/polyglot.md, "Agent mode").
//
// Output folder:
//   exercises/<lang>/<slug>.json   the episode record (episode_to_json) plus the verdict per budget
//   transcripts.jsonl              every episode, sorted by exercise (replay:<this file> replays them)
//   summary.json                   pass rate per budget, overall and per language, and episode statistics
//
// Exports: PolyglotAgentOptions, PolyglotAgentReport, polyglot_task(), run_polyglot_agent(),
// format_polyglot_agent_summary().
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/agent/task.hpp"
#include "hrm/eval/polyglot.hpp"
#include "hrm/eval/polyglot_exercise.hpp"
#include "hrm/eval/polyglot_languages.hpp"

namespace hrm::agent {

struct PolyglotAgentOptions {
  // The standard run's data, selection, jobs, out_dir, resume, caches, keep_work, progress, sampling and
  // command; its timeout_seconds limits each test run, the verifier's and the model's own (bash). Its
  // tries and edit_format do not apply.
  eval::PolyglotOptions run;
  std::string model = "oracle";              // make_agent_model() spec
  std::vector<int> budgets = {2, 4, 8, 16};  // turn budgets to report; the episodes run the largest
};

struct PolyglotAgentReport {
  nlohmann::json summary;
  std::string table;  // format_polyglot_agent_summary(summary)
};

// The exercise as a task: id "<lang>/<slug>", the Polyglot prompt (instructions and Aider's addendum) plus
// where the tests are and the command that runs them (`test_command`), all six tools, `max_turns`. With
// `with_reference`, the oracle's trajectory: write the reference solution, run the tests, submit. The
// workspace's files are not in the task: run_polyglot_agent copies the exercise in.
Task polyglot_task(const eval::Exercise& exercise, const std::string& test_command, int max_turns, bool with_reference);

// The test command of the exercise's language as the model can type it in bash (the runner's recipe).
std::string polyglot_test_command(const eval::Exercise& exercise, const eval::Toolchains& tools,
                                  double timeout_seconds);

// Throws hrm::Error for what stops the run (no exercises, results in out_dir without --resume or from
// another model or budgets, a broken sandbox, an unreachable model); a failed exercise is a result.
PolyglotAgentReport run_polyglot_agent(const PolyglotAgentOptions& options);

std::string format_polyglot_agent_summary(const nlohmann::json& summary);

}  // namespace hrm::agent
