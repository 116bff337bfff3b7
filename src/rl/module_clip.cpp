#include "hrm/rl/module_clip.hpp"

#include <unordered_set>

#include "hrm/util/error.hpp"

namespace hrm::rl {

namespace {

std::unordered_set<const void*> impls(const std::vector<torch::Tensor>& tensors) {
  std::unordered_set<const void*> out;
  for (const auto& t : tensors) out.insert(t.unsafeGetTensorImpl());
  return out;
}

}  // namespace

ModuleParams module_params(const torch::optim::Optimizer& optimizer, HRMInnerImpl& model) {
  const auto h = model.H ? impls(model.H->parameters()) : std::unordered_set<const void*>{};  // HRM only
  const auto l = impls(model.L->parameters());
  auto heads = impls(model.lm_head->parameters());
  for (const auto* p : impls(model.q_head->parameters())) heads.insert(p);
  ModuleParams out;
  for (const auto& group : optimizer.param_groups()) {
    const auto& params = group.params();
    if (params.empty()) continue;
    const void* first = params.front().unsafeGetTensorImpl();
    auto& slot = h.count(first) ? out.H : l.count(first) ? out.L : heads.count(first) ? out.heads : out.embed;
    HRM_CHECK(slot.empty(), "module_params: two optimizer parameter groups belong to one module",
              "build the optimizer with make_module_optimizer (model/module_optimizer.hpp)");
    slot = params;
  }
  return out;
}

void clip_module_grad_norms(const ModuleParams& params, const ModuleClip& clip) {
  const std::pair<const std::vector<torch::Tensor>*, double> parts[] = {
      {&params.H, clip.H}, {&params.L, clip.L}, {&params.heads, clip.heads}, {&params.embed, clip.embed}};
  for (const auto& [tensors, limit] : parts) {
    if (limit > 0 && !tensors->empty()) torch::nn::utils::clip_grad_norm_(*tensors, limit);
  }
}

}  // namespace hrm::rl
