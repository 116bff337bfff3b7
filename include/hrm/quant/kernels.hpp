// Quantized matrix products y = x W^T for q8/q4 weights (formats.hpp), as ggml's CPU dot products:
// the activation rows are quantized per block of 32 to int8 with one fp32 scale (quantize_activations),
// each block's dot product is an integer multiply-add, and one float multiply per block applies the
// scales (q4 also subtracts m * d_x * sum(x_q) per block). One routine serves decoding (a few rows) and
// prefill / batched samples (many rows): each weight row is read once and multiplied with every input row.
//
// Paths, chosen at run time (the library is built for plain x86-64; each path's functions carry their
// own target attributes): a scalar reference, AVX2 (maddubs), AVX-512 VNNI (vpdpbusd, 64 bytes = two
// blocks per instruction). Tests: tests/quant/kernels_test.cpp (every path the CPU has against the
// scalar path and against dequantize-then-fp32); timer: tools/bench/quant_kernels_bench.cpp.
#pragma once
#include <cstdint>
#include <vector>

#include "hrm/quant/formats.hpp"

namespace hrm::quant {

// Activation rows quantized per block of kBlock values: x ~ d * q, d = max|x| / 127 (fp32).
struct QuantizedActivations {
  int64_t rows = 0, cols = 0;
  std::vector<int8_t> q;     // [rows, cols]
  std::vector<float> d;      // [rows, cols / kBlock]
  std::vector<float> d_sum;  // [rows, cols / kBlock]: d * sum(q) of the block (q4's min term)
};

enum class KernelPath { kScalar, kAvx2, kAvx512Vnni };

const char* path_name(KernelPath path);
bool path_supported(KernelPath path);  // what this CPU runs
KernelPath best_path();                // the fastest supported path

// x: [rows, cols] fp32, cols a multiple of kBlock. Reuses out's buffers. Every path gives the same bytes
// (the SIMD ones, AVX2 for both, do the scalar loop's float operations).
void quantize_activations(const float* x, int64_t rows, int64_t cols, QuantizedActivations& out,
                          KernelPath path = best_path());

// y[r * w.rows + o] = sum_k W[o, k] x[r, k] for every row r of x and o in [o0, o1) (so threads can split
// the output rows). w.cols == x.cols. Throws hrm::Error for an unsupported path or mismatched sizes.
void quantized_matmul(const QuantMatrixView& w, const QuantizedActivations& x, int64_t o0, int64_t o1, float* y,
                      KernelPath path = best_path());

}  // namespace hrm::quant
