#include "hrm/train/ema.hpp"

namespace hrm {

EmaWeights::EmaWeights(torch::nn::Module& module, double decay) : params_(module.parameters()), decay_(decay) {
  torch::NoGradGuard no_grad;
  for (const auto& p : params_) shadow_.push_back(p.detach().clone());
}

void EmaWeights::update() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) shadow_[i].lerp_(params_[i], 1.0 - decay_);
}

void EmaWeights::swap() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) {
    auto tmp = params_[i].detach().clone();
    params_[i].copy_(shadow_[i]);
    shadow_[i].copy_(tmp);
  }
}

}  // namespace hrm
