#include "rope.cuh"

#include "element.cuh"

namespace {

using hrm_kernels::from_float;
using hrm_kernels::to_float;

// One thread per rotated pair (i, i + D/2) of one head of one row, so in-place rotation is race-free;
// consecutive threads take consecutive i, so a warp reads a contiguous run of each half.
// __fmul_rn/__fadd_rn/__fsub_rn keep nvcc from contracting into FMAs: the reference rounds each step.
template <typename T, bool kBackward>
__global__ void rope_kernel(const T* in, T* out, const float* __restrict__ cos, const float* __restrict__ sin,
                            int64_t pairs, int64_t seq_len, int64_t in_row_stride, int64_t out_row_stride,
                            int64_t heads, int64_t half) {
  const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= pairs) return;
  const int64_t i = idx % half;
  const int64_t head = (idx / half) % heads;
  const int64_t row = idx / (half * heads);
  const int64_t pos = row % seq_len;
  const int64_t head_dim = 2 * half;
  const T* src = in + row * in_row_stride + head * head_dim;
  T* dst = out + row * out_row_stride + head * head_dim;
  const float* c = cos + pos * head_dim;
  const float* s = sin + pos * head_dim;
  const float lo = to_float<T>(src[i]), hi = to_float<T>(src[i + half]);
  float new_lo, new_hi;
  if (!kBackward) {
    new_lo = __fsub_rn(__fmul_rn(lo, c[i]), __fmul_rn(hi, s[i]));
    new_hi = __fadd_rn(__fmul_rn(hi, c[i + half]), __fmul_rn(lo, s[i + half]));
  } else {
    new_lo = __fadd_rn(__fmul_rn(lo, c[i]), __fmul_rn(hi, s[i + half]));
    new_hi = __fsub_rn(__fmul_rn(hi, c[i + half]), __fmul_rn(lo, s[i]));
  }
  dst[i] = from_float<T>(new_lo);
  dst[i + half] = from_float<T>(new_hi);
}

template <typename T, bool kBackward>
cudaError_t launch(const T* in, T* out, const float* cos, const float* sin, int64_t rows, int64_t seq_len,
                   int64_t in_row_stride, int64_t out_row_stride, int64_t heads, int64_t head_dim,
                   cudaStream_t stream) {
  if (head_dim % 2 != 0 || seq_len <= 0) return cudaErrorInvalidValue;
  const int64_t half = head_dim / 2;
  const int64_t pairs = rows * heads * half;
  if (pairs == 0) return cudaSuccess;
  constexpr int kThreads = 256;
  const int64_t blocks = (pairs + kThreads - 1) / kThreads;
  if (blocks > 0x7fffffffLL) return cudaErrorInvalidConfiguration;
  rope_kernel<T, kBackward><<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(
      in, out, cos, sin, pairs, seq_len, in_row_stride, out_row_stride, heads, half);
  return cudaGetLastError();
}

const __nv_bfloat16* bf16(const uint16_t* p) { return reinterpret_cast<const __nv_bfloat16*>(p); }
__nv_bfloat16* bf16(uint16_t* p) { return reinterpret_cast<__nv_bfloat16*>(p); }

}  // namespace

extern "C" cudaError_t hrm_rope_forward_f32(const float* in, float* out, const float* cos, const float* sin,
                                            int64_t rows, int64_t seq_len, int64_t in_row_stride,
                                            int64_t out_row_stride, int64_t heads, int64_t head_dim,
                                            cudaStream_t stream) {
  return launch<float, false>(in, out, cos, sin, rows, seq_len, in_row_stride, out_row_stride, heads, head_dim, stream);
}

extern "C" cudaError_t hrm_rope_backward_f32(const float* grad_out, float* grad_in, const float* cos, const float* sin,
                                             int64_t rows, int64_t seq_len, int64_t in_row_stride,
                                             int64_t out_row_stride, int64_t heads, int64_t head_dim,
                                             cudaStream_t stream) {
  return launch<float, true>(grad_out, grad_in, cos, sin, rows, seq_len, in_row_stride, out_row_stride, heads,
                             head_dim, stream);
}

extern "C" cudaError_t hrm_rope_forward_bf16(const uint16_t* in, uint16_t* out, const float* cos, const float* sin,
                                             int64_t rows, int64_t seq_len, int64_t in_row_stride,
                                             int64_t out_row_stride, int64_t heads, int64_t head_dim,
                                             cudaStream_t stream) {
  return launch<__nv_bfloat16, false>(bf16(in), bf16(out), cos, sin, rows, seq_len, in_row_stride, out_row_stride,
                                      heads, head_dim, stream);
}

extern "C" cudaError_t hrm_rope_backward_bf16(const uint16_t* grad_out, uint16_t* grad_in, const float* cos,
                                              const float* sin, int64_t rows, int64_t seq_len, int64_t in_row_stride,
                                              int64_t out_row_stride, int64_t heads, int64_t head_dim,
                                              cudaStream_t stream) {
  return launch<__nv_bfloat16, true>(bf16(grad_out), bf16(grad_in), cos, sin, rows, seq_len, in_row_stride,
                                     out_row_stride, heads, head_dim, stream);
}
