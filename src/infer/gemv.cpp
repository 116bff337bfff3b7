#include "hrm/infer/gemv.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

#if defined(__x86_64__)
#include "hrm/model/cpu_simd.hpp"
#define HRM_GEMV_X86 1
#endif

namespace hrm::infer {

#if HRM_GEMV_X86

namespace {

using namespace cpu_fused::simd;  // NOLINT: load8 (bf16 weights widened in registers), hsum, store1

// One weight row w (`in` weights) against R input rows (fp32, [R, in] in xs): y[r * out] = x_r . w. U
// independent accumulators per input row keep the FMA pipes busy when R is small.
template <int R, int U, typename W, typename Y>
__attribute__((target("avx2,fma"))) inline void dot_rows(const W* w, const float* xs, int64_t in, Y* y, int64_t out) {
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
      for (int r = 0; r < R; ++r) acc[r][u] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(xs + r * in + i + 8 * u), acc[r][u]);
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
    store1(y + r * out, sum);  // bf16: round to nearest even, as .to()
  }
}

// Output columns [o0, o1) of all `rows` input rows. One weight row at a time, read from memory once as
// one sequential stream, which the hardware prefetcher follows (reading 4 weight rows side by side, to
// share the x loads, ran at a third of the speed here; software prefetch on top of the sequential stream
// was slower too, on the 2-vCPU EPYC VM of docs/benchmarks.md); the input rows go past it in blocks of 4
// while it sits in L1.
template <typename W, typename Y>
__attribute__((target("avx2,fma"))) void gemv_dispatch(const W* weight, const float* xs, int64_t rows, int64_t in,
                                                       int64_t out, int64_t o0, int64_t o1, Y* ys) {
  for (int64_t o = o0; o < o1; ++o) {
    const W* w = weight + o * in;
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) dot_rows<4, 2>(w, xs + r * in, in, ys + r * out + o, out);
    switch (rows - r) {
      case 1:
        dot_rows<1, 4>(w, xs + r * in, in, ys + r * out + o, out);
        break;
      case 2:
        dot_rows<2, 2>(w, xs + r * in, in, ys + r * out + o, out);
        break;
      case 3:
        dot_rows<3, 2>(w, xs + r * in, in, ys + r * out + o, out);
        break;
      default:
        break;
    }
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
  if (rows < 1 || (rows > kFewRows && dtype != torch::kBFloat16)) return {};
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
  // Split the output rows across intra-op threads; each thread reads its share of the weights once per
  // kFewRows input rows (bf16 inputs of more rows, a prefill, go through in chunks of kFewRows).
  at::parallel_for(0, out, 64, [&](int64_t o0, int64_t o1) {
    for (int64_t r0 = 0; r0 < rows; r0 += kFewRows) {
      const int64_t n = std::min(kFewRows, rows - r0);
      if (dtype == torch::kFloat32) {
        gemv_dispatch(weight.data_ptr<float>(), xp + r0 * in, n, in, out, o0, o1, y.data_ptr<float>() + r0 * out);
      } else {
        gemv_dispatch(weight.data_ptr<c10::BFloat16>(), xp + r0 * in, n, in, out, o0, o1,
                      y.data_ptr<c10::BFloat16>() + r0 * out);
      }
    }
  });
  return y;
}

#else

bool few_row_linear_supported() { return false; }
torch::Tensor few_row_linear(const torch::Tensor&, const torch::Tensor&) { return {}; }

#endif

}  // namespace hrm::infer
