#include "hrm/train/puzzle_eval.hpp"

#include "hrm/train/puzzle_batcher.hpp"

namespace hrm {

PuzzleEvalResult evaluate_puzzles(HRM& model, const std::vector<puzzle::PuzzleExample>& examples, int64_t batch_size,
                                  int64_t max_examples, torch::Device device) {
  const bool was_training = model->is_training();
  model->eval();
  torch::NoGradGuard no_grad;
  const auto max_steps = model->config().halt_max_steps;
  const auto n = max_examples > 0 ? std::min<int64_t>(max_examples, static_cast<int64_t>(examples.size()))
                                  : static_cast<int64_t>(examples.size());
  PuzzleEvalResult r;
  r.exact_by_segment.assign(static_cast<size_t>(max_steps), 0.0);
  double token_sum = 0, exact_sum = 0, q_exact_sum = 0, q_steps_sum = 0;
  for (int64_t start = 0; start < n; start += batch_size) {
    std::vector<size_t> rows;
    for (int64_t i = start; i < std::min(n, start + batch_size); ++i) rows.push_back(static_cast<size_t>(i));
    const auto batch = make_puzzle_batch(examples, rows, device);
    auto carry = model->initial_carry(batch);
    const auto b = batch.size();
    auto q_halted = torch::zeros({b}, torch::TensorOptions().dtype(torch::kBool).device(device));
    auto q_exact = torch::zeros({b}, torch::TensorOptions().dtype(torch::kBool).device(device));
    auto q_steps = torch::full({b}, max_steps, torch::TensorOptions().dtype(torch::kLong).device(device));
    torch::Tensor correct, mask, seq_exact;
    for (int64_t s = 0; s < max_steps; ++s) {
      auto [next, out] = model->forward(carry, batch);
      carry = std::move(next);
      mask = batch.labels != kIgnoreLabel;
      correct = mask & (out.logits.argmax(-1) == batch.labels);
      seq_exact = correct.sum(-1) == mask.sum(-1);
      r.exact_by_segment[static_cast<size_t>(s)] += seq_exact.sum().item<double>();
      // Where the Q head would stop: the first segment with q_halt > q_continue, else the last.
      const auto stop_here = (~q_halted) & ((out.q_halt > out.q_continue) | (s == max_steps - 1));
      q_exact = torch::where(stop_here, seq_exact, q_exact);
      q_steps = torch::where(stop_here, torch::full_like(q_steps, s + 1), q_steps);
      q_halted = q_halted | stop_here;
    }
    token_sum += (correct.to(torch::kFloat64).sum(-1) / mask.sum(-1).clamp_min(1)).sum().item<double>();
    exact_sum += seq_exact.sum().item<double>();
    q_exact_sum += q_exact.sum().item<double>();
    q_steps_sum += q_steps.sum().item<double>();
  }
  r.examples = n;
  r.token_accuracy = token_sum / static_cast<double>(n);
  r.exact_accuracy = exact_sum / static_cast<double>(n);
  r.q_halt_exact_accuracy = q_exact_sum / static_cast<double>(n);
  r.mean_q_halt_segments = q_steps_sum / static_cast<double>(n);
  for (auto& v : r.exact_by_segment) v /= static_cast<double>(n);
  if (was_training) model->train();
  return r;
}

}  // namespace hrm
