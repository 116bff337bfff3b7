// Reference quantizers and dequantizers of one row (formats.hpp), as ggml's quantize_row_*_ref /
// dequantize_row_*: the kernels (kernels.hpp) and the checkpoint writer use exactly these, and
// quantization-aware training fakes them, so every path sees the same integers.
//
// q8: d = max|x| / 127 per group (rounded to fp16 first), q = round(x / d). The error per value is at
//     most d / 2 (plus fp16 rounding of d): 8 bits leave nothing for a search to gain.
// q4: asymmetric, x ~ d * q - m with q in [0, 15]. d and m come from a search minimizing the weighted
//     squared error (ggml's make_qkx2_quants): start from the min/max grid, try 21 candidate scales around
//     it, for each fix the integers and solve the weighted least-squares d and m in closed form, keep the
//     best. d and m are then rounded to fp16 and the integers recomputed with the rounded values.
//     Weights: `importance` (e.g. mean squared activation per input column from calibration text) times
//     sqrt(sigma^2 + x^2), or without importance ggml's default mean|x| + |x|.
#pragma once
#include <cstdint>

#include "hrm/quant/formats.hpp"

namespace hrm::quant {

// x: n values (n a multiple of group, group a multiple of kBlock). q: n int8; scales: n / group fp16.
void quantize_row_q8_ref(const float* x, int64_t n, int64_t group, int8_t* q, uint16_t* scales);
void dequantize_row_q8(const int8_t* q, const uint16_t* scales, int64_t n, int64_t group, float* y);

// importance: n non-negative weights or nullptr. q: n / 2 bytes; scales, mins: n / group fp16.
void quantize_row_q4_ref(const float* x, const float* importance, int64_t n, int64_t group, uint8_t* q,
                         uint16_t* scales, uint16_t* mins);
void dequantize_row_q4(const uint8_t* q, const uint16_t* scales, const uint16_t* mins, int64_t n, int64_t group,
                       float* y);

// Whole matrices ([rows, cols] row-major), row by row with the functions above; importance is per
// column (shared by every row) or nullptr. The arrays are sized as formats.hpp says.
void quantize_matrix(QuantType type, const float* x, const float* importance, int64_t rows, int64_t cols, int64_t group,
                     void* q, uint16_t* scales, uint16_t* mins);
void dequantize_matrix(const QuantMatrixView& w, float* y);

}  // namespace hrm::quant
