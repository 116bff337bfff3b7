#include "hrm/model/runtime.hpp"

#include <dlfcn.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <chrono>
#include <sstream>

#include "hrm/model/torch_compat.hpp"
#include "hrm/util/parallel.hpp"

namespace hrm {

int configure_threads(int threads) {
  threads = resolve_jobs(threads);
  torch::set_num_threads(threads);
  // Debian's LibTorch calls the system BLAS; libopenblas0-pthread keeps its own thread pool (one
  // thread per core), which torch::set_num_threads does not reach: a "1 thread" run measured 173% CPU
  // with 290 s of system time out of 710 s. Set OpenBLAS's pool too, when that library is loaded.
  using SetThreads = void (*)(int);
  if (auto set_blas_threads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set_blas_threads(threads);
  }
  return torch::get_num_threads();
}

bool configure_cpu_allocator() {
#ifdef __GLIBC__
  // Setting either value turns off glibc's adaptive mmap threshold, so both are set: 32 MiB is the largest
  // mmap threshold glibc accepts (HEAP_MAX_SIZE / 2 on 64-bit); larger tensors are still mmapped.
  constexpr int kMmapThreshold = 32 << 20;
  constexpr int kTrimThreshold = 1 << 30;
  return mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
#else
  return false;
#endif
}

RuntimeReport probe_runtime() {
  RuntimeReport r;
  r.torch_version = compat::torch_version();
  r.cuda_available = torch::cuda::is_available();
  r.cuda_devices = r.cuda_available ? static_cast<int>(torch::cuda::device_count()) : 0;
  r.threads = torch::get_num_threads();
#ifdef HRM_WITH_CUDA_KERNELS
  r.cuda_kernels_linked = true;
#endif
  torch::NoGradGuard no_grad;
  const int64_t n = 512;
  auto a = torch::randn({n, n});
  auto b = torch::randn({n, n});
  auto c = torch::matmul(a, b);  // warm-up
  int reps = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < 0.2) {
    c = torch::matmul(a, b);
    ++reps;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  r.gemm_gflops = 2.0 * n * n * n * reps / elapsed / 1e9;
  r.slow_blas = r.gemm_gflops < 40.0;
  return r;
}

std::string format_runtime_report(const RuntimeReport& r) {
  std::ostringstream s;
  s << "LibTorch:        " << r.torch_version << "\n"
    << "CUDA available:  " << (r.cuda_available ? "yes (" + std::to_string(r.cuda_devices) + " devices)" : "no") << "\n"
    << "CUDA kernels:    " << (r.cuda_kernels_linked ? "linked" : "not linked (CPU LibTorch)") << "\n"
    << "Threads:         " << r.threads << "\n"
    << "fp32 GEMM probe: " << static_cast<int>(r.gemm_gflops) << " GFLOP/s";
  if (r.slow_blas) {
    s << "\nWARNING: the BLAS in use looks like the slow reference BLAS (~8 GFLOP/s)."
      << "\nHINT: apt-get install libopenblas0-pthread (tools/setup.sh does this)";
  }
  return s.str();
}

}  // namespace hrm
