// The tools an entry is offered as: BFCL's own preprocessing for function-calling models
// (utils.py _func_doc_language_specific_pre_processing, model_handler/utils.py convert_to_tool with
// GORILLA_TO_OPENAPI), so that a model sees what it would see on the leaderboard.
#include <map>

#include "hrm/eval/bfcl_run.hpp"

namespace hrm::eval::bfcl {

using json = nlohmann::json;

namespace {

const std::map<std::string, std::string>& openapi_types() {
  static const std::map<std::string, std::string> types = {
      {"integer", "integer"},  {"number", "number"},   {"float", "number"}, {"string", "string"},
      {"boolean", "boolean"},  {"bool", "boolean"},    {"array", "array"},  {"list", "array"},
      {"dict", "object"},      {"object", "object"},   {"tuple", "array"},  {"any", "string"},
      {"byte", "integer"},     {"short", "integer"},   {"long", "integer"}, {"double", "number"},
      {"char", "string"},      {"ArrayList", "array"}, {"Array", "array"},  {"HashMap", "object"},
      {"Hashtable", "object"}, {"Queue", "array"},     {"Stack", "array"},  {"Any", "string"},
      {"String", "string"},    {"Bigint", "integer"}};
  return types;
}

std::string openapi_type(const json& type) {
  const auto it = type.is_string() ? openapi_types().find(type.get<std::string>()) : openapi_types().end();
  return it == openapi_types().end() ? "string" : it->second;
}

void append_description(json& value, const std::string& text) {
  value["description"] = value.value("description", "") + text;
}

// _cast_to_openai_type: BFCL types to JSON Schema types, one level into arrays and objects.
void cast_to_openai_types(json& properties) {
  for (auto& [key, value] : properties.items()) {
    if (value.contains("type") && value["type"] == "float") {
      value["format"] = "float";
      append_description(value, " This is a float type value.");
    }
    value["type"] = value.contains("type") ? openapi_type(value["type"]) : "string";
    if (value["type"] != "array" && value["type"] != "object") continue;
    if (value.contains("properties") && value["properties"].is_object()) {
      cast_to_openai_types(value["properties"]);
    } else if (value.contains("items") && value["items"].is_object()) {
      json& items = value["items"];
      items["type"] = openapi_type(items.value("type", json()));
      if (items["type"] == "array" && items.contains("items") && items["items"].is_object()) {
        items["items"]["type"] = openapi_type(items["items"].value("type", json()));
      } else if (items["type"] == "object" && items.contains("properties") && items["properties"].is_object()) {
        cast_to_openai_types(items["properties"]);
      }
    }
  }
}

// Java and JavaScript values are written as code in strings; the note says which type the code must have.
void stringify_parameters(json& properties, const std::string& language, const std::string& array_type) {
  for (auto& [key, value] : properties.items()) {
    const std::string type = value.value("type", "");
    append_description(
        value, type == "any" ? " This parameter can be of any type of " + language + " object in string representation."
                             : " This is " + language + " " + type + " type parameter in string representation.");
    if ((type == array_type || type == "Array") && value.contains("items")) {
      append_description(value, " The list elements are of type " + value["items"].value("type", "") +
                                    "; they are not in string representation.");
      value.erase("items");
    }
    if (language == "JavaScript" && type == "dict" && value.contains("properties")) {
      append_description(value,
                         " The dictionary entries have the following schema; they are not in string representation. " +
                             value["properties"].dump());
      value.erase("properties");
    }
    value["type"] = "string";
  }
}

}  // namespace

json model_tools(const Item& item) {
  json tools = json::array();
  for (json function : item.functions) {
    json& properties = function["parameters"]["properties"];
    if (item.language == Language::kJava) {
      append_description(function, " Note that the provided function is in Java 8 SDK syntax.");
      stringify_parameters(properties, "Java", "ArrayList");
    } else if (item.language == Language::kJavaScript) {
      append_description(function, " Note that the provided function is in JavaScript syntax.");
      stringify_parameters(properties, "JavaScript", "array");
    } else {
      append_description(function, " Note that the provided function is in Python 3 syntax.");
    }
    function["name"] = openai_function_name(function["name"].get<std::string>());
    function["parameters"]["type"] = "object";
    cast_to_openai_types(properties);
    tools.push_back({{"type", "function"}, {"function", function}});
  }
  return tools;
}

}  // namespace hrm::eval::bfcl
