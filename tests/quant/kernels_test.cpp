// The quantized matmul on every path this CPU runs, against dequantize-then-fp32 (in double): exact up
// to float rounding when the activations are the dequantized int8 rows the kernel sees, within the
// activation quantization error against the fp32 inputs; every SIMD path equals the scalar one.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "hrm/quant/kernels.hpp"
#include "hrm/quant/quantize.hpp"
#include "hrm/util/error.hpp"

namespace hrm::quant {
namespace {

std::vector<float> gaussian(int64_t n, uint64_t seed, float stddev) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> dist(0.0f, stddev);
  std::vector<float> x(static_cast<size_t>(n));
  for (auto& v : x) v = dist(rng);
  return x;
}

struct Case {
  QuantType type;
  int64_t out, in, group, rows;
};

struct Quantized {
  std::vector<uint8_t> q;
  std::vector<uint16_t> d, m;
  QuantMatrixView view;
};

Quantized quantize(const Case& c, const std::vector<float>& w) {
  Quantized r;
  r.q.resize(static_cast<size_t>(c.out * row_bytes(c.type, c.in)));
  r.d.resize(static_cast<size_t>(c.out * c.in / c.group));
  r.m.resize(r.d.size());
  quantize_matrix(c.type, w.data(), nullptr, c.out, c.in, c.group, r.q.data(), r.d.data(), r.m.data());
  r.view = {c.type, c.out, c.in, c.group, r.q.data(), r.d.data(), r.m.data()};
  return r;
}

// y = x W^T in double.
std::vector<double> matmul(const std::vector<float>& x, const std::vector<float>& w, int64_t rows, int64_t in,
                           int64_t out) {
  std::vector<double> y(static_cast<size_t>(rows * out));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double s = 0;
      for (int64_t k = 0; k < in; ++k) s += static_cast<double>(x[r * in + k]) * w[o * in + k];
      y[r * out + o] = s;
    }
  return y;
}

std::vector<KernelPath> paths() {
  std::vector<KernelPath> p;
  for (const auto path : {KernelPath::kScalar, KernelPath::kAvx2, KernelPath::kAvx512Vnni})
    if (path_supported(path)) p.push_back(path);
  return p;
}

class KernelsTest : public ::testing::TestWithParam<Case> {};

TEST_P(KernelsTest, MatchesDequantizeThenFp32OnEveryPath) {
  const Case c = GetParam();
  const auto w = gaussian(c.out * c.in, 11, 0.05f);
  auto x = gaussian(c.rows * c.in, 12, 1.0f);
  x[5] = 9.0f;  // an activation outlier
  const auto qw = quantize(c, w);
  std::vector<float> w_deq(w.size());
  dequantize_matrix(qw.view, w_deq.data());
  QuantizedActivations qx;
  quantize_activations(x.data(), c.rows, c.in, qx);
  std::vector<float> x_deq(x.size());
  for (size_t i = 0; i < x.size(); ++i) x_deq[i] = qx.d[i / kBlock] * qx.q[i];

  const auto exact = matmul(x_deq, w_deq, c.rows, c.in, c.out);  // what the integer kernel computes
  const auto fp32 = matmul(x, w_deq, c.rows, c.in, c.out);       // the same weights, fp32 activations
  std::vector<float> scalar;
  for (const auto path : paths()) {
    std::vector<float> y(static_cast<size_t>(c.rows * c.out), NAN);
    quantized_matmul(qw.view, qx, 0, c.out, y.data(), path);
    double err2 = 0, norm2 = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      ASSERT_NEAR(y[i], exact[i], 1e-4 * (1 + std::fabs(exact[i]))) << path_name(path) << " output " << i;
      err2 += (y[i] - fp32[i]) * (y[i] - fp32[i]);
      norm2 += fp32[i] * fp32[i];
    }
    EXPECT_LT(std::sqrt(err2 / norm2), 0.01) << path_name(path) << ": int8 activations cost ~0.3-0.5%";
    if (scalar.empty()) scalar = y;
    for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], scalar[i], 2e-5 * (1 + std::fabs(scalar[i])));
  }
}

TEST_P(KernelsTest, OutputRangesComposeToTheWhole) {
  const Case c = GetParam();
  const auto qw = quantize(c, gaussian(c.out * c.in, 21, 0.05f));
  const auto x = gaussian(c.rows * c.in, 22, 1.0f);
  QuantizedActivations qx;
  quantize_activations(x.data(), c.rows, c.in, qx);
  std::vector<float> whole(static_cast<size_t>(c.rows * c.out)), parts(whole.size());
  quantized_matmul(qw.view, qx, 0, c.out, whole.data());
  const int64_t mid = c.out / 3;
  quantized_matmul(qw.view, qx, 0, mid, parts.data());
  quantized_matmul(qw.view, qx, mid, c.out, parts.data());
  EXPECT_EQ(whole, parts);
}

INSTANTIATE_TEST_SUITE_P(Shapes, KernelsTest,
                         ::testing::Values(Case{QuantType::kQ8, 24, 64, 32, 1}, Case{QuantType::kQ4, 24, 64, 32, 1},
                                           Case{QuantType::kQ8, 40, 96, 32, 3},  // odd block count: the VNNI tail
                                           Case{QuantType::kQ4, 40, 96, 32, 3}, Case{QuantType::kQ8, 33, 512, 64, 16},
                                           Case{QuantType::kQ4, 33, 512, 64, 16}, Case{QuantType::kQ4, 17, 384, 128, 5},
                                           // 48 and 27 blocks: full spans of 8 / 16 blocks plus odd tails
                                           Case{QuantType::kQ8, 9, 1536, 32, 2}, Case{QuantType::kQ4, 9, 1536, 32, 2},
                                           Case{QuantType::kQ8, 6, 864, 96, 1}, Case{QuantType::kQ4, 6, 864, 32, 1}));

TEST(Kernels, EveryPathQuantizesActivationsToTheSameBytes) {
  auto x = gaussian(7 * 96, 31, 1.0f);
  x[40] = 25.0f;                                     // an outlier block
  std::fill(x.begin() + 96, x.begin() + 128, 0.0f);  // an all-zero block: d = 0, q = 0
  for (int i = 0; i < 32; ++i) x[160 + i] = i == 0 ? 127.0f : static_cast<float>(i - 16) + 0.5f;  // d = 1: ties
  QuantizedActivations reference;
  quantize_activations(x.data(), 7, 96, reference, KernelPath::kScalar);
  for (const auto path : paths()) {
    QuantizedActivations got;
    quantize_activations(x.data(), 7, 96, got, path);
    EXPECT_EQ(got.q, reference.q) << path_name(path);
    EXPECT_EQ(got.d, reference.d) << path_name(path);
    EXPECT_EQ(got.d_sum, reference.d_sum) << path_name(path);
  }
}

TEST(Kernels, PathsThisCpuRuns) {
  EXPECT_TRUE(path_supported(KernelPath::kScalar));
  EXPECT_TRUE(path_supported(best_path()));
  if (!path_supported(KernelPath::kAvx512Vnni)) {
    GTEST_SKIP() << "no AVX-512 VNNI here: that path is compiled but cannot be tested on this CPU (best: "
                 << path_name(best_path()) << ")";
  }
}

TEST(Kernels, MismatchedSizesAreErrors) {
  const Case c{QuantType::kQ8, 4, 64, 32, 1};
  const auto qw = quantize(c, gaussian(4 * 64, 1, 0.1f));
  QuantizedActivations qx;
  const auto x = gaussian(96, 2, 1.0f);
  quantize_activations(x.data(), 1, 96, qx);
  std::vector<float> y(4);
  EXPECT_THROW(quantized_matmul(qw.view, qx, 0, 4, y.data()), Error);
  quantize_activations(x.data(), 1, 64, qx);
  EXPECT_THROW(quantized_matmul(qw.view, qx, 0, 5, y.data()), Error);
}

}  // namespace
}  // namespace hrm::quant
