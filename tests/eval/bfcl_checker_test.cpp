// The BFCL AST checker, rule by rule, each with a call that passes and one that fails (the error types are the
// official checker's). Functions and answers are invented in BFCL's format.
#include "hrm/eval/bfcl_checker.hpp"

#include <gtest/gtest.h>

#include "hrm/eval/bfcl_values.hpp"
#include "hrm/util/error.hpp"

namespace {

using hrm::eval::bfcl::check_calls;
using hrm::eval::bfcl::check_irrelevance;
using hrm::eval::bfcl::Language;
using json = nlohmann::json;

const json kFunctions = json::parse(R"([
  {"name": "weather.forecast", "parameters": {"type": "dict", "required": ["city", "days"], "properties": {
    "city": {"type": "string"}, "days": {"type": "integer"}, "celsius": {"type": "boolean"},
    "hours": {"type": "array", "items": {"type": "integer"}}, "scale": {"type": "float"},
    "limits": {"type": "dict"}, "stops": {"type": "array", "items": {"type": "dict"}},
    "weights": {"type": "array", "items": {"type": "float"}}}}},
  {"name": "alarm_set", "parameters": {"type": "dict", "required": ["time"], "properties": {
    "time": {"type": "string"}, "repeat": {"type": "integer"}}}}
])");

// The expected call of weather.forecast: city Paris, 3 days, celsius optional.
json forecast_answer(const json& extra = json::object()) {
  json params = {{"city", {"Paris", "Paris, France"}}, {"days", {3}}, {"celsius", {"", true}}};
  params.update(extra);
  return json::array({{{"weather.forecast", params}}});
}

json call(const std::string& name, const json& args) { return json::array({{{name, args}}}); }

std::string simple(const json& calls, const json& expected = forecast_answer()) {
  const auto v = check_calls(kFunctions, calls, expected, "simple_python", Language::kPython);
  return v.valid ? "valid" : v.error_type;
}

TEST(BfclChecker, FunctionNameWithDotsIsMatchedInItsOpenAIForm) {
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}})), "valid");
  EXPECT_EQ(simple(call("weather.forecast", {{"city", "Paris"}, {"days", 3}})),
            "simple_function_checker:wrong_func_name");
  EXPECT_EQ(simple(call("weather_report", {{"city", "Paris"}, {"days", 3}})),
            "simple_function_checker:wrong_func_name");
}

TEST(BfclChecker, RequiredParametersMustBePresent) {
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}})), "simple_function_checker:missing_required");
}

TEST(BfclChecker, UnknownParametersAndParametersOutsideTheAnswerAreRejected) {
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"wind", 1}})),
            "simple_function_checker:unexpected_param");
  // Declared, but the possible answer does not list it.
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"scale", 1.0}})),
            "simple_function_checker:unexpected_param");
}

TEST(BfclChecker, OptionalParametersMayBeLeftOutOnlyWhenEmptyStringIsAllowed) {
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"celsius", true}})), "valid");
  const json answer = forecast_answer({{"celsius", {false}}});
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}}), answer),
            "simple_function_checker:missing_optional");
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"celsius", false}}), answer), "valid");
}

TEST(BfclChecker, TypesArePythonTypesWithIntAcceptedForFloat) {
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", "3"}})), "type_error:simple");
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3.0}})), "type_error:simple");
  // bool is not an int for the type check, though True == 1 in Python.
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", true}}), forecast_answer({{"days", {1}}})),
            "type_error:simple");
  const json scaled = forecast_answer({{"scale", {2.0}}});
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"scale", 2}}), scaled), "valid");
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"scale", 2.5}}), scaled),
            "value_error:others");
}

TEST(BfclChecker, ArrayItemsAreTypeCheckedOneLevelDeepWithoutIntToFloat) {
  const json answer = forecast_answer({{"weights", {{0.5, 1.0}}}});
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"weights", {0.5, 1.0}}}), answer),
            "valid");
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"weights", {0.5, 1}}}), answer),
            "type_error:nested");
}

TEST(BfclChecker, AValueOfThePossibleAnswersTypeIsAVariable) {
  // The answer lists a variable name where an integer is declared: the name is accepted as is.
  const json answer = forecast_answer({{"days", {"num_days"}}});
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", "num_days"}}), answer), "valid");
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", "NUM_DAYS"}}), answer), "value_error:others");
}

TEST(BfclChecker, StringsAreComparedAfterStandardization) {
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "  paris,FRANCE."}, {"days", 3}})), "valid");
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Lyon"}, {"days", 3}})), "value_error:string");
  EXPECT_EQ(hrm::eval::bfcl::standardize_string("New-York_City, N.Y. 'x'*^/ ÉTÉ"), "newyorkcityny\"x\"été");
}

TEST(BfclChecker, ListsMatchInOrderWithStandardizedStrings) {
  const json answer = forecast_answer({{"hours", {{6, 12}, {6, 12, 18}}}});
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"hours", {6, 12, 18}}}), answer),
            "valid");
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"hours", {12, 6}}}), answer),
            "value_error:list/tuple");
  // "" (optional) among the answers of a list stands for the empty list, as in the official checker.
  const json optional = forecast_answer({{"hours", {"", {6}}}});
  EXPECT_EQ(simple(call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"hours", json::array()}}), optional),
            "valid");
}

TEST(BfclChecker, DictsAreCheckedKeyByKey) {
  const json answer = forecast_answer({{"limits", {{{"min", {-5, ""}}, {"unit", {"C", "celsius"}}}}}});
  const auto with_limits = [](const json& limits) {
    return call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"limits", limits}});
  };
  EXPECT_EQ(simple(with_limits({{"unit", "Celsius"}}), answer), "valid");
  EXPECT_EQ(simple(with_limits({{"unit", "F"}}), answer), "value_error:dict_value");
  EXPECT_EQ(simple(with_limits({{"unit", "C"}, {"max", 30}}), answer), "value_error:dict_key");
  EXPECT_EQ(simple(with_limits({{"min", -5}}), answer), "value_error:dict_key");  // unit is missing
  // An answer key whose allowed values are a plain string: `"" in "C"` holds, so the key may be left out, and a
  // value is compared with the string's characters.
  const json plain = forecast_answer({{"limits", {{{"unit", "C"}}}}});
  EXPECT_EQ(simple(with_limits(json::object()), plain), "valid");
  EXPECT_EQ(simple(with_limits({{"unit", "c"}}), plain), "valid");
  EXPECT_EQ(simple(with_limits({{"unit", "CC"}}), plain), "value_error:dict_value");
}

TEST(BfclChecker, ListsOfDictsMatchDictByDict) {
  const json answer = forecast_answer({{"stops", {{{{"at", {"Lyon"}}}, {{"at", {"Nice"}}}}}}});
  const auto with_stops = [](const json& stops) {
    return call("weather_forecast", {{"city", "Paris"}, {"days", 3}, {"stops", stops}});
  };
  EXPECT_EQ(simple(with_stops({{{"at", "lyon"}}, {{"at", "NICE"}}}), answer), "valid");
  EXPECT_EQ(simple(with_stops({{{"at", "Nice"}}, {{"at", "Lyon"}}}), answer), "value_error:dict_value");
  EXPECT_EQ(simple(with_stops({{{"at", "Lyon"}}}), answer), "value_error:list_dict_count");
}

TEST(BfclChecker, SimpleAndMultipleWantExactlyOneCallOfTheExpectedFunction) {
  const json two = {{{"weather_forecast", {{"city", "Paris"}, {"days", 3}}}}, {{"alarm_set", {{"time", "7:00"}}}}};
  EXPECT_EQ(simple(two), "simple_function_checker:wrong_count");
  EXPECT_EQ(simple(json::array()), "simple_function_checker:wrong_count");
  const json alarm = json::array({{{"alarm_set", {{"time", {"7:00", "07:00"}}, {"repeat", {""}}}}}});
  EXPECT_TRUE(
      check_calls(kFunctions, call("alarm_set", {{"time", "07:00"}}), alarm, "multiple", Language::kPython).valid);
  EXPECT_EQ(check_calls(kFunctions, two, alarm, "multiple", Language::kPython).error_type,
            "multiple_function_checker:wrong_count");
  EXPECT_EQ(check_calls(kFunctions, call("weather_forecast", {{"city", "Paris"}, {"days", 3}}), alarm, "multiple",
                        Language::kPython)
                .error_type,
            "simple_function_checker:wrong_func_name");
}

TEST(BfclChecker, ParallelCallsMatchInAnyOrder) {
  const json expected = {{{"alarm_set", {{"time", {"7:00"}}, {"repeat", {""}}}}},
                         {{"weather.forecast", {{"city", {"Paris"}}, {"days", {3}}}}}};
  const json calls = {{{"weather_forecast", {{"city", "Paris"}, {"days", 3}}}}, {{"alarm_set", {{"time", "7:00"}}}}};
  const auto check = [&](const json& c, const char* category) {
    const auto v = check_calls(kFunctions, c, expected, category, Language::kPython);
    return v.valid ? std::string("valid") : v.error_type;
  };
  EXPECT_EQ(check(calls, "parallel_multiple"), "valid");
  EXPECT_EQ(check(json::array({calls[0]}), "parallel_multiple"), "parallel_function_checker_no_order:wrong_count");
  const json wrong = {calls[0], {{"alarm_set", {{"time", "8:00"}}}}};
  EXPECT_EQ(check(wrong, "parallel"), "parallel_function_checker_no_order:cannot_find_match");
}

TEST(BfclChecker, IrrelevanceWantsNoCall) {
  EXPECT_TRUE(check_irrelevance(json::array(), true).valid);
  EXPECT_TRUE(check_irrelevance(nullptr, false).valid);                           // text that is no call
  EXPECT_TRUE(check_irrelevance(json::array({{{"alarm_set", 5}}}), true).valid);  // not a call either
  EXPECT_FALSE(check_irrelevance(call("alarm_set", {{"time", "7:00"}}), true).valid);
}

TEST(BfclChecker, OutputsThatAreNotCallListsAreWrongFormat) {
  EXPECT_EQ(simple(json::array({{{"weather_forecast", "Paris"}}})), "ast_decoder:decoder_wrong_output_format");
}

TEST(BfclChecker, AnExpectedFunctionMissingFromTheDocsIsADataError) {
  const json expected = json::array({{{"radio.play", {{"station", {"x"}}}}}});
  EXPECT_THROW(check_calls(kFunctions, call("radio_play", {{"station", "x"}}), expected, "multiple", Language::kPython),
               hrm::Error);
}

TEST(BfclPythonValues, EqualityFollowsPython) {
  using hrm::eval::bfcl::py_equal;
  EXPECT_TRUE(py_equal(json(1), json(1.0)));
  EXPECT_TRUE(py_equal(json(true), json(1)));
  EXPECT_FALSE(py_equal(json(-1), json(18446744073709551615ull)));
  EXPECT_FALSE(py_equal(json("1"), json(1)));
  EXPECT_TRUE(hrm::eval::bfcl::py_contains(json("epoch"), json("")));
  EXPECT_TRUE(hrm::eval::bfcl::py_contains(json("epoch"), json("po")));
  EXPECT_FALSE(hrm::eval::bfcl::py_contains(json("epoch"), json(1)));
  EXPECT_TRUE(hrm::eval::bfcl::py_contains(json::parse("[1, \"a\"]"), json(1.0)));
  EXPECT_TRUE(py_equal(json::parse("[1, {\"a\": [2.0]}]"), json::parse("[1.0, {\"a\": [2]}]")));
  EXPECT_FALSE(py_equal(json::parse("{\"a\": 1}"), json::parse("{\"a\": 1, \"b\": 2}")));
  EXPECT_EQ(hrm::eval::bfcl::py_lower("ÀÉÎ ÑŸ ΣΑ ДА Ÿ"), "àéî ñÿ σα да ÿ");
}

}  // namespace
