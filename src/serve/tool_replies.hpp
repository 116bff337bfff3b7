// Tool calling in hrm-serve (private to the serve module): OpenAI `tools` / `tool_choice` mapped onto the
// chat template's tool-call turns (hrm/tokenizer/tool_call.hpp), and replies read back as `tool_calls`.
//
// The tools are offered in the system prompt (with_tools_system_prompt) unless tool_choice is "none".
// tool_choice "required" forces every reply to start with <|tool_call|>, and a named function forces
// <|tool_call|>{"name":"<function>","arguments": (the tokens are fed instead of sampled, a prefix
// constraint on decoding), so even a small model answers with a call; a named function's reply is that
// one call and ends with its line (and when the function takes no parameters the call is determined:
// all of it is forced, arguments {}). A finished reply is parsed
// strictly (parse_tool_calls); one that is not a well-formed call comes back whole as content with its
// own finish_reason ("stop" or "length"), never as an error (docs/serve.md).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/infer/sequence.hpp"
#include "hrm/serve/api.hpp"

namespace hrm::serve {

// Whether replies are read for tool calls: tools are offered and tool_choice is not "none".
bool offers_tools(const ApiRequest& r);
// The conversation as the model sees it (the tools system prompt first when tools are offered).
std::vector<ChatMessage> prompt_messages(const ApiRequest& r);
// How tool_choice constrains a reply: the text it is forced to start with, and stop sequences.
struct ReplyConstraint {
  std::string forced_start;        // "" when nothing is forced
  std::vector<std::string> stops;  // a named function's one call ends at its line's end
};
ReplyConstraint reply_constraint(const ApiRequest& r);
// A finished reply as a response choice: its calls (finish_reason "tool_calls", content = the text
// before the first call) when tools are offered and the text parses as calls, else its text.
ResponseChoice reply_choice(const ApiRequest& r, const infer::Completion& completion);
// Bytes at the start of streamed reply text that are content whatever follows: all of it without
// tools, else the text before the first <|tool_call|> (the rest waits for the end of the reply).
size_t streamable_content(const ApiRequest& r, const std::string& text);
// The stream delta of a reply's tool calls (each with its index, id, type, name and whole arguments).
nlohmann::json tool_calls_delta(const nlohmann::json& tool_calls);

}  // namespace hrm::serve
