#include "tool_replies.hpp"

#include <spdlog/spdlog.h>

#include "hrm/tokenizer/tool_call.hpp"
#include "hrm/util/error.hpp"

namespace hrm::serve {

using nlohmann::json;

namespace {
const char* const kCallMarker = "<|tool_call|>";
}  // namespace

bool offers_tools(const ApiRequest& r) { return r.chat && !r.tools.empty() && r.tool_choice != "none"; }

std::vector<ChatMessage> prompt_messages(const ApiRequest& r) {
  return offers_tools(r) ? with_tools_system_prompt(r.messages, r.tools) : r.messages;
}

namespace {

// A function whose schema names no parameters can only be called with {}.
bool takes_no_parameters(const json& tools, const std::string& name) {
  for (const auto& t : tools) {
    const auto& f = t["function"];
    if (f["name"] != name) continue;
    const auto it = f.find("parameters");
    if (it == f.end() || it->is_null()) return true;
    const auto properties = it->find("properties");
    return properties == it->end() || (properties->is_object() && properties->empty());
  }
  return false;
}

}  // namespace

ReplyConstraint reply_constraint(const ApiRequest& r) {
  if (!offers_tools(r)) return {};
  if (r.tool_choice == "required") return {kCallMarker, {}};
  if (r.tool_choice != "function") return {};
  // The start of render_tool_call's compact JSON for that name.
  auto start = kCallMarker + std::string("{\"name\":") + json(r.tool_choice_function).dump() + ",\"arguments\":";
  if (takes_no_parameters(r.tools, r.tool_choice_function)) start += "{}}\n";
  return {start, {"\n"}};
}

ResponseChoice reply_choice(const ApiRequest& r, const infer::Completion& c) {
  ResponseChoice choice{c.text, finish_reason_name(c.finish), json()};
  if (!offers_tools(r) || c.text.find(kCallMarker) == std::string::npos) return choice;
  ParsedToolCalls parsed;
  try {
    parsed = parse_tool_calls(c.text);
  } catch (const Error& e) {  // the documented fallback: the reply as it is, as content
    spdlog::info("a reply is not a well-formed tool call; answered as content: {}", e.what());
    return choice;
  }
  ChatMessage message{"assistant", parsed.content};
  message.tool_calls = std::move(parsed.calls);
  for (auto& call : message.tool_calls) call.id = "call_" + random_hex(24);
  return {parsed.content, "tool_calls", to_openai_json(message)["tool_calls"]};
}

size_t streamable_content(const ApiRequest& r, const std::string& text) {
  if (!offers_tools(r)) return text.size();
  return std::min(text.find(kCallMarker), text.size());
}

json tool_calls_delta(const json& tool_calls) {
  json delta = json::array();
  for (size_t i = 0; i < tool_calls.size(); ++i) {
    json call = tool_calls[i];
    call["index"] = i;
    delta.push_back(std::move(call));
  }
  return {{"tool_calls", std::move(delta)}};
}

}  // namespace hrm::serve
