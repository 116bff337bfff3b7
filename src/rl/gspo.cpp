#include "hrm/rl/gspo.hpp"

#include <cmath>

#include "hrm/util/error.hpp"

namespace hrm::rl {

GroupAdvantages group_advantages(const torch::Tensor& rewards, int64_t group_size, const GspoConfig& config) {
  if (group_size < 2)
    throw Error("GSPO needs at least 2 responses per prompt, got group_size " + std::to_string(group_size));
  if (rewards.dim() != 1 || rewards.size(0) % group_size != 0) {
    throw Error("GSPO rewards must be [N*G] with G = " + std::to_string(group_size) + ", got " +
                std::to_string(rewards.numel()) + " values");
  }
  const auto r = rewards.to(torch::kFloat32).view({-1, group_size});
  const auto mean = r.mean(1, /*keepdim=*/true);
  const auto std = r.std(1, config.unbiased_std, /*keepdim=*/true);
  // Equal rewards: exactly zero spread (std of identical floats can be a rounding residue).
  const auto has_signal = (r.amax(1) != r.amin(1));
  auto adv = (r - mean) / (std + config.advantage_eps);
  adv = torch::where(has_signal.unsqueeze(1), adv, torch::zeros_like(adv));
  GroupAdvantages out;
  out.advantages = adv.reshape({-1});
  out.has_signal = has_signal;
  out.zero_signal_groups = (~has_signal).sum().item<int64_t>();
  return out;
}

GspoLoss gspo_loss(const torch::Tensor& logp_new, const torch::Tensor& logp_old, const torch::Tensor& mask,
                   const torch::Tensor& advantages, const GspoConfig& config, const torch::Tensor& logp_ref,
                   const torch::Tensor& behaviour_weight) {
  if (logp_new.sizes() != logp_old.sizes() || logp_new.sizes() != mask.sizes() || logp_new.dim() != 2 ||
      advantages.dim() != 1 || advantages.size(0) != logp_new.size(0)) {
    throw Error("gspo_loss: logp_new, logp_old and mask must be [B, T] and advantages [B]");
  }
  if (config.kl_coef > 0 && !logp_ref.defined()) throw Error("gspo_loss: kl_coef > 0 needs the reference log-probs");
  const auto m = mask.to(torch::kFloat32);
  const auto lengths = m.sum(1);
  if ((lengths <= 0).any().item<bool>()) throw Error("gspo_loss: a sequence has no response tokens");
  const auto adv = advantages.to(torch::kFloat32);
  const auto log_ratio_tok = (logp_new - logp_old.detach()) * m;
  const auto log_s = torch::clamp_max(log_ratio_tok.sum(1) / lengths, config.max_log_ratio);
  const auto s = torch::exp(log_s);
  const double lo = 1.0 - config.clip_low, hi = 1.0 + config.clip_high;

  torch::Tensor per_seq;
  if (config.token_level) {
    // s_it = sg[s_i] * exp(logp_it - sg[logp_it]): the value of s_i with the gradient of one token.
    const auto s_tok = s.detach().unsqueeze(1) * torch::exp(logp_new - logp_new.detach());
    const auto a = adv.unsqueeze(1);
    const auto obj = torch::min(s_tok * a, torch::clamp(s_tok, lo, hi) * a);
    per_seq = (obj * m).sum(1) / lengths;
  } else {
    per_seq = torch::min(s * adv, torch::clamp(s, lo, hi) * adv);
  }
  if (behaviour_weight.defined()) {
    HRM_CHECK(behaviour_weight.dim() == 1 && behaviour_weight.size(0) == logp_new.size(0),
              "gspo_loss: behaviour_weight must be [B]");
    per_seq = per_seq * behaviour_weight.detach().to(torch::kFloat32);
  }
  GspoLoss out;
  out.loss = -per_seq.mean();
  {
    torch::NoGradGuard no_grad;
    const auto sd = s.detach();
    const auto clipped = ((adv > 0) & (sd > hi)) | ((adv < 0) & (sd < lo));
    out.clip_fraction = clipped.to(torch::kFloat32).mean().item<double>();
    out.mean_abs_log_ratio = log_s.detach().abs().mean().item<double>();
  }
  if (logp_ref.defined()) {
    const auto kl = k3_kl(logp_new, logp_ref, mask);
    out.kl = kl.item<double>();
    if (config.kl_coef > 0) out.loss = out.loss + config.kl_coef * kl;
  }
  return out;
}

torch::Tensor k3_kl(const torch::Tensor& logp_new, const torch::Tensor& logp_ref, const torch::Tensor& mask) {
  if (logp_ref.sizes() != logp_new.sizes() || mask.sizes() != logp_new.sizes()) {
    throw Error("k3_kl: logp_new, logp_ref and mask must have the same [B, T] shape");
  }
  const auto m = mask.to(torch::kFloat32);
  const auto d = logp_ref.detach() - logp_new;
  return (((torch::exp(d) - d - 1) * m).sum(1) / m.sum(1).clamp_min(1)).mean();
}

torch::Tensor behaviour_weights(const torch::Tensor& logp_prox, const torch::Tensor& logp_behav,
                                const torch::Tensor& mask, double cap) {
  HRM_CHECK(logp_prox.sizes() == logp_behav.sizes() && logp_prox.sizes() == mask.sizes() && logp_prox.dim() == 2,
            "behaviour_weights: logp_prox, logp_behav and mask must have the same [B, T] shape");
  HRM_CHECK(cap >= 1, "behaviour_weights: the cap must be >= 1 (got " + std::to_string(cap) + ")");
  torch::NoGradGuard no_grad;
  const auto m = mask.to(torch::kFloat32);
  const auto log_w = ((logp_prox - logp_behav) * m).sum(1) / m.sum(1).clamp_min(1);
  return torch::exp(torch::clamp_max(log_w, std::log(cap)));
}

torch::Tensor token_log_probs(const torch::Tensor& logits, const torch::Tensor& tokens, double temperature,
                              int64_t vocab) {
  HRM_CHECK(temperature > 0, "token_log_probs: temperature must be > 0 (got " + std::to_string(temperature) + ")");
  auto l = logits.to(torch::kFloat32);
  if (vocab > 0 && vocab < l.size(-1)) l = l.narrow(-1, 0, vocab);
  if (temperature != 1.0) l = l / temperature;
  const auto logp = torch::log_softmax(l, -1);
  return logp.gather(-1, tokens.unsqueeze(-1)).squeeze(-1);
}

}  // namespace hrm::rl
