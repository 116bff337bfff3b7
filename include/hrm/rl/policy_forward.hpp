// Teacher-forced log-probabilities of sampled responses under an HRM policy, computed the way the
// decoder sampled them: `segments` ACT segments with the carry kept between segments (earlier segments
// without autograd, the last with HRM's 1-step gradient, as in training), logits of position t scoring
// token t+1. Used for GSPO's log pi_old (no grad) and log pi_theta (grad).
#pragma once
#include <torch/torch.h>

#include <vector>

#include "hrm/model/hrm.hpp"

namespace hrm::rl {

struct SequenceBatch {
  torch::Tensor inputs;       // [B, seq_len] int64: prompt + response, padded with <pad>
  torch::Tensor targets;      // [B, seq_len] int64: inputs shifted left by one (what position t predicts)
  torch::Tensor mask;         // [B, seq_len] fp32: 1 where targets[t] is a response token
  torch::Tensor prefix_lens;  // [B] int64: prompt lengths (prefix-LM attention, the Q head's position)
};

// Throws hrm::Error when a prompt + response does not fit `seq_len` or a response is empty.
SequenceBatch make_sequence_batch(const std::vector<std::vector<int32_t>>& prompts,
                                  const std::vector<std::vector<int32_t>>& responses, int64_t seq_len);
// Rows `rows` of `batch`.
SequenceBatch select_rows(const SequenceBatch& batch, const torch::Tensor& rows);

struct PolicyOutput {
  torch::Tensor logp;                // [B, seq_len] fp32 log pi(targets[t]) (meaningful where mask is 1)
  torch::Tensor q_halt, q_continue;  // [B] fp32 of the last segment
};

PolicyOutput policy_forward(HRMInnerImpl& model, const SequenceBatch& batch, int64_t segments);

}  // namespace hrm::rl
