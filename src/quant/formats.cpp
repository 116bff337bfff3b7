#include "hrm/quant/formats.hpp"

#include <cstring>

#include "hrm/util/error.hpp"

namespace hrm::quant {

const char* type_name(QuantType type) { return type == QuantType::kQ8 ? "q8" : "q4"; }

QuantType parse_type(const std::string& name, const std::string& where) {
  if (name == "q8") return QuantType::kQ8;
  if (name == "q4") return QuantType::kQ4;
  throw Error(where + ": unknown quantization type '" + name + "'", "use q8 (int8) or q4 (4-bit)");
}

void check_group(int64_t cols, int64_t group, const std::string& where) {
  HRM_CHECK(
      group > 0 && group % kBlock == 0,
      where + ": group size " + std::to_string(group) + " is not a positive multiple of " + std::to_string(kBlock),
      "use --group-size 32, 64, 128 or 256");
  HRM_CHECK(
      cols % group == 0,
      where + ": " + std::to_string(cols) + " columns are not a multiple of the group size " + std::to_string(group),
      "pick a group size that divides every quantized layer's input size (32 always does here)");
}

int64_t row_bytes(QuantType type, int64_t cols) { return type == QuantType::kQ8 ? cols : cols / 2; }

double bits_per_weight(QuantType type, int64_t group) {
  const double per_group = type == QuantType::kQ8 ? 16.0 : 32.0;  // fp16 d (and m)
  return (type == QuantType::kQ8 ? 8.0 : 4.0) + per_group / static_cast<double>(group);
}

uint16_t fp32_to_fp16(float f) {
  uint32_t x = 0;
  std::memcpy(&x, &f, sizeof x);
  const uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t mant = x & 0x7fffffu;
  const int32_t exp = static_cast<int32_t>((x >> 23) & 0xffu);
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mant != 0 ? 0x200u : 0u));  // inf, nan
  const int32_t e = exp - 127 + 15;
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow: inf
  uint32_t half = 0, rem = 0, halfway = 0;
  if (e <= 0) {  // a half subnormal (or zero): the implicit bit joins the mantissa
    if (e < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    const int shift = 14 - e;
    half = mant >> shift;
    rem = mant & ((1u << shift) - 1);
    halfway = 1u << (shift - 1);
  } else {
    half = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
    rem = mant & 0x1fffu;
    halfway = 0x1000u;
  }
  if (rem > halfway || (rem == halfway && (half & 1u) != 0)) ++half;  // a carry into the exponent is right too
  return static_cast<uint16_t>(sign | half);
}

float fp16_to_fp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  uint32_t bits = 0;
  if (exp == 0) {
    const float v = static_cast<float>(mant) * (1.0f / 16777216.0f);  // mant * 2^-24, exact
    return sign != 0 ? -v : v;
  }
  bits = exp == 31 ? (sign | 0x7f800000u | (mant << 13)) : (sign | ((exp + 112) << 23) | (mant << 13));
  float f = 0;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace hrm::quant
