// Typed values of the synthetic curriculum: the arguments and results of generated tasks, and how
// each of the six languages spells them (literals, parameter/return types, identifiers).
//
// Exports: Type, Value, kSynthLanguages, literal(), type_name(), json_of(), stdin_line(),
// identifier(), camel_case(), pascal_case().
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hrm::synth {

// The six languages, in the order of hrm::eval::kLanguages.
extern const std::vector<std::string> kSynthLanguages;

enum class Type { kInt, kBool, kStr, kIntList, kStrList };

struct Value {
  Type type = Type::kInt;
  int64_t i = 0;
  bool b = false;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<std::string> strs;

  static Value of(int64_t v);
  static Value of_bool(bool v);
  static Value of(std::string v);
  static Value of(std::vector<int64_t> v);
  static Value of(std::vector<std::string> v);
  bool operator==(const Value& o) const;
  bool operator!=(const Value& o) const { return !(*this == o); }
};

// Where a literal appears: as an argument of the function under test (Rust `&[..]`), or as a value
// standing alone (an expected result, a constant in a solution: Rust `vec![..]`).
enum class LiteralUse { kArgument, kValue };

// The value as source text in `language`. Strings are restricted to printable ASCII without quotes
// or backslashes by the generators, so the same double-quoted text is valid in every language.
std::string literal(const std::string& language, const Value& value, LiteralUse use = LiteralUse::kValue);

// The type as written in a signature: `parameter` true for parameter position (C++ const refs,
// Rust slices and &str), false for return types. Empty for Python and JavaScript.
std::string type_name(const std::string& language, Type type, bool parameter);

// LiveCodeBench functional format: one JSON value per argument / for the result.
nlohmann::json json_of(const Value& value);
// LiveCodeBench stdin format: an integer or a string on its line, list elements separated by spaces,
// booleans as Python prints them (True / False).
std::string stdin_line(const Value& value);

// snake_case -> camelCase / PascalCase.
std::string camel_case(const std::string& snake);
std::string pascal_case(const std::string& snake);
// A snake_case name as the language's convention wants it: functions are camelCase in Java and
// JavaScript, PascalCase (exported) in Go; parameters camelCase in Go, Java and JavaScript.
std::string identifier(const std::string& language, const std::string& snake, bool function);

}  // namespace hrm::synth
