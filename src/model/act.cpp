#include "hrm/model/act.hpp"

#include <ATen/CPUGeneratorImpl.h>

namespace hrm {

torch::Tensor select_rows(const torch::Tensor& take, const torch::Tensor& fresh, const torch::Tensor& old) {
  if (!fresh.defined()) return fresh;
  std::vector<int64_t> shape(static_cast<size_t>(fresh.dim()), 1);
  shape[0] = -1;
  return torch::where(take.view(shape), fresh, old);
}

HRMImpl::HRMImpl(const ModelConfig& config, uint64_t seed)
    : generator_(at::make_generator<at::CPUGeneratorImpl>(seed)) {
  inner = register_module("inner", HRMInner(config));
}

Carry HRMImpl::initial_carry(const Batch& batch) {
  const auto b = batch.size();
  const auto dev = batch.inputs.device();
  Carry c;
  c.inner = inner->empty_carry(b);
  c.steps = torch::zeros({b}, torch::TensorOptions().dtype(torch::kInt32).device(dev));
  c.halted = torch::ones({b}, torch::TensorOptions().dtype(torch::kBool).device(dev));
  c.current = {torch::zeros_like(batch.inputs), torch::zeros_like(batch.labels), torch::zeros_like(batch.puzzle_ids),
               batch.prefix_lens.defined() ? torch::zeros_like(batch.prefix_lens) : torch::Tensor()};
  return c;
}

std::pair<Carry, ActOutput> HRMImpl::forward(const Carry& carry, const Batch& batch, LogitPositions logits) {
  const auto& cfg = inner->config();
  Carry next;
  next.current = {select_rows(carry.halted, batch.inputs, carry.current.inputs),
                  select_rows(carry.halted, batch.labels, carry.current.labels),
                  select_rows(carry.halted, batch.puzzle_ids, carry.current.puzzle_ids),
                  select_rows(carry.halted, batch.prefix_lens, carry.current.prefix_lens)};
  const auto reset_inner = inner->reset_carry(carry.halted, carry.inner, next.current);
  auto steps = torch::where(carry.halted, torch::zeros_like(carry.steps), carry.steps);

  auto out = inner->forward(reset_inner, next.current, logits);
  next.inner = out.carry;
  ActOutput act{out.logits, out.logit_index, out.q_halt, out.q_continue, {}};

  torch::NoGradGuard no_grad;
  steps = steps + 1;
  const auto is_last = steps >= cfg.halt_max_steps;
  auto halted = is_last;
  if (is_training() && cfg.halt_max_steps > 1) {
    halted = halted | (out.q_halt > out.q_continue);
    // Exploration: with probability p a slot must run at least U{2..max} segments.
    const auto b = batch.size();
    const auto cpu_i32 = torch::TensorOptions().dtype(torch::kInt32);
    const auto explore = torch::rand({b}, generator_) < cfg.halt_exploration_prob;
    const auto min_steps =
        explore.to(torch::kInt32) * torch::randint(2, cfg.halt_max_steps + 1, {b}, generator_, cpu_i32);
    halted = halted & (steps >= min_steps.to(steps.device()));
    if (cfg.has_q_continue()) {
      // Bootstrapped target: the Q values of the next segment from the new carry (no replay buffer).
      const auto next_q = inner->forward(next.inner, next.current, LogitPositions::kNone);
      act.target_q_continue =
          torch::sigmoid(torch::where(is_last, next_q.q_halt, torch::maximum(next_q.q_halt, next_q.q_continue)));
    }
  }
  next.steps = steps;
  next.halted = halted;
  return {next, act};
}

}  // namespace hrm
