#include "hrm/util/date.hpp"

#include <algorithm>

namespace hrm {

bool is_iso_date(const std::string& s) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!std::all_of(s.begin(), s.begin() + 4, digit) || !digit(s[5]) || !digit(s[6]) || !digit(s[8]) || !digit(s[9]))
    return false;
  const int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

}  // namespace hrm
