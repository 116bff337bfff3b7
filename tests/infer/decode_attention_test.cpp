// The one-query decode attention kernel against its reference, compat::attention with the row-length
// mask, on a view of a larger cache (as the decoder reads it), with rows of different lengths, and the
// tensors it must refuse.
#include "hrm/infer/decode_attention.hpp"

#include <gtest/gtest.h>

#include "../error_of.hpp"
#include "hrm/model/cpu_fused_ops.hpp"
#include "hrm/model/torch_compat.hpp"

namespace {

torch::Tensor reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const std::vector<int64_t>& lengths) {
  const auto positions = torch::arange(k.size(2)).view({1, -1});
  const auto limit = torch::tensor(lengths).view({-1, 1});
  const auto mask = (positions < limit).view({k.size(0), 1, 1, k.size(2)});
  return hrm::compat::attention(q, k, v, mask, false);
}

TEST(DecodeAttention, MatchesTheMaskedReferenceOnACacheView) {
  if (!hrm::cpu_fused::cpu_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  torch::manual_seed(0);
  for (const int64_t d : {8, 24, 32, 40, 64}) {  // blocks of 32 and their 8-wide tails
    const int64_t rows = 5, heads = 3, capacity = 40, length = 33;
    const auto cache_k = torch::randn({rows, heads, capacity, d}), cache_v = torch::randn({rows, heads, capacity, d});
    const auto k = cache_k.narrow(2, 0, length), v = cache_v.narrow(2, 0, length);  // strided, as the decoder's
    const auto q = torch::randn({rows, heads, 1, d}) * 3;  // sharp softmaxes as well as flat ones
    const std::vector<int64_t> lengths = {1, 7, 33, 20, 32};
    ASSERT_TRUE(hrm::infer::decode_attention_supported(q, k, v));
    const auto out = hrm::infer::decode_attention(q, k, v, lengths);
    const auto expected = reference(q, k, v, lengths);
    EXPECT_EQ(out.sizes(), expected.sizes());
    EXPECT_LT((out - expected).abs().max().item<float>(), 1e-5f) << "head dim " << d;
  }
}

// bf16 tensors are read as fp32 and computed in fp32: the kernel matches the fp32 formula on the same bf16
// values to the output's rounding (half a bf16 ulp, 2^-9 relative).
TEST(DecodeAttention, Bf16MatchesTheFp32FormulaOnTheSameValues) {
  if (!hrm::cpu_fused::cpu_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  torch::manual_seed(2);
  const int64_t rows = 3, heads = 2, capacity = 50, d = 64;
  const auto cache_k = torch::randn({rows, heads, capacity, d}).to(torch::kBFloat16);
  const auto cache_v = torch::randn({rows, heads, capacity, d}).to(torch::kBFloat16);
  const auto k = cache_k.narrow(2, 0, 41), v = cache_v.narrow(2, 0, 41);
  const auto q = (torch::randn({rows, heads, 1, d}) * 2).to(torch::kBFloat16);
  const std::vector<int64_t> lengths = {41, 9, 16};
  ASSERT_TRUE(hrm::infer::decode_attention_supported(q, k, v));
  const auto out = hrm::infer::decode_attention(q, k, v, lengths);
  ASSERT_EQ(out.scalar_type(), torch::kBFloat16);
  const auto expected = reference(q.to(torch::kFloat32), k.to(torch::kFloat32), v.to(torch::kFloat32), lengths);
  const auto error = (out.to(torch::kFloat32) - expected).abs();
  EXPECT_TRUE((error <= expected.abs() * (1.0 / 256) + 1e-6).all().item<bool>()) << error.max().item<float>();
}

TEST(DecodeAttention, PositionsPastARowsLengthDoNotMatter) {
  if (!hrm::cpu_fused::cpu_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  torch::manual_seed(1);
  auto k = torch::randn({2, 2, 16, 32}), v = torch::randn({2, 2, 16, 32});
  const auto q = torch::randn({2, 2, 1, 32});
  const auto before = hrm::infer::decode_attention(q, k, v, {4, 16});
  k.narrow(0, 0, 1).narrow(2, 4, 12).fill_(1e30);  // row 0's unused positions: huge, and NaN
  v.narrow(0, 0, 1).narrow(2, 4, 12).fill_(std::numeric_limits<float>::quiet_NaN());
  const auto after = hrm::infer::decode_attention(q, k, v, {4, 16});
  EXPECT_TRUE(torch::equal(before, after));
}

TEST(DecodeAttention, RefusesWhatItCannotTake) {
  const auto q = torch::randn({2, 2, 1, 32}), k = torch::randn({2, 2, 9, 32});
  EXPECT_FALSE(hrm::infer::decode_attention_supported(q, k.to(torch::kBFloat16), k.to(torch::kBFloat16)));  // mixed
  EXPECT_FALSE(
      hrm::infer::decode_attention_supported(q.to(torch::kDouble), k.to(torch::kDouble), k.to(torch::kDouble)));
  EXPECT_FALSE(hrm::infer::decode_attention_supported(torch::randn({2, 2, 2, 32}), k, k));  // two queries
  EXPECT_FALSE(hrm::infer::decode_attention_supported(torch::randn({2, 2, 1, 12}), torch::randn({2, 2, 9, 12}),
                                                      torch::randn({2, 2, 9, 12})));  // D not a multiple of 8
  if (!hrm::cpu_fused::cpu_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  EXPECT_NE(hrm::testing::error_of([&] {
              hrm::infer::decode_attention(q, k, k, {1, 10});
            }).find("outside [1, 9]"),
            std::string::npos);
  EXPECT_NE(hrm::testing::error_of([&] { hrm::infer::decode_attention(q, k, k, {1}); }).find("1 lengths for 2 rows"),
            std::string::npos);
}

}  // namespace
