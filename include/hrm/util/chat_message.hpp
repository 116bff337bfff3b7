// The one chat message type of hrm, in the OpenAI messages shape, shared by the chat template
// (tokenizer), the evaluation backends (eval), the agent runtime (agent), training data (data) and the
// server. Torch-free.
//
//   {"role": "system" | "user", "content": "..."}
//   {"role": "assistant", "content": "..." | null,
//    "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "bash", "arguments": "{...}"}}]}
//   {"role": "tool", "tool_call_id": "call_1", "name": "bash", "content": "..."}
//
// Exports: ToolCall, ChatMessage, to_openai_json(), chat_message_from_json().
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace hrm {

// One function call made by the assistant.
struct ToolCall {
  std::string id;         // "call_1"; a tool message answers it with the same tool_call_id
  std::string name;       // the function's name, e.g. "bash"
  std::string arguments;  // the arguments as JSON text, exactly as the model wrote it (may be malformed)
};

struct ChatMessage {
  std::string role;  // "system", "user", "assistant" or "tool"
  std::string content;
  std::vector<ToolCall> tool_calls;  // assistant only
  std::string tool_call_id;          // tool only: the call this message answers
  std::string name;                  // tool only: the function that was called

  ChatMessage() = default;
  ChatMessage(std::string role_, std::string content_) : role(std::move(role_)), content(std::move(content_)) {}
};

// The OpenAI JSON of a message (assistant content null when empty and there are tool calls).
nlohmann::json to_openai_json(const ChatMessage& message);
// Reads one OpenAI message; `where` (e.g. "runs/x.jsonl:3: messages[2]") prefixes the hrm::Error thrown
// on a missing or mistyped field or an unknown role.
ChatMessage chat_message_from_json(const nlohmann::json& json, const std::string& where);

}  // namespace hrm
