// Optimizer state <-> named tensors, for checkpoints that resume exactly. Supports the optimizers
// hrm trains with (AdamATan2, torch::optim::AdamW); keys are "<prefix><param name>.{step,exp_avg,exp_avg_sq}".
#pragma once
#include <torch/torch.h>

#include "hrm/model/safetensors.hpp"

namespace hrm {

TensorMap optimizer_state_tensors(torch::optim::Optimizer& optimizer, torch::nn::Module& model,
                                  const std::string& prefix);
void load_optimizer_state(torch::optim::Optimizer& optimizer, torch::nn::Module& model, const TensorMap& tensors,
                          const std::string& prefix, const std::string& source);

}  // namespace hrm
