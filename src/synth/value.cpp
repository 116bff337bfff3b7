#include "hrm/synth/value.hpp"

#include <array>
#include <map>

#include "hrm/util/error.hpp"

namespace hrm::synth {

const std::vector<std::string> kSynthLanguages = {"cpp", "go", "java", "javascript", "python", "rust"};

Value Value::of(int64_t v) {
  Value x;
  x.type = Type::kInt;
  x.i = v;
  return x;
}
Value Value::of_bool(bool v) {
  Value x;
  x.type = Type::kBool;
  x.b = v;
  return x;
}
Value Value::of(std::string v) {
  Value x;
  x.type = Type::kStr;
  x.s = std::move(v);
  return x;
}
Value Value::of(std::vector<int64_t> v) {
  Value x;
  x.type = Type::kIntList;
  x.ints = std::move(v);
  return x;
}
Value Value::of(std::vector<std::string> v) {
  Value x;
  x.type = Type::kStrList;
  x.strs = std::move(v);
  return x;
}

bool Value::operator==(const Value& o) const {
  if (type != o.type) return false;
  switch (type) {
    case Type::kInt:
      return i == o.i;
    case Type::kBool:
      return b == o.b;
    case Type::kStr:
      return s == o.s;
    case Type::kIntList:
      return ints == o.ints;
    case Type::kStrList:
      return strs == o.strs;
  }
  return false;
}

namespace {

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

template <typename T, typename F>
std::string joined(const std::vector<T>& items, F&& fn, const char* sep = ", ") {
  std::string out;
  for (size_t k = 0; k < items.size(); ++k) out += (k ? sep : "") + fn(items[k]);
  return out;
}

}  // namespace

std::string literal(const std::string& lang, const Value& v, LiteralUse use) {
  const auto int_text = [](int64_t x) { return std::to_string(x); };
  switch (v.type) {
    case Type::kInt:
      return std::to_string(v.i);
    case Type::kBool:
      if (lang == "python") return v.b ? "True" : "False";
      return v.b ? "true" : "false";
    case Type::kStr:
      return quoted(v.s);
    case Type::kIntList: {
      const std::string items = joined(v.ints, int_text);
      if (lang == "cpp") return "std::vector<int>{" + items + "}";
      if (lang == "java") return "new int[]{" + items + "}";
      if (lang == "go") return "[]int{" + items + "}";
      if (lang == "rust") {
        if (use == LiteralUse::kArgument) return "&[" + items + "]";
        return v.ints.empty() ? "Vec::<i32>::new()" : "vec![" + items + "]";
      }
      return "[" + items + "]";
    }
    case Type::kStrList: {
      const std::string items = joined(v.strs, quoted);
      if (lang == "cpp") return "std::vector<std::string>{" + items + "}";
      if (lang == "java") return "new String[]{" + items + "}";
      if (lang == "go") return "[]string{" + items + "}";
      if (lang == "rust") {
        if (use == LiteralUse::kArgument) return "&[" + items + "]";
        return v.strs.empty() ? "Vec::<String>::new()" : "vec![" + items + "]";
      }
      return "[" + items + "]";
    }
  }
  return "";
}

namespace {

// Per language, the spelling of each Type as a return type and as a parameter type (where they differ, the
// parameter borrows), in the order int, bool, str, int list, str list.
struct TypeSpelling {
  const char* result;
  const char* parameter;
};
const std::map<std::string, std::array<TypeSpelling, 5>>& type_spellings() {
  static const std::map<std::string, std::array<TypeSpelling, 5>> spellings = {
      {"cpp",
       {{{"int", "int"},
         {"bool", "bool"},
         {"std::string", "const std::string&"},
         {"std::vector<int>", "const std::vector<int>&"},
         {"std::vector<std::string>", "const std::vector<std::string>&"}}}},
      {"java",
       {{{"int", "int"}, {"boolean", "boolean"}, {"String", "String"}, {"int[]", "int[]"}, {"String[]", "String[]"}}}},
      {"go", {{{"int", "int"}, {"bool", "bool"}, {"string", "string"}, {"[]int", "[]int"}, {"[]string", "[]string"}}}},
      {"rust",
       {{{"i32", "i32"}, {"bool", "bool"}, {"String", "&str"}, {"Vec<i32>", "&[i32]"}, {"Vec<String>", "&[&str]"}}}}};
  return spellings;
}

}  // namespace

std::string type_name(const std::string& lang, Type t, bool parameter) {
  if (lang == "python" || lang == "javascript") return "";
  const auto it = type_spellings().find(lang);
  if (it == type_spellings().end()) throw Error("synth: no type names for language '" + lang + "'");
  const TypeSpelling& spelling = it->second.at(static_cast<size_t>(t));
  return parameter ? spelling.parameter : spelling.result;
}

nlohmann::json json_of(const Value& v) {
  switch (v.type) {
    case Type::kInt:
      return v.i;
    case Type::kBool:
      return v.b;
    case Type::kStr:
      return v.s;
    case Type::kIntList:
      return v.ints;
    case Type::kStrList:
      return v.strs;
  }
  return nullptr;
}

std::string stdin_line(const Value& v) {
  switch (v.type) {
    case Type::kInt:
      return std::to_string(v.i);
    case Type::kBool:
      return v.b ? "True" : "False";
    case Type::kStr:
      return v.s;
    case Type::kIntList:
      return joined(
          v.ints, [](int64_t x) { return std::to_string(x); }, " ");
    case Type::kStrList:
      return joined(
          v.strs, [](const std::string& x) { return x; }, " ");
  }
  return "";
}

std::string camel_case(const std::string& snake) {
  std::string out;
  bool up = false;
  for (char c : snake) {
    if (c == '_') {
      up = !out.empty();
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

std::string pascal_case(const std::string& snake) {
  std::string out = camel_case(snake);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string identifier(const std::string& lang, const std::string& snake, bool function) {
  if (lang == "go") return function ? pascal_case(snake) : camel_case(snake);
  if (lang == "java" || lang == "javascript") return camel_case(snake);
  return snake;
}

}  // namespace hrm::synth
