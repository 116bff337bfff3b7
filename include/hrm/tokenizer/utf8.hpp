// UTF-8 validation: where a byte string stops being valid UTF-8.
// The data path uses it to reject files in other encodings with the byte offset of the first bad byte
// (and the line it is on); the tokenizer itself never rejects bytes (see tokenizer.hpp).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace hrm::utf8 {

// Length in bytes of the valid UTF-8 sequence starting at `text[pos]`, or 0 when the bytes there are not
// valid UTF-8 (bad lead byte, truncated sequence, overlong form, surrogate, or above U+10FFFF).
size_t sequence_length(std::string_view text, size_t pos);

// Offset of the first byte that is not part of valid UTF-8, or std::string::npos when `text` is valid.
size_t first_invalid(std::string_view text);

inline bool is_valid(std::string_view text) { return first_invalid(text) == std::string::npos; }

// "invalid UTF-8 at byte offset 123 (line 4, byte 0xff)" for error messages; `text` must be invalid.
std::string describe_invalid(std::string_view text);

}  // namespace hrm::utf8
