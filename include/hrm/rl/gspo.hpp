// GSPO — Group Sequence Policy Optimization (Zheng et al., 2025), the objective of the `gspo` stage,
// in the decoupled form of PipelineRL / decoupled PPO (Hilton et al., 2021) for rollouts sampled while
// the previous update ran.
//
// For a prompt, G responses y_1..y_G are sampled from the behaviour policy pi_behav (the weights that
// generated them) and rewarded (rl/reward.hpp). pi_prox is the policy at the start of the update that
// trains on them (equal to pi_behav when sampling waited for the previous update).
//   advantage    A_i = (r_i - mean(r)) / (std(r) + eps)                                  (per group)
//   ratio        s_i = exp(mean over response tokens t of (log pi(y_it) - log pi_prox(y_it)))
//   behaviour    w_i = sg[min(exp(mean_t (log pi_prox(y_it) - log pi_behav(y_it))), w_max)]
//   loss         -mean_i w_i min(s_i A_i, clip(s_i, 1 - eps_low, 1 + eps_high) A_i)  [+ kl_coef * KL]
// The trust region is thus centred on the weights being updated, whatever their distance from the
// sampler; w_i corrects for that distance (importance sampling, capped for variance). With pi_prox ==
// pi_behav, w_i = 1 and this is the paper's GSPO exactly. Both ratios are per sequence (the geometric
// mean of the token ratios), as GSPO's.
// GSPO-token replaces s_i per token by s_it = sg[s_i] * pi(y_it) / sg[pi(y_it)] (same value, and the
// same gradient when the advantage is per sequence, which the tests check). Groups whose rewards are all
// equal have A = 0 everywhere: they carry no signal and are dropped and counted (group_advantages).
// Defaults follow the paper and TRL: eps_low 3e-4, eps_high 4e-4, no KL, advantage std eps 1e-4
// (sample standard deviation, as TRL), log-ratio clamped at 10 (verl) so exp() cannot overflow.
#pragma once
#include <torch/torch.h>

namespace hrm::rl {

struct GspoConfig {
  double clip_low = 3e-4;
  double clip_high = 4e-4;
  double advantage_eps = 1e-4;
  bool unbiased_std = true;  // sample std (TRL); false: population std
  bool token_level = false;  // GSPO-token
  double kl_coef = 0.0;      // > 0: k3 KL penalty against a frozen reference policy
  double max_log_ratio = 10.0;
  bool decoupled = true;              // false: the clip is centred on pi_behav (the loop before the fix)
  double behaviour_weight_cap = 2.0;  // w_max: the cap on pi_prox / pi_behav per sequence
};

struct GroupAdvantages {
  torch::Tensor advantages;  // [N*G] fp32, zero in groups without signal
  torch::Tensor has_signal;  // [N] bool: the group's rewards are not all equal
  int64_t zero_signal_groups = 0;
};

// `rewards` is [N*G] with the G responses of each prompt consecutive.
GroupAdvantages group_advantages(const torch::Tensor& rewards, int64_t group_size, const GspoConfig& config);

struct GspoLoss {
  torch::Tensor loss;             // scalar, differentiable w.r.t. logp_new
  double clip_fraction = 0;       // share of sequences whose clipped term was selected
  double mean_abs_log_ratio = 0;  // mean_i |log s_i|
  double kl = 0;                  // mean k3 KL to the reference (0 without one)
};

// logp_new/logp_prox/logp_ref: [B, T] log-probabilities of the sampled tokens under the current, the
// proximal (update-start) and the reference policy; mask: [B, T] 1 on response tokens (every row needs at
// least one); advantages: [B]. logp_prox and logp_ref carry no gradient; logp_ref may be undefined
// (kl_coef must be 0). behaviour_weight: [B] w_i (behaviour_weights), undefined: 1 (on-policy samples).
GspoLoss gspo_loss(const torch::Tensor& logp_new, const torch::Tensor& logp_prox, const torch::Tensor& mask,
                   const torch::Tensor& advantages, const GspoConfig& config, const torch::Tensor& logp_ref = {},
                   const torch::Tensor& behaviour_weight = {});

// w_i = min(exp(mean_t (logp_prox - logp_behav)), cap) per sequence, [B] fp32 without gradient.
torch::Tensor behaviour_weights(const torch::Tensor& logp_prox, const torch::Tensor& logp_behav,
                                const torch::Tensor& mask, double cap);

// k3 estimator of KL(pi || pi_ref), exp(d) - d - 1 with d = log pi_ref - log pi per response token,
// averaged per sequence, then over sequences: a differentiable scalar (w.r.t. logp_new; logp_ref is
// detached). Shapes as gspo_loss. Unbiased and never negative, so a penalty on it cannot be gamed.
torch::Tensor k3_kl(const torch::Tensor& logp_new, const torch::Tensor& logp_ref, const torch::Tensor& mask);

// log softmax(logits[..., :vocab] / temperature)[token] per position — the log-probability under the
// sampler's distribution (infer::Sampler without truncation): logits [B, T, V] (any float dtype, computed in
// fp32), tokens [B, T] int64 -> [B, T] fp32. vocab 0: all V logits; tokens must be < vocab.
torch::Tensor token_log_probs(const torch::Tensor& logits, const torch::Tensor& tokens, double temperature = 1.0,
                              int64_t vocab = 0);

}  // namespace hrm::rl
