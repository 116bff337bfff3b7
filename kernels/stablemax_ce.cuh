// Stablemax cross-entropy per token, forward and backward, in float64 like the reference.
// Reference: hrm::stablemax_cross_entropy (src/model/losses.cpp), with x = float64(logits[row]):
//   s(x) = 1 / (1 - x + 1e-30) for x < 0, x + 1 otherwise;  loss[row] = -log(s(x_y) / sum_j s(x_j))
//   and loss[row] = 0 where labels[row] == ignore_label (-100).
// Backward (dL/dx, float64, cast to the logits' type), with s'(x) = 1 / (1 - x + 1e-30)^2 for x < 0, else 1:
//   grad_logits[row, j] = grad_loss[row] * (s'(x_j) / sum s - [j == y] s'(x_y) / s(x_y)), 0 for ignored rows.
// logits: [rows, vocab] row-major; labels: [rows] int64; loss, grad_loss: [rows] float64.
// A label outside [0, vocab) (other than ignore_label) gives a NaN loss and NaN gradients for that row.
#pragma once
#include <cstdint>

#include <cuda_runtime.h>

extern "C" {
cudaError_t hrm_stablemax_ce_forward_f32(const float* logits, const int64_t* labels, double* loss, int64_t rows,
                                         int64_t vocab, int64_t ignore_label, cudaStream_t stream);
cudaError_t hrm_stablemax_ce_backward_f32(const float* logits, const int64_t* labels, const double* grad_loss,
                                          float* grad_logits, int64_t rows, int64_t vocab, int64_t ignore_label,
                                          cudaStream_t stream);
// bf16 logits (the uint16_t bits of __nv_bfloat16); the loss and its arithmetic stay float64.
cudaError_t hrm_stablemax_ce_forward_bf16(const uint16_t* logits, const int64_t* labels, double* loss, int64_t rows,
                                          int64_t vocab, int64_t ignore_label, cudaStream_t stream);
cudaError_t hrm_stablemax_ce_backward_bf16(const uint16_t* logits, const int64_t* labels, const double* grad_loss,
                                           uint16_t* grad_logits, int64_t rows, int64_t vocab, int64_t ignore_label,
                                           cudaStream_t stream);
}
