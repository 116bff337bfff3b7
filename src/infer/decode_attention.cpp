#include "hrm/infer/decode_attention.hpp"

#include <ATen/Parallel.h>

#include <cmath>

#include "hrm/model/cpu_fused_ops.hpp"
#include "hrm/util/error.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#define HRM_DECODE_ATTENTION_X86 1
#endif

namespace hrm::infer {

namespace {

constexpr int64_t kMaxHeadDim = 256;

#if HRM_DECODE_ATTENTION_X86

__attribute__((target("avx2,fma"))) inline float hsum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

__attribute__((target("avx2,fma"))) inline float dot(const float* a, const float* b, int64_t d) {
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < d; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
  return hsum(acc);
}

// One row and head: softmax(scale * q.k_t) over t < length, then sum_t p_t v_t into out. `scores` holds
// `length` floats. The values' sum runs over positions with D / 8 accumulators kept in registers.
__attribute__((target("avx2,fma"))) void attend_one(const float* q, const float* k, const float* v, int64_t stride_t,
                                                    int64_t length, int64_t d, float scale, float* scores, float* out) {
  float top = -INFINITY;
  for (int64_t t = 0; t < length; ++t) {
    scores[t] = scale * dot(q, k + t * stride_t, d);
    top = std::max(top, scores[t]);
  }
  float total = 0;
  for (int64_t t = 0; t < length; ++t) {
    scores[t] = std::exp(scores[t] - top);
    total += scores[t];
  }
  __m256 acc[kMaxHeadDim / 8];
  const int64_t lanes = d / 8;
  for (int64_t j = 0; j < lanes; ++j) acc[j] = _mm256_setzero_ps();
  for (int64_t t = 0; t < length; ++t) {
    const __m256 p = _mm256_set1_ps(scores[t]);
    const float* vt = v + t * stride_t;
    for (int64_t j = 0; j < lanes; ++j) acc[j] = _mm256_fmadd_ps(p, _mm256_loadu_ps(vt + 8 * j), acc[j]);
  }
  const __m256 inv = _mm256_set1_ps(1.0f / total);
  for (int64_t j = 0; j < lanes; ++j) _mm256_storeu_ps(out + 8 * j, _mm256_mul_ps(acc[j], inv));
}

#endif

}  // namespace

bool decode_attention_supported(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const auto fp32_cpu = [](const torch::Tensor& t) {
    return t.dim() == 4 && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.stride(3) == 1;
  };
  if (!fp32_cpu(q) || !fp32_cpu(k) || !fp32_cpu(v) || !q.is_contiguous() || q.size(2) != 1) return false;
  const auto d = q.size(3);
  return d % 8 == 0 && d <= kMaxHeadDim && k.sizes() == v.sizes() && k.strides() == v.strides() &&
         k.size(0) == q.size(0) && k.size(1) == q.size(1) && k.size(3) == d && cpu_fused::cpu_supported();
}

torch::Tensor decode_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const std::vector<int64_t>& lengths) {
  HRM_CHECK(decode_attention_supported(q, k, v), "decode_attention: unsupported tensors",
            "check decode_attention_supported() first and use compat::attention otherwise");
  const int64_t rows = q.size(0), heads = q.size(1), positions = k.size(2);
  HRM_CHECK(static_cast<int64_t>(lengths.size()) == rows,
            "decode_attention: " + std::to_string(lengths.size()) + " lengths for " + std::to_string(rows) + " rows");
  for (const auto length : lengths) {
    HRM_CHECK(length >= 1 && length <= positions, "decode_attention: a row length of " + std::to_string(length) +
                                                      " is outside [1, " + std::to_string(positions) + "]");
  }
  auto out = torch::empty_like(q);
#if HRM_DECODE_ATTENTION_X86  // elsewhere decode_attention_supported() is false and the check above threw
  const int64_t d = q.size(3);
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  const float *qp = q.data_ptr<float>(), *kp = k.data_ptr<float>(), *vp = v.data_ptr<float>();
  float* op = out.data_ptr<float>();
  at::parallel_for(0, rows * heads, 4, [&](int64_t begin, int64_t end) {
    std::vector<float> scores(static_cast<size_t>(positions));
    for (int64_t i = begin; i < end; ++i) {
      const int64_t b = i / heads, h = i % heads;
      const int64_t offset = b * k.stride(0) + h * k.stride(1);
      attend_one(qp + i * d, kp + offset, vp + offset, k.stride(2), lengths[static_cast<size_t>(b)], d, scale,
                 scores.data(), op + i * d);
    }
  });
#endif
  return out;
}

}  // namespace hrm::infer
