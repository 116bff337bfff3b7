#include "hrm/rl/rft.hpp"

#include <cmath>

#include "hrm/rl/gspo.hpp"
#include "hrm/util/error.hpp"

namespace hrm::rl {

RftSelection rft_select(const torch::Tensor& rewards, const torch::Tensor& passed, int64_t group_size) {
  if (group_size < 1 || rewards.dim() != 1 || rewards.size(0) % group_size != 0 || passed.sizes() != rewards.sizes()) {
    throw Error("rft_select: rewards and passed must be [N*G] with G = " + std::to_string(group_size) + ", got " +
                std::to_string(rewards.numel()) + " and " + std::to_string(passed.numel()) + " values");
  }
  const auto r = rewards.to(torch::kFloat32).view({-1, group_size});
  const auto ok = passed.to(torch::kBool).view({-1, group_size});
  // The best reward among the passing replies of each group (-inf where none passes).
  const auto best = torch::where(ok, r, torch::full_like(r, -INFINITY)).amax(1, /*keepdim=*/true);
  const auto selected = ok & (r == best);
  RftSelection out;
  out.selected = selected.reshape({-1});
  out.has_signal = selected.any(1);
  out.zero_signal_groups = (~out.has_signal).sum().item<int64_t>();
  return out;
}

RftLoss rft_loss(const torch::Tensor& logp_new, const torch::Tensor& logp_old, const torch::Tensor& mask,
                 const torch::Tensor& weight, double kl_coef, const torch::Tensor& logp_ref) {
  if (logp_new.dim() != 2 || logp_new.sizes() != logp_old.sizes() || logp_new.sizes() != mask.sizes() ||
      weight.dim() != 1 || weight.size(0) != logp_new.size(0)) {
    throw Error("rft_loss: logp_new, logp_old and mask must be [B, T] and weight [B]");
  }
  if (kl_coef > 0 && !logp_ref.defined()) throw Error("rft_loss: kl_coef > 0 needs the reference log-probs");
  const auto w = weight.to(torch::kFloat32);
  const auto m = mask.to(torch::kFloat32) * w.unsqueeze(1);
  // Token mean over all selected tokens (as SFT), so a long passing reply weighs more than a short one.
  RftLoss out;
  out.loss = -(logp_new * m).sum() / m.sum().clamp_min(1);
  {
    torch::NoGradGuard no_grad;
    const auto lengths = m.sum(1);
    const auto rows = (lengths > 0);
    if (rows.any().item<bool>()) {
      const auto log_s = ((logp_new - logp_old) * m).sum(1) / lengths.clamp_min(1);
      out.mean_abs_log_ratio = log_s.abs().index({rows}).mean().item<double>();
    }
  }
  if (logp_ref.defined()) {
    const auto kl = k3_kl(logp_new, logp_ref, mask);
    out.kl = kl.item<double>();
    if (kl_coef > 0) out.loss = out.loss + kl_coef * kl;
  }
  return out;
}

}  // namespace hrm::rl
