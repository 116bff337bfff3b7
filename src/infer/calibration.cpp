#include "hrm/infer/calibration.hpp"

#include <algorithm>

#include "hrm/infer/prompt_file.hpp"
#include "hrm/infer/text_model.hpp"
#include "hrm/util/error.hpp"

namespace hrm::infer {

std::map<std::string, torch::Tensor> calibration_importance(Decoder& decoder,
                                                            const std::vector<std::vector<int32_t>>& prompts,
                                                            const ActOptions& act) {
  HRM_CHECK(!prompts.empty(), "calibration: no prompts", "pass a prompts file with at least one prompt");
  struct Stats {
    torch::Tensor sum_squares;  // [in] fp64
    int64_t rows = 0;
  };
  std::map<std::string, Stats> stats;
  std::vector<CastedLinearImpl*> hooked;
  for (const auto& item : decoder.model().named_modules()) {
    const auto& name = item.key();
    auto* linear = dynamic_cast<CastedLinearImpl*>(item.value().get());
    if (linear == nullptr || linear->has_override() || linear->bias.defined()) continue;  // skips the Q head
    auto& s = stats[name + ".weight"];
    s.sum_squares = torch::zeros({linear->weight.size(1)}, torch::kFloat64);
    linear->set_override([linear, &s](const torch::Tensor& x) {
      const auto x2 = x.reshape({-1, x.size(-1)}).to(torch::kFloat64);
      s.sum_squares += x2.square().sum(0).cpu();
      s.rows += x2.size(0);
      return torch::nn::functional::linear(x, linear->weight);
    });
    hooked.push_back(linear);
  }
  const int64_t longest = decoder.config().seq_len - 1;
  try {
    for (const auto& p : prompts) {
      if (p.empty()) continue;
      std::vector<int32_t> cut(p.begin(), p.begin() + std::min<int64_t>(longest, static_cast<int64_t>(p.size())));
      const auto capacity = static_cast<int64_t>(cut.size()) + 1;
      decoder.prefill({cut}, {1}, act, capacity);
    }
  } catch (...) {
    for (auto* linear : hooked) linear->set_override(nullptr);
    throw;
  }
  for (auto* linear : hooked) linear->set_override(nullptr);
  std::map<std::string, torch::Tensor> importance;
  for (const auto& [name, s] : stats) {
    if (s.rows > 0) importance[name] = (s.sum_squares / static_cast<double>(s.rows)).to(torch::kFloat32);
  }
  return importance;
}

std::map<std::string, torch::Tensor> calibration_importance(const std::string& checkpoint_dir,
                                                            const std::string& prompts_path, int64_t max_prompts,
                                                            int64_t* used) {
  auto model = TextModel::load(checkpoint_dir, {torch::kFloat32});
  const auto rows = read_prompt_file(prompts_path);
  std::vector<std::vector<int32_t>> prompts;
  for (const auto& row : rows) {
    if (max_prompts > 0 && static_cast<int64_t>(prompts.size()) >= max_prompts) break;
    prompts.push_back(model.encode(row.messages));
  }
  HRM_CHECK(!prompts.empty(), prompts_path + ": no prompts", "a calibration file holds one prompt per line");
  if (used != nullptr) *used = static_cast<int64_t>(prompts.size());
  return calibration_importance(model.decoder(), prompts);
}

}  // namespace hrm::infer
