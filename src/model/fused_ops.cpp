// Autograd wrappers of the fused CUDA kernels (kernels/rope.cuh, swiglu.cuh, stablemax_ce.cuh): shape and
// dtype checks, the current CUDA stream, and which saved tensors each backward needs.
#include "hrm/model/fused_ops.hpp"

#ifdef HRM_WITH_CUDA_KERNELS
// c10's stream and guard headers need only the CUDA runtime headers (ATen/cuda/CUDAContext.h would also
// pull in cuBLAS/cuSPARSE/cuSOLVER headers, which a CUDA image may lack).
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "hrm/model/hrm.hpp"  // kIgnoreLabel
#include "rope.cuh"
#include "stablemax_ce.cuh"
#include "swiglu.cuh"

namespace hrm::fused {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

void check_launch(cudaError_t err, const char* op) {
  TORCH_CHECK(
      err == cudaSuccess, "hrm::fused::", op, ": CUDA kernel failed: ", cudaGetErrorString(err),
      " (HINT: a 'no kernel image' error means kernels/ was built for another GPU; set CMAKE_CUDA_ARCHITECTURES)");
}

void check_input(const torch::Tensor& t, const char* op, const char* name) {
  TORCH_CHECK(t.defined() && t.is_cuda(), "hrm::fused::", op, ": ", name, " must be a CUDA tensor");
  TORCH_CHECK(t.scalar_type() == torch::kFloat32 || t.scalar_type() == torch::kBFloat16, "hrm::fused::", op, ": ", name,
              " must be float32 or bfloat16, got ", t.scalar_type());
}

void check_tables(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin, int64_t seq_len,
                  int64_t head_dim, const char* op) {
  for (const auto* t : {&cos, &sin}) {
    TORCH_CHECK(t->is_cuda() && t->device() == x.device() && t->scalar_type() == torch::kFloat32 && t->dim() == 2 &&
                    t->is_contiguous(),
                "hrm::fused::", op, ": cos/sin must be contiguous float32 [S, head_dim] tables on ", x.device());
    TORCH_CHECK(t->size(0) >= seq_len && t->size(1) == head_dim, "hrm::fused::", op, ": cos/sin are ", t->sizes(),
                ", need at least [", seq_len, ", ", head_dim, "]");
  }
  TORCH_CHECK(head_dim % 2 == 0, "hrm::fused::", op, ": head_dim must be even, got ", head_dim);
}

cudaStream_t stream() { return c10::cuda::getCurrentCUDAStream().stream(); }
uint16_t* bf16_ptr(const torch::Tensor& t) { return reinterpret_cast<uint16_t*>(t.data_ptr<at::BFloat16>()); }

// One call of the RoPE kernels: `rows` rows of `heads` heads, row strides in elements.
void rope_launch(bool backward, const torch::Tensor& in, const torch::Tensor& out, const torch::Tensor& cos,
                 const torch::Tensor& sin, int64_t rows, int64_t seq_len, int64_t in_stride, int64_t out_stride,
                 int64_t heads, int64_t head_dim, const char* op) {
  const float* c = cos.data_ptr<float>();
  const float* s = sin.data_ptr<float>();
  cudaError_t err;
  if (in.scalar_type() == torch::kBFloat16) {
    err = (backward ? hrm_rope_backward_bf16 : hrm_rope_forward_bf16)(bf16_ptr(in), bf16_ptr(out), c, s, rows, seq_len,
                                                                      in_stride, out_stride, heads, head_dim, stream());
  } else {
    err = (backward ? hrm_rope_backward_f32 : hrm_rope_forward_f32)(in.data_ptr<float>(), out.data_ptr<float>(), c, s,
                                                                    rows, seq_len, in_stride, out_stride, heads,
                                                                    head_dim, stream());
  }
  check_launch(err, op);
}

struct RopeFunction : torch::autograd::Function<RopeFunction> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor cos, torch::Tensor sin) {
    check_input(x, "apply_rope", "x");
    TORCH_CHECK(x.dim() == 4, "hrm::fused::apply_rope: x must be [B, S, H, D], got ", x.sizes());
    const auto b = x.size(0), s = x.size(1), h = x.size(2), d = x.size(3);
    check_tables(x, cos, sin, s, d, "apply_rope");
    // Rows (b, s) must be evenly strided with heads adjacent; anything else is copied into that layout.
    const bool kernel_layout = x.stride(3) == 1 && x.stride(2) == d && x.stride(0) == s * x.stride(1);
    const auto in = kernel_layout ? x : x.contiguous();
    const c10::cuda::CUDAGuard guard(x.device());
    auto out = torch::empty({b, s, h, d}, x.options().memory_format(torch::MemoryFormat::Contiguous));
    rope_launch(false, in, out, cos, sin, b * s, s, in.stride(1), h * d, h, d, "apply_rope");
    ctx->save_for_backward({cos, sin});
    return out;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto g = grads[0].contiguous();
    const auto b = g.size(0), s = g.size(1), h = g.size(2), d = g.size(3);
    const c10::cuda::CUDAGuard guard(g.device());
    auto gx = torch::empty_like(g);
    rope_launch(true, g, gx, saved[0], saved[1], b * s, s, h * d, h * d, h, d, "apply_rope backward");
    return {gx, torch::Tensor(), torch::Tensor()};
  }
};

// [B, S, 3 * heads * D] (or [B, S, 3, heads, D]) -> head_dim D.
int64_t qkv_head_dim(const torch::Tensor& qkv, int64_t heads) {
  TORCH_CHECK(qkv.dim() == 3 || (qkv.dim() == 5 && qkv.size(2) == 3 && qkv.size(3) == heads),
              "hrm::fused::rope_qk_: qkv must be [B, S, 3*heads*D] or [B, S, 3, heads, D], got ", qkv.sizes());
  TORCH_CHECK(heads > 0, "hrm::fused::rope_qk_: heads must be positive, got ", heads);
  const auto per_row = qkv.numel() / std::max<int64_t>(1, qkv.size(0) * qkv.size(1));
  TORCH_CHECK(per_row % (3 * heads) == 0, "hrm::fused::rope_qk_: the last dims (", per_row, ") are not 3 x ", heads,
              " heads");
  return per_row / (3 * heads);
}

struct RopeQkFunction : torch::autograd::Function<RopeQkFunction> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor qkv, torch::Tensor cos, torch::Tensor sin,
                               int64_t heads) {
    check_input(qkv, "rope_qk_", "qkv");
    TORCH_CHECK(qkv.is_contiguous(), "hrm::fused::rope_qk_: qkv must be contiguous (the qkv projection's output)");
    const auto d = qkv_head_dim(qkv, heads);
    const auto b = qkv.size(0), s = qkv.size(1);
    check_tables(qkv, cos, sin, s, d, "rope_qk_");
    const c10::cuda::CUDAGuard guard(qkv.device());
    rope_launch(false, qkv, qkv, cos, sin, b * s, s, 3 * heads * d, 3 * heads * d, 2 * heads, d, "rope_qk_");
    ctx->mark_dirty({qkv});
    ctx->save_for_backward({cos, sin});
    ctx->saved_data["heads"] = heads;
    return qkv;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto heads = ctx->saved_data["heads"].toInt();
    auto g = grads[0].clone(torch::MemoryFormat::Contiguous);  // v's gradient passes through unchanged
    const auto d = qkv_head_dim(g, heads);
    const auto b = g.size(0), s = g.size(1);
    const c10::cuda::CUDAGuard guard(g.device());
    rope_launch(true, g, g, saved[0], saved[1], b * s, s, 3 * heads * d, 3 * heads * d, 2 * heads, d,
                "rope_qk_ backward");
    return {g, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

struct SwigluFunction : torch::autograd::Function<SwigluFunction> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor gate_up) {
    check_input(gate_up, "swiglu", "gate_up");
    TORCH_CHECK(gate_up.dim() >= 1 && gate_up.size(-1) % 2 == 0,
                "hrm::fused::swiglu: gate_up's last dim must be 2 * inner, got ", gate_up.sizes());
    const auto gu = gate_up.contiguous();
    const auto inner = gu.size(-1) / 2;
    const auto rows = inner == 0 ? 0 : gu.numel() / (2 * inner);
    auto sizes = gu.sizes().vec();
    sizes.back() = inner;
    const c10::cuda::CUDAGuard guard(gu.device());
    auto out = torch::empty(sizes, gu.options());
    const auto err = gu.scalar_type() == torch::kBFloat16
                         ? hrm_swiglu_forward_bf16(bf16_ptr(gu), bf16_ptr(out), rows, inner, stream())
                         : hrm_swiglu_forward_f32(gu.data_ptr<float>(), out.data_ptr<float>(), rows, inner, stream());
    check_launch(err, "swiglu");
    ctx->save_for_backward({gu});
    return out;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto gu = ctx->get_saved_variables()[0];
    const auto g = grads[0].contiguous();
    const auto inner = gu.size(-1) / 2;
    const auto rows = inner == 0 ? 0 : gu.numel() / (2 * inner);
    const c10::cuda::CUDAGuard guard(gu.device());
    auto ggu = torch::empty_like(gu);
    const auto err = gu.scalar_type() == torch::kBFloat16
                         ? hrm_swiglu_backward_bf16(bf16_ptr(g), bf16_ptr(gu), bf16_ptr(ggu), rows, inner, stream())
                         : hrm_swiglu_backward_f32(g.data_ptr<float>(), gu.data_ptr<float>(), ggu.data_ptr<float>(),
                                                   rows, inner, stream());
    check_launch(err, "swiglu backward");
    return {ggu};
  }
};

struct StablemaxCeFunction : torch::autograd::Function<StablemaxCeFunction> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor logits, torch::Tensor labels) {
    check_input(logits, "stablemax_cross_entropy", "logits");
    TORCH_CHECK(logits.dim() >= 1 && labels.sizes() == logits.sizes().slice(0, logits.dim() - 1),
                "hrm::fused::stablemax_cross_entropy: labels ", labels.sizes(), " must be logits ", logits.sizes(),
                " without the vocabulary dim");
    TORCH_CHECK(!at::isFloatingType(labels.scalar_type()),
                "hrm::fused::stablemax_cross_entropy: labels must be integers, got ", labels.scalar_type());
    const auto x = logits.contiguous();
    const auto y = labels.to(x.device(), torch::kLong).contiguous();
    const auto vocab = x.size(-1), rows = y.numel();
    const c10::cuda::CUDAGuard guard(x.device());
    auto loss = torch::empty(y.sizes(), x.options().dtype(torch::kFloat64));
    const auto err = x.scalar_type() == torch::kBFloat16
                         ? hrm_stablemax_ce_forward_bf16(bf16_ptr(x), y.data_ptr<int64_t>(), loss.data_ptr<double>(),
                                                         rows, vocab, kIgnoreLabel, stream())
                         : hrm_stablemax_ce_forward_f32(x.data_ptr<float>(), y.data_ptr<int64_t>(),
                                                        loss.data_ptr<double>(), rows, vocab, kIgnoreLabel, stream());
    check_launch(err, "stablemax_cross_entropy");
    ctx->save_for_backward({x, y});
    return loss;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& y = saved[1];
    const auto g = grads[0].to(torch::kFloat64).contiguous();
    const auto vocab = x.size(-1), rows = y.numel();
    const c10::cuda::CUDAGuard guard(x.device());
    auto gx = torch::empty_like(x);
    const auto err =
        x.scalar_type() == torch::kBFloat16
            ? hrm_stablemax_ce_backward_bf16(bf16_ptr(x), y.data_ptr<int64_t>(), g.data_ptr<double>(), bf16_ptr(gx),
                                             rows, vocab, kIgnoreLabel, stream())
            : hrm_stablemax_ce_backward_f32(x.data_ptr<float>(), y.data_ptr<int64_t>(), g.data_ptr<double>(),
                                            gx.data_ptr<float>(), rows, vocab, kIgnoreLabel, stream());
    check_launch(err, "stablemax_cross_entropy backward");
    return {gx, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  return RopeFunction::apply(x, cos, sin);
}

torch::Tensor rope_qk_(torch::Tensor qkv, const torch::Tensor& cos, const torch::Tensor& sin, int64_t heads) {
  return RopeQkFunction::apply(qkv, cos, sin, heads);
}

torch::Tensor swiglu(const torch::Tensor& gate_up) { return SwigluFunction::apply(gate_up); }

torch::Tensor stablemax_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  return StablemaxCeFunction::apply(logits, labels);
}

}  // namespace hrm::fused
#endif  // HRM_WITH_CUDA_KERNELS
