#include "hrm/model/losses.hpp"

namespace hrm {

torch::Tensor log_stablemax(const torch::Tensor& logits) {
  const auto x = logits.to(torch::kFloat64);
  const auto s = torch::where(x < 0, 1.0 / (1.0 - x + 1e-30), x + 1.0);
  return torch::log(s / s.sum(-1, /*keepdim=*/true));
}

torch::Tensor stablemax_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  const auto logp = log_stablemax(logits);
  const auto valid = labels != kIgnoreLabel;
  const auto safe = torch::where(valid, labels, torch::zeros_like(labels));
  const auto picked = logp.gather(-1, safe.to(torch::kLong).unsqueeze(-1)).squeeze(-1);
  return -torch::where(valid, picked, torch::zeros_like(picked));
}

torch::Tensor softmax_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  const auto v = logits.size(-1);
  return torch::nn::functional::cross_entropy(
             logits.to(torch::kFloat32).reshape({-1, v}), labels.to(torch::kLong).reshape({-1}),
             torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreLabel).reduction(torch::kNone))
      .view(labels.sizes());
}

ActLoss act_loss(const Carry& c, const ActOutput& out, LossType type) {
  const auto& labels = c.current.labels;
  torch::Tensor seq_correct, divisor;
  ActMetrics m;
  {
    torch::NoGradGuard no_grad;
    const auto mask = labels != kIgnoreLabel;
    const auto counts = mask.sum(-1);
    divisor = counts.clamp_min(1).unsqueeze(-1);
    const auto correct = mask & (out.logits.argmax(-1) == labels);
    seq_correct = correct.sum(-1) == counts;
    const auto valid = c.halted & (counts > 0);
    const auto zero = torch::zeros({}, torch::kFloat32).to(labels.device());
    m.count = valid.sum().item<double>();
    m.accuracy = torch::where(valid, (correct.to(torch::kFloat32) / divisor).sum(-1), zero).sum().item<double>();
    m.exact_accuracy = (valid & seq_correct).sum().item<double>();
    m.q_halt_accuracy = (valid & ((out.q_halt >= 0) == seq_correct)).sum().item<double>();
    m.steps = torch::where(valid, c.steps, torch::zeros_like(c.steps)).sum().item<double>();
  }
  const auto per_token = type == LossType::kStablemax ? stablemax_cross_entropy(out.logits, labels)
                                                      : softmax_cross_entropy(out.logits, labels);
  const auto lm_loss = (per_token / divisor).sum();
  const auto bce = torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kSum);
  const auto q_halt_loss =
      torch::nn::functional::binary_cross_entropy_with_logits(out.q_halt, seq_correct.to(out.q_halt.scalar_type()), bce);
  auto loss = lm_loss + 0.5 * q_halt_loss;
  m.lm_loss = lm_loss.item<double>();
  m.q_halt_loss = q_halt_loss.item<double>();
  if (out.target_q_continue.defined()) {
    const auto q_cont_loss =
        torch::nn::functional::binary_cross_entropy_with_logits(out.q_continue, out.target_q_continue, bce);
    loss = loss + 0.5 * q_cont_loss;
    m.q_continue_loss = q_cont_loss.item<double>();
  }
  return {loss, m};
}

}  // namespace hrm
