#include "hrm/infer/gemv.hpp"

#include <ATen/Parallel.h>

#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#define HRM_GEMV_X86 1
#endif

namespace hrm::infer {

#if HRM_GEMV_X86

namespace {

// 8 weights as fp32: fp32 loads directly, bf16 is the high half of an fp32 (a 16-bit left shift in
// registers, so bf16 weights are read from memory at 2 bytes each, never widened into a buffer).
__attribute__((target("avx2,fma"))) inline __m256 load8(const float* w) { return _mm256_loadu_ps(w); }
__attribute__((target("avx2,fma"))) inline __m256 load8(const c10::BFloat16* w) {
  const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(raw), 16));
}

__attribute__((target("avx2,fma"))) inline float hsum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

inline void store(float* y, float v) { *y = v; }
inline void store(c10::BFloat16* y, float v) { *y = c10::BFloat16(v); }  // round to nearest even, as .to()

// Output rows [o0, o1) for R input rows (fp32, [R, in] in xs) into ys ([R, out], fp32 or bf16). U
// independent accumulators per input row keep the FMA pipes busy when R is small. One weight row at a
// time: the weights are read as one sequential stream, which the hardware prefetcher follows (reading
// 4 rows side by side, to share the x loads, ran at a third of the speed here; software prefetch on
// top of the sequential stream was slower too, on the 2-vCPU EPYC VM of docs/benchmarks.md).
template <int R, int U, typename W, typename Y>
__attribute__((target("avx2,fma"))) void gemv_rows(const W* weight, const float* xs, int64_t in, int64_t out,
                                                   int64_t o0, int64_t o1, Y* ys) {
  for (int64_t o = o0; o < o1; ++o) {
    const W* w = weight + o * in;
    __m256 acc[R][U];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (int u = 0; u < U; ++u) acc[r][u] = _mm256_setzero_ps();
    }
    int64_t i = 0;
    for (; i + 8 * U <= in; i += 8 * U) {
#pragma GCC unroll 4
      for (int u = 0; u < U; ++u) {
        const __m256 wv = load8(w + i + 8 * u);
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r)
          acc[r][u] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(xs + r * in + i + 8 * u), acc[r][u]);
      }
    }
    for (; i + 8 <= in; i += 8) {  // whole vectors of the tail, then single elements
      const __m256 wv = load8(w + i);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) acc[r][0] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(xs + r * in + i), acc[r][0]);
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      __m256 a = acc[r][0];
      for (int u = 1; u < U; ++u) a = _mm256_add_ps(a, acc[r][u]);
      float sum = hsum(a);
      for (int64_t j = i; j < in; ++j) sum += static_cast<float>(w[j]) * xs[r * in + j];
      store(ys + r * out + o, sum);
    }
  }
}

template <typename W, typename Y>
void gemv_dispatch(const W* weight, const float* xs, int64_t rows, int64_t in, int64_t out, int64_t o0, int64_t o1,
                   Y* ys) {
  switch (rows) {
    case 1:
      gemv_rows<1, 4>(weight, xs, in, out, o0, o1, ys);
      break;
    case 2:
      gemv_rows<2, 2>(weight, xs, in, out, o0, o1, ys);
      break;
    case 3:
      gemv_rows<3, 2>(weight, xs, in, out, o0, o1, ys);
      break;
    default:
      gemv_rows<4, 2>(weight, xs, in, out, o0, o1, ys);
      break;
  }
}

// bf16 -> fp32 for the input rows (a few KiB; the weights are what the kernel streams).
__attribute__((target("avx2,fma"))) void widen(const c10::BFloat16* x, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, load8(x + i));
  for (; i < n; ++i) out[i] = static_cast<float>(x[i]);
}

}  // namespace

bool few_row_linear_supported() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}

torch::Tensor few_row_linear(const torch::Tensor& x, const torch::Tensor& weight) {
  const auto dtype = x.scalar_type();
  if (!few_row_linear_supported() || !x.device().is_cpu() || !weight.device().is_cpu() || weight.dim() != 2 ||
      weight.scalar_type() != dtype || (dtype != torch::kFloat32 && dtype != torch::kBFloat16) ||
      !weight.is_contiguous() || x.requires_grad() || weight.requires_grad()) {
    return {};
  }
  const int64_t in = weight.size(1), out = weight.size(0);
  if (x.size(-1) != in) return {};
  const int64_t rows = x.numel() / in;
  if (rows < 1 || rows > kFewRows) return {};
  const auto x2 = x.reshape({rows, in}).contiguous();
  // fp32 inputs are read in place; bf16 ones are widened once per call into a per-thread buffer.
  const float* xp = nullptr;
  thread_local std::vector<float> widened;
  if (dtype == torch::kFloat32) {
    xp = x2.data_ptr<float>();
  } else {
    widened.resize(static_cast<size_t>(rows * in));
    widen(x2.data_ptr<c10::BFloat16>(), rows * in, widened.data());
    xp = widened.data();
  }
  auto shape = x.sizes().vec();
  shape.back() = out;
  auto y = torch::empty(shape, x.options());  // written in x's dtype directly: no output conversion
  // Split the output rows across intra-op threads; each thread reads its share of the weights once.
  at::parallel_for(0, out, 64, [&](int64_t o0, int64_t o1) {
    if (dtype == torch::kFloat32) {
      gemv_dispatch(weight.data_ptr<float>(), xp, rows, in, out, o0, o1, y.data_ptr<float>());
    } else {
      gemv_dispatch(weight.data_ptr<c10::BFloat16>(), xp, rows, in, out, o0, o1, y.data_ptr<c10::BFloat16>());
    }
  });
  return y;
}

#else

bool few_row_linear_supported() { return false; }
torch::Tensor few_row_linear(const torch::Tensor&, const torch::Tensor&) { return {}; }

#endif

}  // namespace hrm::infer
