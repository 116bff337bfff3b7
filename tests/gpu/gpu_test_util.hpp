// Shared checks of the GPU tests: skip without a device, and the error measures of ../.library METHOD:
// ||out - ref|| / ||ref|| in float64, with NaN or Inf never passing.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#define HRM_REQUIRE_CUDA()                                                                                          \
  do {                                                                                                              \
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (the gpu suite runs via tools/gpu/check.sh)"; \
  } while (0)

namespace hrm::gpu_test {

inline double rel_err(const torch::Tensor& out, const torch::Tensor& ref) {
  const auto o = out.detach().to(torch::kCPU, torch::kFloat64), r = ref.detach().to(torch::kCPU, torch::kFloat64);
  if (!torch::isfinite(o).all().item<bool>()) return std::numeric_limits<double>::infinity();
  const double denom = r.norm().item<double>();
  return (o - r).norm().item<double>() / (denom > 0 ? denom : 1.0);
}

inline bool bit_identical(const torch::Tensor& a, const torch::Tensor& b) {
  return a.sizes() == b.sizes() && torch::equal(a.detach().cpu(), b.detach().cpu());
}

// Tolerances by storage type: fp32 arithmetic lands far under 1e-5; bf16 results, one rounding each, ~4e-3.
inline double tolerance(torch::ScalarType t) { return t == torch::kBFloat16 ? 8e-3 : 1e-5; }

inline std::string dtype_name(torch::ScalarType t) { return t == torch::kBFloat16 ? "bf16" : "fp32"; }

}  // namespace hrm::gpu_test
