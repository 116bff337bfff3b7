// SwiGLU activation of an HRM block's MLP, forward and backward, from the fused gate_up projection.
// Reference: hrm::BlockImpl::mlp (src/model/layers.cpp): gate, up = gate_up(x).chunk(2, -1);
//   out = silu(gate) * up,  silu(g) = g / (1 + exp(-g))  (fp32 arithmetic)
// gate_up: [rows, 2 * inner] row-major, gate = columns [0, inner), up = [inner, 2 inner); out: [rows, inner].
// Rounding follows the two ATen ops of the reference: silu(gate) is rounded to the storage type before the
// product (a no-op in fp32), and the backward rounds dy * up before the silu derivative, as autograd does:
//   d_gate = T(T(dy * up) * sig(g) (1 + g (1 - sig(g)))),  d_up = T(dy * T(silu(g)))
// grad_gate_up: [rows, 2 * inner] in the same layout as gate_up.
#pragma once
#include <cstdint>

#include <cuda_runtime.h>

extern "C" {
cudaError_t hrm_swiglu_forward_f32(const float* gate_up, float* out, int64_t rows, int64_t inner, cudaStream_t stream);
cudaError_t hrm_swiglu_backward_f32(const float* grad_out, const float* gate_up, float* grad_gate_up, int64_t rows,
                                    int64_t inner, cudaStream_t stream);
// bf16 storage (the uint16_t bits of __nv_bfloat16), arithmetic in fp32.
cudaError_t hrm_swiglu_forward_bf16(const uint16_t* gate_up, uint16_t* out, int64_t rows, int64_t inner,
                                    cudaStream_t stream);
cudaError_t hrm_swiglu_backward_bf16(const uint16_t* grad_out, const uint16_t* gate_up, uint16_t* grad_gate_up,
                                     int64_t rows, int64_t inner, cudaStream_t stream);
}
