// run_livecodebench: checks the options, chooses the samples' source (a backend or LiveCodeBench's
// custom outputs) and the contamination cutoff, then runs the scenario's family (lcb_scenario_runs.hpp).
#include "hrm/eval/lcb_run.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "hrm/eval/model_backend.hpp"
#include "hrm/util/error.hpp"
#include "lcb_scenario_runs.hpp"

namespace hrm::eval::lcb {
namespace fs = std::filesystem;

RunReport run_livecodebench(const RunOptions& o) {
  static const std::set<std::string> scenarios{"codegeneration", "selfrepair", "testoutputprediction", "codeexecution"};
  if (!scenarios.count(o.scenario)) {
    throw Error("unknown LiveCodeBench scenario '" + o.scenario + "'",
                "use codegeneration, selfrepair, testoutputprediction or codeexecution");
  }
  if (o.data.empty()) throw Error("--data is required for --bench livecodebench", "see docs/livecodebench.md");
  if (o.out_dir.empty()) throw Error("an output directory is required (--out)");
  if (o.model.empty())
    throw Error("--model is required", "e.g. --model predictions:custom_outputs.json or openai:<url>/<model>");
  if (o.n < 1) throw Error("--n must be at least 1");
  if (!o.train_cutoff.empty()) parse_date(o.train_cutoff, "--train-cutoff");
  auto custom = load_custom_outputs(o.model, o.scenario);
  std::unique_ptr<ModelBackend> backend;
  if (!custom) {
    backend = make_backend(o.model);
    if (backend->needs_reference()) {
      throw Error("backend " + backend->name() + " needs reference solutions, which LiveCodeBench does not publish",
                  "use predictions:<file>, openai:<url>/<model> or a local model");
    }
  }
  RunOptions options = o;
  if (options.train_cutoff.empty() && backend && !backend->training_cutoff().empty()) {
    options.train_cutoff = backend->training_cutoff();
    parse_date(options.train_cutoff, backend->name() + ": the checkpoint's data_cutoff");
    spdlog::info("contamination guard: training-data cutoff {} recorded by {} (override with --train-cutoff)",
                 options.train_cutoff, backend->name());
  }
  if (options.judge.work_root.empty()) options.judge.work_root = fs::absolute(o.out_dir) / "work";
  RunReport report = (o.scenario == "codegeneration" || o.scenario == "selfrepair")
                         ? detail::run_code_scenario(options, std::move(backend), custom)
                         : detail::run_prediction_scenario(options, std::move(backend), custom);
  std::error_code ec;
  if (fs::is_empty(options.judge.work_root, ec)) fs::remove(options.judge.work_root, ec);
  return report;
}

}  // namespace hrm::eval::lcb
