#include "hrm/tokenizer/tool_call.hpp"

#include "hrm/util/error.hpp"

namespace hrm {

namespace {

const char* const kCallMarker = "<|tool_call|>";
const char* const kCallHint = R"(each call is <|tool_call|>{"name": "<tool>", "arguments": {...}} on one line)";

bool only_space(const std::string& s, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') return false;
  }
  return true;
}

ToolCall parse_one(const std::string& line, size_t index, size_t offset) {
  const std::string where = "tool call " + std::to_string(index + 1) + " (byte offset " + std::to_string(offset) + ")";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const std::exception& e) {
    throw Error(where + ": not valid JSON: " + e.what(), kCallHint);
  }
  if (!j.is_object()) throw Error(where + ": not a JSON object", kCallHint);
  for (const auto& item : j.items()) {
    if (item.key() != "name" && item.key() != "arguments") {
      throw Error(where + ": unknown key '" + item.key() + "'", "the keys are exactly 'name' and 'arguments'");
    }
  }
  if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty()) {
    throw Error(where + ": 'name' must be a non-empty string", kCallHint);
  }
  if (!j.contains("arguments") || !j["arguments"].is_object()) {
    throw Error(where + ": 'arguments' must be a JSON object", kCallHint);
  }
  return {"call_" + std::to_string(index + 1), j["name"].get<std::string>(), j["arguments"].dump()};
}

}  // namespace

std::string render_tool_call(const ToolCall& call) {
  // Ordered: "name" first, and the arguments in the order the model wrote them.
  nlohmann::ordered_json arguments;
  try {
    arguments = nlohmann::ordered_json::parse(call.arguments);
  } catch (const std::exception&) {
    arguments = call.arguments;
  }
  if (!arguments.is_object()) arguments = call.arguments;
  nlohmann::ordered_json j;
  j["name"] = call.name;
  j["arguments"] = arguments;
  return kCallMarker + j.dump() + "\n";
}

ParsedToolCalls parse_tool_calls(const std::string& generated) {
  std::string text = generated;
  const std::string end_marker = "<|end|>";
  if (text.size() >= end_marker.size() &&
      text.compare(text.size() - end_marker.size(), end_marker.size(), end_marker) == 0) {
    text.resize(text.size() - end_marker.size());
  }
  ParsedToolCalls out;
  const std::string marker = kCallMarker;
  size_t pos = text.find(marker);
  out.content = text.substr(0, pos);
  while (pos != std::string::npos) {
    const size_t json_begin = pos + marker.size();
    size_t line_end = text.find('\n', json_begin);
    if (line_end == std::string::npos) line_end = text.size();
    out.calls.push_back(parse_one(text.substr(json_begin, line_end - json_begin), out.calls.size(), pos));
    const size_t next = text.find(marker, line_end);
    const size_t until = next == std::string::npos ? text.size() : next;
    if (!only_space(text, line_end, until)) {
      throw Error("text after tool call " + std::to_string(out.calls.size()) + " at byte offset " +
                      std::to_string(line_end + 1) + ": '" + text.substr(line_end + 1, 40) + "'",
                  "calls come last in a turn: write the text first, then one <|tool_call|> line per call");
    }
    pos = next;
  }
  return out;
}

std::string render_tools_system_prompt(const nlohmann::json& tools, const std::string& preamble) {
  HRM_CHECK(tools.is_array(), "tools must be a JSON array of function schemas");
  std::string out = preamble;
  if (!out.empty() && out.back() != '\n') out += "\n";
  if (!out.empty()) out += "\n";
  out +=
      "You can call these tools. To call one, end your turn with a line\n"
      "<|tool_call|>{\"name\": \"<tool>\", \"arguments\": {<arguments as JSON>}}\n"
      "(several lines for several calls). Each result comes back in a tool turn.\n\nTools:\n";
  for (size_t i = 0; i < tools.size(); ++i) {
    const auto& t = tools[i];
    if (!t.is_object() || t.value("type", "") != "function" || !t.contains("function") || !t["function"].is_object() ||
        !t["function"].contains("name")) {
      throw Error(
          "tools[" + std::to_string(i) + "] is not a function schema",
          R"(expected {"type": "function", "function": {"name": ..., "description": ..., "parameters": {...}}})");
    }
    out += t["function"].dump() + "\n";
  }
  return out;
}

std::vector<ChatMessage> with_tools_system_prompt(std::vector<ChatMessage> messages, const nlohmann::json& tools) {
  if (tools.empty()) return messages;
  std::string preamble;
  if (!messages.empty() && messages[0].role == "system") {
    preamble = messages[0].content;
    messages.erase(messages.begin());
  }
  messages.insert(messages.begin(), {"system", render_tools_system_prompt(tools, preamble)});
  return messages;
}

}  // namespace hrm
