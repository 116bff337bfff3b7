// One entry per value of an enum, kept in a table in declaration order: a name, a token id, a sentence.
// Each module maps its enums this way instead of writing the same `switch` out again.
//
// Exports: enum_entry().
#pragma once
#include <cstddef>

namespace hrm {

// The entry of `table` for `value`. `table` holds one entry for each value of the enum, from the first
// (0) to kLast, in declaration order (the size is checked at compile time); a value outside that range
// (an integer cast to the enum) gets `fallback`.
template <auto kLast, typename T, size_t N>
constexpr T enum_entry(decltype(kLast) value, const T (&table)[N], T fallback) {
  static_assert(N == static_cast<size_t>(kLast) + 1, "one entry per value of the enum, in declaration order");
  const auto index = static_cast<size_t>(value);
  return index < N ? table[index] : fallback;
}

}  // namespace hrm
