// prompt_attention against compat::attention on the whole prompt (its reference): causal, masked
// (prefix-LM style, per row) and unmasked, fp32 and bf16, with chunk budgets that split the queries into
// one, several, and single-row chunks.
#include <gtest/gtest.h>

#include "hrm/infer/prompt_attention.hpp"
#include "hrm/model/torch_compat.hpp"

namespace {

void expect_equal_to_reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask, bool is_causal, double tolerance) {
  const auto reference =
      hrm::compat::attention(q, k, v, mask.defined() ? c10::optional<torch::Tensor>(mask) : c10::nullopt, is_causal);
  const int64_t row_bytes = q.size(0) * q.size(1) * k.size(2) * 4;
  for (const int64_t chunk_rows : {int64_t{1000}, int64_t{7}, int64_t{1}}) {
    const auto out = hrm::infer::prompt_attention(q, k, v, mask, is_causal, chunk_rows * row_bytes);
    ASSERT_EQ(out.sizes(), reference.sizes());
    EXPECT_LT((out.to(torch::kFloat32) - reference.to(torch::kFloat32)).abs().max().item<double>(), tolerance)
        << chunk_rows << " query rows per chunk, causal " << is_causal << ", mask " << mask.defined();
  }
}

TEST(PromptAttention, ChunksEqualTheWholePrompt) {
  torch::manual_seed(3);
  const int64_t b = 2, h = 3, p = 23, d = 16;
  for (const auto dtype : {torch::kFloat32, torch::kBFloat16}) {
    // bf16: a few units in the last place at |out| ~ 2-4 (one query row takes another matmul path).
    const double tolerance = dtype == torch::kFloat32 ? 1e-5 : 5e-2;
    const auto q = torch::randn({b, h, p, d}).to(dtype), k = torch::randn({b, h, p, d}).to(dtype),
               v = torch::randn({b, h, p, d}).to(dtype);
    expect_equal_to_reference(q, k, v, {}, true, tolerance);
    expect_equal_to_reference(q, k, v, {}, false, tolerance);
    // Prefix-LM: causal, plus every position of row r's first 5 + 9 r tokens sees the whole prefix.
    const auto pos = torch::arange(p);
    const auto lengths = torch::tensor({5, 14});
    const auto prefix_mask =
        ((pos.view({1, p}) <= pos.view({p, 1})).unsqueeze(0) | (pos.view({1, 1, p}) < lengths.view({-1, 1, 1})))
            .unsqueeze(1);
    expect_equal_to_reference(q, k, v, prefix_mask, false, tolerance);
  }
}

}  // namespace
