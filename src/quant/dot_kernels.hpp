// Row dot products of one quantized weight row with one quantized activation row, per path
// (kernels.cpp dispatches). blocks = cols / kBlock; a group spans blocks_per_group blocks.
#pragma once
#include <cstdint>

namespace hrm::quant::detail {

struct Q8Row {
  const int8_t* q;
  const uint16_t* scales;
};
struct Q4Row {
  const uint8_t* q;
  const uint16_t* scales;
  const uint16_t* mins;
};
struct ActRow {
  const int8_t* q;
  const float* d;
  const float* d_sum;
};

float dot_q8_scalar(const Q8Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group);
float dot_q4_scalar(const Q4Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group);

#if defined(__x86_64__)
// quantize_activations' blocks (identical results): blocks of kBlock values of x into q, d, d_sum.
void quantize_blocks_avx2(const float* x, int64_t blocks, int8_t* q, float* d, float* d_sum);
float dot_q8_avx2(const Q8Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group);
float dot_q4_avx2(const Q4Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group);
float dot_q8_avx512(const Q8Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group);
float dot_q4_avx512(const Q4Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group);
#endif

}  // namespace hrm::quant::detail
