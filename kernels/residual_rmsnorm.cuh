// Fused post-norm residual: out = rmsnorm(x + y) with a weightless RMSNorm computed in fp32,
// the operation every HRM block ends its attention and MLP sub-layers with.
// Reference: hrm::residual_rmsnorm_reference (src/model/layers.cpp), i.e.
//   r = float(x + y); out = cast(r * rsqrt(mean(r^2) + eps))
// Also returns the per-row inverse RMS (fp32), which the backward pass needs.
#pragma once
#include <cstdint>

#include <cuda_runtime.h>

extern "C" {
// x, y, out: [rows, dim] row-major, fp32. inv_rms: [rows] fp32 (may be null).
cudaError_t hrm_residual_rmsnorm_f32(const float* x, const float* y, float* out, float* inv_rms,
                                     int64_t rows, int64_t dim, float eps, cudaStream_t stream);
// Same with bf16 storage (the uint16_t bits of __nv_bfloat16); the sum is rounded to bf16 first,
// as the reference's (x + y) in bf16 is.
cudaError_t hrm_residual_rmsnorm_bf16(const uint16_t* x, const uint16_t* y, uint16_t* out, float* inv_rms,
                                      int64_t rows, int64_t dim, float eps, cudaStream_t stream);
}
