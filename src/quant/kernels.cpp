#include "hrm/quant/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "dot_kernels.hpp"
#include "hrm/util/enum_table.hpp"
#include "hrm/util/error.hpp"

namespace hrm::quant {

namespace detail {

// The reference: integer sums per block, one float multiply-add per block, in block order.
float dot_q8_scalar(const Q8Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group) {
  float acc = 0;
  for (int64_t b = 0; b < blocks; ++b) {
    int32_t sum = 0;
    for (int64_t i = 0; i < kBlock; ++i) sum += int32_t{w.q[b * kBlock + i]} * int32_t{x.q[b * kBlock + i]};
    acc += fp16_to_fp32(w.scales[b / blocks_per_group]) * x.d[b] * static_cast<float>(sum);
  }
  return acc;
}

float dot_q4_scalar(const Q4Row& w, const ActRow& x, int64_t blocks, int64_t blocks_per_group) {
  float acc = 0;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* wb = w.q + b * (kBlock / 2);
    const int8_t* xb = x.q + b * kBlock;
    int32_t sum = 0;
    for (int64_t i = 0; i < kBlock / 2; ++i) {
      sum += int32_t{wb[i] & 0x0f} * int32_t{xb[i]} + int32_t{wb[i] >> 4} * int32_t{xb[i + kBlock / 2]};
    }
    const int64_t g = b / blocks_per_group;
    acc += fp16_to_fp32(w.scales[g]) * x.d[b] * static_cast<float>(sum) - fp16_to_fp32(w.mins[g]) * x.d_sum[b];
  }
  return acc;
}

}  // namespace detail

void quantize_activations(const float* x, int64_t rows, int64_t cols, QuantizedActivations& out, KernelPath path) {
  HRM_CHECK(cols % kBlock == 0, "quantize_activations: " + std::to_string(cols) + " columns are not a multiple of " +
                                    std::to_string(kBlock));
  HRM_CHECK(path_supported(path),
            std::string("quantize_activations: this CPU cannot run the ") + path_name(path) + " path");
  const int64_t blocks = rows * cols / kBlock;
  out.rows = rows;
  out.cols = cols;
  out.q.resize(static_cast<size_t>(rows * cols));
  out.d.resize(static_cast<size_t>(blocks));
  out.d_sum.resize(static_cast<size_t>(blocks));
#if defined(__x86_64__)
  if (path != KernelPath::kScalar) {
    detail::quantize_blocks_avx2(x, blocks, out.q.data(), out.d.data(), out.d_sum.data());
    return;
  }
#endif
  for (int64_t b = 0; b < blocks; ++b) {
    const float* xb = x + b * kBlock;
    float amax = 0;
    for (int64_t i = 0; i < kBlock; ++i) amax = std::max(amax, std::fabs(xb[i]));
    const float d = amax / 127.0f, id = amax > 0 ? 127.0f / amax : 0.0f;
    int32_t sum = 0;
    for (int64_t i = 0; i < kBlock; ++i) {
      const auto q = static_cast<int8_t>(std::clamp(std::nearbyint(xb[i] * id), -127.0f, 127.0f));
      out.q[static_cast<size_t>(b * kBlock + i)] = q;
      sum += q;
    }
    out.d[static_cast<size_t>(b)] = d;
    out.d_sum[static_cast<size_t>(b)] = d * static_cast<float>(sum);
  }
}

const char* path_name(KernelPath path) {
  static constexpr const char* kNames[] = {"scalar", "avx2", "avx512vnni"};
  return enum_entry<KernelPath::kAvx512Vnni>(path, kNames, "?");
}

bool path_supported(KernelPath path) {
#if defined(__x86_64__)
  static const bool avx2 =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
  static const bool vnni = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
  if (path == KernelPath::kAvx2) return avx2;
  if (path == KernelPath::kAvx512Vnni) return vnni;
#endif
  return path == KernelPath::kScalar;
}

KernelPath best_path() {
  if (path_supported(KernelPath::kAvx512Vnni)) return KernelPath::kAvx512Vnni;
  if (path_supported(KernelPath::kAvx2)) return KernelPath::kAvx2;
  return KernelPath::kScalar;
}

namespace {

template <typename Row, typename Dot>
void matmul_rows(const Row& first_row, int64_t row_stride, int64_t groups, const QuantMatrixView& w,
                 const QuantizedActivations& x, int64_t o0, int64_t o1, float* y, Dot dot) {
  const int64_t blocks = w.cols / kBlock, per_group = w.group / kBlock;
  for (int64_t o = o0; o < o1; ++o) {
    Row row = first_row;
    row.q += o * row_stride;
    row.scales += o * groups;
    if constexpr (std::is_same_v<Row, detail::Q4Row>) row.mins += o * groups;
    for (int64_t r = 0; r < x.rows; ++r) {
      const detail::ActRow a{x.q.data() + r * w.cols, x.d.data() + r * blocks, x.d_sum.data() + r * blocks};
      y[r * w.rows + o] = dot(row, a, blocks, per_group);
    }
  }
}

}  // namespace

void quantized_matmul(const QuantMatrixView& w, const QuantizedActivations& x, int64_t o0, int64_t o1, float* y,
                      KernelPath path) {
  HRM_CHECK(path_supported(path),
            std::string("quantized_matmul: this CPU cannot run the ") + path_name(path) + " path");
  HRM_CHECK(w.cols == x.cols,
            "quantized_matmul: weight has " + std::to_string(w.cols) + " columns, input " + std::to_string(x.cols));
  HRM_CHECK(0 <= o0 && o0 <= o1 && o1 <= w.rows, "quantized_matmul: output rows out of range");
  const int64_t groups = w.groups_per_row();
  if (w.type == QuantType::kQ8) {
    auto dot = detail::dot_q8_scalar;
#if defined(__x86_64__)
    if (path == KernelPath::kAvx2) dot = detail::dot_q8_avx2;
    if (path == KernelPath::kAvx512Vnni) dot = detail::dot_q8_avx512;
#endif
    const detail::Q8Row row{static_cast<const int8_t*>(w.q), w.scales};
    matmul_rows(row, w.cols, groups, w, x, o0, o1, y, dot);
  } else {
    auto dot = detail::dot_q4_scalar;
#if defined(__x86_64__)
    if (path == KernelPath::kAvx2) dot = detail::dot_q4_avx2;
    if (path == KernelPath::kAvx512Vnni) dot = detail::dot_q4_avx512;
#endif
    const detail::Q4Row row{static_cast<const uint8_t*>(w.q), w.scales, w.mins};
    matmul_rows(row, w.cols / 2, groups, w, x, o0, o1, y, dot);
  }
}

}  // namespace hrm::quant
