#include "hrm/util/utf8.hpp"

#include <algorithm>
#include <cstdio>

namespace hrm::utf8 {

size_t sequence_length(std::string_view text, size_t pos, Surrogates surrogates) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char c = byte(pos);
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte (Unicode table 3-7)
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;                                       // overlong
    if (c == 0xED && surrogates == Surrogates::kReject) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (pos + len > text.size()) return 0;
  if (byte(pos + 1) < lo || byte(pos + 1) > hi) return 0;
  for (size_t i = 2; i < len; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
  }
  return len;
}

size_t first_invalid(std::string_view text, Surrogates surrogates) {
  size_t pos = 0;
  while (pos < text.size()) {
    // Fast path over ASCII.
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const size_t len = sequence_length(text, pos, surrogates);
    if (len == 0) return pos;
    pos += len;
  }
  return std::string::npos;
}

std::string describe_invalid(std::string_view text) {
  const size_t pos = first_invalid(text);
  if (pos == std::string::npos) return "valid UTF-8";
  const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(text[pos]));
  return "invalid UTF-8 at byte offset " + std::to_string(pos) + " (line " + std::to_string(line) + ", byte " + hex +
         ")";
}

}  // namespace hrm::utf8
