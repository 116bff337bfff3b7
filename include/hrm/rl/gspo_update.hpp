// The update half of a gspo-stage step: from one judged rollout batch to `minibatches` optimizer steps
// with the stage's objective (GSPO or RFT), per-module and global gradient clipping, and the step's loss
// statistics. The run loop (gspo_stage.cpp) samples, judges and logs; tests drive it directly on
// hand-made batches.
//
// Off-policy rows (sampled before earlier optimizer steps, as the pipelined loop does): when any row of
// the batch was sampled at an older version(), one no-grad forward at the start of the update gives
// log pi_prox under the current weights; the clip is centred on it and pi_prox / pi_behav enters as a
// capped, detached per-sequence weight (gspo.hpp). Rows sampled at the current version need no forward:
// pi_prox = pi_behav. `gspo.decoupled: false` keeps the ratio against pi_behav (the loop before the fix,
// kept for comparison).
//
// ACT-GSPO (act_weight > 0): every row's Q head (read at its last prompt token, after the segments it was
// sampled with, k) is trained with two BCE terms, as HRM's Q-learning:
//   q_halt(k)      -> clamp(passed - segment_cost * k, 0, 1)      the value of halting after k segments
//   q_continue(k)  -> sigmoid(q_halt(k+1))                       when k + 1 is the maximum (halting is forced)
//                     sigmoid(max(q_halt(k+1), q_continue(k+1)))  otherwise        (rows at the maximum: none)
// with the k+1 values from one more no-grad segment. So q_halt > q_continue — the decoder's adaptive halting
// rule — learns "this problem will not be solved better (net of the segment cost) by thinking longer".
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
  const SequenceBatch& batch;  // batch.segments: per-row segments when the rollout halted adaptively
  torch::Tensor logp_old;      // [B, seq_len] log pi_behav: under the weights that sampled each row
  torch::Tensor logp_ref;      // [B, seq_len] under the frozen reference; undefined without a KL penalty
  torch::Tensor rewards;       // [B] fp32
  torch::Tensor passed;        // [B] fp32, 1 where every test passed
  torch::Tensor sampled_at;    // [B] int64: the updater's version() when each row was sampled; undefined: now
};

struct UpdateStats {
  int64_t zero_signal_groups = 0, groups = 0;
  // Means over the minibatches (0 when no group had signal and nothing was updated).
  double clip_fraction = 0, mean_abs_log_ratio = 0, kl = 0, loss = 0;
  double q_halt_loss = 0, q_continue_loss = 0;  // ACT terms (0 without act_weight)
  double staleness = 0;         // mean over the trained rows of optimizer steps between sampling and this update
  double behaviour_weight = 1;  // mean w_i = min(pi_prox / pi_behav, cap) over the trained rows
};

class PolicyUpdater {
 public:
  // Builds the per-module optimizer for `model` (which must outlive the updater); keeps a copy of config.
  // `segments`: the ACT segments of rows without their own (and the maximum of those with); `vocab`: the
  // sampler's vocabulary (the tokenizer's size; 0: the model's).
  PolicyUpdater(const GspoStageConfig& config, HRMInnerImpl& model, int64_t segments, int64_t vocab = 0);
  UpdateStats update(const JudgedBatch& judged, std::mt19937_64& rng);
  // [groups] bool: the groups the objective can learn from (GSPO: rewards not all equal; RFT: a reply
  // passed). The others are the zero-signal groups `update` drops and counts.
  torch::Tensor group_signal(const torch::Tensor& rewards, const torch::Tensor& passed) const;
  // Optimizer steps taken so far: the version of the weights a rollout is sampled from.
  int64_t version() const { return version_; }
  // The sampler's distribution the log-probs are taken under (the stage's temperature and vocabulary).
  const SamplingDistribution& distribution() const { return distribution_; }

 private:
  // The rows the minibatches are drawn from and, per row, its advantage (GSPO) or whether its tokens are
  // trained on (RFT), and whether the objective sees it at all (the ACT term sees every row).
  struct Plan {
    std::vector<int64_t> rows;
    torch::Tensor row_weight;  // [B]: GSPO advantages, or RFT's selected mask as 0/1
    torch::Tensor objective;   // [B] bool: rows of groups with signal
    int64_t zero_signal_groups = 0, groups = 0;
  };
  Plan plan(const JudgedBatch& judged) const;
  torch::Tensor proximal_log_probs(const JudgedBatch& judged, const std::vector<int64_t>& rows);
  struct MinibatchLoss {
    torch::Tensor loss;
    double clip_fraction = 0, mean_abs_log_ratio = 0, kl = 0, q_halt_loss = 0, q_continue_loss = 0;
  };
  MinibatchLoss minibatch_loss(const JudgedBatch& judged, const Plan& plan, const torch::Tensor& logp_prox,
                               const torch::Tensor& weight_behav, const torch::Tensor& idx);
  torch::Tensor act_loss(const PolicyOutput& out, const SequenceBatch& sub, const torch::Tensor& passed,
                         MinibatchLoss& stats) const;
  void optimizer_step(const torch::Tensor& loss);

  GspoStageConfig c_;
  HRMInnerImpl& model_;
  int64_t segments_;
  SamplingDistribution distribution_;
  int64_t version_ = 0;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  ModuleParams module_params_;
};

}  // namespace hrm::rl
