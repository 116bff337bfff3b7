// Losses of HRM training (models/losses.py of the reference): stablemax / softmax cross-entropy
// normalised per sequence by its valid tokens, Q-halt BCE against whole-sequence correctness,
// Q-continue BCE against the bootstrapped target; total = lm + 0.5 (q_halt + q_continue).
#pragma once
#include <torch/torch.h>

#include "hrm/model/act.hpp"
#include "hrm/model/config.hpp"

namespace hrm {

// s(x) = 1/(1-x) for x < 0, x + 1 otherwise; log_stablemax = log(s(x) / sum s(x)). Computed in float64.
torch::Tensor log_stablemax(const torch::Tensor& logits);
// Per-token losses [B, S] (0 where labels == kIgnoreLabel): stablemax in float64, softmax in float32.
torch::Tensor stablemax_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels);
torch::Tensor softmax_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels);

// Sums over the halted, non-empty sequences of the batch (divide by `count` for means).
struct ActMetrics {
  double count = 0, accuracy = 0, exact_accuracy = 0, q_halt_accuracy = 0, steps = 0;
  double lm_loss = 0, q_halt_loss = 0, q_continue_loss = 0;
};

struct ActLoss {
  torch::Tensor loss;  // scalar, differentiable
  ActMetrics metrics;
};

ActLoss act_loss(const Carry& new_carry, const ActOutput& out, LossType type);

}  // namespace hrm
