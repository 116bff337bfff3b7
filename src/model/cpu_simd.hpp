// SIMD loads and stores shared by the fused CPU ops (cpu_fused_ops.cpp, cpu_fused_rope.cpp): 8 values at a
// time as fp32 from fp32 or bf16 memory, bf16 rounded to nearest even exactly as c10::BFloat16, and the
// row-parallel loop they all run under. Private to src/model; x86-64 only.
#pragma once
#include <ATen/Parallel.h>
#include <c10/util/BFloat16.h>
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace hrm::cpu_fused::simd {

using BF16 = c10::BFloat16;

// ---- 8 values as fp32: fp32 loads directly, bf16 is the high half of an fp32 (as src/infer/gemv.cpp).
__attribute__((target("avx2,fma"))) inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
__attribute__((target("avx2,fma"))) inline __m256 load8(const BF16* p) {
  const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(raw), 16));
}

// fp32 -> bf16 bits (in the low 16 bits of each 32-bit lane), round to nearest even; NaN -> 0x7fc0, exactly
// c10::BFloat16's round_to_nearest_even.
__attribute__((target("avx2,fma"))) inline __m256i bf16_bits(__m256 v) {
  const __m256i u = _mm256_castps_si256(v);
  const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
  const __m256i bias = _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff));
  const __m256i r = _mm256_srli_epi32(_mm256_add_epi32(u, bias), 16);
  const __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  return _mm256_blendv_epi8(r, _mm256_set1_epi32(0x7fc0), nan);
}

__attribute__((target("avx2,fma"))) inline void store8(float* p, __m256 v) { _mm256_storeu_ps(p, v); }
__attribute__((target("avx2,fma"))) inline void store8(BF16* p, __m256 v) {
  const __m256i b = bf16_bits(v);
  const __m128i packed = _mm_packus_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), packed);
}

inline float load1(const float* p) { return *p; }
inline float load1(const BF16* p) { return static_cast<float>(*p); }
inline void store1(float* p, float v) { *p = v; }
inline void store1(BF16* p, float v) { *p = BF16(v); }  // round to nearest even

// Rows per parallel_for chunk: about 32K elements of work each (a single thread takes them all).
inline int64_t grain_rows(int64_t row) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(row, 1)); }

// f(r0, r1) over row ranges of [0, rows), split across intra-op threads.
template <typename F>
void for_rows(int64_t rows, int64_t width, const F& f) {
  at::parallel_for(0, rows, grain_rows(width), [&](int64_t r0, int64_t r1) { f(r0, r1); });
}

}  // namespace hrm::cpu_fused::simd
