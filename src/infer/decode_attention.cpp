#include "hrm/infer/decode_attention.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

#include "hrm/model/cpu_fused_ops.hpp"
#include "hrm/util/error.hpp"

#if defined(__x86_64__)
#include "hrm/model/cpu_simd.hpp"
#define HRM_DECODE_ATTENTION_X86 1
#endif

namespace hrm::infer {

namespace {

constexpr int64_t kMaxHeadDim = 256;

#if HRM_DECODE_ATTENTION_X86

using namespace cpu_fused::simd;  // NOLINT: hsum, hsum8, exp8

// scale * q.k_t for positions [0, length) into scores; returns their maximum. Eight positions at a
// time, each with its own accumulator, reduced together by hsum8: one position's D / 8 FMAs form a
// dependent chain, so eight chains side by side keep both FMA pipes busy.
template <typename T>
__attribute__((target("avx2,fma"))) float scores_of(const float* q, const T* k, int64_t stride_t, int64_t length,
                                                    int64_t d, float scale, float* scores) {
  const __m256 scale8 = _mm256_set1_ps(scale);
  __m256 top8 = _mm256_set1_ps(-INFINITY);
  int64_t t = 0;
  for (; t + 8 <= length; t += 8) {
    __m256 acc[8];
    for (auto& a : acc) a = _mm256_setzero_ps();
    for (int64_t i = 0; i < d; i += 8) {
      const __m256 qv = _mm256_loadu_ps(q + i);
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) acc[j] = _mm256_fmadd_ps(qv, load8(k + (t + j) * stride_t + i), acc[j]);
    }
    const __m256 s = _mm256_mul_ps(hsum8(acc), scale8);
    _mm256_storeu_ps(scores + t, s);
    top8 = _mm256_max_ps(top8, s);
  }
  float top = -INFINITY;
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, top8);
  for (const float l : lanes) top = std::max(top, l);
  for (; t < length; ++t) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < d; i += 8)
      acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), load8(k + t * stride_t + i), acc);
    scores[t] = scale * hsum(acc);
    top = std::max(top, scores[t]);
  }
  return top;
}

// scores[t] = exp(scores[t] - top) for t < length; returns their sum.
__attribute__((target("avx2,fma"))) float exp_and_sum(float* scores, int64_t length, float top) {
  const __m256 top8 = _mm256_set1_ps(top);
  __m256 total8 = _mm256_setzero_ps();
  int64_t t = 0;
  for (; t + 8 <= length; t += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(scores + t), top8));
    _mm256_storeu_ps(scores + t, e);
    total8 = _mm256_add_ps(total8, e);
  }
  float total = hsum(total8);
  for (; t < length; ++t) {
    scores[t] = std::exp(scores[t] - top);
    total += scores[t];
  }
  return total;
}

// out[0, 8L) = inv_total * sum_t p_t v_t[0, 8L) for one block of L <= 4 vectors of the head dimension.
// Two positions per iteration, each with its own accumulators: 2L independent FMA chains instead of L.
template <int L, typename T>
__attribute__((target("avx2,fma"))) void weighted_sum(const float* p, const T* v, int64_t stride_t, int64_t length,
                                                      float inv_total, T* out) {
  __m256 even[L], odd[L];
  for (int j = 0; j < L; ++j) even[j] = odd[j] = _mm256_setzero_ps();
  int64_t t = 0;
  for (; t + 2 <= length; t += 2) {
    const __m256 p0 = _mm256_set1_ps(p[t]), p1 = _mm256_set1_ps(p[t + 1]);
    const T *v0 = v + t * stride_t, *v1 = v0 + stride_t;
#pragma GCC unroll 4
    for (int j = 0; j < L; ++j) {
      even[j] = _mm256_fmadd_ps(p0, load8(v0 + 8 * j), even[j]);
      odd[j] = _mm256_fmadd_ps(p1, load8(v1 + 8 * j), odd[j]);
    }
  }
  if (t < length) {
    const __m256 p0 = _mm256_set1_ps(p[t]);
    for (int j = 0; j < L; ++j) even[j] = _mm256_fmadd_ps(p0, load8(v + t * stride_t + 8 * j), even[j]);
  }
  const __m256 inv = _mm256_set1_ps(inv_total);
  for (int j = 0; j < L; ++j) store8(out + 8 * j, _mm256_mul_ps(_mm256_add_ps(even[j], odd[j]), inv));
}

// One row and head: softmax(scale * q.k_t) over t < length, then sum_t p_t v_t into out. `scores` holds
// `length` floats. The values' sum runs over the head dimension in blocks of 32. bf16 tensors are read
// as fp32 in registers; the arithmetic is fp32 and the output is rounded once.
template <typename T>
__attribute__((target("avx2,fma"))) void attend_one(const T* q_in, const T* k, const T* v, int64_t stride_t,
                                                    int64_t length, int64_t d, float scale, float* scores, T* out) {
  alignas(32) float q[kMaxHeadDim];
  for (int64_t i = 0; i < d; i += 8) _mm256_store_ps(q + i, load8(q_in + i));
  const float top = scores_of(q, k, stride_t, length, d, scale, scores);
  const float inv_total = 1.0f / exp_and_sum(scores, length, top);
  int64_t i = 0;
  for (; i + 32 <= d; i += 32) weighted_sum<4>(scores, v + i, stride_t, length, inv_total, out + i);
  switch ((d - i) / 8) {
    case 3:
      weighted_sum<3>(scores, v + i, stride_t, length, inv_total, out + i);
      break;
    case 2:
      weighted_sum<2>(scores, v + i, stride_t, length, inv_total, out + i);
      break;
    case 1:
      weighted_sum<1>(scores, v + i, stride_t, length, inv_total, out + i);
      break;
    default:
      break;
  }
}

#endif

}  // namespace

bool decode_attention_supported(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const auto dtype = q.scalar_type();
  const auto takes = [dtype](const torch::Tensor& t) {
    return t.dim() == 4 && t.device().is_cpu() && t.scalar_type() == dtype && t.stride(3) == 1;
  };
  if ((dtype != torch::kFloat32 && dtype != torch::kBFloat16) || !takes(q) || !takes(k) || !takes(v) ||
      !q.is_contiguous() || q.size(2) != 1) {
    return false;
  }
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
  const auto run = [&](auto* qp, auto* kp, auto* vp, auto* op) {
    at::parallel_for(0, rows * heads, 4, [&](int64_t begin, int64_t end) {
      std::vector<float> scores(static_cast<size_t>(positions));
      for (int64_t i = begin; i < end; ++i) {
        const int64_t b = i / heads, h = i % heads;
        const int64_t offset = b * k.stride(0) + h * k.stride(1);
        attend_one(qp + i * d, kp + offset, vp + offset, k.stride(2), lengths[static_cast<size_t>(b)], d, scale,
                   scores.data(), op + i * d);
      }
    });
  };
  if (q.scalar_type() == torch::kFloat32) {
    run(q.data_ptr<float>(), k.data_ptr<float>(), v.data_ptr<float>(), out.data_ptr<float>());
  } else {
    run(q.data_ptr<BF16>(), k.data_ptr<BF16>(), v.data_ptr<BF16>(), out.data_ptr<BF16>());
  }
#endif
  return out;
}

}  // namespace hrm::infer
