// HRM — the ACT wrapper around HRMInner (HierarchicalReasoningModel_ACTV1 of the reference):
// a carry of (z_H, z_L, steps, halted, current data) across segments; halted slots restart from
// the initial state and take the next example; halting when q_halt > q_continue or at max steps,
// with exploration; the bootstrapped target-Q forward while training; evaluation runs max steps.
#pragma once
#include <torch/torch.h>

#include "hrm/model/hrm.hpp"

namespace hrm {

struct Carry {
  InnerCarry inner;
  torch::Tensor steps;   // [B] int32 segments run for the current example
  torch::Tensor halted;  // [B] bool
  Batch current;         // the examples each slot is working on
};

struct ActOutput {
  torch::Tensor logits, logit_index, q_halt, q_continue;  // logits, logit_index: as InnerOutput
  torch::Tensor target_q_continue;                        // defined only when training with ACT (halt_max_steps > 1)
};

class HRMImpl : public torch::nn::Module {
 public:
  explicit HRMImpl(const ModelConfig& config, uint64_t seed = 0);

  // Every slot starts halted, so the first forward loads `batch` into all of them.
  Carry initial_carry(const Batch& batch);
  // `logits` picks the positions of ActOutput::logits (training: kLabelled, all the loss reads).
  std::pair<Carry, ActOutput> forward(const Carry& carry, const Batch& batch,
                                      LogitPositions logits = LogitPositions::kAll);

  const ModelConfig& config() const { return inner->config(); }
  // The exploration draws use this generator (CPU), so runs are reproducible on any device.
  at::Generator& generator() { return generator_; }

  HRMInner inner{nullptr};

 private:
  at::Generator generator_;
};
TORCH_MODULE(HRM);

// Selects rows of `fresh` where `take` is true, else rows of `old` (any trailing shape).
torch::Tensor select_rows(const torch::Tensor& take, const torch::Tensor& fresh, const torch::Tensor& old);

}  // namespace hrm
