// UTF-8 validation, the one in hrm: where a byte string stops being valid UTF-8.
// The data path uses it to reject files in other encodings with the byte offset of the first bad byte
// (and the line it is on); the tokenizer to split text into byte pieces and characters (it never
// rejects bytes, see tokenizer.hpp); LiveCodeBench's readers to check pickled strings and to step
// through characters as Python does.
//
// Exports: Surrogates, sequence_length(), first_invalid(), is_valid(), describe_invalid().
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace hrm::utf8 {

// Strict UTF-8 has no surrogates (U+D800..U+DFFF); Python's pickle writes a str's lone surrogates as such
// ('surrogatepass'), so a reader of pickled strings accepts them.
enum class Surrogates { kReject, kAccept };

// Length in bytes of the valid UTF-8 sequence starting at `text[pos]`, or 0 when the bytes there are not
// valid UTF-8 (bad lead byte, truncated sequence, overlong form, surrogate, or above U+10FFFF).
size_t sequence_length(std::string_view text, size_t pos, Surrogates surrogates = Surrogates::kReject);

// Offset of the first byte that is not part of valid UTF-8, or std::string::npos when `text` is valid.
size_t first_invalid(std::string_view text, Surrogates surrogates = Surrogates::kReject);

inline bool is_valid(std::string_view text, Surrogates surrogates = Surrogates::kReject) {
  return first_invalid(text, surrogates) == std::string::npos;
}

// "invalid UTF-8 at byte offset 123 (line 4, byte 0xff)" for error messages; `text` must be invalid.
std::string describe_invalid(std::string_view text);

}  // namespace hrm::utf8
