#include "hrm/model/adam_atan2.hpp"

#include "hrm/model/torch_compat.hpp"

namespace hrm {

AdamATan2::AdamATan2(std::vector<torch::optim::OptimizerParamGroup> groups, AdamATan2Options defaults)
    : Optimizer(std::move(groups), std::make_unique<AdamATan2Options>(defaults)) {}

AdamATan2::AdamATan2(std::vector<torch::Tensor> params, AdamATan2Options defaults)
    : AdamATan2({torch::optim::OptimizerParamGroup(std::move(params))}, defaults) {}

torch::Tensor AdamATan2::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& opt = static_cast<const AdamATan2Options&>(group.options());
    const auto [beta1, beta2] = opt.betas();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto& grad = p.grad();
      TORCH_CHECK(!grad.is_sparse(), "AdamATan2 does not support sparse gradients");
      const auto key = compat::optimizer_state_key(state_, p);
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto fresh = std::make_unique<AdamATan2ParamState>();
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        it = state_.emplace(key, std::move(fresh)).first;
      }
      auto& st = static_cast<AdamATan2ParamState&>(*it->second);
      st.step(st.step() + 1);
      const double bc1 = 1.0 - std::pow(beta1, static_cast<double>(st.step()));
      const double bc2_sqrt = std::sqrt(1.0 - std::pow(beta2, static_cast<double>(st.step())));
      p.mul_(1.0 - opt.lr() * opt.weight_decay());
      st.exp_avg().lerp_(grad, 1.0 - beta1);
      st.exp_avg_sq().mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
      p.add_(torch::atan2(st.exp_avg(), st.exp_avg_sq().sqrt() / bc2_sqrt), -opt.lr() / bc1);
    }
  }
  return loss;
}

}  // namespace hrm
