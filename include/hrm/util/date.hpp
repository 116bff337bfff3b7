// Calendar dates as the project writes them: "YYYY-MM-DD" (LiveCodeBench contest dates, training-data
// cutoffs). Such strings order correctly as plain strings, so comparisons need no date library.
#pragma once
#include <string>

namespace hrm {

// True for "YYYY-MM-DD" with month 01..12 and day 01..31.
bool is_iso_date(const std::string& text);

}  // namespace hrm
