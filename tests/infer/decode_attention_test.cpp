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
  for (const int64_t d : {8, 32, 64}) {
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
  EXPECT_FALSE(
      hrm::infer::decode_attention_supported(q.to(torch::kBFloat16), k.to(torch::kBFloat16), k.to(torch::kBFloat16)));
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
