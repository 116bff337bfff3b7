// The few-row GEMV kernel against torch::nn::functional::linear (its reference), fp32 and bf16, and bf16
// against the fp32 product of the same values (x.float() @ W.float().t()) at sizes with every kind of tail.
#include "hrm/infer/gemv.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {

TEST(FewRowLinear, MatchesTorchLinear) {
  if (!hrm::infer::few_row_linear_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  torch::manual_seed(0);
  for (const auto dtype : {torch::kFloat32, torch::kBFloat16}) {
    for (const int64_t rows : {1, 2, 3, 4, 5, 8, 11, 16}) {  // blocks of 4 input rows and their tails
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
        EXPECT_TRUE((err <= bound).all().item<bool>())
            << c10::toString(dtype) << " rows " << rows << " in " << in << ": max err " << err.max().item<double>();
      }
    }
  }
}

// bf16 weights are read as bf16 and accumulated in fp32: against x.float() @ W.float().t() for sizes
// with every kind of tail (in % 32 and in % 8 nonzero, in < 8, odd out), every row count.
TEST(FewRowLinear, Bf16MatchesFp32ReferenceWithTails) {
  if (!hrm::infer::few_row_linear_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  torch::manual_seed(1);
  for (const int64_t rows : {1, 2, 3, 4, 7, 16, 37}) {  // 37: chunks of kFewRows and a tail
    for (const int64_t in : {1, 7, 9, 31, 33, 57, 515}) {
      for (const int64_t out : {1, 3, 131}) {
        const auto w = torch::randn({out, in}).to(torch::kBFloat16);
        const auto x = torch::randn({rows, in}).to(torch::kBFloat16);
        const auto y = hrm::infer::few_row_linear(x, w);
        ASSERT_TRUE(y.defined());
        ASSERT_EQ(y.scalar_type(), torch::kBFloat16);
        const auto xf = x.to(torch::kFloat32), wf = w.to(torch::kFloat32);
        const auto ref = torch::matmul(xf, wf.t());
        // fp32 accumulation (summation order: in * 2^-24 of sum |x w|, doubled) plus the output's
        // rounding to bf16 (half an ulp: at most 2^-8 relative).
        const auto scale = torch::matmul(xf.abs(), wf.abs().t());
        const auto bound =
            ref.abs() * std::ldexp(1.0, -8) + scale * (2.0 * static_cast<double>(in) * std::ldexp(1.0, -24)) + 1e-30;
        const auto err = (y.to(torch::kFloat32) - ref).abs();
        EXPECT_TRUE((err <= bound).all().item<bool>())
            << "rows " << rows << " in " << in << " out " << out << ": max err " << err.max().item<double>();
        // The same kernel on the fp32 copies (exact: bf16 widens exactly) gives the fp32 sums the bf16
        // output rounds: the bf16 path differs only in how it loads and stores (and fp32 takes at most
        // kFewRows rows: a chunk at a time).
        for (int64_t r0 = 0; r0 < rows; r0 += hrm::infer::kFewRows) {
          const auto n = std::min(hrm::infer::kFewRows, rows - r0);
          const auto yf = hrm::infer::few_row_linear(xf.narrow(0, r0, n), wf);
          ASSERT_TRUE(yf.defined());
          EXPECT_TRUE(torch::equal(y.narrow(0, r0, n), yf.to(torch::kBFloat16)))
              << "rows " << rows << " in " << in << " out " << out;
        }
      }
    }
  }
}

// Leading dimensions and a non-contiguous input (a strided view) reach the kernel as [rows, in].
TEST(FewRowLinear, StridedInputAndLeadingDims) {
  if (!hrm::infer::few_row_linear_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  torch::manual_seed(2);
  for (const auto dtype : {torch::kFloat32, torch::kBFloat16}) {
    const auto w = torch::randn({45, 70}).to(dtype);
    const auto x = torch::randn({2, 2, 140}).to(dtype).narrow(2, 0, 140).slice(2, 0, 140, 2);  // stride 2
    ASSERT_FALSE(x.is_contiguous());
    const auto y = hrm::infer::few_row_linear(x, w);
    ASSERT_TRUE(y.defined());
    EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 2, 45}));
    const auto expected = hrm::infer::few_row_linear(x.contiguous(), w);
    EXPECT_TRUE(torch::equal(y, expected)) << c10::toString(dtype);
  }
}

TEST(FewRowLinear, DeclinesWhatItDoesNotHandle) {
  const auto w = torch::randn({8, 16});
  EXPECT_FALSE(hrm::infer::few_row_linear(torch::randn({hrm::infer::kFewRows + 1, 16}), w).defined());  // fp32 rows
  EXPECT_FALSE(hrm::infer::few_row_linear(torch::randn({1, 16}).to(torch::kDouble), w).defined());    // dtype
  EXPECT_FALSE(hrm::infer::few_row_linear(torch::randn({1, 16}), w.t().contiguous().t()).defined());  // layout
  EXPECT_FALSE(hrm::infer::few_row_linear(torch::randn({1, 16}), w.requires_grad_()).defined());      // autograd
}

}  // namespace
