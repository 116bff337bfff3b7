// Small configs and batches shared by the model tests.
#pragma once
#include <torch/torch.h>

#include "hrm/model/config.hpp"
#include "hrm/model/hrm.hpp"

namespace hrm::testing {

// A model small enough for a unit test (one H and one L layer, two cycles of each, float32); the tests of
// model, infer and rl start from it and set what they need.
inline ModelConfig small_config(int64_t vocab_size, int64_t seq_len, AttentionMode mode, int64_t hidden_size = 32,
                                int64_t num_heads = 4) {
  ModelConfig c;
  c.vocab_size = vocab_size;
  c.seq_len = seq_len;
  c.hidden_size = hidden_size;
  c.num_heads = num_heads;
  c.expansion = 2.0;
  c.H_layers = 1;
  c.L_layers = 1;
  c.H_cycles = 2;
  c.L_cycles = 2;
  c.attention = mode;
  c.forward_dtype = "float32";
  return c;
}

inline ModelConfig tiny_config(AttentionMode mode = AttentionMode::kBidirectional) {
  ModelConfig c = small_config(11, 8, mode);
  c.halt_max_steps = 4;
  return c;
}

inline Batch random_batch(const ModelConfig& c, int64_t b, uint64_t seed) {
  auto g = at::make_generator<at::CPUGeneratorImpl>(seed);
  Batch batch;
  batch.inputs = torch::randint(0, c.vocab_size, {b, c.seq_len}, g, torch::kLong);
  batch.labels = torch::randint(0, c.vocab_size, {b, c.seq_len}, g, torch::kLong);
  batch.puzzle_ids = torch::zeros({b}, torch::kLong);
  if (c.attention == AttentionMode::kPrefixLM) batch.prefix_lens = torch::full({b}, c.seq_len / 2, torch::kLong);
  return batch;
}

}  // namespace hrm::testing
