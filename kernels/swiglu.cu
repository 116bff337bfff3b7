#include "swiglu.cuh"

#include "element.cuh"

namespace {

using hrm_kernels::from_float;
using hrm_kernels::round_to;
using hrm_kernels::to_float;

__device__ __forceinline__ float sigmoid(float g) { return 1.f / (1.f + expf(-g)); }
// ATen's silu: x / (1 + exp(-x)).
__device__ __forceinline__ float silu(float g) { return g / (1.f + expf(-g)); }

// One thread per output element (row, j); it reads gate_up[row, j] and gate_up[row, inner + j], so the
// two halves of a row are each read as one contiguous run per warp.
template <typename T>
__global__ void swiglu_forward_kernel(const T* __restrict__ gate_up, T* __restrict__ out, int64_t n, int64_t inner) {
  const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= n) return;
  const int64_t row = idx / inner, j = idx % inner;
  const T* r = gate_up + row * 2 * inner;
  const float g = to_float<T>(r[j]), u = to_float<T>(r[inner + j]);
  out[idx] = from_float<T>(round_to<T>(silu(g)) * u);
}

template <typename T>
__global__ void swiglu_backward_kernel(const T* __restrict__ grad_out, const T* __restrict__ gate_up,
                                       T* __restrict__ grad_gate_up, int64_t n, int64_t inner) {
  const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= n) return;
  const int64_t row = idx / inner, j = idx % inner;
  const T* r = gate_up + row * 2 * inner;
  T* gr = grad_gate_up + row * 2 * inner;
  const float g = to_float<T>(r[j]), u = to_float<T>(r[inner + j]), dy = to_float<T>(grad_out[idx]);
  const float sig = sigmoid(g);
  const float d_silu = round_to<T>(dy * u);  // autograd's mul backward output, a T tensor
  gr[j] = from_float<T>(d_silu * sig * (1.f + g * (1.f - sig)));
  gr[inner + j] = from_float<T>(dy * round_to<T>(silu(g)));
}

template <typename T>
cudaError_t launch_forward(const T* gate_up, T* out, int64_t rows, int64_t inner, cudaStream_t stream) {
  const int64_t n = rows * inner;
  if (n == 0) return cudaSuccess;
  constexpr int kThreads = 256;
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  if (blocks > 0x7fffffffLL) return cudaErrorInvalidConfiguration;
  swiglu_forward_kernel<T><<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(gate_up, out, n, inner);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_backward(const T* grad_out, const T* gate_up, T* grad_gate_up, int64_t rows, int64_t inner,
                            cudaStream_t stream) {
  const int64_t n = rows * inner;
  if (n == 0) return cudaSuccess;
  constexpr int kThreads = 256;
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  if (blocks > 0x7fffffffLL) return cudaErrorInvalidConfiguration;
  swiglu_backward_kernel<T><<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(grad_out, gate_up, grad_gate_up,
                                                                                    n, inner);
  return cudaGetLastError();
}

const __nv_bfloat16* bf16(const uint16_t* p) { return reinterpret_cast<const __nv_bfloat16*>(p); }
__nv_bfloat16* bf16(uint16_t* p) { return reinterpret_cast<__nv_bfloat16*>(p); }

}  // namespace

extern "C" cudaError_t hrm_swiglu_forward_f32(const float* gate_up, float* out, int64_t rows, int64_t inner,
                                              cudaStream_t stream) {
  return launch_forward<float>(gate_up, out, rows, inner, stream);
}

extern "C" cudaError_t hrm_swiglu_backward_f32(const float* grad_out, const float* gate_up, float* grad_gate_up,
                                               int64_t rows, int64_t inner, cudaStream_t stream) {
  return launch_backward<float>(grad_out, gate_up, grad_gate_up, rows, inner, stream);
}

extern "C" cudaError_t hrm_swiglu_forward_bf16(const uint16_t* gate_up, uint16_t* out, int64_t rows, int64_t inner,
                                               cudaStream_t stream) {
  return launch_forward<__nv_bfloat16>(bf16(gate_up), bf16(out), rows, inner, stream);
}

extern "C" cudaError_t hrm_swiglu_backward_bf16(const uint16_t* grad_out, const uint16_t* gate_up,
                                                uint16_t* grad_gate_up, int64_t rows, int64_t inner,
                                                cudaStream_t stream) {
  return launch_backward<__nv_bfloat16>(bf16(grad_out), bf16(gate_up), bf16(grad_gate_up), rows, inner, stream);
}
