// Tool calling in hrm-serve: OpenAI `tools` / `tool_choice` mapped onto the chat template's tool-call
// turns (hrm/tokenizer/tool_call.hpp), and a generated turn's calls returned as OpenAI `tool_calls`.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/tokenizer/chat_template.hpp"

namespace hrm::serve {

// The conversation with the offered tools described in its system prompt; unchanged when `tools` is
// empty or tool_choice is "none". "required" and a named function are asked for in the prompt (the
// model is not constrained).
std::vector<ChatMessage> with_tools(const std::vector<ChatMessage>& messages, const nlohmann::json& tools,
                                    const std::string& tool_choice);

struct ToolReply {
  std::string content;                                  // the text before the calls
  nlohmann::json tool_calls = nlohmann::json::array();  // [{id, type: "function", function: {name, arguments}}]
};

// A generated assistant turn split into its text and calls. A turn whose calls are malformed is
// returned as plain text (no calls), as the strict parser rejects it.
ToolReply parse_tool_reply(const std::string& text);

}  // namespace hrm::serve
