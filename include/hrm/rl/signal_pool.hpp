// Dynamic sampling for the gspo stage (`resample_zero_signal`, as DAPO's "dynamic sampling"): the groups
// with signal from one or more judged rollout batches, held until an update takes `prompts_per_step` of
// them. Groups whose rewards are all equal are dropped before they enter (the caller counts them), so
// every update sees a full batch of prompts at the edge of the policy's competence: neither always
// solved nor never solved. Rows keep the log pi_behav and the version of the weights that sampled them, so
// a group that waits for a later update is corrected like any other stale sample (gspo_update.hpp).
#pragma once
#include <torch/torch.h>

#include <cstdint>

#include "hrm/rl/gspo_update.hpp"
#include "hrm/rl/policy_forward.hpp"

namespace hrm::rl {

struct PooledGroups {
  SequenceBatch batch;
  torch::Tensor logp_old, logp_ref, rewards, passed;  // logp_ref undefined without a KL penalty
  torch::Tensor sampled_at;                           // undefined when the batches added had none
  int64_t groups = 0;

  JudgedBatch judged() const { return {batch, logp_old, logp_ref, rewards, passed, sampled_at}; }
};

class SignalPool {
 public:
  explicit SignalPool(int64_t group_size);
  // Appends the groups g of `judged` with has_signal[g] (its rows g*G .. g*G+G-1, in order), G the group size.
  void add(const JudgedBatch& judged, const torch::Tensor& has_signal);
  int64_t groups() const { return held_.groups; }
  // Removes and returns the oldest min(n, groups()) groups.
  PooledGroups take(int64_t n);

 private:
  int64_t group_size_;
  PooledGroups held_;  // tensors undefined while empty
};

}  // namespace hrm::rl
