// The optimizer of an HRM with per-module learning-rate multipliers (HRM-Text): one parameter group each
// for the H module, the L module, the heads (lm_head, q_head) and the rest (embeddings, initial states);
// the task embedding is left out (SparseSignSGD trains it). Used by the trainer and the gspo run.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "hrm/model/hrm.hpp"

namespace hrm {

struct ModuleOptimizerSpec {
  std::string name = "adam_atan2";  // adam_atan2 | adamw
  double lr = 1e-4, weight_decay = 0.1, beta1 = 0.9, beta2 = 0.95;
  double lr_mult_H = 1.0, lr_mult_L = 1.0, lr_mult_heads = 1.0, lr_mult_embed = 1.0;
};

struct ModuleOptimizer {
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::vector<double> group_lr_mult;  // per parameter group (empty groups are left out), for lr schedules
};

// Throws hrm::Error for an unknown optimizer name.
ModuleOptimizer make_module_optimizer(HRMInnerImpl& model, const ModuleOptimizerSpec& spec);

}  // namespace hrm
