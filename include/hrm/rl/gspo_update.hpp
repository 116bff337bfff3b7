// The update half of a gspo-stage step: from one judged rollout batch to
// `minibatches` optimizer steps with the stage's objective (GSPO or RFT), per-module and global gradient
// clipping, and the step's loss statistics. The run loop (gspo_stage.cpp) samples, judges and logs;
// tests drive it directly on hand-made batches.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <random>

#include "hrm/model/hrm.hpp"
#include "hrm/rl/gspo_stage.hpp"
#include "hrm/rl/module_clip.hpp"
#include "hrm/rl/policy_forward.hpp"

namespace hrm::rl {

struct JudgedBatch {
  const SequenceBatch& batch;
  torch::Tensor logp_old;  // [B, seq_len] under the sampling weights
  torch::Tensor logp_ref;  // [B, seq_len] under the frozen reference; undefined without a KL penalty
  torch::Tensor rewards;   // [B] fp32
  torch::Tensor passed;    // [B] fp32, 1 where every test passed
};

struct UpdateStats {
  int64_t zero_signal_groups = 0, groups = 0;
  // Means over the minibatches (0 when no group had signal and nothing was updated).
  double clip_fraction = 0, mean_abs_log_ratio = 0, kl = 0, loss = 0;
};

class PolicyUpdater {
 public:
  // Builds the per-module optimizer for `model` (which must outlive the updater); keeps a copy of config.
  PolicyUpdater(const GspoStageConfig& config, HRMInnerImpl& model, int64_t segments);
  UpdateStats update(const JudgedBatch& judged, std::mt19937_64& rng);
  // [groups] bool: the groups the objective can learn from (GSPO: rewards not all equal; RFT: a reply
  // passed). The others are the zero-signal groups `update` drops and counts.
  torch::Tensor group_signal(const torch::Tensor& rewards, const torch::Tensor& passed) const;

 private:
  // The rows the minibatches are drawn from and, per row, whether its tokens are trained on (RFT) or its
  // advantage (GSPO).
  struct Plan {
    std::vector<int64_t> rows;
    torch::Tensor row_weight;  // [B]: GSPO advantages, or RFT's selected mask as 0/1
    int64_t zero_signal_groups = 0, groups = 0;
  };
  Plan plan(const JudgedBatch& judged) const;

  GspoStageConfig c_;
  HRMInnerImpl& model_;
  int64_t segments_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  ModuleParams module_params_;
};

}  // namespace hrm::rl
