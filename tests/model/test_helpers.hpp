// Small configs and batches shared by the model tests.
#pragma once
#include <torch/torch.h>

#include "hrm/model/config.hpp"
#include "hrm/model/hrm.hpp"

namespace hrm::testing {

inline ModelConfig tiny_config(AttentionMode mode = AttentionMode::kBidirectional) {
  ModelConfig c;
  c.vocab_size = 11;
  c.seq_len = 8;
  c.hidden_size = 32;
  c.num_heads = 4;
  c.expansion = 2.0;
  c.H_layers = 1;
  c.L_layers = 1;
  c.H_cycles = 2;
  c.L_cycles = 2;
  c.halt_max_steps = 4;
  c.attention = mode;
  c.forward_dtype = "float32";
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
