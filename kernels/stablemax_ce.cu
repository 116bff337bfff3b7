#include <cmath>

#include "stablemax_ce.cuh"

#include "element.cuh"

namespace {

using hrm_kernels::from_double;
using hrm_kernels::from_float;
using hrm_kernels::to_float;

constexpr int kRowsPerBlock = 8;  // one warp per row: Sudoku's vocabulary is 11, text vocabularies ~32k

__device__ __forceinline__ double stablemax_s(double x) { return x < 0 ? 1.0 / (1.0 - x + 1e-30) : x + 1.0; }
__device__ __forceinline__ double stablemax_ds(double x) {
  if (x >= 0) return 1.0;
  const double d = 1.0 - x + 1e-30;
  return 1.0 / (d * d);
}

__device__ __forceinline__ double warp_sum(double v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffff, v, offset);
  return v;
}

template <typename T>
__device__ double row_sum(const T* xr, int64_t vocab, int lane) {
  double sum = 0.0;
  for (int64_t j = lane; j < vocab; j += 32) sum += stablemax_s(static_cast<double>(to_float<T>(xr[j])));
  return warp_sum(sum);
}

template <typename T>
__global__ void stablemax_ce_forward_kernel(const T* __restrict__ logits, const int64_t* __restrict__ labels,
                                            double* __restrict__ loss, int64_t rows, int64_t vocab,
                                            int64_t ignore_label) {
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= rows) return;  // whole warps leave together: the shuffles below see all 32 lanes
  const T* xr = logits + row * vocab;
  const double sum = row_sum(xr, vocab, lane);
  if (lane != 0) return;
  const int64_t y = labels[row];
  if (y == ignore_label) {
    loss[row] = 0.0;
  } else if (y < 0 || y >= vocab) {
    loss[row] = nan("");
  } else {
    loss[row] = -log(stablemax_s(static_cast<double>(to_float<T>(xr[y]))) / sum);
  }
}

template <typename T>
__global__ void stablemax_ce_backward_kernel(const T* __restrict__ logits, const int64_t* __restrict__ labels,
                                             const double* __restrict__ grad_loss, T* __restrict__ grad_logits,
                                             int64_t rows, int64_t vocab, int64_t ignore_label) {
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= rows) return;
  const T* xr = logits + row * vocab;
  T* gr = grad_logits + row * vocab;
  const int64_t y = labels[row];
  if (y == ignore_label) {
    for (int64_t j = lane; j < vocab; j += 32) gr[j] = from_float<T>(0.f);
    return;
  }
  const double sum = row_sum(xr, vocab, lane);
  const bool bad = y < 0 || y >= vocab;
  const double g = bad ? nan("") : grad_loss[row];
  const double xy = bad ? 0.0 : static_cast<double>(to_float<T>(xr[y]));
  const double picked = stablemax_ds(xy) / stablemax_s(xy);
  for (int64_t j = lane; j < vocab; j += 32) {
    const double x = static_cast<double>(to_float<T>(xr[j]));
    double d = stablemax_ds(x) / sum;
    if (j == y) d -= picked;
    gr[j] = from_double<T>(g * d);
  }
}

template <typename T>
cudaError_t launch_forward(const T* logits, const int64_t* labels, double* loss, int64_t rows, int64_t vocab,
                           int64_t ignore_label, cudaStream_t stream) {
  if (rows == 0) return cudaSuccess;
  if (vocab <= 0) return cudaErrorInvalidValue;
  const int64_t blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  if (blocks > 0x7fffffffLL) return cudaErrorInvalidConfiguration;
  stablemax_ce_forward_kernel<T><<<static_cast<unsigned>(blocks), kRowsPerBlock * 32, 0, stream>>>(
      logits, labels, loss, rows, vocab, ignore_label);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_backward(const T* logits, const int64_t* labels, const double* grad_loss, T* grad_logits,
                            int64_t rows, int64_t vocab, int64_t ignore_label, cudaStream_t stream) {
  if (rows == 0) return cudaSuccess;
  if (vocab <= 0) return cudaErrorInvalidValue;
  const int64_t blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  if (blocks > 0x7fffffffLL) return cudaErrorInvalidConfiguration;
  stablemax_ce_backward_kernel<T><<<static_cast<unsigned>(blocks), kRowsPerBlock * 32, 0, stream>>>(
      logits, labels, grad_loss, grad_logits, rows, vocab, ignore_label);
  return cudaGetLastError();
}

const __nv_bfloat16* bf16(const uint16_t* p) { return reinterpret_cast<const __nv_bfloat16*>(p); }
__nv_bfloat16* bf16(uint16_t* p) { return reinterpret_cast<__nv_bfloat16*>(p); }

}  // namespace

extern "C" cudaError_t hrm_stablemax_ce_forward_f32(const float* logits, const int64_t* labels, double* loss,
                                                    int64_t rows, int64_t vocab, int64_t ignore_label,
                                                    cudaStream_t stream) {
  return launch_forward<float>(logits, labels, loss, rows, vocab, ignore_label, stream);
}

extern "C" cudaError_t hrm_stablemax_ce_backward_f32(const float* logits, const int64_t* labels,
                                                     const double* grad_loss, float* grad_logits, int64_t rows,
                                                     int64_t vocab, int64_t ignore_label, cudaStream_t stream) {
  return launch_backward<float>(logits, labels, grad_loss, grad_logits, rows, vocab, ignore_label, stream);
}

extern "C" cudaError_t hrm_stablemax_ce_forward_bf16(const uint16_t* logits, const int64_t* labels, double* loss,
                                                     int64_t rows, int64_t vocab, int64_t ignore_label,
                                                     cudaStream_t stream) {
  return launch_forward<__nv_bfloat16>(bf16(logits), labels, loss, rows, vocab, ignore_label, stream);
}

extern "C" cudaError_t hrm_stablemax_ce_backward_bf16(const uint16_t* logits, const int64_t* labels,
                                                      const double* grad_loss, uint16_t* grad_logits, int64_t rows,
                                                      int64_t vocab, int64_t ignore_label, cudaStream_t stream) {
  return launch_backward<__nv_bfloat16>(bf16(logits), labels, grad_loss, bf16(grad_logits), rows, vocab,
                                        ignore_label, stream);
}
