// AdamATan2 (Everett et al. 2024; the optimizer HRM trains with): Adam without epsilon, the update
// direction atan2(m_hat, sqrt(v_hat)) is bounded and scale-invariant; decoupled weight decay.
//   p <- p * (1 - lr*wd);  m <- lerp(m, g, 1-b1);  v <- lerp(v, g^2, 1-b2)
//   p <- p - (lr / bc1) * atan2(m, sqrt(v) / sqrt(bc2))
// A real torch::optim::Optimizer (param groups, per-group lr, state), usable like torch::optim::AdamW.
#pragma once
#include <torch/torch.h>

namespace hrm {

struct AdamATan2Options : public torch::optim::OptimizerCloneableOptions<AdamATan2Options> {
  explicit AdamATan2Options(double lr = 1e-4) : lr_(lr) {}
  using betas_t = std::tuple<double, double>;
  TORCH_ARG(double, lr);
  TORCH_ARG(betas_t, betas) = std::make_tuple(0.9, 0.95);
  TORCH_ARG(double, weight_decay) = 0.1;
  double get_lr() const override { return lr(); }
  void set_lr(const double lr) override { this->lr(lr); }
};

struct AdamATan2ParamState : public torch::optim::OptimizerCloneableParamState<AdamATan2ParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, exp_avg);
  TORCH_ARG(torch::Tensor, exp_avg_sq);
};

class AdamATan2 : public torch::optim::Optimizer {
 public:
  AdamATan2(std::vector<torch::optim::OptimizerParamGroup> groups, AdamATan2Options defaults = AdamATan2Options());
  AdamATan2(std::vector<torch::Tensor> params, AdamATan2Options defaults = AdamATan2Options());
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace hrm
