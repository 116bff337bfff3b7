#include "hrm/train/evaluation.hpp"

#include "hrm/model/losses.hpp"

namespace hrm {

EvalResult EvalSums::to_result() const {
  EvalResult r;
  const double n = std::max(1.0, values[0]);
  r.examples = static_cast<int64_t>(values[0]);
  r.loss = values[1] / std::max(1.0, values[2]);
  r.token_accuracy = values[3] / n;
  r.exact_accuracy = values[4] / n;
  r.q_halt_exact_accuracy = values[5] / n;
  r.mean_q_halt_segments = values[6] / n;
  for (size_t i = 7; i < values.size(); ++i) r.exact_by_segment.push_back(values[i] / n);
  return r;
}

EvalSums evaluate_examples(HRM& model, int64_t begin, int64_t end, int64_t batch_size,
                           const std::function<Batch(int64_t, int64_t)>& batch_of, LossType loss_type) {
  const bool was_training = model->is_training();
  model->eval();
  torch::NoGradGuard no_grad;
  const auto max_steps = model->config().halt_max_steps;
  EvalSums sums(max_steps);
  auto& v = sums.values;
  for (int64_t start = begin; start < end; start += batch_size) {
    const auto batch = batch_of(start, std::min(end, start + batch_size));
    const auto device = batch.inputs.device();
    auto carry = model->initial_carry(batch);
    const auto b = batch.size();
    auto q_halted = torch::zeros({b}, torch::TensorOptions().dtype(torch::kBool).device(device));
    auto q_exact = torch::zeros({b}, torch::TensorOptions().dtype(torch::kBool).device(device));
    auto q_steps = torch::full({b}, max_steps, torch::TensorOptions().dtype(torch::kLong).device(device));
    const auto mask = batch.labels != kIgnoreLabel;
    torch::Tensor correct, seq_exact, logits;
    for (int64_t s = 0; s < max_steps; ++s) {
      auto [next, out] = model->forward(carry, batch);
      carry = std::move(next);
      logits = out.logits;
      correct = mask & (logits.argmax(-1) == batch.labels);
      seq_exact = correct.sum(-1) == mask.sum(-1);
      v[7 + static_cast<size_t>(s)] += seq_exact.sum().item<double>();
      // Where the Q head would stop: the first segment with q_halt > q_continue, else the last.
      const auto stop_here = (~q_halted) & ((out.q_halt > out.q_continue) | (s == max_steps - 1));
      q_exact = torch::where(stop_here, seq_exact, q_exact);
      q_steps = torch::where(stop_here, torch::full_like(q_steps, s + 1), q_steps);
      q_halted = q_halted | stop_here;
    }
    const auto per_token = loss_type == LossType::kStablemax ? stablemax_cross_entropy(logits, batch.labels)
                                                             : softmax_cross_entropy(logits, batch.labels);
    v[0] += static_cast<double>(b);
    v[1] += per_token.sum().item<double>();
    v[2] += mask.sum().item<double>();
    v[3] += (correct.to(torch::kFloat64).sum(-1) / mask.sum(-1).clamp_min(1)).sum().item<double>();
    v[4] += seq_exact.sum().item<double>();
    v[5] += q_exact.sum().item<double>();
    v[6] += q_steps.sum().item<double>();
  }
  if (was_training) model->train();
  return sums;
}

}  // namespace hrm
