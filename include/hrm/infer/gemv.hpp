// few_row_linear — y = x W^T for inputs of a few rows (decoding: one token per sequence), the case
// where BLAS GEMM runs far below memory bandwidth on CPU (OpenBLAS reached 3.5 GB/s of fp32 weights
// here, a plain read 17 GB/s). Weights fp32 or bf16 (read as bf16 and widened in registers, never into
// a buffer), accumulation in fp32, the output written in x's dtype; each weight row is read once for up
// to kFewRows input rows.
//
// bf16 inputs of any number of rows are taken, in chunks of kFewRows: LibTorch 1.13's bf16 GEMM ran 20-30x
// slower on this AVX2 CPU (a 27M bf16 prefill of one ~25-token prompt took 3.4 s in hrm-serve).
// Returns an undefined tensor when it does not apply (more fp32 rows, other dtypes or devices, no AVX2/FMA),
// so callers fall back to torch::nn::functional::linear. Reference and timer: tests/infer/gemv_test.cpp,
// tools/bench/decode_bench.cpp (--kernel: this kernel alone, in weight GB/s).
#pragma once
#include <torch/torch.h>

namespace hrm::infer {

// Each weight row is read from memory once and the input rows pass it in blocks of 4 while it is in L1.
// Up to 16 rows this beats torch linear on the 2-vCPU EPYC VM (hrm-bench-decode --kernel, 2026-12-03, weight
// GB/s at 1 / 4 / 16 rows): fp32 27M shapes 17-18 / 14-16 / 4.7-6.0 against 6-9 / 6-10 / 4.6-6.0, bf16
// 13-15 / 9-10 / 2.6 against 1.5-1.6 / 0.4 / 0.1 (LibTorch 1.13's bf16 GEMM on an AVX2 CPU).
inline constexpr int64_t kFewRows = 16;

// x: [..., in] (fp32: product of leading dims <= kFewRows), weight: [out, in] contiguous, same dtype as x.
torch::Tensor few_row_linear(const torch::Tensor& x, const torch::Tensor& weight);
// True when this CPU runs the kernel (AVX2 + FMA).
bool few_row_linear_supported();

}  // namespace hrm::infer
