#include "hrm/model/module_optimizer.hpp"

#include "hrm/model/adam_atan2.hpp"
#include "hrm/util/error.hpp"

namespace hrm {

ModuleOptimizer make_module_optimizer(HRMInnerImpl& model, const ModuleOptimizerSpec& s) {
  HRM_CHECK(s.name == "adamw" || s.name == "adam_atan2", "unknown optimizer '" + s.name + "'",
            "use adam_atan2 or adamw");
  std::vector<torch::Tensor> h, l, heads, embed;
  for (auto& p : model.named_parameters()) {
    const auto& name = p.key();
    if (name == "puzzle_emb") continue;  // trained by SparseSignSGD
    if (name.rfind("H.", 0) == 0)
      h.push_back(p.value());
    else if (name.rfind("L.", 0) == 0)
      l.push_back(p.value());
    else if (name.rfind("lm_head.", 0) == 0 || name.rfind("q_head.", 0) == 0)
      heads.push_back(p.value());
    else
      embed.push_back(p.value());
  }
  const std::pair<std::vector<torch::Tensor>*, double> parts[] = {
      {&h, s.lr_mult_H}, {&l, s.lr_mult_L}, {&heads, s.lr_mult_heads}, {&embed, s.lr_mult_embed}};
  ModuleOptimizer out;
  std::vector<torch::optim::OptimizerParamGroup> groups;
  for (const auto& [params, mult] : parts) {
    if (params->empty()) continue;
    if (s.name == "adamw") {
      auto o = std::make_unique<torch::optim::AdamWOptions>(s.lr * mult);
      o->betas({s.beta1, s.beta2}).weight_decay(s.weight_decay).eps(1e-8);
      groups.emplace_back(*params, std::move(o));
    } else {
      auto o = std::make_unique<AdamATan2Options>(s.lr * mult);
      o->betas({s.beta1, s.beta2}).weight_decay(s.weight_decay);
      groups.emplace_back(*params, std::move(o));
    }
    out.group_lr_mult.push_back(mult);
  }
  if (s.name == "adamw")
    out.optimizer = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(s.lr));
  else
    out.optimizer = std::make_unique<AdamATan2>(groups, AdamATan2Options(s.lr));
  return out;
}

}  // namespace hrm
