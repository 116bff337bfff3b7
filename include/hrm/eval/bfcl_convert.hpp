// How BFCL reads the parameter types of its function docs, and the Java and JavaScript values the model
// writes as strings: ports of PYTHON_TYPE_MAPPING / JAVA_TYPE_CONVERSION / JS_TYPE_CONVERSION and of
// java_type_converter.py and js_type_converter.py (regular expressions and all: "3.14f" is a Java float,
// "new int[]{1, 2}" an array, "[1, 'a']" a JavaScript array). A string that does not have the declared
// form stays a string, so the type check fails unless the possible answer is a variable name.
//
// Exports: declared_type(), java_to_value(), js_to_value().
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "hrm/eval/bfcl_checker.hpp"
#include "hrm/eval/bfcl_values.hpp"

namespace hrm::eval::bfcl {

// The Python type a declared parameter type checks against in `language` ("integer" -> int, "ArrayList" ->
// list, "any" -> str). Throws hrm::Error for a type the official checker does not know either.
PyType declared_type(const std::string& type, Language language);

// java_type_converter(value, type, nested_type): `nested_type` is the items' type of Array/ArrayList ("" if
// none). Throws hrm::Error for the types BFCL does not convert (Set, Hashtable, Queue, Stack).
nlohmann::json java_to_value(const std::string& value, const std::string& type, const std::string& nested_type);
// js_type_converter(value, type, nested_type).
nlohmann::json js_to_value(const std::string& value, const std::string& type, const std::string& nested_type);

}  // namespace hrm::eval::bfcl
