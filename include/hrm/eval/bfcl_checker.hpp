// The Berkeley Function Calling Leaderboard's AST checker (bfcl_eval/eval_checker/ast_eval/ast_checker.py),
// ported rule for rule so that our verdicts agree with the official ones (tools/bfcl/compare_checker.py
// measures the agreement). Values are JSON, compared with Python's semantics (1 == 1.0 == true).
//
// Calls are in BFCL's decoded form: a JSON array of one-key objects, [{"<function name>": {<arguments>}}].
// The rules, in the order the official checker applies them:
//   - the number of calls must equal the number of expected calls;
//   - simple and multiple: the one call must name the expected function; parallel (and parallel_multiple):
//     each expected call, in order, takes the first not yet matched call that passes all rules (greedy, as
//     the official checker: order-independent, not a maximum matching);
//   - a function name with dots may be written with underscores (the OpenAI name rule, "a.b" -> "a_b");
//   - every required parameter is present; no parameter outside the function's properties or the possible
//     answer; an optional parameter may be left out only when the possible answer lists "";
//   - each value has the declared type: Python types exactly (bool is not an integer), an int accepted for a
//     float, array items checked one level deep, a value of the possible answer's type accepted as a
//     variable; Java and JavaScript values are strings converted by BFCL's type converters first;
//   - each value is one of the possible answers: strings after standardization (lower case, no spaces or
//     ",./-_*^", ' -> "), lists element-wise with their strings standardized, dicts key by key.
//
// Exports: Language, Verdict, check_calls(), check_irrelevance(), standardize_string(), openai_function_name(),
// is_call_list().
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace hrm::eval::bfcl {

enum class Language { kPython, kJava, kJavaScript };

struct Verdict {
  bool valid = true;
  std::string error_type;  // the official checker's error_type, e.g. "simple_function_checker:missing_required"
  std::string reason;      // a readable explanation (empty when valid)
};

// The verdict of the AST categories. `functions` is the test entry's "function" list (the original
// documentation, not the one shown to the model); `expected` is the "ground_truth" list; `category` decides
// the checker as BFCL does ("parallel" in it: parallel, else "multiple" in it: multiple, else simple).
// Throws hrm::Error when the entry itself is inconsistent (an expected function missing from `functions`).
Verdict check_calls(const nlohmann::json& functions, const nlohmann::json& calls, const nlohmann::json& expected,
                    const std::string& category, Language language);

// The irrelevance verdict: valid when the model made no call. `decoded` is false when the output could not
// be decoded into calls (then no call was made); calls that are not in the decoded form count as none.
Verdict check_irrelevance(const nlohmann::json& calls, bool decoded);

// True for [{"name": {...}}, ...] (each entry one key whose value is an object), BFCL's
// is_function_calling_format_output.
bool is_call_list(const nlohmann::json& calls);

// BFCL's standardize_string: removes " ,./-_*^", lower-cases, and turns ' into ".
std::string standardize_string(const std::string& text);

// The name an OpenAI-style tool may have: dots become underscores.
std::string openai_function_name(const std::string& name);

}  // namespace hrm::eval::bfcl
