#include "hrm/quant/quantize.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace hrm::quant {

namespace {

// Position of value j (0..31) of a q4 block in its 16 bytes, and whether it is the high nibble.
inline void put_nibble(uint8_t* block, int64_t j, uint8_t v) {
  if (j < 16) {
    block[j] = static_cast<uint8_t>((block[j] & 0xf0u) | v);
  } else {
    block[j - 16] = static_cast<uint8_t>((block[j - 16] & 0x0fu) | (v << 4));
  }
}

inline uint8_t clamp_level(float v) { return static_cast<uint8_t>(std::clamp(std::nearbyint(v), 0.0f, 15.0f)); }

struct Q4Fit {
  float d = 0, min = 0;  // x ~ d * L + min, min <= 0
};

// Weighted squared error of levels L under (d, min).
float fit_error(const float* x, const float* w, const uint8_t* L, int64_t n, float d, float min) {
  float err = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float diff = d * L[i] + min - x[i];
    err += w[i] * diff * diff;
  }
  return err;
}

// ggml's make_qkx2_quants (nmax 15, rmin -1, rdelta 0.1, nstep 20): candidate grids around the min/max
// one, each refined by the weighted least-squares (d, min) for its integers; the best is kept.
Q4Fit search_q4(const float* x, const float* w, int64_t n) {
  float lo = *std::min_element(x, x + n), hi = *std::max_element(x, x + n);
  lo = std::min(lo, 0.0f);
  if (hi == lo) return {0.0f, lo};
  std::vector<uint8_t> L(static_cast<size_t>(n)), trial(static_cast<size_t>(n));
  float sum_w = 0, sum_x = 0;
  for (int64_t i = 0; i < n; ++i) {
    sum_w += w[i];
    sum_x += w[i] * x[i];
  }
  Q4Fit best{(hi - lo) / 15.0f, lo};
  for (int64_t i = 0; i < n; ++i) L[i] = clamp_level((x[i] - lo) / best.d);
  float best_error = fit_error(x, w, L.data(), n, best.d, best.min);
  for (int step = 0; step <= 20; ++step) {
    const float iscale = (-1.0f + 0.1f * static_cast<float>(step) + 15.0f) / (hi - lo);
    float sum_l = 0, sum_l2 = 0, sum_xl = 0;
    for (int64_t i = 0; i < n; ++i) {
      trial[i] = clamp_level(iscale * (x[i] - lo));
      const float l = trial[i];
      sum_l += w[i] * l;
      sum_l2 += w[i] * l * l;
      sum_xl += w[i] * l * x[i];
    }
    const float det = sum_w * sum_l2 - sum_l * sum_l;
    if (!(det > 0)) continue;
    float d = (sum_w * sum_xl - sum_x * sum_l) / det;
    float min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
    if (min > 0) {  // the format's min is <= 0 (m >= 0): refit the scale alone
      min = 0;
      d = sum_xl / sum_l2;
    }
    if (!(d > 0)) continue;
    const float error = fit_error(x, w, trial.data(), n, d, min);
    if (error < best_error) {
      best_error = error;
      best = {d, min};
    }
  }
  return best;
}

// Error weights of one group: importance * sqrt(sigma^2 + x^2), or ggml's default mean|x| + |x|.
void group_weights(const float* x, const float* importance, int64_t n, float* w) {
  float sum_x2 = 0;
  for (int64_t i = 0; i < n; ++i) sum_x2 += x[i] * x[i];
  const float sigma2 = sum_x2 / static_cast<float>(n);
  const float rms = std::sqrt(sigma2);
  for (int64_t i = 0; i < n; ++i) {
    w[i] = importance != nullptr ? importance[i] * std::sqrt(sigma2 + x[i] * x[i]) : rms + std::fabs(x[i]);
  }
}

}  // namespace

void quantize_row_q8_ref(const float* x, int64_t n, int64_t group, int8_t* q, uint16_t* scales) {
  for (int64_t g = 0; g < n / group; ++g) {
    const float* xg = x + g * group;
    float amax = 0;
    for (int64_t i = 0; i < group; ++i) amax = std::max(amax, std::fabs(xg[i]));
    scales[g] = fp32_to_fp16(amax / 127.0f);
    const float d = fp16_to_fp32(scales[g]);
    const float id = d > 0 ? 1.0f / d : 0.0f;
    for (int64_t i = 0; i < group; ++i) {
      q[g * group + i] = static_cast<int8_t>(std::clamp(std::nearbyint(xg[i] * id), -127.0f, 127.0f));
    }
  }
}

// One scale conversion per group and plain loops the compiler vectorizes (the prefill path of
// QuantizedWeight::forward dequantizes a whole layer per call); the same float operations per value as
// one value at a time, so the results are unchanged.
void dequantize_row_q8(const int8_t* q, const uint16_t* scales, int64_t n, int64_t group, float* y) {
  for (int64_t g = 0; g < n / group; ++g) {
    const float d = fp16_to_fp32(scales[g]);
    for (int64_t i = g * group; i < (g + 1) * group; ++i) y[i] = d * static_cast<float>(q[i]);
  }
}

void quantize_row_q4_ref(const float* x, const float* importance, int64_t n, int64_t group, uint8_t* q,
                         uint16_t* scales, uint16_t* mins) {
  std::vector<float> w(static_cast<size_t>(group));
  for (int64_t g = 0; g < n / group; ++g) {
    const float* xg = x + g * group;
    group_weights(xg, importance != nullptr ? importance + g * group : nullptr, group, w.data());
    const Q4Fit fit = search_q4(xg, w.data(), group);
    // Stored as fp16; the integers are recomputed with the stored values (what the kernels will read).
    scales[g] = fp32_to_fp16(fit.d);
    mins[g] = fp32_to_fp16(-fit.min);
    const float d = fp16_to_fp32(scales[g]), m = fp16_to_fp32(mins[g]);
    for (int64_t i = 0; i < group; ++i) {
      const int64_t j = g * group + i;
      const uint8_t level = d > 0 ? clamp_level((xg[i] + m) / d) : 0;
      put_nibble(q + (j / kBlock) * (kBlock / 2), j % kBlock, level);
    }
  }
}

void dequantize_row_q4(const uint8_t* q, const uint16_t* scales, const uint16_t* mins, int64_t n, int64_t group,
                       float* y) {
  constexpr int64_t kHalf = kBlock / 2;  // value i of a block is the low nibble of byte i, i + 16 the high one
  for (int64_t b = 0; b < n / kBlock; ++b) {
    const int64_t g = b * kBlock / group;
    const float d = fp16_to_fp32(scales[g]), m = fp16_to_fp32(mins[g]);
    const uint8_t* qb = q + b * kHalf;
    float* yb = y + b * kBlock;
    for (int64_t i = 0; i < kHalf; ++i) {
      yb[i] = d * static_cast<float>(qb[i] & 0x0f) - m;
      yb[i + kHalf] = d * static_cast<float>(qb[i] >> 4) - m;
    }
  }
}

void quantize_matrix(QuantType type, const float* x, const float* importance, int64_t rows, int64_t cols, int64_t group,
                     void* q, uint16_t* scales, uint16_t* mins) {
  const int64_t groups = cols / group;
  for (int64_t r = 0; r < rows; ++r) {
    if (type == QuantType::kQ8) {
      quantize_row_q8_ref(x + r * cols, cols, group, static_cast<int8_t*>(q) + r * cols, scales + r * groups);
    } else {
      quantize_row_q4_ref(x + r * cols, importance, cols, group, static_cast<uint8_t*>(q) + r * cols / 2,
                          scales + r * groups, mins + r * groups);
    }
  }
}

void dequantize_matrix(const QuantMatrixView& w, float* y) {
  const int64_t groups = w.groups_per_row();
  for (int64_t r = 0; r < w.rows; ++r) {
    if (w.type == QuantType::kQ8) {
      dequantize_row_q8(static_cast<const int8_t*>(w.q) + r * w.cols, w.scales + r * groups, w.cols, w.group,
                        y + r * w.cols);
    } else {
      dequantize_row_q4(static_cast<const uint8_t*>(w.q) + r * w.cols / 2, w.scales + r * groups, w.mins + r * groups,
                        w.cols, w.group, y + r * w.cols);
    }
  }
}

}  // namespace hrm::quant
