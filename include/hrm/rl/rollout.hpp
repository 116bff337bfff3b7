// Rollouts for the gspo stage: the policy and its tokenizer, the LiveCodeBench prompts, and G sampled
// replies per prompt from the current weights (hrm::infer), recorded exactly as sampled: the tokens, the
// stop token that ended the reply (none when it was cut at the length limit), and the ACT segments each
// reply was decoded with (adaptive halting: chosen by the Q head per prompt, up to the maximum).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hrm/eval/lcb_data.hpp"
#include "hrm/infer/generate.hpp"
#include "hrm/model/hrm.hpp"
#include "hrm/rl/rollout_judge.hpp"
#include "hrm/tokenizer/tokenizer.hpp"

namespace hrm::rl {

struct Policy {
  std::string dir;
  HRMInner model{nullptr};
  std::unique_ptr<Tokenizer> tokenizer;
  // The vocabulary the sampler draws from and the log-probs normalise over: the tokenizer's ids (a
  // model may have more rows, e.g. padded to 2048; those ids are never sampled, so never scored).
  int64_t vocab() const;
};

// A text checkpoint with tokenizer.model inside; throws hrm::Error for puzzle (bidirectional) models and
// for a tokenizer larger than the model's vocabulary.
Policy load_policy(const std::string& dir);

struct PromptSet {
  std::vector<eval::lcb::Problem> problems;
  std::vector<std::vector<int32_t>> ids;  // the chat-template prompt of each problem
};

// Problems whose prompt leaves room to generate within seq_len (the others are skipped with a warning).
PromptSet load_prompts(const std::string& path, const Tokenizer& tokenizer, int64_t seq_len);

struct RolloutOptions {
  int64_t samples = 1;  // G per prompt
  double temperature = 1.0;
  int64_t max_new_tokens = 256;
  int64_t segments = 1;      // fixed segments, or the maximum with adaptive
  bool adaptive = false;     // the Q head halts each prompt after 1..segments segments
  double exploration = 0.0;  // adaptive only: share of prompts given a uniformly random 1..segments instead
  uint64_t seed = 0;
};

struct Sampled {
  std::vector<size_t> prompt_of;                // per sequence, index into the PromptSet
  std::vector<std::vector<int32_t>> responses;  // the sampled tokens, the stop token included when one ended it
  std::vector<int64_t> segments;                // per sequence: the ACT segments it was decoded with
  std::vector<Rollout> rollouts;
  double seconds = 0;
};

// The tokens a completion trains on: exactly what was sampled — its tokens, then the stop token that
// ended it (</s> or <|end|>, whichever the model produced), or nothing more when it was cut off.
std::vector<int32_t> sampled_tokens(const infer::Completion& completion);

// n samples of each chosen prompt from the current weights, prompt-major. Sample i of a prompt draws from
// seed + i (infer::generate's rule).
Sampled sample_rollouts(Policy& policy, const PromptSet& set, const std::vector<size_t>& chosen,
                        const RolloutOptions& options);

}  // namespace hrm::rl
