#include "hrm/model/cpu_fused_ops.hpp"

#include <algorithm>
#include <cmath>

#if defined(__x86_64__)
#include "hrm/model/cpu_simd.hpp"
#define HRM_CPU_FUSED_X86 1
#endif

namespace hrm::cpu_fused {

#if HRM_CPU_FUSED_X86

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;
using namespace simd;  // NOLINT: the shared loads, stores and row loop

__attribute__((target("avx2,fma"))) inline __m256 sigmoid8(__m256 g) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), g))));
}

inline float sigmoid1(float g) { return 1.0f / (1.0f + std::exp(-g)); }

// ---- RMSNorm forward over rows [r0, r1) of width n: s = x (+ y, rounded to T), out = s * rsqrt(mean(s^2) + eps).
// With y, s is written to `sum` when it is non-null (the backward reads it); rstd (if non-null) gets each
// row's rsqrt.
template <typename T>
__attribute__((target("avx2,fma"))) void rms_forward_rows(const T* x, const T* y, T* sum, T* out, float* rstd,
                                                          int64_t n, float eps, int64_t r0, int64_t r1) {
  for (int64_t row = r0; row < r1; ++row) {
    const T* xr = x + row * n;
    const T* yr = y != nullptr ? y + row * n : nullptr;
    T* sr = sum != nullptr ? sum + row * n : nullptr;
    T* orow = out + row * n;
    // Pass 1: the residual sum (kept in `out` as T when there is no `sum`: out is overwritten in pass 2
    // only after reading it, element by element) and the sum of squares.
    const T* src = xr;
    if (yr != nullptr) {
      T* dst = sr != nullptr ? sr : orow;
      int64_t i = 0;
      for (; i + 8 <= n; i += 8) store8(dst + i, _mm256_add_ps(load8(xr + i), load8(yr + i)));
      for (; i < n; ++i) store1(dst + i, load1(xr + i) + load1(yr + i));
      src = dst;
    }
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      const __m256 a = load8(src + i), b = load8(src + i + 8);
      acc0 = _mm256_fmadd_ps(a, a, acc0);
      acc1 = _mm256_fmadd_ps(b, b, acc1);
    }
    for (; i + 8 <= n; i += 8) {
      const __m256 a = load8(src + i);
      acc0 = _mm256_fmadd_ps(a, a, acc0);
    }
    float ss = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i) {
      const float v = load1(src + i);
      ss += v * v;
    }
    const float r = 1.0f / std::sqrt(ss / static_cast<float>(n) + eps);
    if (rstd != nullptr) rstd[row] = r;
    const __m256 rv = _mm256_set1_ps(r);
    i = 0;
    for (; i + 8 <= n; i += 8) store8(orow + i, _mm256_mul_ps(load8(src + i), rv));
    for (; i < n; ++i) store1(orow + i, load1(src + i) * r);
  }
}

// ---- RMSNorm backward: dx = r * (g - s * (r^2 * sum(g * s) / n)), rounded to T once.
template <typename T>
__attribute__((target("avx2,fma"))) void rms_backward_rows(const T* s, const T* g, const float* rstd, T* dx, int64_t n,
                                                           int64_t r0, int64_t r1) {
  for (int64_t row = r0; row < r1; ++row) {
    const T* sr = s + row * n;
    const T* gr = g + row * n;
    T* dr = dx + row * n;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      acc0 = _mm256_fmadd_ps(load8(sr + i), load8(gr + i), acc0);
      acc1 = _mm256_fmadd_ps(load8(sr + i + 8), load8(gr + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(load8(sr + i), load8(gr + i), acc0);
    float dot = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i) dot += load1(sr + i) * load1(gr + i);
    const float r = rstd[row];
    const float c = r * r * dot / static_cast<float>(n);
    const __m256 rv = _mm256_set1_ps(r), cv = _mm256_set1_ps(c);
    i = 0;
    for (; i + 8 <= n; i += 8) {
      store8(dr + i, _mm256_mul_ps(rv, _mm256_fnmadd_ps(load8(sr + i), cv, load8(gr + i))));
    }
    for (; i < n; ++i) store1(dr + i, r * (load1(gr + i) - load1(sr + i) * c));
  }
}

// ---- SwiGLU forward: out = silu(gate) * up, gate and up the two halves of each gate_up row (width 2 * n).
template <typename T>
__attribute__((target("avx2,fma"))) void swiglu_forward_rows(const T* gu, T* out, int64_t n, int64_t r0, int64_t r1) {
  for (int64_t row = r0; row < r1; ++row) {
    const T* g = gu + row * 2 * n;
    const T* u = g + n;
    T* o = out + row * n;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m256 gv = load8(g + i);
      store8(o + i, _mm256_mul_ps(_mm256_mul_ps(gv, sigmoid8(gv)), load8(u + i)));
    }
    for (; i < n; ++i) {
      const float gv = load1(g + i);
      store1(o + i, gv * sigmoid1(gv) * load1(u + i));
    }
  }
}

// ---- SwiGLU backward: d gate = go * up * sig * (1 + gate * (1 - sig)), d up = go * silu(gate), written to
// the two halves of each d gate_up row.
template <typename T>
__attribute__((target("avx2,fma"))) void swiglu_backward_rows(const T* gu, const T* go, T* dgu, int64_t n, int64_t r0,
                                                              int64_t r1) {
  const __m256 one = _mm256_set1_ps(1.0f);
  for (int64_t row = r0; row < r1; ++row) {
    const T* g = gu + row * 2 * n;
    const T* u = g + n;
    const T* gor = go + row * n;
    T* dg = dgu + row * 2 * n;
    T* du = dg + n;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m256 gv = load8(g + i), uv = load8(u + i), ov = load8(gor + i);
      const __m256 sig = sigmoid8(gv);
      const __m256 silu = _mm256_mul_ps(gv, sig);
      // sig * (1 + g * (1 - sig)) = sig + silu * (1 - sig)
      const __m256 dsilu = _mm256_fmadd_ps(silu, _mm256_sub_ps(one, sig), sig);
      store8(dg + i, _mm256_mul_ps(_mm256_mul_ps(ov, uv), dsilu));
      store8(du + i, _mm256_mul_ps(ov, silu));
    }
    for (; i < n; ++i) {
      const float gv = load1(g + i), uv = load1(u + i), ov = load1(gor + i);
      const float sig = sigmoid1(gv), silu = gv * sig;
      store1(dg + i, ov * uv * (sig + silu * (1.0f - sig)));
      store1(du + i, ov * silu);
    }
  }
}

// Forward without autograd: out (and, when `sum` is defined, the residual sum; rstd when defined).
void rms_forward(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& out, const torch::Tensor& sum,
                 const torch::Tensor& rstd, double eps) {
  const int64_t n = x.size(-1), rows = x.numel() / n;
  float* rp = rstd.defined() ? rstd.data_ptr<float>() : nullptr;
  const float e = static_cast<float>(eps);
  if (x.scalar_type() == torch::kFloat32) {
    const float* yp = y.defined() ? y.data_ptr<float>() : nullptr;
    float* sp = sum.defined() ? sum.data_ptr<float>() : nullptr;
    for_rows(rows, n, [&](int64_t r0, int64_t r1) {
      rms_forward_rows(x.data_ptr<float>(), yp, sp, out.data_ptr<float>(), rp, n, e, r0, r1);
    });
  } else {
    const BF16* yp = y.defined() ? y.data_ptr<BF16>() : nullptr;
    BF16* sp = sum.defined() ? sum.data_ptr<BF16>() : nullptr;
    for_rows(rows, n, [&](int64_t r0, int64_t r1) {
      rms_forward_rows(x.data_ptr<BF16>(), yp, sp, out.data_ptr<BF16>(), rp, n, e, r0, r1);
    });
  }
}

torch::Tensor rms_backward(const torch::Tensor& s, const torch::Tensor& rstd, const torch::Tensor& grad) {
  const auto g = grad.to(s.scalar_type()).contiguous();
  auto dx = torch::empty_like(s);
  const int64_t n = s.size(-1), rows = s.numel() / n;
  if (s.scalar_type() == torch::kFloat32) {
    for_rows(rows, n, [&](int64_t r0, int64_t r1) {
      rms_backward_rows(s.data_ptr<float>(), g.data_ptr<float>(), rstd.data_ptr<float>(), dx.data_ptr<float>(), n, r0,
                        r1);
    });
  } else {
    for_rows(rows, n, [&](int64_t r0, int64_t r1) {
      rms_backward_rows(s.data_ptr<BF16>(), g.data_ptr<BF16>(), rstd.data_ptr<float>(), dx.data_ptr<BF16>(), n, r0, r1);
    });
  }
  return dx;
}

torch::Tensor rstd_for(const torch::Tensor& x) {
  return torch::empty({x.numel() / x.size(-1)}, x.options().dtype(torch::kFloat32));
}

struct RmsNormFunction : torch::autograd::Function<RmsNormFunction> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, double eps) {
    auto out = torch::empty_like(x);
    const auto rstd = rstd_for(x);
    rms_forward(x, {}, out, {}, rstd, eps);
    ctx->save_for_backward({x, rstd});
    return out;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    return {rms_backward(saved[0], saved[1], grads[0]), torch::Tensor()};
  }
};

struct ResidualRmsNormFunction : torch::autograd::Function<ResidualRmsNormFunction> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor y, double eps) {
    auto out = torch::empty_like(x);
    auto sum = torch::empty_like(x);
    const auto rstd = rstd_for(x);
    rms_forward(x, y, out, sum, rstd, eps);
    ctx->save_for_backward({sum, rstd});
    return out;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto dx = rms_backward(saved[0], saved[1], grads[0]);
    return {dx, dx, torch::Tensor()};  // d(x + y) goes to both, as the add's backward does
  }
};

torch::Tensor swiglu_forward(const torch::Tensor& gu) {
  const int64_t n = gu.size(-1) / 2, rows = gu.numel() / gu.size(-1);
  auto shape = gu.sizes().vec();
  shape.back() = n;
  auto out = torch::empty(shape, gu.options());
  if (gu.scalar_type() == torch::kFloat32) {
    for_rows(rows, n, [&](int64_t r0, int64_t r1) {
      swiglu_forward_rows(gu.data_ptr<float>(), out.data_ptr<float>(), n, r0, r1);
    });
  } else {
    for_rows(rows, n, [&](int64_t r0, int64_t r1) {
      swiglu_forward_rows(gu.data_ptr<BF16>(), out.data_ptr<BF16>(), n, r0, r1);
    });
  }
  return out;
}

struct SwigluFunction : torch::autograd::Function<SwigluFunction> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor gu) {
    ctx->save_for_backward({gu});
    return swiglu_forward(gu);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto gu = ctx->get_saved_variables()[0];
    const auto go = grads[0].to(gu.scalar_type()).contiguous();
    auto dgu = torch::empty_like(gu);
    const int64_t n = gu.size(-1) / 2, rows = gu.numel() / gu.size(-1);
    if (gu.scalar_type() == torch::kFloat32) {
      for_rows(rows, 2 * n, [&](int64_t r0, int64_t r1) {
        swiglu_backward_rows(gu.data_ptr<float>(), go.data_ptr<float>(), dgu.data_ptr<float>(), n, r0, r1);
      });
    } else {
      for_rows(rows, 2 * n, [&](int64_t r0, int64_t r1) {
        swiglu_backward_rows(gu.data_ptr<BF16>(), go.data_ptr<BF16>(), dgu.data_ptr<BF16>(), n, r0, r1);
      });
    }
    return {dgu};
  }
};

bool needs_graph(const torch::Tensor& a, const torch::Tensor& b = {}) {
  return torch::GradMode::is_enabled() && (a.requires_grad() || (b.defined() && b.requires_grad()));
}

}  // namespace

bool cpu_supported() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}

bool supported(const torch::Tensor& t) {
  return cpu_supported() && t.defined() && t.device().is_cpu() && t.layout() == torch::kStrided && t.dim() >= 1 &&
         t.numel() > 0 && (t.scalar_type() == torch::kFloat32 || t.scalar_type() == torch::kBFloat16) &&
         t.is_contiguous();
}

torch::Tensor rms_norm(const torch::Tensor& x, double eps) {
  TORCH_CHECK(supported(x), "hrm::cpu_fused::rms_norm: unsupported input");
  if (needs_graph(x)) return RmsNormFunction::apply(x, eps);
  auto out = torch::empty_like(x);
  rms_forward(x, {}, out, {}, {}, eps);
  return out;
}

torch::Tensor residual_rms_norm(const torch::Tensor& x, const torch::Tensor& y, double eps) {
  TORCH_CHECK(supported(x) && supported(y) && x.sizes() == y.sizes() && x.scalar_type() == y.scalar_type(),
              "hrm::cpu_fused::residual_rms_norm: unsupported inputs");
  if (needs_graph(x, y)) return ResidualRmsNormFunction::apply(x, y, eps);
  auto out = torch::empty_like(x);
  rms_forward(x, y, out, {}, {}, eps);  // the sum lives only in `out`, row by row
  return out;
}

torch::Tensor swiglu(const torch::Tensor& gate_up) {
  TORCH_CHECK(supported(gate_up) && gate_up.size(-1) % 2 == 0, "hrm::cpu_fused::swiglu: unsupported input");
  if (needs_graph(gate_up)) return SwigluFunction::apply(gate_up);
  return swiglu_forward(gate_up);
}

#else  // not x86-64: never supported, callers keep the reference

bool cpu_supported() { return false; }
bool supported(const torch::Tensor&) { return false; }
torch::Tensor rms_norm(const torch::Tensor&, double) { TORCH_CHECK(false, "hrm::cpu_fused: not available"); }
torch::Tensor residual_rms_norm(const torch::Tensor&, const torch::Tensor&, double) {
  TORCH_CHECK(false, "hrm::cpu_fused: not available");
}
torch::Tensor swiglu(const torch::Tensor&) { TORCH_CHECK(false, "hrm::cpu_fused: not available"); }

#endif

}  // namespace hrm::cpu_fused
