// Python's view of JSON values, which the BFCL checker relies on: the type of a decoded value
// (type(json.loads(...))), == between values (1 == 1.0 == True, lists element-wise, dicts key by key), `in`
// on a list, and str.lower().
//
// Exports: PyType, py_type(), py_type_name(), py_equal(), py_contains(), py_lower().
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace hrm::eval::bfcl {

enum class PyType { kNone, kBool, kInt, kFloat, kStr, kList, kDict };

PyType py_type(const nlohmann::json& value);
// "int", "float", "str", ... as type(value).__name__ prints it.
const char* py_type_name(PyType type);
// Python's a == b for values decoded from JSON.
bool py_equal(const nlohmann::json& a, const nlohmann::json& b);
// Python's `value in values`: membership in a JSON array, a substring test in a string (BFCL's data has dict
// answers whose allowed values are a plain string), false for anything else.
bool py_contains(const nlohmann::json& values, const nlohmann::json& value);
// str.lower() for UTF-8 text: ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals (other
// characters are kept).
std::string py_lower(const std::string& text);

}  // namespace hrm::eval::bfcl
