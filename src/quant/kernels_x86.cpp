// The AVX2 and AVX-512 VNNI row dot products (dot_kernels.hpp). Each function carries its target
// attributes, so the library runs on any x86-64 and kernels.cpp picks a path by cpuid.
#include "dot_kernels.hpp"

#if defined(__x86_64__)
#include <immintrin.h>

#include "hrm/quant/formats.hpp"

// GCC 12 builds unmasked AVX-512 intrinsics from _mm512_undefined_*(), which -Wuninitialized flags once
// they are inlined (GCC bug 105593): a false positive, silenced for this file only.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace hrm::quant::detail {

namespace {

#define HRM_AVX2 __attribute__((target("avx2,fma,f16c")))
#define HRM_AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

HRM_AVX2 inline float hsum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

// Signed int8 x int8 over 32 values as 8 int32 partial sums: maddubs needs an unsigned operand, so
// |w| times x with w's sign moved onto x (ggml's mul_sum_i8_pairs; |q| <= 127 keeps int16 pairs exact).
HRM_AVX2 inline __m256i dot32_i8(__m256i w, __m256i x) {
  const __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
  return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}

// 32 nibbles of a q4 block (16 bytes, value j low nibble of byte j, j + 16 high) as 32 bytes in order.
HRM_AVX2 inline __m256i unpack_q4(const uint8_t* q) {
  const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
  const __m256i both = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0f));
}

// Walks blocks while tracking the group (no division per block).
struct GroupCursor {
  int64_t group = 0, in_group = 0, per_group;
  explicit GroupCursor(int64_t blocks_per_group) : per_group(blocks_per_group) {}
  void next() {
    if (++in_group == per_group) {
      in_group = 0;
      ++group;
    }
  }
};

}  // namespace

HRM_AVX2 float dot_q8_avx2(const Q8Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group) {
  __m256 acc = _mm256_setzero_ps();
  GroupCursor g(blocks_per_group);
  for (int64_t b = 0; b < blocks; ++b, g.next()) {
    const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.q + b * kBlock));
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.q + b * kBlock));
    const float scale = _cvtsh_ss(w.scales[g.group]) * x.d[b];
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot32_i8(wq, xq)), _mm256_set1_ps(scale), acc);
  }
  return hsum(acc);
}

HRM_AVX2 float dot_q4_avx2(const Q4Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group) {
  __m256 acc = _mm256_setzero_ps();
  float min_term = 0;
  GroupCursor g(blocks_per_group);
  for (int64_t b = 0; b < blocks; ++b, g.next()) {
    const __m256i wq = unpack_q4(w.q + b * (kBlock / 2));
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.q + b * kBlock));
    // Nibbles are unsigned (0..15): maddubs takes them directly.
    const __m256i sum = _mm256_madd_epi16(_mm256_maddubs_epi16(wq, xq), _mm256_set1_epi16(1));
    const float scale = _cvtsh_ss(w.scales[g.group]) * x.d[b];
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), _mm256_set1_ps(scale), acc);
    min_term += _cvtsh_ss(w.mins[g.group]) * x.d_sum[b];
  }
  return hsum(acc) - min_term;
}

// AVX-512 VNNI: two blocks per vpdpbusd (lanes 0-7 the first block, 8-15 the second), the two blocks'
// scales blended into one vector. vpdpbusd multiplies unsigned by signed bytes: q8 weights are offset
// by 128 (w ^ 0x80 = w + 128 as unsigned) and 128 * sum(x_q) is taken off per block; q4 nibbles are
// unsigned already. An odd last block goes through the AVX2 code.
HRM_AVX512 float dot_q8_avx512(const Q8Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group) {
  __m512 acc = _mm512_setzero_ps();
  float offset_term = 0;
  GroupCursor g(blocks_per_group);
  int64_t b = 0;
  for (; b + 2 <= blocks; b += 2) {
    const float d0 = _cvtsh_ss(w.scales[g.group]);
    g.next();
    const float d1 = _cvtsh_ss(w.scales[g.group]);
    g.next();
    const __m512i wq = _mm512_xor_si512(_mm512_loadu_si512(w.q + b * kBlock), _mm512_set1_epi8(char(0x80)));
    const __m512i xq = _mm512_loadu_si512(x.q + b * kBlock);
    const __m512i sum = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wq, xq);
    const __m512 scale = _mm512_mask_blend_ps(0xff00, _mm512_set1_ps(d0 * x.d[b]), _mm512_set1_ps(d1 * x.d[b + 1]));
    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), scale, acc);
    offset_term += 128.0f * (d0 * x.d_sum[b] + d1 * x.d_sum[b + 1]);
  }
  float total = _mm512_reduce_add_ps(acc) - offset_term;
  if (b < blocks) {
    const Q8Row tail{w.q + b * kBlock, w.scales + g.group};
    const ActRow xt{x.q + b * kBlock, x.d + b, x.d_sum + b};
    total += dot_q8_avx2(tail, xt, 1, 1);
  }
  return total;
}

HRM_AVX512 float dot_q4_avx512(const Q4Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group) {
  __m512 acc = _mm512_setzero_ps();
  float min_term = 0;
  GroupCursor g(blocks_per_group);
  const __m256i low = _mm256_set1_epi8(0x0f);
  int64_t b = 0;
  for (; b + 2 <= blocks; b += 2) {
    const int64_t g0 = g.group;
    g.next();
    const int64_t g1 = g.group;
    g.next();
    // 32 bytes = two blocks' nibbles; reorder the 16-byte lanes to [lo0 hi0 lo1 hi1] = values in order.
    const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.q + b * (kBlock / 2)));
    const __m256i lo = _mm256_and_si256(raw, low), hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low);
    const __m512i halves = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
    const __m512i wq = _mm512_shuffle_i64x2(halves, halves, _MM_SHUFFLE(3, 1, 2, 0));
    const __m512i xq = _mm512_loadu_si512(x.q + b * kBlock);
    const __m512i sum = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wq, xq);
    const float d0 = _cvtsh_ss(w.scales[g0]), d1 = _cvtsh_ss(w.scales[g1]);
    const __m512 scale = _mm512_mask_blend_ps(0xff00, _mm512_set1_ps(d0 * x.d[b]), _mm512_set1_ps(d1 * x.d[b + 1]));
    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), scale, acc);
    min_term += _cvtsh_ss(w.mins[g0]) * x.d_sum[b] + _cvtsh_ss(w.mins[g1]) * x.d_sum[b + 1];
  }
  float total = _mm512_reduce_add_ps(acc) - min_term;
  if (b < blocks) {
    const Q4Row tail{w.q + b * (kBlock / 2), w.scales + g.group, w.mins + g.group};
    const ActRow xt{x.q + b * kBlock, x.d + b, x.d_sum + b};
    total += dot_q4_avx2(tail, xt, 1, 1);
  }
  return total;
}

}  // namespace hrm::quant::detail

#endif
