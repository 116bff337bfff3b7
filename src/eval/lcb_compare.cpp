#include "hrm/eval/lcb_compare.hpp"

#include <cstdint>

#include "hrm/util/utf8.hpp"

namespace hrm::eval::lcb {
namespace {

// The code point at s[i], setting `len`; a byte that does not start valid UTF-8 stands for itself.
uint32_t decode_at(std::string_view s, size_t i, size_t& len) {
  const auto c = static_cast<unsigned char>(s[i]);
  len = utf8::sequence_length(s, i);
  if (len <= 1) {
    len = 1;
    return c;
  }
  uint32_t cp = c & (0x7Fu >> len);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  return cp;
}

// Python's str.isspace() set (Py_UNICODE_ISSPACE).
bool is_py_space(uint32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x1C:
    case 0x1D:
    case 0x1E:
    case 0x1F:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

// Length of the whitespace code point at s[i], or 0.
size_t space_at(std::string_view s, size_t i) {
  size_t len = 1;
  const uint32_t cp = decode_at(s, i, len);
  return is_py_space(cp) ? len : 0;
}

// Length of the whitespace code point that ends at s[end) , or 0.
size_t space_before(std::string_view s, size_t end) {
  for (size_t back = 1; back <= 4 && back <= end; ++back) {
    const size_t start = end - back;
    const auto c = static_cast<unsigned char>(s[start]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep going back
    size_t len = 1;
    const uint32_t cp = decode_at(s, start, len);
    return (start + len == end && is_py_space(cp)) ? len : 0;
  }
  return 0;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

std::string_view py_strip(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e) {
    const size_t n = space_at(s, b);
    if (!n) break;
    b += n;
  }
  while (e > b) {
    const size_t n = space_before(s, e);
    if (!n) break;
    e -= n;
  }
  return s.substr(b, e - b);
}

std::vector<std::string_view> py_split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0, start = std::string_view::npos;
  while (i < s.size()) {
    const size_t n = space_at(s, i);
    if (n) {
      if (start != std::string_view::npos) out.push_back(s.substr(start, i - start));
      start = std::string_view::npos;
      i += n;
    } else {
      if (start == std::string_view::npos) start = i;
      size_t len = 1;
      decode_at(s, i, len);
      i += len;
    }
  }
  if (start != std::string_view::npos) out.push_back(s.substr(start));
  return out;
}

std::vector<std::string_view> stripped_lines(std::string_view s) {
  s = py_strip(s);
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t nl = s.find('\n', start);
    out.push_back(py_strip(s.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start)));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

bool ExactDecimal::operator==(const ExactDecimal& o) const {
  if (kind == kNaN || o.kind == kNaN) return false;
  if (kind != o.kind) return false;
  if (kind == kInfinity) return negative == o.negative;
  if (digits.empty() && o.digits.empty()) return true;  // -0 == 0, 0E5 == 0
  return negative == o.negative && digits == o.digits && exponent == o.exponent;
}

std::optional<ExactDecimal> parse_decimal(std::string_view token) {
  std::string t;
  t.reserve(token.size());
  for (char c : token)
    if (c != '_') t.push_back(c);  // CPython's Decimal() drops every underscore
  std::string_view s = t;
  ExactDecimal d;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    d.negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (iequals(s, "inf") || iequals(s, "infinity")) {
    d.kind = ExactDecimal::kInfinity;
    return d;
  }
  for (std::string_view nan : {"nan", "snan"}) {
    if (s.size() >= nan.size() && iequals(s.substr(0, nan.size()), nan) && all_digits(s.substr(nan.size()))) {
      d.kind = ExactDecimal::kNaN;
      return d;
    }
  }
  // decimal-part exponent-part?
  size_t i = 0;
  std::string int_part, frac_part;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') int_part.push_back(s[i++]);
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') frac_part.push_back(s[i++]);
  }
  if (int_part.empty() && frac_part.empty()) return std::nullopt;
  long long exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    const std::string_view exp_digits = s.substr(i);
    if (exp_digits.empty() || !all_digits(exp_digits)) return std::nullopt;
    for (char c : exp_digits) {
      exponent = exponent * 10 + (c - '0');
      if (exponent > 1000000000000LL) return std::nullopt;  // beyond any context: Decimal() would raise too
    }
    if (neg) exponent = -exponent;
    i = s.size();
  }
  if (i != s.size()) return std::nullopt;
  std::string digits = int_part + frac_part;
  exponent -= static_cast<long long>(frac_part.size());
  const size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    d.digits.clear();
    return d;
  }
  digits.erase(0, first);
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  d.digits = std::move(digits);
  d.exponent = exponent;
  return d;
}

bool outputs_match(std::string_view prediction, std::string_view expected, std::string* why) {
  const auto got = stripped_lines(prediction);
  const auto want = stripped_lines(expected);
  if (got.size() != want.size()) {
    if (why) *why = "Wrong answer: mismatched output length";
    return false;
  }
  for (size_t k = 0; k < got.size(); ++k) {
    if (got[k] == want[k]) continue;
    const auto a = py_split(got[k]);
    const auto b = py_split(want[k]);
    bool ok = a.size() == b.size();
    for (size_t t = 0; ok && t < a.size(); ++t) {
      const auto x = parse_decimal(a[t]);
      const auto y = parse_decimal(b[t]);
      ok = x && y && *x == *y;
    }
    if (!ok) {
      if (why) {
        *why = "Wrong answer at output_line_idx=" + std::to_string(k) + ": " + truncate_middle(std::string(got[k])) +
               " != " + truncate_middle(std::string(want[k]));
      }
      return false;
    }
  }
  return true;
}

std::string truncate_middle(const std::string& text, size_t length) {
  std::vector<size_t> starts;  // byte offset of each code point
  for (size_t i = 0; i < text.size();) {
    starts.push_back(i);
    size_t len = 1;
    decode_at(text, i, len);
    i += len;
  }
  if (starts.size() <= length) return text;
  const size_t half = length / 2;
  return text.substr(0, starts[half]) + "...(truncated) ..." + text.substr(starts[starts.size() - half]);
}

}  // namespace hrm::eval::lcb
