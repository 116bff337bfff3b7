// Process-wide LibTorch runtime settings and diagnostics shared by every binary.
#pragma once
#include <string>

namespace hrm {

// Sets LibTorch's intra-op (and inter-op) thread count; threads <= 0 means all cores.
// Returns the count in effect.
int configure_threads(int threads);

// Keeps freed CPU tensor memory in the process between training steps (glibc malloc: allocations up to
// 32 MiB come from the heap, and up to 1 GiB of free heap top is kept instead of being returned to the
// kernel). Without it a 27M-parameter bf16 step handed ~800 MB back and page-faulted it in again every
// step (~0.4 s of system time, docs/benchmarks.md "Train step vs PyTorch eager"). Numerics are untouched.
// Returns false where the C library has no such settings (non-glibc); call once, before the first tensor.
bool configure_cpu_allocator();

struct RuntimeReport {
  std::string torch_version;
  bool cuda_available = false;
  int cuda_devices = 0;
  int threads = 0;
  double gemm_gflops = 0.0;  // measured by a small fp32 GEMM probe
  bool slow_blas = false;    // reference BLAS suspected (< 40 GFLOP/s)
  bool cuda_kernels_linked = false;
};

// Measures a 512x512 fp32 GEMM for ~0.2 s and fills the report.
RuntimeReport probe_runtime();
std::string format_runtime_report(const RuntimeReport& report);

}  // namespace hrm
