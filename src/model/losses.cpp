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

namespace {

// Per-token loss [B, S] (differentiable; 0 where unlabelled) and argmax-correctness [B, S] (false where
// unlabelled), from either logit layout: sparse rows are scattered back, so the sums below see the same
// values in the same order as with dense logits.
std::pair<torch::Tensor, torch::Tensor> token_losses(const ActOutput& out, const torch::Tensor& labels, LossType type) {
  const auto cross_entropy = [type](const torch::Tensor& logits, const torch::Tensor& target) {
    return type == LossType::kStablemax ? stablemax_cross_entropy(logits, target)
                                        : softmax_cross_entropy(logits, target);
  };
  if (!out.logit_index.defined()) {
    torch::Tensor correct;
    {
      torch::NoGradGuard no_grad;
      correct = (labels != kIgnoreLabel) & (out.logits.argmax(-1) == labels);
    }
    return {cross_entropy(out.logits, labels), correct};
  }
  const auto& index = out.logit_index;
  const auto target = labels.reshape({-1}).index_select(0, index);
  const auto picked = cross_entropy(out.logits, target);
  const auto loss = torch::zeros({labels.numel()}, picked.options()).index_copy(0, index, picked).view(labels.sizes());
  torch::NoGradGuard no_grad;
  const auto correct = torch::zeros({labels.numel()}, labels.options().dtype(torch::kBool))
                           .index_copy_(0, index, out.logits.argmax(-1) == target)
                           .view(labels.sizes());
  return {loss, correct};
}

}  // namespace

ActLoss act_loss(const Carry& c, const ActOutput& out, LossType type) {
  const auto& labels = c.current.labels;
  const auto [per_token, correct] = token_losses(out, labels, type);
  torch::Tensor seq_correct, divisor;
  ActMetrics m;
  {
    torch::NoGradGuard no_grad;
    const auto counts = (labels != kIgnoreLabel).sum(-1);
    divisor = counts.clamp_min(1).unsqueeze(-1);
    seq_correct = correct.sum(-1) == counts;
    const auto valid = c.halted & (counts > 0);
    const auto zero = torch::zeros({}, torch::kFloat32).to(labels.device());
    m.count = valid.sum().item<double>();
    m.accuracy = torch::where(valid, (correct.to(torch::kFloat32) / divisor).sum(-1), zero).sum().item<double>();
    m.exact_accuracy = (valid & seq_correct).sum().item<double>();
    m.q_halt_accuracy = (valid & ((out.q_halt >= 0) == seq_correct)).sum().item<double>();
    m.steps = torch::where(valid, c.steps, torch::zeros_like(c.steps)).sum().item<double>();
  }
  const auto lm_loss = (per_token / divisor).sum();
  const auto bce = torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kSum);
  const auto q_halt_loss = torch::nn::functional::binary_cross_entropy_with_logits(
      out.q_halt, seq_correct.to(out.q_halt.scalar_type()), bce);
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
