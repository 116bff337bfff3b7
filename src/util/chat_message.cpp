#include "hrm/util/chat_message.hpp"

#include "hrm/util/error.hpp"

namespace hrm {

namespace {

std::string string_field(const nlohmann::json& j, const char* key, const std::string& where, bool required) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw Error(where + ": missing string field '" + key + "'", "see the OpenAI messages format");
    return "";
  }
  if (!it->is_string()) throw Error(where + ": field '" + key + "' must be a string");
  return it->get<std::string>();
}

ToolCall tool_call_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("function") || !j["function"].is_object()) {
    throw Error(where + ": a tool call must be an object with a 'function' object",
                R"(expected {"id": "call_1", "type": "function", "function": {"name": ..., "arguments": "..."}})");
  }
  ToolCall call;
  call.id = string_field(j, "id", where, false);
  const auto& f = j["function"];
  call.name = string_field(f, "name", where + ".function", true);
  const auto args = f.find("arguments");
  if (args == f.end() || args->is_null()) {
    call.arguments = "{}";
  } else {
    // Some servers send the arguments as an object instead of JSON text: keep them as text.
    call.arguments = args->is_string() ? args->get<std::string>() : args->dump();
  }
  return call;
}

}  // namespace

nlohmann::json to_openai_json(const ChatMessage& m) {
  nlohmann::json j = {{"role", m.role}};
  if (m.role == "assistant" && m.content.empty() && !m.tool_calls.empty()) {
    j["content"] = nullptr;
  } else {
    j["content"] = m.content;
  }
  if (!m.tool_calls.empty()) {
    j["tool_calls"] = nlohmann::json::array();
    for (const auto& c : m.tool_calls) {
      j["tool_calls"].push_back(
          {{"id", c.id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    }
  }
  if (!m.tool_call_id.empty()) j["tool_call_id"] = m.tool_call_id;
  if (!m.name.empty()) j["name"] = m.name;
  return j;
}

ChatMessage chat_message_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw Error(where + ": a message must be a JSON object");
  ChatMessage m;
  m.role = string_field(j, "role", where, true);
  if (m.role != "system" && m.role != "user" && m.role != "assistant" && m.role != "tool") {
    throw Error(where + ": unknown role '" + m.role + "'", "roles are system, user, assistant and tool");
  }
  const bool has_calls = j.contains("tool_calls") && !j["tool_calls"].is_null();
  m.content = string_field(j, "content", where, !(m.role == "assistant" && has_calls));
  if (has_calls) {
    if (m.role != "assistant") throw Error(where + ": only assistant messages carry 'tool_calls'");
    if (!j["tool_calls"].is_array()) throw Error(where + ": 'tool_calls' must be an array");
    for (size_t i = 0; i < j["tool_calls"].size(); ++i) {
      m.tool_calls.push_back(tool_call_from_json(j["tool_calls"][i], where + ".tool_calls[" + std::to_string(i) + "]"));
    }
  }
  m.tool_call_id = string_field(j, "tool_call_id", where, false);
  m.name = string_field(j, "name", where, false);
  return m;
}

}  // namespace hrm
