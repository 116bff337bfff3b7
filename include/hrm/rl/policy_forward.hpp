// Teacher-forced log-probabilities of sampled responses under an HRM policy, computed the way the
// decoder sampled them: the same ACT segments (per row when the rollout halted adaptively) with the carry
// kept between segments (earlier segments without autograd, the last with HRM's 1-step gradient, as in
// training), logits of position t scoring token t+1, and the sampler's distribution over them (its
// temperature and vocabulary: the log-probs are those of the policy that sampled). Used for GSPO's
// log pi_behav and log pi_prox (no grad) and log pi_theta (grad).
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
  torch::Tensor segments;     // [B] int64: ACT segments each row was sampled with; undefined: the caller's count
};

// Throws hrm::Error when a prompt + response does not fit `seq_len` or a response is empty.
SequenceBatch make_sequence_batch(const std::vector<std::vector<int32_t>>& prompts,
                                  const std::vector<std::vector<int32_t>>& responses, int64_t seq_len);
// Rows `rows` of `batch`.
SequenceBatch select_rows(const SequenceBatch& batch, const torch::Tensor& rows);
// The rows of `a` followed by those of `b` (either may be empty: all tensors undefined).
SequenceBatch concat_rows(const SequenceBatch& a, const SequenceBatch& b);

// How the sampler turned logits into a distribution (infer::Sampler without top-k/top-p truncation).
struct SamplingDistribution {
  double temperature = 1.0;  // p ∝ exp(logit / temperature)
  int64_t vocab = 0;         // only ids < vocab (the tokenizer's size, generate()'s vocab_limit); 0: all logits
};

struct PolicyOutput {
  torch::Tensor logp;                // [B, seq_len] fp32 log pi(targets[t]) (meaningful where mask is 1)
  torch::Tensor q_halt, q_continue;  // [B] fp32 of each row's last segment (read at its last prompt token)
  // With next_q: [B] fp32, no grad, each row's Q values one segment further (what q_continue is trained
  // towards, as HRM's Q-learning target).
  torch::Tensor next_q_halt, next_q_continue;
};

// `segments` applies to every row unless batch.segments is set (then each row gets its own).
PolicyOutput policy_forward(HRMInnerImpl& model, const SequenceBatch& batch, int64_t segments,
                            const SamplingDistribution& distribution = {}, bool next_q = false);

}  // namespace hrm::rl
