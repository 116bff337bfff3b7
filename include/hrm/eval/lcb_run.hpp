// `hrm-eval --bench livecodebench`: one call runs a LiveCodeBench scenario end to end — load the
// problems, get n samples per problem from a model backend (or LiveCodeBench's custom-output file),
// judge them in the sandbox, score pass@k and write LiveCodeBench-shaped reports.
//
// Scenarios: codegeneration (default), selfrepair (from a previous code-generation eval_all.json),
// testoutputprediction, codeexecution. Outputs in `out_dir`:
//   eval_all.json  one object per problem, LiveCodeBench's shape (question fields, output_list,
//                  code_list, graded_list, pass@1, metadata = one JSON text per sample) plus hrm's
//                  `results` (per-test codes per sample) and `contaminated` when a cutoff is known
//   eval.json      [metrics, results, metadata] as lcb_runner writes it
//   summary.json   pass@k overall / by difficulty / platform / month, verdict counts, timing
//   progress.jsonl one finished problem per line (what --resume continues from)
//
// Exports: RunOptions, RunReport, run_livecodebench(), format_summary_table(), CustomOutputs,
// load_custom_outputs().
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hrm/eval/lcb_data.hpp"
#include "hrm/eval/lcb_judge.hpp"

namespace hrm::eval::lcb {

struct RunOptions {
  std::string scenario = "codegeneration";  // codegeneration | selfrepair | testoutputprediction | codeexecution
  std::filesystem::path data;               // test*.jsonl file or directory (scenario rows for the others)
  std::string release = "v6";
  ProblemFilter filter;
  std::string train_cutoff;                // "YYYY-MM-DD": problems dated before it are flagged as contaminated
  std::string model;                       // backend spec: predictions:<file>, openai:<url>/<model>, ...
  int n = 10;                              // samples per problem
  double temperature = 0.2, top_p = 0.95;  // LiveCodeBench's defaults
  int max_tokens = 2000;
  std::optional<uint64_t> seed;  // sampling seed passed to the backend (hrm-eval --seed)
  std::vector<int> ks{1, 5};
  JudgeOptions judge;
  int jobs = 0;  // parallel problems (generation + judging); 0 = all cores
  std::filesystem::path out_dir;
  bool resume = false;
  bool progress = true;                   // progress bar on stderr
  std::filesystem::path codegen_results;  // selfrepair: the code-generation eval_all.json to repair
  bool cot = false;                       // codeexecution: chain-of-thought prompt
};

struct RunReport {
  nlohmann::json summary;  // what summary.json holds
  std::string table;       // format_summary_table(summary)
};

RunReport run_livecodebench(const RunOptions& options);
std::string format_summary_table(const nlohmann::json& summary);

// LiveCodeBench's custom-output file (`--custom_output_file`): a JSON list of
// {"question_id", "code_list": [...]} (code generation, self-repair), {"question_id", "test_id",
// "pred_list"} (test output prediction) or {"id", "pred_list"} (code execution) — already extracted
// answers — or a list of lists aligned with the sorted problems.
struct CustomOutputs {
  std::map<std::string, std::vector<std::string>> by_key;  // key: question_id, "question_id/test_id" or id
  std::vector<std::vector<std::string>> aligned;           // the list-of-lists form
};
// nullopt when `spec` is not predictions:<file> or the file is not a JSON list (then the backend
// registry's predictions:<file.jsonl> replay applies).
std::optional<CustomOutputs> load_custom_outputs(const std::string& spec, const std::string& scenario);

}  // namespace hrm::eval::lcb
