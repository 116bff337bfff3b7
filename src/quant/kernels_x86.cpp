// The AVX2 and AVX-512 VNNI row dot products (dot_kernels.hpp). Each path is dot_row.inc compiled
// inside its own `#pragma GCC target` region, so the library runs on any x86-64 and kernels.cpp picks
// a path by cpuid. The VNNI path uses 256-bit vectors (AVX-512 VL): on Zen 4 a 512-bit operation
// costs two 256-bit ones, and with per-block scales the wider vectors bought nothing there.
#include "dot_kernels.hpp"

#if defined(__x86_64__)
#include <immintrin.h>

#include <type_traits>

#include "hrm/quant/formats.hpp"

namespace hrm::quant::detail {

#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
namespace avx2 {
#define HRM_DOT_VNNI 0
#include "dot_row.inc"
#undef HRM_DOT_VNNI
}  // namespace avx2

// As quantize_activations' scalar loop, 32 values at a time: the same float operations (max |x|,
// d = amax / 127, q = round-to-nearest-even(x * (127 / amax))), so the results are identical.
void quantize_blocks_avx2(const float* x, int64_t blocks, int8_t* q, float* d, float* d_sum) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (int64_t b = 0; b < blocks; ++b) {
    const float* xb = x + b * kBlock;
    __m256 v[4], amax = _mm256_setzero_ps();
    for (int i = 0; i < 4; ++i) {
      v[i] = _mm256_loadu_ps(xb + 8 * i);
      amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign, v[i]));
    }
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    const float top = _mm_cvtss_f32(_mm_max_ss(m, _mm_shuffle_ps(m, m, 1)));
    const float inverse = top > 0 ? 127.0f / top : 0.0f;
    const __m256 scale = _mm256_set1_ps(inverse);
    __m256i n[4];
    for (int i = 0; i < 4; ++i) n[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], scale));  // MXCSR: nearest even
    const __m256i sum = _mm256_add_epi32(_mm256_add_epi32(n[0], n[1]), _mm256_add_epi32(n[2], n[3]));
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(1, 0, 3, 2)));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(2, 3, 0, 1)));
    // packs work per 128-bit lane: dwords 0-3 hold the low four values of n[0..3], dwords 4-7 the high
    // four; taking dwords 0 4 1 5 2 6 3 7 puts the 32 bytes back in order.
    const __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(n[0], n[1]), _mm256_packs_epi32(n[2], n[3]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + b * kBlock),
                        _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
    d[b] = top / 127.0f;
    d_sum[b] = d[b] * static_cast<float>(_mm_cvtsi128_si32(s4));
  }
}

float dot_q8_avx2(const Q8Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group) {
  return avx2::dot_row(w.q, w.scales, nullptr, x, blocks, blocks_per_group);
}

float dot_q4_avx2(const Q4Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group) {
  return avx2::dot_row(w.q, w.scales, w.mins, x, blocks, blocks_per_group);
}

#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512vl,avx512vnni")
namespace vnni {
#define HRM_DOT_VNNI 1
#include "dot_row.inc"
#undef HRM_DOT_VNNI
}  // namespace vnni

float dot_q8_avx512(const Q8Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group) {
  return vnni::dot_row(w.q, w.scales, nullptr, x, blocks, blocks_per_group);
}

float dot_q4_avx512(const Q4Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group) {
  return vnni::dot_row(w.q, w.scales, w.mins, x, blocks, blocks_per_group);
}
#pragma GCC pop_options

}  // namespace hrm::quant::detail

#endif
