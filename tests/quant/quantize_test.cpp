// The reference quantizers: fp16 conversion, q8/q4 error bounds, the q4 nibble layout, the scale search
// against plain min/max rounding, importance weighting, and the errors for bad types and group sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "hrm/quant/quantize.hpp"
#include "hrm/util/error.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace hrm::quant {
namespace {

std::vector<float> gaussian(int64_t n, uint64_t seed, float stddev = 1.0f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> dist(0.0f, stddev);
  std::vector<float> x(static_cast<size_t>(n));
  for (auto& v : x) v = dist(rng);
  return x;
}

#if defined(__x86_64__)
__attribute__((target("f16c"))) uint16_t hardware_fp16(float x) { return _cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT); }
__attribute__((target("f16c"))) float hardware_fp32(uint16_t h) { return _cvtsh_ss(h); }
#endif

TEST(Fp16, MatchesF16cOnNormalsSubnormalsAndSpecials) {
#if defined(__x86_64__)
  if (!__builtin_cpu_supports("f16c")) GTEST_SKIP() << "no F16C on this CPU";
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<uint32_t> bits;
  std::vector<float> values = {0.0f, -0.0f, 1.0f, 65504.0f, 65520.0f, 1e-8f, 5.96e-8f, 2.98e-8f, 6.1e-5f, INFINITY};
  for (int i = 0; i < 200000; ++i) {
    uint32_t b = bits(rng);
    b = (b & 0x807fffffu) | ((96u + (b >> 23) % 48u) << 23);  // exponents around fp16's range
    float f = 0;
    std::memcpy(&f, &b, sizeof f);
    values.push_back(f);
  }
  for (const float v : values) {
    ASSERT_EQ(fp32_to_fp16(v), hardware_fp16(v)) << v;
    ASSERT_EQ(fp16_to_fp32(fp32_to_fp16(v)), hardware_fp32(hardware_fp16(v))) << v;
  }
  for (uint32_t h = 0; h < 0x7c00u; ++h) ASSERT_EQ(fp16_to_fp32(static_cast<uint16_t>(h)), hardware_fp32(h)) << h;
#else
  GTEST_SKIP() << "F16C reference needs x86-64";
#endif
}

TEST(Q8, ErrorIsAtMostHalfAStepPerGroup) {
  for (const int64_t group : {32, 64, 128}) {
    const int64_t n = 512;
    auto x = gaussian(n, 1, 0.05f);
    x[3] = 0.9f;  // one outlier widens its group's step only
    std::vector<int8_t> q(n);
    std::vector<uint16_t> d(n / group);
    std::vector<float> y(n);
    quantize_row_q8_ref(x.data(), n, group, q.data(), d.data());
    dequantize_row_q8(q.data(), d.data(), n, group, y.data());
    for (int64_t g = 0; g < n / group; ++g) {
      float amax = 0;
      for (int64_t i = 0; i < group; ++i) amax = std::max(amax, std::fabs(x[g * group + i]));
      const float step = fp16_to_fp32(d[g]);
      EXPECT_NEAR(step, amax / 127.0f, amax / 127.0f * 1e-3f);  // fp16 keeps 11 bits
      for (int64_t i = 0; i < group; ++i) {
        const auto j = g * group + i;
        EXPECT_LE(std::fabs(x[j] - y[j]), 0.5f * step * (1 + 2e-3f) + 1e-9f) << "group " << group << " value " << j;
      }
    }
  }
}

TEST(Q8, AllZeroGroupStaysZero) {
  std::vector<float> x(64, 0.0f), y(64, 1.0f);
  std::vector<int8_t> q(64);
  std::vector<uint16_t> d(2);
  quantize_row_q8_ref(x.data(), 64, 32, q.data(), d.data());
  dequantize_row_q8(q.data(), d.data(), 64, 32, y.data());
  for (const float v : y) EXPECT_EQ(v, 0.0f);
}

// Weighted squared error of a q4 group, and the plain min/max grid (no search) for comparison.
double weighted_error(const std::vector<float>& x, const std::vector<float>& y, const std::vector<float>& w) {
  double e = 0;
  for (size_t i = 0; i < x.size(); ++i) e += w[i] * (x[i] - y[i]) * (x[i] - y[i]);
  return e;
}
std::vector<float> minmax_q4(const std::vector<float>& x) {
  const float lo = std::min(0.0f, *std::min_element(x.begin(), x.end())), hi = *std::max_element(x.begin(), x.end());
  const float d = fp16_to_fp32(fp32_to_fp16((hi - lo) / 15.0f)), m = fp16_to_fp32(fp32_to_fp16(-lo));
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = d * std::clamp(std::nearbyint((x[i] + m) / d), 0.0f, 15.0f) - m;
  return y;
}

TEST(Q4, NibbleLayoutFollowsGgml) {
  std::vector<float> x(32);
  for (int j = 0; j < 16; ++j) {
    x[j] = static_cast<float>(j);
    x[j + 16] = static_cast<float>(15 - j);
  }
  std::vector<uint8_t> q(16);
  uint16_t d = 0, m = 0;
  quantize_row_q4_ref(x.data(), nullptr, 32, 32, q.data(), &d, &m);
  EXPECT_EQ(fp16_to_fp32(d), 1.0f);
  EXPECT_EQ(fp16_to_fp32(m), 0.0f);
  for (int j = 0; j < 16; ++j) EXPECT_EQ(q[j], j | ((15 - j) << 4)) << "byte " << j;
}

TEST(Q4, SearchBeatsMinMaxRoundingAndStaysWithinAStep) {
  double searched = 0, plain = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    auto x = gaussian(32, seed, 0.02f);
    if (seed % 4 == 0) x[seed % 32] *= 8;  // outliers, where the search pays most
    std::vector<uint8_t> q(16);
    uint16_t d = 0, m = 0;
    std::vector<float> y(32);
    quantize_row_q4_ref(x.data(), nullptr, 32, 32, q.data(), &d, &m);
    dequantize_row_q4(q.data(), &d, &m, 32, 32, y.data());
    float rms = 0;
    for (const float v : x) rms += v * v;
    rms = std::sqrt(rms / 32);
    std::vector<float> w(32);
    for (int i = 0; i < 32; ++i) w[i] = rms + std::fabs(x[i]);  // the default weights
    const double e = weighted_error(x, y, w), e_plain = weighted_error(x, minmax_q4(x), w);
    EXPECT_LE(e, e_plain * 1.02 + 1e-12) << "seed " << seed;  // 2%: fp16 rounding after the search
    searched += e;
    plain += e_plain;
    const float lo = std::min(0.0f, *std::min_element(x.begin(), x.end())), hi = *std::max_element(x.begin(), x.end());
    for (int i = 0; i < 32; ++i) EXPECT_LE(std::fabs(x[i] - y[i]), (hi - lo) / 15.0f) << "seed " << seed;
  }
  EXPECT_LT(searched, 0.9 * plain);
}

TEST(Q4, ImportanceLowersTheErrorWhereItIsHigh) {
  const int64_t n = 256, group = 64;
  double with = 0, without = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const auto x = gaussian(n, 100 + seed, 0.03f);
    std::vector<float> importance(n, 0.01f);
    for (int64_t i = 0; i < n; i += 8) importance[i] = 10.0f;  // every 8th input column carries the signal
    std::vector<uint8_t> q(n / 2);
    std::vector<uint16_t> d(n / group), m(n / group);
    std::vector<float> y(n);
    auto error_on_important = [&] {
      dequantize_row_q4(q.data(), d.data(), m.data(), n, group, y.data());
      double e = 0;
      for (int64_t i = 0; i < n; i += 8) e += (x[i] - y[i]) * (x[i] - y[i]);
      return e;
    };
    quantize_row_q4_ref(x.data(), importance.data(), n, group, q.data(), d.data(), m.data());
    with += error_on_important();
    quantize_row_q4_ref(x.data(), nullptr, n, group, q.data(), d.data(), m.data());
    without += error_on_important();
  }
  EXPECT_LT(with, 0.8 * without);
}

TEST(Quant, MatrixRoundTripMatchesRows) {
  const int64_t rows = 3, cols = 128;
  const auto x = gaussian(rows * cols, 5);
  for (const auto type : {QuantType::kQ8, QuantType::kQ4}) {
    std::vector<uint8_t> q(rows * row_bytes(type, cols));
    std::vector<uint16_t> d(rows * cols / 64), m(rows * cols / 64);
    quantize_matrix(type, x.data(), nullptr, rows, cols, 64, q.data(), d.data(), m.data());
    std::vector<float> y(rows * cols);
    dequantize_matrix({type, rows, cols, 64, q.data(), d.data(), m.data()}, y.data());
    double err = 0, norm = 0;
    for (int64_t i = 0; i < rows * cols; ++i) {
      err += (x[i] - y[i]) * (x[i] - y[i]);
      norm += x[i] * x[i];
    }
    // Relative RMS error of Gaussian weights: q8 0.6%, q4 (group 64) 8.8% (measured).
    EXPECT_LT(std::sqrt(err / norm), type == QuantType::kQ8 ? 0.015 : 0.15) << type_name(type);
  }
}

TEST(Quant, BadTypeAndGroupSizeAreClearErrors) {
  try {
    parse_type("q3", "--type");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--type: unknown quantization type 'q3'"), std::string::npos);
    EXPECT_NE(e.hint().find("q8"), std::string::npos);
  }
  EXPECT_THROW(check_group(512, 48, "--group-size"), Error);
  EXPECT_THROW(check_group(96, 64, "H.layers.0.o.weight"), Error);
  EXPECT_NO_THROW(check_group(512, 128, "--group-size"));
  EXPECT_DOUBLE_EQ(bits_per_weight(QuantType::kQ4, 32), 5.0);
  EXPECT_DOUBLE_EQ(bits_per_weight(QuantType::kQ8, 32), 8.5);
}

}  // namespace
}  // namespace hrm::quant
