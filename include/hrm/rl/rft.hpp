// Rejection-sampling fine-tuning (RFT), the `objective: rft` of the gspo stage: the same rollouts and
// judging as GSPO, but the update is supervised learning on the best replies — no importance ratio, no
// advantage. It is the baseline the issue asks GSPO to be compared with side by side.
//
//   selected     y_i passes every test and r_i = max over its group of r   (binary reward: the passing ones)
//   loss         -sum over selected replies' tokens of log pi(y_it) / number of those tokens   [+ kl_coef * KL]
// A group in which nothing passes selects nothing: it carries no signal and is counted like a GSPO group
// whose rewards are all equal. A group in which everything passes (no signal for GSPO) is trained on.
#pragma once
#include <torch/torch.h>

namespace hrm::rl {

struct RftSelection {
  torch::Tensor selected;    // [N*G] bool: the replies trained on
  torch::Tensor has_signal;  // [N] bool: the group selected at least one reply
  int64_t zero_signal_groups = 0;
};

// rewards, passed: [N*G] with the G replies of each prompt consecutive; passed is 1 where every test passed.
// Passing is required as well as the best reward, so that a shaped reward (format, length) can rank
// passing replies but never make a failing one a training target.
RftSelection rft_select(const torch::Tensor& rewards, const torch::Tensor& passed, int64_t group_size);

struct RftLoss {
  torch::Tensor loss;             // scalar, differentiable w.r.t. logp_new
  double mean_abs_log_ratio = 0;  // mean over weighted rows of |mean_t log pi - log pi_old| (staleness)
  double kl = 0;                  // mean k3 KL to the reference over all rows (0 without one)
};

// logp_new/logp_old/logp_ref/mask: [B, T] as gspo_loss; weight: [B], 1 for the rows whose tokens are
// trained on, 0 for rows in the minibatch for another term (the ACT halting target). A minibatch without
// weighted rows has loss 0 (still connected to logp_new). logp_ref may be undefined when kl_coef is 0.
RftLoss rft_loss(const torch::Tensor& logp_new, const torch::Tensor& logp_old, const torch::Tensor& mask,
                 const torch::Tensor& weight, double kl_coef, const torch::Tensor& logp_ref = {});

}  // namespace hrm::rl
