// Block formats for weight-only quantization (ggml's Q8_0 and Q4_1/Q4_K are the anchors; see
// ../shared/reference/quantization.md). A quantized [rows, cols] matrix is three row-major arrays:
//   q8: q int8 [rows, cols]                x = d * q              (q in [-127, 127])
//   q4: q uint8 [rows, cols / 2] nibbles   x = d * q - m          (q in [0, 15], d >= 0, m >= 0)
//   d (and m for q4): fp16 [rows, cols / group] per group of `group` consecutive values of a row.
// q4 nibbles follow ggml's layout per block of 32 values: value j in the low nibble of byte j, value
// j + 16 in the high nibble (16 bytes per block), so a SIMD load of 16 bytes unpacks to 32 values in order.
// Torch-free: the core is plain arrays; hrm/infer wraps it in tensors.
#pragma once
#include <cstdint>
#include <string>

namespace hrm::quant {

enum class QuantType { kQ8, kQ4 };

// Kernels work in blocks of 32 values; a group (one scale) spans whole blocks.
inline constexpr int64_t kBlock = 32;

const char* type_name(QuantType type);  // "q8" / "q4"
// Parses "q8" / "q4"; throws hrm::Error naming `where` otherwise.
QuantType parse_type(const std::string& name, const std::string& where);
// Throws hrm::Error unless group is a positive multiple of kBlock dividing cols.
void check_group(int64_t cols, int64_t group, const std::string& where);

// Bytes of the q array of one row, and bits per weight including the fp16 scale (and min).
int64_t row_bytes(QuantType type, int64_t cols);
double bits_per_weight(QuantType type, int64_t group);

// IEEE half precision, round to nearest even (as F16C's vcvtps2ph with the default rounding).
uint16_t fp32_to_fp16(float x);
float fp16_to_fp32(uint16_t h);

// A read-only view of one quantized matrix (the arrays above).
struct QuantMatrixView {
  QuantType type = QuantType::kQ8;
  int64_t rows = 0, cols = 0, group = kBlock;
  const void* q = nullptr;           // int8 (q8) or uint8 nibbles (q4)
  const uint16_t* scales = nullptr;  // fp16 [rows, cols / group]
  const uint16_t* mins = nullptr;    // fp16 [rows, cols / group], q4 only
  int64_t groups_per_row() const { return cols / group; }
};

}  // namespace hrm::quant
