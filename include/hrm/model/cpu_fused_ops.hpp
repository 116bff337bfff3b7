// Fused CPU versions of the elementwise steps of an HRM block, as autograd functions with hand-written
// forward and backward loops: RMSNorm (alone and after the residual add), the SwiGLU activation and RoPE
// (src/model/cpu_fused_rope.cpp). Each
// does its math in fp32 on fp32 or bf16 tensors in one pass over the data (the ATen references make 5-8
// passes with fp32 temporaries), rounding bf16 results once, to nearest even like c10::BFloat16.
//
// "The reference" for each is the ATen composition in src/model/layers.cpp it replaces (named per
// function); results agree with it to fp32 rounding for fp32 tensors and to bf16 rounding for bf16 ones
// (tests/model/cpu_fused_ops_test.cpp). The loops are AVX2/FMA (chosen at run time); `supported(...)`
// says whether a call would take the fused path, and callers keep the reference for everything else
// (CUDA, other dtypes, non-contiguous tensors, CPUs without AVX2).
#pragma once
#include <torch/torch.h>

namespace hrm::cpu_fused {

// True when this CPU has AVX2 and FMA.
bool cpu_supported();

// True when the fused ops below accept t: a contiguous fp32/bf16 CPU tensor with at least one dimension
// and the CPU has AVX2/FMA.
bool supported(const torch::Tensor& t);

// hrm::rms_norm(x, eps) (the reference): x * rsqrt(mean(x^2, -1) + eps) in fp32, returned in x's dtype.
// x must satisfy supported(x).
torch::Tensor rms_norm(const torch::Tensor& x, double eps);

// hrm::residual_rms_norm(x, y, eps) (the reference): rms_norm(x + y, eps), the sum rounded to x's dtype
// first exactly as the reference's add does. x and y: same shape and dtype, both supported().
torch::Tensor residual_rms_norm(const torch::Tensor& x, const torch::Tensor& y, double eps);

// silu(gate) * up with gate, up = gate_up.chunk(2, -1) (the reference: hrm::BlockImpl::mlp's ATen
// ops). gate_up [..., 2 * inner] satisfying supported(); returns [..., inner] in its dtype.
torch::Tensor swiglu(const torch::Tensor& gate_up);

// True when rope_heads takes (x, cos, sin): x [B, S, H, D] fp32/bf16 on the CPU with each head's D values
// contiguous (a q or k view into the qkv projection), D even; cos/sin contiguous fp32, both [S, D] or both
// [B, S, D] (each row at its own positions, as the decoder's rows are); AVX2/FMA.
bool rope_supported(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

// hrm::apply_rope(x, cos, sin).transpose(1, 2).contiguous() (the reference) in one pass: RoPE in fp32, the
// result rounded once to x's dtype and written as [B, H, S, D] contiguous, the layout the attention
// matmuls read (the reference's transposed view is copied there by matmul). The backward is one pass too.
torch::Tensor rope_heads(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

}  // namespace hrm::cpu_fused
