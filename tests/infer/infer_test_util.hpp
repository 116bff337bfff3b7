// Tiny causal / prefix-LM models and the full-recompute reference the cached decoder is checked against.
#pragma once
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <vector>

#include "hrm/model/config.hpp"
#include "hrm/model/hrm.hpp"
#include "../model/test_helpers.hpp"

namespace hrm::infer::testing {

inline ModelConfig tiny_lm_config(AttentionMode mode, const std::string& dtype = "float32") {
  ModelConfig c = hrm::testing::small_config(64, 24, mode);
  c.L_layers = 2;
  c.halt_max_steps = 3;
  c.forward_dtype = dtype;
  return c;
}

inline torch::Tensor random_tokens(const ModelConfig& c, int64_t rows, uint64_t seed) {
  auto g = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randint(0, c.vocab_size, {rows, c.seq_len}, g, torch::kLong);
}

inline std::vector<int32_t> row_prefix(const torch::Tensor& tokens, int64_t row, int64_t length) {
  std::vector<int32_t> out;
  for (int64_t t = 0; t < length; ++t) out.push_back(static_cast<int32_t>(tokens[row][t].item<int64_t>()));
  return out;
}

struct FullForward {
  torch::Tensor logits;            // [B, seq_len, vocab] fp32 after the last segment
  std::vector<torch::Tensor> z_H;  // per segment: [B, seq_len, hidden]
};

// HRMInner::forward over whole sequences for `segments` segments, the carry kept between segments (as
// HRM's evaluation runs ACT). prefix_lens is used in prefix-LM mode.
inline FullForward full_forward(HRMInner& m, const torch::Tensor& tokens, const std::vector<int64_t>& prefix_lens,
                                int64_t segments) {
  torch::NoGradGuard no_grad;
  const auto b = tokens.size(0);
  Batch batch;
  batch.inputs = tokens;
  batch.labels = torch::zeros_like(tokens);
  batch.puzzle_ids = torch::zeros({b}, torch::kLong);
  if (m->config().attention == AttentionMode::kPrefixLM) batch.prefix_lens = torch::tensor(prefix_lens, torch::kLong);
  auto carry = m->reset_carry(torch::ones({b}, torch::kBool), m->empty_carry(b), batch);
  FullForward out;
  for (int64_t s = 0; s < segments; ++s) {
    auto o = m->forward(carry, batch);
    carry = o.carry;
    out.logits = o.logits.to(torch::kFloat32);
    out.z_H.push_back(o.carry.z_H);
  }
  return out;
}

}  // namespace hrm::infer::testing
