// The one chat/prompt template of hrm, used by training (SFT data, loss masks, prefix-LM boundaries),
// inference and evaluation alike. Do not format prompts any other way.
//
// A conversation is a list of messages; each renders as
//
//   <|system|>\n{content}<|end|>\n
//   <|user|>\n{content}<|end|>\n
//   <|assistant|>\n{content}{<|tool_call|>{json}\n per tool call}<|end|>\n
//   <|tool_result|>\n{content}<|end|>\n        (role "tool": output of a tool call)
//
// and a prompt for generation ends with the open header "<|assistant|>\n"; generation stops at <|end|>.
// The loss is taken on assistant content plus its closing <|end|> (every assistant turn by default,
// only the last with ChatOptions::last_turn_only); headers, the newline after <|end|> and every other
// role are masked out.
//
// Each piece (header, content, <|end|>, newline) is encoded separately, so token boundaries fall exactly
// on the boundaries above and encode_prompt(m) is a prefix of encode_chat(m + {assistant reply}).ids.
//
// Inside content, code edits use these blocks (render_edit / parse_edits):
//   search/replace:  <|file|>{path}\n<|search|>\n{search}<|divider|>\n{replace}<|replace|>\n
//   whole file:      <|file|>{path}\n<|whole_file|>\n{content}<|whole_file|>\n
// A tool call made by the assistant is "<|tool_call|>{"name": ..., "arguments": {...}}\n", after the
// assistant's text (tool_call.hpp: render_tool_call, the strict parse_tool_calls, the tools system prompt).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hrm/tokenizer/tokenizer.hpp"
#include "hrm/util/chat_message.hpp"

namespace hrm {

struct ChatOptions {
  bool last_turn_only = false;  // loss on the last assistant message only
};

// The conversation as text, with the byte ranges [begin, end) the loss is taken on.
struct RenderedChat {
  std::string text;
  std::vector<std::pair<size_t, size_t>> response_spans;
  size_t prompt_end = 0;  // byte offset where the last assistant content begins (text.size() if none)
};

// The conversation as ids: loss_mask[i] == 1 where the loss is taken; prompt_length = number of tokens
// before the last assistant content (the prefix of prefix-LM training; ids.size() if no assistant).
struct EncodedChat {
  std::vector<int32_t> ids;
  std::vector<uint8_t> loss_mask;
  size_t prompt_length = 0;
};

// Throws hrm::Error naming the message index on an unknown role.
RenderedChat render_chat(const std::vector<ChatMessage>& messages, const ChatOptions& options = {});
EncodedChat encode_chat(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                        const ChatOptions& options = {});
// A prompt for generation: the messages followed by "<|assistant|>\n".
std::string render_prompt(const std::vector<ChatMessage>& messages);
std::vector<int32_t> encode_prompt(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages);
// A single-turn prompt/response pair (the SFT JSONL {"prompt", "response"} form): a user turn and an
// assistant turn, with an optional system message first.
std::vector<ChatMessage> prompt_response_messages(const std::string& prompt, const std::string& response,
                                                  const std::string& system = "");

struct EditBlock {
  enum class Kind { SearchReplace, WholeFile };
  Kind kind = Kind::SearchReplace;
  std::string path;
  std::string search;   // SearchReplace only
  std::string replace;  // the replacement, or the whole file's new content
};
std::string render_edit(const EditBlock& edit);
// All edit blocks in `text` (other text between blocks is ignored). Throws hrm::Error naming the byte
// offset of a malformed block (a <|file|> path line not followed by <|search|> or <|whole_file|>, or an
// unterminated block).
std::vector<EditBlock> parse_edits(const std::string& text);

}  // namespace hrm
