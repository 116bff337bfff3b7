// SIMD helpers shared by the fused CPU kernels (src/model/cpu_fused_*.cpp, src/infer/gemv.cpp,
// src/infer/decode_attention.cpp): 8 values at a time as fp32 from fp32 or bf16 memory, bf16 rounded to
// nearest even exactly as c10::BFloat16, horizontal sums, a vector exp, and the row-parallel loop they run
// under. x86-64 only: include it under `#if defined(__x86_64__)`; callers check the CPU (cpu_supported()).
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

// The sum of a vector's 8 lanes.
__attribute__((target("avx2,fma"))) inline float hsum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

// The lane sums of 8 vectors at once: lane i of the result is hsum(a[i]) (three rounds of pairwise adds
// instead of 8 separate reductions).
__attribute__((target("avx2,fma"))) inline __m256 hsum8(const __m256 (&a)[8]) {
  const __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(a[0], a[1]), _mm256_hadd_ps(a[2], a[3]));
  const __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(a[4], a[5]), _mm256_hadd_ps(a[6], a[7]));
  return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

// exp(x) for 8 floats (Cephes expf: range reduction by ln 2 in two parts, degree-5 polynomial; ~1 ulp),
// inputs clamped to [-87.3, 88.3] (so the result is finite and normal).
__attribute__((target("avx2,fma"))) inline __m256 exp8(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
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
