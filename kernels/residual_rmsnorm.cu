#include "residual_rmsnorm.cuh"

#include "element.cuh"

namespace {

using hrm_kernels::from_float;
using hrm_kernels::to_float;

// One block per row; the row's sum of squares is reduced with warp shuffles then shared memory.
template <typename T>
__global__ void residual_rmsnorm_kernel(const T* __restrict__ x, const T* __restrict__ y, T* __restrict__ out,
                                        float* __restrict__ inv_rms, int64_t dim, float eps) {
  const int64_t row = blockIdx.x;
  const T* xr = x + row * dim;
  const T* yr = y + row * dim;
  T* outr = out + row * dim;
  float sum_sq = 0.f;
  for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
    const float r = to_float<T>(from_float<T>(to_float<T>(xr[i]) + to_float<T>(yr[i])));
    sum_sq += r * r;
  }
  for (int offset = 16; offset > 0; offset >>= 1) sum_sq += __shfl_xor_sync(0xffffffff, sum_sq, offset);
  __shared__ float warp_sums[32];
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) warp_sums[warp] = sum_sq;
  __syncthreads();
  if (warp == 0) {
    float v = lane < (blockDim.x + 31) / 32 ? warp_sums[lane] : 0.f;
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffff, v, offset);
    if (lane == 0) warp_sums[0] = rsqrtf(v / static_cast<float>(dim) + eps);
  }
  __syncthreads();
  const float scale = warp_sums[0];
  if (inv_rms != nullptr && threadIdx.x == 0) inv_rms[row] = scale;
  for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
    const float r = to_float<T>(from_float<T>(to_float<T>(xr[i]) + to_float<T>(yr[i])));
    outr[i] = from_float<T>(r * scale);
  }
}

template <typename T>
cudaError_t launch(const T* x, const T* y, T* out, float* inv_rms, int64_t rows, int64_t dim, float eps,
                   cudaStream_t stream) {
  if (rows == 0) return cudaSuccess;
  const int threads = dim >= 1024 ? 1024 : (dim >= 256 ? 256 : 128);
  residual_rmsnorm_kernel<T><<<static_cast<unsigned>(rows), threads, 0, stream>>>(x, y, out, inv_rms, dim, eps);
  return cudaGetLastError();
}

}  // namespace

extern "C" cudaError_t hrm_residual_rmsnorm_f32(const float* x, const float* y, float* out, float* inv_rms,
                                                int64_t rows, int64_t dim, float eps, cudaStream_t stream) {
  return launch<float>(x, y, out, inv_rms, rows, dim, eps, stream);
}

extern "C" cudaError_t hrm_residual_rmsnorm_bf16(const uint16_t* x, const uint16_t* y, uint16_t* out, float* inv_rms,
                                                 int64_t rows, int64_t dim, float eps, cudaStream_t stream) {
  return launch<__nv_bfloat16>(reinterpret_cast<const __nv_bfloat16*>(x), reinterpret_cast<const __nv_bfloat16*>(y),
                               reinterpret_cast<__nv_bfloat16*>(out), inv_rms, rows, dim, eps, stream);
}
