// Ports of BFCL's java_type_converter.py and js_type_converter.py. The regular expressions are BFCL's
// (Python's re.match anchors at the start: match_continuous; re.search does not). Python's int() and float()
// are rebuilt for the strings they accept here; inf and nan stay strings (JSON cannot hold them).
#include "hrm/eval/bfcl_convert.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <vector>

#include "hrm/util/error.hpp"

namespace hrm::eval::bfcl {

using json = nlohmann::json;

namespace {

const std::map<std::string, PyType>& type_table(Language language) {
  static const std::map<std::string, PyType> python = {
      {"string", PyType::kStr}, {"integer", PyType::kInt}, {"float", PyType::kFloat}, {"boolean", PyType::kBool},
      {"array", PyType::kList}, {"tuple", PyType::kList},  {"dict", PyType::kDict},   {"any", PyType::kStr}};
  static const std::map<std::string, PyType> java = {
      {"byte", PyType::kInt},     {"short", PyType::kInt},      {"integer", PyType::kInt},  {"long", PyType::kInt},
      {"float", PyType::kFloat},  {"double", PyType::kFloat},   {"boolean", PyType::kBool}, {"char", PyType::kStr},
      {"Array", PyType::kList},   {"ArrayList", PyType::kList}, {"Queue", PyType::kList},   {"Stack", PyType::kList},
      {"HashMap", PyType::kDict}, {"Hashtable", PyType::kDict}, {"String", PyType::kStr},   {"any", PyType::kStr}};
  static const std::map<std::string, PyType> js = {
      {"String", PyType::kStr},   {"integer", PyType::kInt}, {"float", PyType::kFloat}, {"Bigint", PyType::kInt},
      {"Boolean", PyType::kBool}, {"dict", PyType::kDict},   {"array", PyType::kList},  {"any", PyType::kStr}};
  return language == Language::kPython ? python : language == Language::kJava ? java : js;
}

bool full_match(const std::string& s, const char* pattern) { return std::regex_match(s, std::regex(pattern)); }

std::string strip(const std::string& s, const std::string& chars = " \t\n\r\f\v") {
  const size_t b = s.find_first_not_of(chars);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(chars) - b + 1);
}

std::string inner(const std::string& s) { return s.size() < 2 ? "" : s.substr(1, s.size() - 2); }  // s[1:-1]

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t comma; (comma = s.find(',', start)) != std::string::npos; start = comma + 1)
    out.push_back(s.substr(start, comma - start));
  out.push_back(s.substr(start));
  return out;
}

// Python's int(s) for decimal text, else nullopt.
std::optional<json> py_int(const std::string& text) {
  std::string s = strip(text);
  if (!full_match(s, R"([+-]?\d+(_\d+)*)")) return std::nullopt;
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  try {
    if (s[0] == '-') return json(std::stoll(s));
    return json(std::stoull(s[0] == '+' ? s.substr(1) : s));
  } catch (const std::out_of_range&) {
    return json(std::stod(s));  // beyond 64 bits: compared as a float (Python would keep an exact int)
  }
}

// Python's float(s) for finite decimal text, else nullopt.
std::optional<json> py_float(const std::string& text) {
  std::string s = strip(text);
  if (!full_match(s, R"([+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+(_\d+)*)?)")) return std::nullopt;
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  return json(std::stod(s));
}

// The first match of `pattern` in `s` (re.search), or of a match at the start (re.match).
bool search(const std::string& s, const std::regex& pattern, std::smatch* m, bool at_start = false) {
  return std::regex_search(s, *m, pattern,
                           at_start ? std::regex_constants::match_continuous : std::regex_constants::match_default);
}

std::vector<std::smatch> find_all(const std::string& s, const std::regex& pattern) {
  return {std::sregex_iterator(s.begin(), s.end(), pattern), std::sregex_iterator()};
}

// parse_java_value: a value without a declared type.
json parse_java_value(const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  if (!v.empty() && v.front() == '"' && v.back() == '"') return inner(v);
  if (full_match(v, R"(-?\d+[lL])")) return *py_int(v.substr(0, v.size() - 1));
  if (full_match(v, R"(-?\d+(\.\d+)?([eE][+-]?\d+)?[fF])")) return *py_float(v.substr(0, v.size() - 1));
  if (auto i = py_int(v)) return *i;
  if (auto f = py_float(v)) return *f;
  return v;
}

// An element of a Java collection: char and String lose their quotes, other types convert.
json java_element(const std::string& element, const std::string& nested_type) {
  if (nested_type == "char" || nested_type == "String") return inner(element);
  return nested_type.empty() ? parse_java_value(element) : java_to_value(element, nested_type, "");
}

json parse_arraylist(const std::string& s, const std::string& nested_type) {
  std::smatch m;
  if (search(s, std::regex(R"(new\s+ArrayList<\w*>\(Arrays\.asList\((.+?)\)\))"), &m)) {
    json out = json::array();
    for (const auto& e : split_commas(m[1].str())) out.push_back(java_element(strip(e), nested_type));
    return out;
  }
  if (search(s, std::regex(R"(new\s+ArrayList<\w*>\(\)\s*\{\{\s*([\s\S]+?)\s*\}\})"), &m)) {
    json out = json::array();
    const std::string adds = m[1].str();
    for (const auto& add : find_all(adds, std::regex(R"(add\((.+?)\))")))
      out.push_back(java_element(strip(add[1].str()), nested_type));
    return out;
  }
  if (search(s, std::regex(R"(new\s+ArrayList<\w*>\(\))"), &m)) return json::array();
  return s;
}

json parse_array(const std::string& s, const std::string& nested_type) {
  std::smatch m;
  if (!search(s, std::regex(R"(new\s+\w+\[\]\s*\{(.*?)\})"), &m)) return s;
  json out = json::array();
  for (const auto& e : split_commas(m[1].str())) {
    const std::string x = strip(e);
    if (!x.empty()) out.push_back(nested_type.empty() ? parse_java_value(x) : java_to_value(x, nested_type, ""));
  }
  return out;
}

json parse_hashmap(const std::string& s) {
  std::smatch m;
  if (search(s, std::regex(R"(new\s+HashMap<[\s\S]*?>\s*\(\)\s*\{\s*\{?\s*([\s\S]*?)\s*\}?\s*\})"), &m)) {
    json out = json::object();
    const std::string puts = m[1].str();
    for (const auto& put : find_all(puts, std::regex(R"re(put\("(.*?)",\s*(.*?)\))re"))) {
      out[put[1].str()] = parse_java_value(strip(put[2].str()));
    }
    return out;
  }
  if (search(s, std::regex(R"(new\s+HashMap<.*?>\s*\(\))"), &m)) return json::object();
  return s;
}

// parse_js_value.
json parse_js_value(const std::string& text) {
  const std::string v = strip(text);
  if (v == "true") return true;
  if (v == "false") return false;
  if (!v.empty() && ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\''))) return inner(v);
  if (auto i = py_int(v)) return *i;
  if (auto f = py_float(v)) return *f;
  return v;
}

json parse_js_dict(const std::string& code);

json parse_js_array(const std::string& code, const std::string& nested_type) {
  static const std::regex array_2d(
      R"(\[\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\]|\bnew\s+Array\(\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\))");
  static const std::regex array_1d(R"(\[(.*?)\]|\bnew\s+Array\((.*?)\))");
  std::smatch m;
  try {
    if (search(code, array_2d, &m, true)) {
      json out = json::array();
      const std::string all = m[0].str();
      const auto inners = find_all(all, std::regex(R"(\[(.*?)\])"));
      for (size_t idx = 0; idx < inners.size(); ++idx) {
        std::string text = strip(inners[idx][1].str());
        if (idx == 0 && !text.empty() && text[0] == '[') text = text.substr(1);
        json row = json::array();
        for (const auto& e : split_commas(text)) row.push_back(parse_js_value(strip(e)));
        out.push_back(row);
      }
      return out;
    }
    if (!search(code, array_1d, &m, true)) return code;
    const std::string elements = strip(m[1].matched ? m[1].str() : m[2].str());
    json out = json::array();
    if (elements.empty()) return out;
    for (const auto& e : split_commas(elements)) {
      const std::string x = strip(e);
      const bool quoted = !x.empty() && (x[0] == '\'' || x[0] == '"');
      out.push_back(nested_type.empty() ? parse_js_value(x) : js_to_value(x, nested_type, quoted ? "String" : ""));
    }
    return out;
  } catch (const Error&) {
    return code;  // BFCL's bare `except: return code` (an unknown element type)
  }
}

json parse_js_dict(const std::string& code) {
  if (code == "{}") return json::object();
  std::smatch m;
  if (!search(code, std::regex(R"(\{(.*?)\})"), &m, true)) return code;
  const std::string content = m[1].str();
  json out = json::object();
  for (const auto& pair : find_all(content, std::regex(R"(([^:]+):\s*(.*?)(?:,\s*(?=[^,]+:)|$))"))) {
    const std::string key = strip(strip(pair[1].str()), "'\"");
    const std::string value = strip(pair[2].str());
    if (!value.empty() && value.front() == '[' && value.back() == ']') {
      out[key] = parse_js_array(value, "");
    } else if (!value.empty() && value.front() == '{' && value.back() == '}') {
      out[key] = parse_js_dict(value);
    } else {
      out[key] = parse_js_value(strip(value, "'\""));
    }
  }
  return out;
}

}  // namespace

PyType declared_type(const std::string& type, Language language) {
  const auto& table = type_table(language);
  const auto it = table.find(type);
  if (it == table.end()) {
    throw Error("unknown parameter type '" + type + "'",
                "BFCL's checker knows: string, integer, float, boolean, array, tuple, dict, any (Python); the Java "
                "and JavaScript type names of its type_mappings.py");
  }
  return it->second;
}

json java_to_value(const std::string& v, const std::string& type, const std::string& nested_type) {
  declared_type(type, Language::kJava);
  if (type == "byte" || type == "short" || type == "integer") return full_match(v, R"(-?\d+)") ? *py_int(v) : json(v);
  if (type == "float") {
    return full_match(v, R"(-?\d+(\.\d+)?([eE][+-]?\d+)?[fF])") ? *py_float(v.substr(0, v.size() - 1)) : json(v);
  }
  if (type == "double") return full_match(v, R"(-?\d+(\.\d+)?([eE][+-]?\d+)?)") ? *py_float(v) : json(v);
  if (type == "long") return full_match(v, R"(-?\d+[lL])") ? *py_int(v.substr(0, v.size() - 1)) : json(v);
  if (type == "boolean") return v == "true" || v == "false" ? json(v == "true") : json(v);
  if (type == "ArrayList") return parse_arraylist(v, nested_type);
  if (type == "Array") return parse_array(v, nested_type);
  if (type == "HashMap") return parse_hashmap(v);
  if (type == "char" || type == "String" || type == "any") return v;  // BFCL's char pattern never matches
  throw Error("BFCL does not convert Java values of type '" + type + "'");
}

json js_to_value(const std::string& v, const std::string& type, const std::string& nested_type) {
  declared_type(type, Language::kJavaScript);
  if (type == "String") {
    const bool quoted =
        v.size() >= 1 && ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\''));
    return quoted ? json(inner(v)) : json(v);
  }
  if (type == "integer") return full_match(v, R"(-?\d+)") ? *py_int(v) : json(v);
  if (type == "float") return full_match(v, R"(-?\d+(\.\d+)?)") ? *py_float(v) : json(v);
  if (type == "Bigint") return full_match(v, R"(-?\d+n)") ? *py_int(v.substr(0, v.size() - 1)) : json(v);
  if (type == "Boolean") return v == "true" || v == "false" ? json(v == "true") : json(v);
  if (type == "dict") return parse_js_dict(strip(v));
  if (type == "array") return parse_js_array(strip(v), nested_type);
  return v;  // any
}

}  // namespace hrm::eval::bfcl
