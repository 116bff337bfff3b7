// Python semantics of JSON values for the BFCL checker.
#include "hrm/eval/bfcl_values.hpp"

#include <cstdint>

#include "hrm/util/enum_table.hpp"

namespace hrm::eval::bfcl {

using json = nlohmann::json;

PyType py_type(const json& v) {
  switch (v.type()) {
    case json::value_t::boolean:
      return PyType::kBool;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return PyType::kInt;
    case json::value_t::number_float:
      return PyType::kFloat;
    case json::value_t::string:
      return PyType::kStr;
    case json::value_t::array:
      return PyType::kList;
    case json::value_t::object:
      return PyType::kDict;
    default:
      return PyType::kNone;
  }
}

const char* py_type_name(PyType type) {
  static constexpr const char* kNames[] = {"NoneType", "bool", "int", "float", "str", "list", "dict"};
  return enum_entry<PyType::kDict>(type, kNames, "NoneType");
}

namespace {

bool is_number(PyType t) { return t == PyType::kBool || t == PyType::kInt || t == PyType::kFloat; }

// Integers compare exactly (also beyond 2^53); anything with a float compares as double, as Python does for
// the values JSON can hold.
bool numbers_equal(const json& a, const json& b) {
  const bool a_int = !a.is_number_float(), b_int = !b.is_number_float();
  if (a_int && b_int) {
    const auto negative = [](const json& x) {
      return x.type() == json::value_t::number_integer && x.get<int64_t>() < 0;
    };
    const bool a_neg = negative(a), b_neg = negative(b);
    if (a_neg != b_neg) return false;
    if (a_neg) return a.get<int64_t>() == b.get<int64_t>();
    const auto as_unsigned = [](const json& x) { return x.is_boolean() ? uint64_t{x.get<bool>()} : x.get<uint64_t>(); };
    return as_unsigned(a) == as_unsigned(b);
  }
  const auto as_double = [](const json& x) {
    return x.is_boolean() ? double{x.get<bool>() ? 1.0 : 0.0} : x.get<double>();
  };
  return as_double(a) == as_double(b);
}

// Appends code point `cp` to `out` as UTF-8.
void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

uint32_t lower_code_point(uint32_t cp) {
  if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)) return cp + 32;
  if (cp >= 0x100 && cp <= 0x137 && cp % 2 == 0 && cp != 0x130) return cp + 1;
  if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return cp % 2 ? cp + 1 : cp;
  if (cp >= 0x14A && cp <= 0x177 && cp % 2 == 0) return cp + 1;
  if (cp == 0x178) return 0xFF;
  if ((cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F)) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  return cp;
}

}  // namespace

bool py_equal(const json& a, const json& b) {
  const PyType ta = py_type(a), tb = py_type(b);
  if (is_number(ta) && is_number(tb)) return numbers_equal(a, b);
  if (ta != tb) return false;
  switch (ta) {
    case PyType::kStr:
      return a.get_ref<const std::string&>() == b.get_ref<const std::string&>();
    case PyType::kList:
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!py_equal(a[i], b[i])) return false;
      }
      return true;
    case PyType::kDict:
      if (a.size() != b.size()) return false;
      for (const auto& [key, value] : a.items()) {
        const auto it = b.find(key);
        if (it == b.end() || !py_equal(value, *it)) return false;
      }
      return true;
    default:
      return true;  // None == None
  }
}

bool py_contains(const json& values, const json& value) {
  if (values.is_string()) {  // `in` on a str is a substring test (and "" is in every string)
    return value.is_string() &&
           values.get_ref<const std::string&>().find(value.get_ref<const std::string&>()) != std::string::npos;
  }
  if (!values.is_array()) return false;
  for (const auto& v : values) {
    if (py_equal(v, value)) return true;
  }
  return false;
}

std::string py_lower(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += static_cast<char>(lower_code_point(c));
      ++i;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < text.size()) {
      const uint32_t cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F);
      append_utf8(out, lower_code_point(cp));
      i += 2;
    } else {
      out += text[i++];  // three- and four-byte characters (and stray bytes) are kept as they are
    }
  }
  return out;
}

}  // namespace hrm::eval::bfcl
