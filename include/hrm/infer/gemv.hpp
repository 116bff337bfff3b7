// few_row_linear — y = x W^T for inputs of a few rows (decoding: one token per sequence), the case
// where BLAS GEMM runs far below memory bandwidth on CPU (OpenBLAS reached 3.5 GB/s of fp32 weights
// here, a plain read 17 GB/s). Weights fp32 or bf16 (read as bf16 and widened in registers, never into
// a buffer), accumulation in fp32, the output written in x's dtype; each weight row is read once for up
// to kFewRows input rows.
//
// Returns an undefined tensor when it does not apply (more rows, other dtypes or devices, no AVX2/FMA),
// so callers fall back to torch::nn::functional::linear. Reference and timer: tests/infer/gemv_test.cpp,
// tools/bench/decode_bench.cpp (--kernel: this kernel alone, in weight GB/s).
#pragma once
#include <torch/torch.h>

namespace hrm::infer {

// Up to 4 rows the kernel beats OpenBLAS here (fp32: 1 row 19 vs 5.7 GB/s, 4 rows 9 vs 5; bf16: 1 row
// 16-21 vs 7-11 GB/s); at 8 and more rows it does not (tools/bench/decode_bench.cpp, docs/benchmarks.md).
// bf16 at 4 rows is the exception at the MLP down shape (512x1536: 6.4 vs 9.6 GB/s, 2026-12-01).
inline constexpr int64_t kFewRows = 4;

// x: [..., in] (product of leading dims <= kFewRows), weight: [out, in] contiguous, same dtype as x.
torch::Tensor few_row_linear(const torch::Tensor& x, const torch::Tensor& weight);
// True when this CPU runs the kernel (AVX2 + FMA).
bool few_row_linear_supported();

}  // namespace hrm::infer
