// What rl adds to hrm-train runs: the gspo stage kind (train/external_stage.hpp) and the code evaluator
// of eval.code (train/code_eval.hpp).
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "hrm/rl/gspo_stage.hpp"
#include "hrm/train/code_eval.hpp"
#include "hrm/train/external_stage.hpp"
#include "hrm/util/error.hpp"

namespace hrm::rl {
namespace {

namespace fs = std::filesystem;

YAML::Node parse(const std::string& yaml, const std::string& what) {
  try {
    YAML::Node node = YAML::Load(yaml);
    if (!node.IsDefined() || node.IsNull()) node = YAML::Node(YAML::NodeType::Map);
    return node;
  } catch (const YAML::Exception& e) {
    throw Error(what + ": " + e.what());
  }
}

// Reads the stage (errors name `source` and `prefix`) and returns its mapping with the file keys made
// absolute, so that the resolved run config saved in the run directory reads back the same.
std::pair<std::string, int64_t> validate(const std::string& yaml, const std::string& source,
                                         const std::string& prefix) {
  YAML::Node node = parse(yaml, source + ": " + prefix);
  ConfigReader r(node, source, prefix);
  const auto c = GspoStageConfig::from_reader(r, /*policy_from_run=*/true);
  r.finish();
  const auto absolute = [](const std::string& p) { return fs::absolute(p).lexically_normal().string(); };
  node["problems"] = absolute(c.problems);
  if (!c.eval_problems.empty()) node["eval_problems"] = absolute(c.eval_problems);
  if (!c.reference.empty()) node["reference"] = absolute(c.reference);
  YAML::Emitter e;
  e << node;
  return {e.c_str(), c.steps};
}

void run(const std::string& yaml, const std::string& start, const std::string& out_dir, int threads) {
  YAML::Node node = parse(yaml, "gspo stage");
  ConfigReader r(node, out_dir + "/stage.yaml");
  auto c = GspoStageConfig::from_reader(r, /*policy_from_run=*/true);
  r.finish();
  c.policy = start;
  if (c.gspo.kl_coef > 0 && c.reference.empty()) c.reference = start;  // KL against the weights the stage starts from
  run_gspo_stage(c, out_dir, threads);
}

}  // namespace

void register_trainer_extensions() {
  register_stage_kind("gspo", {validate, run});
  register_code_evaluator([](const std::string& checkpoint, const CodeEvalConfig& c, uint64_t seed) {
    const double judge_timeout = 6.0;  // LiveCodeBench's per-test limit
    return evaluate_pass_at_k(checkpoint, c.problems, c.n, c.ks, c.temperature, /*segments=*/0, c.max_new_tokens,
                              judge_timeout, seed, c.limit)
        .pass_at;
  });
}

}  // namespace hrm::rl
