// Tool calls in hrm's own chat template (how a local model calls tools; OpenAI endpoints use their
// native tool_calls instead). An assistant turn is its text followed by one line per call:
//
//   <|tool_call|>{"name":"bash","arguments":{"command":"ls"}}\n
//
// and each result comes back as a "tool" message (<|tool_result|>\n...<|end|>\n, chat_template.hpp).
// The tools a model may call are described in the system prompt (render_tools_system_prompt).
//
// Exports: render_tool_call(), ParsedToolCalls, parse_tool_calls(), render_tools_system_prompt(),
// with_tools_system_prompt().
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/util/chat_message.hpp"

namespace hrm {

// "<|tool_call|>{"name":...,"arguments":{...}}\n". Arguments that are not a JSON object (a malformed call
// kept in a transcript) are written as a JSON string, which parse_tool_calls rejects, as it should.
std::string render_tool_call(const ToolCall& call);

struct ParsedToolCalls {
  std::string content;          // the text before the first <|tool_call|>
  std::vector<ToolCall> calls;  // ids "call_1", "call_2", ... in order; arguments as compact JSON text
};

// Splits a generated assistant turn into its text and its calls, strictly: each call is
// <|tool_call|> + one JSON object on one line with exactly the keys "name" (a non-empty string) and
// "arguments" (an object); only whitespace may separate or follow the calls. Throws hrm::Error naming the
// call's index, its byte offset and what is malformed. A trailing <|end|> (the stop token) is ignored.
ParsedToolCalls parse_tool_calls(const std::string& text);

// The system prompt that offers `tools` (OpenAI function schemas: [{"type": "function", "function":
// {"name", "description", "parameters"}}]) and says how to call them; `preamble` (the task's own system
// text) comes first. Throws hrm::Error naming the entry of `tools` that is not a function schema.
std::string render_tools_system_prompt(const nlohmann::json& tools, const std::string& preamble = "");

// The conversation as a model that may call `tools` sees it: the tools system prompt comes first, with
// the conversation's own leading system message (if any) as its preamble. Empty `tools`: unchanged.
std::vector<ChatMessage> with_tools_system_prompt(std::vector<ChatMessage> messages, const nlohmann::json& tools);

}  // namespace hrm
