// Rotary position embedding of q/k heads, forward and backward, optionally in place.
// Reference: hrm::apply_rope (src/model/layers.cpp): every dim of a head rotates, in fp32:
//   y = x * cos + rotate_half(x) * sin,  rotate_half(x) = cat(-x[D/2:], x[:D/2])
// i.e. for i < D/2:  y[i] = x[i] cos[i] - x[i+D/2] sin[i],  y[i+D/2] = x[i+D/2] cos[i+D/2] + x[i] sin[i+D/2],
// each product and sum rounded in fp32 (no fused multiply-add) and the result rounded to the storage type,
// so the fused kernel equals the reference bit for bit. The backward is the transposed rotation:
//   dx[i] = dy[i] cos[i] + dy[i+D/2] sin[i+D/2],  dx[i+D/2] = dy[i+D/2] cos[i+D/2] - dy[i] sin[i].
//
// Layout: `rows` rows (batch * seq, row r at position r % seq_len), each holding `heads` heads of
// `head_dim` contiguous values, heads adjacent; row r starts at r * row_stride (elements). With the fused
// qkv projection [B, S, 3, H, D] and heads = 2H, row_stride = 3HD, this rotates q and k and leaves v.
// in == out rotates in place; otherwise out has its own row stride. cos/sin: [seq_len, head_dim] fp32.
#pragma once
#include <cstdint>

#include <cuda_runtime.h>

extern "C" {
cudaError_t hrm_rope_forward_f32(const float* in, float* out, const float* cos, const float* sin, int64_t rows,
                                 int64_t seq_len, int64_t in_row_stride, int64_t out_row_stride, int64_t heads,
                                 int64_t head_dim, cudaStream_t stream);
cudaError_t hrm_rope_backward_f32(const float* grad_out, float* grad_in, const float* cos, const float* sin,
                                  int64_t rows, int64_t seq_len, int64_t in_row_stride, int64_t out_row_stride,
                                  int64_t heads, int64_t head_dim, cudaStream_t stream);
// bf16 storage (the uint16_t bits of __nv_bfloat16), arithmetic in fp32.
cudaError_t hrm_rope_forward_bf16(const uint16_t* in, uint16_t* out, const float* cos, const float* sin, int64_t rows,
                                  int64_t seq_len, int64_t in_row_stride, int64_t out_row_stride, int64_t heads,
                                  int64_t head_dim, cudaStream_t stream);
cudaError_t hrm_rope_backward_bf16(const uint16_t* grad_out, uint16_t* grad_in, const float* cos, const float* sin,
                                   int64_t rows, int64_t seq_len, int64_t in_row_stride, int64_t out_row_stride,
                                   int64_t heads, int64_t head_dim, cudaStream_t stream);
}
