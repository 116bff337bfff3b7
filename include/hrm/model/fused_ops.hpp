// Fused CUDA versions of the elementwise steps of an HRM cycle, as autograd functions: RoPE on q/k,
// the SwiGLU activation and the stablemax cross-entropy. Each computes what its ATen reference computes
// (named per function), forward and backward, for fp32 and bf16 CUDA tensors; the kernels live in
// kernels/*.cu. Compiled only when hrm links the CUDA kernels (HRM_WITH_CUDA_KERNELS, a CUDA LibTorch):
// guard callers with #ifdef HRM_WITH_CUDA_KERNELS. tests/gpu/ checks each against its reference.
#pragma once
#ifdef HRM_WITH_CUDA_KERNELS
#include <torch/torch.h>

namespace hrm::fused {

// hrm::apply_rope(x, cos, sin): x [B, S, H, D] (fp32/bf16, CUDA; each head's D values contiguous, heads
// adjacent, rows evenly strided: a view of the fused qkv projection qualifies), cos/sin [>= S, D] fp32.
// Returns a new contiguous tensor, bit-identical to the reference.
torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

// The q and k parts of a fused qkv projection rotated in place: qkv is [B, S, 3 * heads * D] (or
// [B, S, 3, heads, D]), contiguous; afterwards qkv.view(B, S, 3, heads, D).unbind(2) gives the rotated
// q, k and the untouched v, exactly as hrm::apply_rope on q and k would. Returns qkv (marked dirty for
// autograd, so qkv must not be a leaf that requires grad).
torch::Tensor rope_qk_(torch::Tensor qkv, const torch::Tensor& cos, const torch::Tensor& sin, int64_t heads);

// silu(gate) * up with gate, up = gate_up.chunk(2, -1) (hrm::BlockImpl::mlp): gate_up [..., 2 * inner]
// contiguous fp32/bf16 CUDA; returns [..., inner].
torch::Tensor swiglu(const torch::Tensor& gate_up);

// hrm::stablemax_cross_entropy(logits, labels): logits [..., V] fp32/bf16 CUDA, labels [...] integer
// (kIgnoreLabel = -100 is ignored); returns the per-token loss [...] in float64, differentiable in logits.
torch::Tensor stablemax_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace hrm::fused
#endif  // HRM_WITH_CUDA_KERNELS
