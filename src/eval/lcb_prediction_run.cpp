// The test-output-prediction and code-execution scenarios (see lcb_scenario_runs.hpp): every answer is
// generated first, then all are graded together by the sandboxed checker (lcb_scenarios.hpp).
#include "lcb_scenario_runs.hpp"

#include <algorithm>
#include <chrono>

#include "hrm/eval/lcb_prompts.hpp"
#include "hrm/eval/lcb_scenarios.hpp"
#include "hrm/eval/lcb_score.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/parallel.hpp"
#include "hrm/util/progress.hpp"
#include "lcb_generator.hpp"
#include "lcb_report.hpp"
#include "lcb_results_io.hpp"

namespace hrm::eval::lcb::detail {
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

template <typename P>
std::vector<std::vector<std::string>> answers_for(const RunOptions& o, const std::vector<P>& problems,
                                                  const std::optional<CustomOutputs>& custom, ModelBackend* backend,
                                                  std::vector<std::vector<std::string>>& outputs,
                                                  std::string (*key)(const P&),
                                                  std::vector<ChatMessage> (*prompt)(const P&, bool),
                                                  std::string (*extract)(const std::string&, bool)) {
  std::vector<std::vector<std::string>> preds(problems.size());
  outputs.assign(problems.size(), {});
  if (custom) {
    for (size_t i = 0; i < problems.size(); ++i) {
      if (!custom->aligned.empty()) {
        if (custom->aligned.size() != problems.size())
          throw Error("the custom-output file does not match the problems");
        preds[i] = custom->aligned[i];
      } else {
        const auto it = custom->by_key.find(key(problems[i]));
        if (it == custom->by_key.end()) throw Error("the custom-output file has no pred_list for " + key(problems[i]));
        preds[i] = it->second;
      }
      outputs[i] = preds[i];
    }
    return preds;
  }
  Generator gen(backend, o);
  Progress progress("livecodebench", problems.size(), "problems",
                    o.progress ? ProgressMode::kAuto : ProgressMode::kSilent);
  parallel_for(o.jobs, problems.size(), [&](size_t i) {
    outputs[i] = gen.generate(key(problems[i]), 1, 0, prompt(problems[i], o.cot), o.n);
    for (const auto& r : outputs[i]) preds[i].push_back(extract(r, o.cot));
    progress.advance();
  });
  return preds;
}

std::string test_output_key(const TestOutputProblem& p) { return p.question_id + "/" + std::to_string(p.test_id); }
std::string execution_key(const ExecutionProblem& p) { return p.id; }
std::vector<ChatMessage> test_output_prompt(const TestOutputProblem& p, bool) {
  return test_output_messages(p.question_content, p.starter_code, p.function_name, p.test[0].input);
}
std::vector<ChatMessage> execution_prompt(const ExecutionProblem& p, bool cot) {
  return execution_messages(p.code, p.input, cot);
}
std::string extract_test_output_any(const std::string& reply, bool) { return extract_test_output(reply); }

}  // namespace

RunReport run_prediction_scenario(const RunOptions& o, std::unique_ptr<ModelBackend> backend,
                                  const std::optional<CustomOutputs>& custom) {
  const auto t0 = Clock::now();
  const bool execution = o.scenario == "codeexecution";
  CheckOptions check;
  check.python = o.judge.python;
  check.work_root = o.judge.work_root;
  check.jobs = resolve_jobs(o.jobs);
  std::vector<json> entries;
  std::vector<ProblemOutcome> outcomes;
  std::vector<std::vector<std::string>> outputs, preds;
  std::vector<std::vector<bool>> graded;
  if (execution) {
    auto problems = load_execution_problems(o.data);
    preds = answers_for<ExecutionProblem>(o, problems, custom, backend.get(), outputs, execution_key, execution_prompt,
                                          extract_execution_answer);
    graded = grade_executions(problems, preds, check);
    for (size_t i = 0; i < problems.size(); ++i) {
      const auto& p = problems[i];
      entries.push_back({{"question_id", p.question_id},
                         {"contest_id", p.contest_id},
                         {"contest_date", p.contest_date},
                         {"difficulty", p.difficulty},
                         {"function_name", p.function_name},
                         {"code", p.code},
                         {"input", p.input},
                         {"output", p.output},
                         {"id", p.id},
                         {"problem_id", p.problem_id},
                         {"numsteps", p.numsteps},
                         {"output_list", outputs[i]},
                         {"pred_list", preds[i]}});
      outcomes.push_back({p.id, p.difficulty, "", normalize_timestamp(p.contest_date), 0, 0});
    }
  } else {
    auto problems = load_test_output_problems(o.data);
    preds = answers_for<TestOutputProblem>(o, problems, custom, backend.get(), outputs, test_output_key,
                                           test_output_prompt, extract_test_output_any);
    graded = grade_test_outputs(problems, preds, check);
    for (size_t i = 0; i < problems.size(); ++i) {
      const auto& p = problems[i];
      entries.push_back({{"question_title", p.question_title},
                         {"question_content", p.question_content},
                         {"question_id", p.question_id},
                         {"contest_id", p.contest_id},
                         {"contest_date", p.contest_date},
                         {"difficulty", p.difficulty},
                         {"output_list", outputs[i]},
                         {"pred_list", preds[i]},
                         {"test_id", p.test_id},
                         {"function_name", p.function_name},
                         {"starter_code", p.starter_code}});
      outcomes.push_back({test_output_key(p), p.difficulty, "", normalize_timestamp(p.contest_date), 0, 0});
    }
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    int c = 0;
    for (bool g : graded[i]) c += g;
    entries[i]["graded_list"] = graded[i];
    entries[i]["pass@1"] = graded[i].empty() ? 0.0 : static_cast<double>(c) / graded[i].size();
    outcomes[i].n = static_cast<int>(graded[i].size());
    outcomes[i].correct = c;
  }
  const auto ks = reported_ks(outcomes, o.ks);
  json summary;
  summary["benchmark"] = "livecodebench";
  summary["scenario"] = o.scenario;
  summary["model"] = custom ? "predictions:" + predictions_file(o.model) : (backend ? backend->name() : "");
  summary["data"] = o.data.string();
  summary["problems"] = entries.size();
  size_t samples = 0;
  for (const auto& oc : outcomes) samples += oc.n;
  summary["samples"] = samples;
  summary["ks"] = ks;
  auto groups = score_groups(outcomes, ks);
  groups.erase(std::remove_if(groups.begin(), groups.end(), [](const GroupScore& g) { return g.group == "platform="; }),
               groups.end());
  summary["groups"] = groups_json(groups);
  summary["wall_seconds"] = std::chrono::duration<double>(Clock::now() - t0).count();
  write_reports(o.out_dir, entries, lcb_eval_json(entries, outcomes, ks), summary);
  return {summary, format_summary_table(summary)};
}

}  // namespace hrm::eval::lcb::detail
