#include "hrm/train/evaluation.hpp"

#include "hrm/model/losses.hpp"

#include <tuple>

namespace hrm {

EvalResult EvalSums::to_result() const {
  EvalResult r;
  const double n = std::max(1.0, values[2]);
  r.examples = static_cast<int64_t>(values[0]);
  r.labelled_examples = static_cast<int64_t>(values[2]);
  r.loss = values[1] / n;
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
    const auto labelled = mask.sum(-1) > 0;  // examples without labels count in no mean, as in the reference
    ActOutput out;
    for (int64_t s = 0; s < max_steps; ++s) {
      std::tie(carry, out) = model->forward(carry, batch);
      const auto correct = mask & (out.logits.argmax(-1) == batch.labels);
      const auto seq_exact = labelled & (correct.sum(-1) == mask.sum(-1));
      v[7 + static_cast<size_t>(s)] += seq_exact.sum().item<double>();
      // Where the Q head would stop: the first segment with q_halt > q_continue, else the last.
      const auto stop_here = (~q_halted) & ((out.q_halt > out.q_continue) | (s == max_steps - 1));
      q_exact = torch::where(stop_here, seq_exact, q_exact);
      q_steps = torch::where(stop_here, torch::full_like(q_steps, s + 1), q_steps);
      q_halted = q_halted | stop_here;
    }
    // Every slot has halted after the last segment, so act_loss's sums are the reference's evaluation metrics:
    // per-sequence-normalised LM loss, token and exact accuracy, each over the examples with labels.
    const auto m = act_loss(carry, out, loss_type).metrics;
    v[0] += static_cast<double>(b);
    v[1] += m.lm_loss;
    v[2] += m.count;
    v[3] += m.accuracy;
    v[4] += m.exact_accuracy;
    v[5] += q_exact.sum().item<double>();
    v[6] += torch::where(labelled, q_steps, torch::zeros_like(q_steps)).sum().item<double>();
  }
  if (was_training) model->train();
  return sums;
}

}  // namespace hrm
