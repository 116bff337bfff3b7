// BFCL's AST checker, function for function as in ast_checker.py (the names below follow it), so that a
// difference in verdicts can be traced to one rule.
#include "hrm/eval/bfcl_checker.hpp"

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "hrm/eval/bfcl_convert.hpp"
#include "hrm/eval/bfcl_values.hpp"
#include "hrm/util/error.hpp"

namespace hrm::eval::bfcl {

using json = nlohmann::json;

namespace {

struct Result {
  bool valid = true;
  std::string error_type, reason;
  bool is_variable = false;
};

Result failure(std::string error_type, std::string reason) { return {false, std::move(error_type), std::move(reason)}; }

Verdict to_verdict(const Result& r) { return {r.valid, r.valid ? "" : r.error_type, r.valid ? "" : r.reason}; }

std::string repr(const json& v) { return v.dump(); }

bool is_empty_string(const json& v) { return v.is_string() && v.get_ref<const std::string&>().empty(); }

// What `for i in range(len(x)): x[i]` visits: a list's items, a string's characters (code points).
std::vector<json> py_items(const json& x) {
  if (x.is_array()) return {x.begin(), x.end()};
  std::vector<json> out;
  if (!x.is_string()) return out;
  const auto& s = x.get_ref<const std::string&>();
  for (size_t i = 0; i < s.size();) {
    size_t n = 1;
    while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

json standardized(const json& v) { return v.is_string() ? json(standardize_string(v.get<std::string>())) : v; }

// get_possible_answer_type: the type of the first answer that is not "" (the optional marker).
std::optional<PyType> possible_answer_type(const json& possible) {
  for (const auto& a : py_items(possible)) {
    if (!is_empty_string(a)) return py_type(a);
  }
  return std::nullopt;
}

Result type_checker(const std::string& param, const json& value, const json& possible, const std::string& expected_name,
                    PyType expected, std::optional<PyType> nested) {
  Result result;
  result.error_type = "type_error:simple";
  const auto answer_type = possible_answer_type(possible);
  const bool is_variable = answer_type && *answer_type != expected;
  if (py_type(value) == expected) {
    if (!nested) {
      result.is_variable = is_variable;
      return result;
    }
    for (const auto& item : py_items(possible)) {
      bool flag = true;  // each item of the value must have the inner type of one possible answer
      if (item.is_array()) {
        for (const auto& v : value) {
          if (!type_checker(param, v, item, py_type_name(*nested), *nested, std::nullopt).valid) {
            flag = false;
            break;
          }
        }
      }
      if (flag) {
        Result ok;
        ok.is_variable = is_variable;
        return ok;
      }
    }
    result = failure("type_error:nested", "Nested type checking failed for parameter '" + param +
                                              "'. Expected outer type " + expected_name + " with inner type " +
                                              py_type_name(*nested) + ". Parameter value: " + repr(value) + ".");
  }
  if (answer_type && py_type(value) == *answer_type) {  // a variable written where a value was expected
    result.is_variable = true;
    return result;
  }
  return failure("type_error:simple", "Incorrect type for parameter '" + param + "'. Expected type " + expected_name +
                                          ", got " + py_type_name(py_type(value)) +
                                          ". Parameter value: " + repr(value) + ".");
}

Result string_checker(const std::string& param, const json& value, const json& possible) {
  json allowed = json::array();
  for (const auto& a : py_items(possible)) {
    if (a.is_string()) allowed.push_back(standardized(a));
  }
  if (py_contains(allowed, standardized(value))) return {};
  return failure("value_error:string", "Invalid value for parameter '" + param + "': " + repr(value) +
                                           ". Expected one of " + repr(possible) + ". Case insensitive.");
}

Result list_checker(const std::string& param, const json& value, const json& possible) {
  json output = json::array();
  for (const auto& v : value) output.push_back(standardized(v));
  json allowed = json::array();
  for (const auto& answer : py_items(possible)) {
    json one = json::array();
    for (const auto& a : py_items(answer)) one.push_back(standardized(a));  // "" (optional) becomes []
    allowed.push_back(one);
  }
  if (py_contains(allowed, output)) return {};
  return failure("value_error:list/tuple", "Invalid value for parameter '" + param + "': " + repr(value) +
                                               ". Expected one of " + repr(possible) + ".");
}

// Checks one dict value against one possible dict: its keys allowed, its values allowed, no key missing.
Result dict_matches(const json& value, const json& answer) {
  if (!value.is_object() || !answer.is_object()) return failure("dict_checker:unclear", "not a dict");
  for (const auto& [key, v] : value.items()) {
    if (!answer.contains(key)) return failure("value_error:dict_key", "Unexpected dict key parameter: '" + key + "'.");
    json allowed = json::array();
    for (const auto& a : py_items(answer[key])) allowed.push_back(standardized(a));
    if (!py_contains(allowed, standardized(v))) {
      return failure("value_error:dict_value", "Invalid value for parameter '" + key + "': " + repr(v) +
                                                   ". Expected one of " + repr(allowed) + ".");
    }
  }
  for (const auto& [key, allowed] : answer.items()) {
    if (!value.contains(key) && !py_contains(allowed, "")) {
      return failure("value_error:dict_key", "Missing dict key parameter: '" + key + "'.");
    }
  }
  return {};
}

Result dict_checker(const json& value, const json& possible) {
  Result result = failure("dict_checker:unclear", "no possible dict matched");
  for (const auto& answer : py_items(possible)) {
    if (is_empty_string(answer)) continue;
    result = dict_matches(value, answer);
    if (result.valid) return result;
  }
  return result;
}

Result list_dict_checker(const json& value, const json& possible) {
  Result result = failure("list_dict_checker:unclear", "no possible list of dicts matched");
  for (const auto& answer : py_items(possible)) {
    const auto dicts = py_items(answer);
    if (value.size() != dicts.size()) {
      result = failure("value_error:list_dict_count", "Wrong number of dictionaries in the list.");
      continue;
    }
    bool flag = true;
    for (size_t i = 0; i < dicts.size() && flag; ++i) {
      result = dict_checker(value[i], json::array({dicts[i]}));
      flag = result.valid;
    }
    if (flag) return {};
  }
  return result;
}

// The declared type of a parameter, as the checker sees it, and the value converted for that language.
struct Typed {
  std::string name;  // as declared ("integer", "ArrayList", ...)
  PyType expected = PyType::kStr;
  std::optional<PyType> nested;
  json value;
};

std::optional<Result> typed_value(const std::string& param, const json& details, json value, Language language,
                                  Typed* out) {
  out->name = details.at("type").get<std::string>();
  const bool nested = language == Language::kPython
                          ? (out->name == "array" || out->name == "tuple")
                          : (out->name == "Array" || out->name == "ArrayList" || out->name == "array");
  const std::string nested_name = nested ? details.at("items").at("type").get<std::string>() : "";
  out->expected = declared_type(out->name, language);
  if (nested) out->nested = declared_type(nested_name, language);
  if (language != Language::kPython) {
    if (!value.is_string()) {
      return failure(language == Language::kJava ? "type_error:java" : "type_error:js",
                     "Incorrect type for parameter '" + param + "'. Expected type String, got " +
                         py_type_name(py_type(value)) + ". Parameter value: " + repr(value) + ".");
    }
    const auto& text = value.get_ref<const std::string&>();
    value = language == Language::kJava ? java_to_value(text, out->name, nested_name)
                                        : js_to_value(text, out->name, nested_name);
  } else if (out->name == "float" && value.is_number_integer()) {
    value = value.get<double>();  // Python converts an int to a float where a float is expected
  }
  out->value = std::move(value);
  return std::nullopt;
}

Result check_param(const std::string& param, const json& details, const json& value, const json& possible,
                   Language language) {
  Typed t;
  if (auto error = typed_value(param, details, value, language, &t)) return *error;
  const Result type = type_checker(param, t.value, possible, t.name, t.expected, t.nested);
  if (!type.valid) return type;
  if (!type.is_variable) {
    if (t.expected == PyType::kDict) return dict_checker(t.value, possible);
    if (t.expected == PyType::kList && t.nested == PyType::kDict) return list_dict_checker(t.value, possible);
    if (t.expected == PyType::kStr) return string_checker(param, t.value, possible);
    if (t.expected == PyType::kList) return list_checker(param, t.value, possible);
  }
  if (py_contains(possible, t.value)) return {};
  return failure("value_error:others", "Invalid value for parameter '" + param + "': " + repr(t.value) +
                                           ". Expected one of " + repr(possible) + ".");
}

Result simple_function_checker(const json& function, const json& call, const json& expected, Language language) {
  const json& possible = expected.begin().value();
  const std::string name = openai_function_name(function.at("name").get<std::string>());
  if (!call.contains(name)) {
    return failure("simple_function_checker:wrong_func_name",
                   "Function name '" + name + "' not found in model output.");
  }
  const json& args = call[name];
  const json& properties = function.at("parameters").at("properties");
  for (const auto& required : function.at("parameters").value("required", json::array())) {
    if (!args.contains(required.get<std::string>())) {
      return failure("simple_function_checker:missing_required",
                     "Missing required parameter: " + required.dump() + ".");
    }
  }
  for (const auto& [param, value] : args.items()) {
    if (!properties.contains(param) || !possible.contains(param)) {
      return failure("simple_function_checker:unexpected_param", "Unexpected parameter: '" + param + "'.");
    }
    Result r = check_param(param, properties[param], value, possible[param], language);
    if (!r.valid) return r;
  }
  for (const auto& [param, allowed] : possible.items()) {
    if (!args.contains(param) && !py_contains(allowed, "")) {
      return failure("simple_function_checker:missing_optional",
                     "Optional parameter '" + param + "' not provided and not marked as optional.");
    }
  }
  return {};
}

const json& find_description(const json& functions, const std::string& name) {
  for (const auto& f : functions) {
    if (f.value("name", "") == name) return f;
  }
  throw Error("the expected function '" + name + "' is not among the entry's functions",
              "the question and possible_answer files do not belong together");
}

Result parallel_function_checker_no_order(const json& functions, const json& calls, const json& expected,
                                          Language language) {
  if (calls.size() != expected.size()) {
    return failure("parallel_function_checker_no_order:wrong_count", "Wrong number of functions.");
  }
  std::set<size_t> matched;
  for (size_t i = 0; i < expected.size(); ++i) {
    const json& function = find_description(functions, expected[i].begin().key());
    Result result;
    for (size_t index = 0; index < calls.size(); ++index) {
      if (matched.count(index)) continue;
      result = simple_function_checker(function, calls[index], expected[i], language);
      if (result.valid) {
        matched.insert(index);
        break;
      }
    }
    if (!result.valid) {
      return failure("parallel_function_checker_no_order:cannot_find_match",
                     "Could not find a matching function for expected call " + std::to_string(i) + " (" +
                         expected[i].begin().key() + "); last mismatch: " + result.reason);
    }
  }
  return {};
}

}  // namespace

bool is_call_list(const json& calls) {
  if (!calls.is_array()) return false;
  for (const auto& c : calls) {
    if (!c.is_object() || c.size() != 1 || !c.begin().value().is_object()) return false;
  }
  return true;
}

Verdict check_calls(const json& functions, const json& calls, const json& expected, const std::string& category,
                    Language language) {
  if (!is_call_list(calls)) {
    return {false, "ast_decoder:decoder_wrong_output_format", "the calls are not [{name: {arguments}}, ...]"};
  }
  if (category.find("parallel") != std::string::npos) {
    return to_verdict(parallel_function_checker_no_order(functions, calls, expected, language));
  }
  if (category.find("multiple") != std::string::npos) {
    if (calls.size() != expected.size()) {
      return {false, "multiple_function_checker:wrong_count", "Wrong number of functions."};
    }
    const json& function = find_description(functions, expected[0].begin().key());
    return to_verdict(simple_function_checker(function, calls[0], expected[0], language));
  }
  if (calls.size() != 1) return {false, "simple_function_checker:wrong_count", "Wrong number of functions."};
  return to_verdict(simple_function_checker(functions.at(0), calls[0], expected[0], language));
}

Verdict check_irrelevance(const json& calls, bool decoded) {
  const bool called = decoded && is_call_list(calls) && !calls.empty() && !(calls.size() == 1 && calls[0].empty());
  if (!called) return {};
  return {false, "irrelevance_error:decoder_success", "Valid syntax. Successfully decode AST when it should not."};
}

std::string standardize_string(const std::string& text) {
  std::string kept;
  for (char c : text) {
    if (std::string(" ,./-_*^").find(c) == std::string::npos) kept += c;
  }
  std::string out = py_lower(kept);
  for (char& c : out) {
    if (c == '\'') c = '"';
  }
  return out;
}

std::string openai_function_name(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (c == '.') c = '_';
  }
  return out;
}

}  // namespace hrm::eval::bfcl
