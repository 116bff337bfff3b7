// Java and JavaScript values as BFCL's type converters read them, and Java/JavaScript entries through the checker.
#include "hrm/eval/bfcl_convert.hpp"

#include <gtest/gtest.h>

#include "hrm/util/error.hpp"

namespace {

using hrm::eval::bfcl::java_to_value;
using hrm::eval::bfcl::js_to_value;
using hrm::eval::bfcl::Language;
using json = nlohmann::json;

TEST(BfclConvert, JavaScalarsHaveTheirJavaForms) {
  EXPECT_EQ(java_to_value("-12", "integer", ""), json(-12));
  EXPECT_EQ(java_to_value("12L", "long", ""), json(12));
  EXPECT_EQ(java_to_value("12", "long", ""), json("12"));  // a long needs its L
  EXPECT_EQ(java_to_value("3.5f", "float", ""), json(3.5));
  EXPECT_EQ(java_to_value("3.5", "float", ""), json("3.5"));
  EXPECT_EQ(java_to_value("2.5e2", "double", ""), json(250.0));
  EXPECT_EQ(java_to_value("true", "boolean", ""), json(true));
  EXPECT_EQ(java_to_value("'c'", "char", ""), json("'c'"));  // BFCL's char pattern never matches
  EXPECT_EQ(java_to_value("ctx", "any", ""), json("ctx"));
  EXPECT_THROW(java_to_value("x", "Set", ""), hrm::Error);
}

TEST(BfclConvert, JavaCollections) {
  EXPECT_EQ(java_to_value("new int[]{1, 2, 3}", "Array", "integer"), json::parse("[1, 2, 3]"));
  EXPECT_EQ(java_to_value("new long[]{1L, 2, 3L}", "Array", "long"), json::parse("[1, \"2\", 3]"));
  EXPECT_EQ(java_to_value("new String[]{\"a\", \"b\"}", "Array", "String"),
            json::parse("[\"\\\"a\\\"\", \"\\\"b\\\"\"]"));
  EXPECT_EQ(java_to_value("new ArrayList<>(Arrays.asList(\"a\", \"b\"))", "ArrayList", "String"),
            json::parse("[\"a\", \"b\"]"));
  EXPECT_EQ(java_to_value("new ArrayList<Integer>() {{ add(1); add(2); }}", "ArrayList", "integer"),
            json::parse("[1, 2]"));
  EXPECT_EQ(java_to_value("new ArrayList<>()", "ArrayList", "integer"), json::array());
  EXPECT_EQ(java_to_value("new HashMap<String, Object>() {{ put(\"k\", 1); put(\"v\", \"x\"); }}", "HashMap", ""),
            json::parse("{\"k\": 1, \"v\": \"x\"}"));
  EXPECT_EQ(java_to_value("new HashMap<>()", "HashMap", ""), json::object());
  EXPECT_EQ(java_to_value("map", "HashMap", ""), json("map"));
}

TEST(BfclConvert, JavaScriptValues) {
  EXPECT_EQ(js_to_value("'abc'", "String", ""), json("abc"));
  EXPECT_EQ(js_to_value("abc", "String", ""), json("abc"));
  EXPECT_EQ(js_to_value("12n", "Bigint", ""), json(12));
  EXPECT_EQ(js_to_value("1.5", "float", ""), json(1.5));
  EXPECT_EQ(js_to_value("1e3", "float", ""), json("1e3"));
  EXPECT_EQ(js_to_value("false", "Boolean", ""), json(false));
  EXPECT_EQ(js_to_value("[1, 'two', true]", "array", ""), json::parse("[1, \"two\", true]"));
  EXPECT_EQ(js_to_value("new Array(4, 5)", "array", "integer"), json::parse("[4, 5]"));
  EXPECT_EQ(js_to_value("[\"a\", \"b\"]", "array", "String"), json::parse("[\"a\", \"b\"]"));
  EXPECT_EQ(js_to_value(" [ [1, 2], [3, 4]]", "array", "array"), json::parse("[[1, 2], [3, 4]]"));
  EXPECT_EQ(js_to_value("[a]", "array", "Date"), json("[a]"));  // an unknown element type keeps the code
  EXPECT_EQ(js_to_value("{'key1': 123, 'key2': 'value', 'key3': false}", "dict", ""),
            json::parse("{\"key1\": 123, \"key2\": \"value\", \"key3\": false}"));
  EXPECT_EQ(js_to_value("{\"state\": init, \"list\": [\"a\"]}", "dict", ""),
            json::parse("{\"state\": \"init\", \"list\": [\"a\"]}"));
}

const json kJavaFunction =
    json::parse(R"([{"name": "Cache.put", "parameters": {"type": "dict", "required": ["key", "ttl"],
  "properties": {"key": {"type": "String"}, "ttl": {"type": "long"}, "tags": {"type": "ArrayList", "items": {"type": "String"}}}}}])");

TEST(BfclConvert, JavaEntriesWantStringsInJavaSyntax) {
  const json expected = json::parse(R"([{"Cache.put": {"key": ["session"], "ttl": [60], "tags": [["a", "b"], ""]}}])");
  const auto check = [&](const json& args) {
    const auto v = hrm::eval::bfcl::check_calls(kJavaFunction, json::array({{{"Cache_put", args}}}), expected,
                                                "simple_java", Language::kJava);
    return v.valid ? std::string("valid") : v.error_type;
  };
  EXPECT_EQ(check({{"key", "session"}, {"ttl", "60L"}}), "valid");
  EXPECT_EQ(check({{"key", "session"}, {"ttl", "60L"}, {"tags", "new ArrayList<>(Arrays.asList(\"a\", \"b\"))"}}),
            "valid");
  EXPECT_EQ(check({{"key", "session"}, {"ttl", 60}}), "type_error:java");
  EXPECT_EQ(check({{"key", "session"}, {"ttl", "60"}}), "type_error:simple");
  EXPECT_EQ(check({{"key", "SESSION"}, {"ttl", "61L"}}), "value_error:others");
}

}  // namespace
