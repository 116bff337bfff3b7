// The few-row GEMV kernel against torch::nn::functional::linear (its reference), fp32 and bf16.
#include "hrm/infer/gemv.hpp"

#include <gtest/gtest.h>

namespace {

TEST(FewRowLinear, MatchesTorchLinear) {
  if (!hrm::infer::few_row_linear_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  torch::manual_seed(0);
  for (const auto dtype : {torch::kFloat32, torch::kBFloat16}) {
    for (const int64_t rows : {1, 2, 3, 4}) {
      for (const int64_t in : {32, 100, 512}) {  // 100: a tail that is not a multiple of 8
        const auto w = torch::randn({67, in}).to(dtype);
        const auto x = torch::randn({rows, 1, in}).to(dtype);
        const auto y = hrm::infer::few_row_linear(x, w);
        ASSERT_TRUE(y.defined());
        EXPECT_EQ(y.sizes(), (std::vector<int64_t>{rows, 1, 67}));
        EXPECT_EQ(y.scalar_type(), dtype);
        const auto ref = torch::nn::functional::linear(x.to(torch::kFloat32), w.to(torch::kFloat32));
        // fp32: summation order only; bf16: the output's rounding (half a bf16 ulp, 2^-9 relative).
        const auto err = (y.to(torch::kFloat32) - ref).abs();
        const auto bound = dtype == torch::kFloat32 ? torch::full_like(ref, 1e-4) : ref.abs() * (1.0 / 256) + 1e-3;
        EXPECT_TRUE((err <= bound).all().item<bool>()) << c10::toString(dtype) << " rows " << rows << " in " << in
                                                       << ": max err " << err.max().item<double>();
      }
    }
  }
}

TEST(FewRowLinear, DeclinesWhatItDoesNotHandle) {
  const auto w = torch::randn({8, 16});
  EXPECT_FALSE(hrm::infer::few_row_linear(torch::randn({5, 16}), w).defined());              // too many rows
  EXPECT_FALSE(hrm::infer::few_row_linear(torch::randn({1, 16}).to(torch::kDouble), w).defined());  // dtype
  EXPECT_FALSE(hrm::infer::few_row_linear(torch::randn({1, 16}), w.t().contiguous().t()).defined());  // layout
  EXPECT_FALSE(hrm::infer::few_row_linear(torch::randn({1, 16}), w.requires_grad_()).defined());     // autograd
}

}  // namespace
