// LiveCodeBench output comparison for stdin problems, as lcb_runner/evaluation/testing_util.py does
// it: strip the whole output, split on '\n', strip each line, require the same number of lines, and
// accept each line when it is equal as text or equal token by token as exact decimals (Python's
// Decimal: "1.50" == "1.5", "1e2" == "100", "-0" == "0", NaN equals nothing). Python's str.strip()
// and str.split() whitespace (including the Unicode spaces) is used throughout.
//
// The judge driver compares inside the sandbox with Python itself; these C++ rules re-check every
// reported stdin output (a disagreement is logged and counted) and are the reference for unit tests.
//
// Exports: py_strip(), py_split(), stripped_lines(), ExactDecimal, parse_decimal(), outputs_match(),
// truncate_middle().
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hrm::eval::lcb {

// Python's str.strip() / str.split() with no arguments, on UTF-8 text.
std::string_view py_strip(std::string_view s);
std::vector<std::string_view> py_split(std::string_view s);
// strip the whole text, split on '\n', strip every line.
std::vector<std::string_view> stripped_lines(std::string_view s);

// An exact decimal: sign, coefficient digits without leading/trailing zeros, exponent; or a special.
struct ExactDecimal {
  enum Kind { kFinite, kInfinity, kNaN } kind = kFinite;
  bool negative = false;
  std::string digits;  // empty for zero
  long long exponent = 0;
  bool operator==(const ExactDecimal& o) const;  // NaN is never equal, -0 == 0
};
// Parses a token as Python's decimal.Decimal(str) does for ASCII input (underscores ignored,
// "Inf"/"Infinity"/"NaN"/"sNaN" in any case). nullopt when Decimal() would raise.
std::optional<ExactDecimal> parse_decimal(std::string_view token);

// True when `prediction` is accepted for `expected`; when false and `why` is given, it receives
// LiveCodeBench's error message ("Wrong answer: mismatched output length", "Wrong answer at ...").
bool outputs_match(std::string_view prediction, std::string_view expected, std::string* why = nullptr);

// LiveCodeBench's truncatefn: texts over `length` code points keep the first and last length/2
// code points around "...(truncated) ...".
std::string truncate_middle(const std::string& text, size_t length = 300);

}  // namespace hrm::eval::lcb
