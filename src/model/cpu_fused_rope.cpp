// RoPE on the CPU as one autograd function (cpu_fused_ops.hpp: rope_heads). Per (b, s, h) row of D values,
// with h = D / 2 and rotate_half(x) = [-x2, x1]:
//   forward   out[i] = x[i] c[i] - x[i+h] s[i]            out[i+h] = x[i+h] c[i+h] + x[i] s[i+h]
//   backward  dx[i]  = g[i] c[i] + g[i+h] s[i+h]          dx[i+h]  = g[i+h] c[i+h] - g[i] s[i]
// (the backward is the transpose of the rotation: rotate_half's adjoint is [y2, -y1]).
#include "hrm/model/cpu_fused_ops.hpp"

#include <array>
#include <vector>

#if defined(__x86_64__)
#include "hrm/model/cpu_simd.hpp"
#endif

namespace hrm::cpu_fused {

#if defined(__x86_64__)

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;
using namespace simd;  // NOLINT: the shared loads, stores and row loop

// One row: a = first half, b = second half of the input; writes the two halves of the output.
// kBackward selects the adjoint (the sign moves from the first half's sine term to the second's).
template <bool kBackward, typename T>
__attribute__((target("avx2,fma"))) void rope_row(const T* x, const float* c, const float* s, T* out, int64_t half) {
  int64_t i = 0;
  for (; i + 8 <= half; i += 8) {
    const __m256 a = load8(x + i), b = load8(x + half + i);
    const __m256 c1 = _mm256_loadu_ps(c + i), c2 = _mm256_loadu_ps(c + half + i);
    const __m256 s1 = _mm256_loadu_ps(s + i), s2 = _mm256_loadu_ps(s + half + i);
    if (kBackward) {
      store8(out + i, _mm256_fmadd_ps(b, s2, _mm256_mul_ps(a, c1)));
      store8(out + half + i, _mm256_fnmadd_ps(a, s1, _mm256_mul_ps(b, c2)));
    } else {
      store8(out + i, _mm256_fnmadd_ps(b, s1, _mm256_mul_ps(a, c1)));
      store8(out + half + i, _mm256_fmadd_ps(a, s2, _mm256_mul_ps(b, c2)));
    }
  }
  for (; i < half; ++i) {
    const float a = load1(x + i), b = load1(x + half + i);
    if (kBackward) {
      store1(out + i, a * c[i] + b * s[half + i]);
      store1(out + half + i, b * c[half + i] - a * s[i]);
    } else {
      store1(out + i, a * c[i] - b * s[i]);
      store1(out + half + i, b * c[half + i] + a * s[half + i]);
    }
  }
}

// Rows are (b, s, h). `x` is addressed by its strides (xb, xs, xh; elements, the D values contiguous) and
// `out` as contiguous [B, H, S, D] (forward) or the other way round (backward: x is the [B, H, S, D] grad,
// out the [B, S, H, D] input grad).
// The tables are [S, D] (table_b_stride 0) or per batch row [B, S, D] (table_b_stride S * D).
template <bool kBackward, typename T>
void rope_rows(const T* x, std::array<int64_t, 3> x_strides, T* out, std::array<int64_t, 3> out_strides,
               const float* cos, const float* sin, int64_t table_b_stride, int64_t B, int64_t S, int64_t H, int64_t D) {
  const int64_t half = D / 2;
  for_rows(B * S * H, D, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / (S * H), s = (r / H) % S, h = r % H;
      const int64_t t = b * table_b_stride + s * D;
      rope_row<kBackward>(x + b * x_strides[0] + s * x_strides[1] + h * x_strides[2], cos + t, sin + t,
                          out + b * out_strides[0] + s * out_strides[1] + h * out_strides[2], half);
    }
  });
}

// forward: x [B, S, H, D] (strided) -> [B, H, S, D]; backward: grad [B, H, S, D] -> [B, S, H, D].
template <bool kBackward>
torch::Tensor rope_apply(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const int64_t B = x.size(0), D = x.size(3);
  const int64_t S = kBackward ? x.size(2) : x.size(1), H = kBackward ? x.size(1) : x.size(2);
  auto out = torch::empty(kBackward ? std::vector<int64_t>{B, S, H, D} : std::vector<int64_t>{B, H, S, D}, x.options());
  // Strides in (b, s, h) order for both tensors.
  const std::array<int64_t, 3> xs = kBackward ? std::array<int64_t, 3>{x.stride(0), x.stride(2), x.stride(1)}
                                              : std::array<int64_t, 3>{x.stride(0), x.stride(1), x.stride(2)};
  const std::array<int64_t, 3> os = kBackward ? std::array<int64_t, 3>{out.stride(0), out.stride(1), out.stride(2)}
                                              : std::array<int64_t, 3>{out.stride(0), out.stride(2), out.stride(1)};
  const float* c = cos.data_ptr<float>();
  const float* s = sin.data_ptr<float>();
  const int64_t table_b_stride = cos.dim() == 3 ? S * D : 0;
  if (x.scalar_type() == torch::kFloat32) {
    rope_rows<kBackward>(x.data_ptr<float>(), xs, out.data_ptr<float>(), os, c, s, table_b_stride, B, S, H, D);
  } else {
    rope_rows<kBackward>(x.data_ptr<BF16>(), xs, out.data_ptr<BF16>(), os, c, s, table_b_stride, B, S, H, D);
  }
  return out;
}

struct RopeFunction : torch::autograd::Function<RopeFunction> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor cos, torch::Tensor sin) {
    ctx->save_for_backward({cos, sin});
    ctx->saved_data["dtype"] = static_cast<int64_t>(x.scalar_type());
    return rope_apply<false>(x, cos, sin);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto dtype = static_cast<torch::ScalarType>(ctx->saved_data["dtype"].toInt());
    const auto g = grads[0].to(dtype).contiguous();
    return {rope_apply<true>(g, saved[0], saved[1]), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

bool rope_supported(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const auto table_ok = [&](const torch::Tensor& t) {  // [S, D], or [B, S, D]: per-row positions (decoding)
    const bool shape_ok = (t.dim() == 2 && t.size(0) == x.size(1) && t.size(1) == x.size(3)) ||
                          (t.dim() == 3 && t.size(0) == x.size(0) && t.size(1) == x.size(1) && t.size(2) == x.size(3));
    return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.is_contiguous() && shape_ok;
  };
  return cpu_supported() && x.defined() && x.device().is_cpu() && x.layout() == torch::kStrided && x.dim() == 4 &&
         x.numel() > 0 && (x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kBFloat16) &&
         x.stride(3) == 1 && x.size(3) % 2 == 0 && table_ok(cos) && table_ok(sin) && cos.dim() == sin.dim();
}

torch::Tensor rope_heads(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  TORCH_CHECK(rope_supported(x, cos, sin), "hrm::cpu_fused::rope_heads: unsupported inputs ", x.sizes(), " ",
              cos.sizes());
  if (torch::GradMode::is_enabled() && x.requires_grad()) return RopeFunction::apply(x, cos, sin);
  return rope_apply<false>(x, cos, sin);
}

#else  // not x86-64: never supported, callers keep the reference

bool rope_supported(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) { return false; }
torch::Tensor rope_heads(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) {
  TORCH_CHECK(false, "hrm::cpu_fused: not available");
}

#endif

}  // namespace hrm::cpu_fused
