// The OpenAI HTTP API at the edge of hrm-serve: request bodies parsed and checked into ApiRequest
// (api_request.cpp), responses, stream chunks and error objects written (api_response.cpp).
// Field rules follow docs/serve.md: unknown fields are ignored (clients send many), known fields of
// the wrong type or out of range are an ApiError (HTTP 400) naming the field.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "hrm/infer/sequence.hpp"
#include "hrm/tokenizer/chat_template.hpp"

namespace hrm::serve {

// An error the client caused or must know about, answered as {"error": {message, type, param, code}}.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string message, std::string param = "", std::string code = "");
  int status() const { return status_; }
  // invalid_request_error (4xx), authentication_error (401), server_error (5xx)
  std::string type() const;
  const std::string& param() const { return param_; }
  const std::string& code() const { return code_; }
  nlohmann::json body() const;

 private:
  int status_;
  std::string param_, code_;
};

struct ApiLimits {
  int64_t max_n = 16;        // n (and prompts x n) must also fit --parallel
  int64_t max_stop = 8;      // stop sequences
  int64_t max_prompts = 16;  // entries of a /v1/completions prompt list
};

struct ApiRequest {
  bool chat = true;                   // /v1/chat/completions, else /v1/completions
  std::string model;                  // "" when the client sent none
  std::vector<ChatMessage> messages;  // chat
  std::vector<std::string> prompts;   // completions
  std::optional<int64_t> max_tokens;  // max_tokens or max_completion_tokens; none = up to the context
  double temperature = 1.0;           // OpenAI's default
  double top_p = 1.0;
  int64_t top_k = 0;
  int64_t n = 1;
  std::vector<std::string> stop;
  std::optional<int64_t> seed;
  bool stream = false;
  bool include_usage = false;                      // stream_options.include_usage
  nlohmann::json tools = nlohmann::json::array();  // checked OpenAI function schemas
  std::string tool_choice = "auto";                // none | auto | required | function
  std::string tool_choice_function;                // tool_choice "function": the one function to call
};

// Parses a request body for `chat` or completions; throws ApiError (400) naming the field.
ApiRequest parse_request(const std::string& body, bool chat, const ApiLimits& limits);

// --- responses ---
const char* finish_reason_name(infer::FinishReason reason);  // "stop" or "length"

struct Usage {
  int64_t prompt_tokens = 0, completion_tokens = 0;
  nlohmann::json to_json() const;
};

struct ResponseChoice {
  std::string text;
  std::string finish_reason;  // stop | length | tool_calls
  nlohmann::json tool_calls;  // null, or the array of {id, type: function, function: {name, arguments}}
};

nlohmann::json models_response(const std::string& model_id, int64_t created);
nlohmann::json completion_response(const ApiRequest& request, const std::string& id, const std::string& model_id,
                                   int64_t created, const std::vector<ResponseChoice>& choices, const Usage& usage);
// One chat.completion.chunk / text_completion chunk with a single choice; `delta` is the chat delta
// object (role, content or tool_calls) or, for completions, {"text": ...}.
nlohmann::json stream_chunk(const ApiRequest& request, const std::string& id, const std::string& model_id,
                            int64_t created, size_t index, const nlohmann::json& delta,
                            const std::optional<std::string>& finish_reason);
// The usage chunk of stream_options.include_usage (empty choices).
nlohmann::json usage_chunk(const ApiRequest& request, const std::string& id, const std::string& model_id,
                           int64_t created, const Usage& usage);
// n random lowercase hex digits (response and tool call ids).
std::string random_hex(size_t n);
// JSON text with invalid UTF-8 (byte pieces of an untrained model) written as U+FFFD.
std::string dump(const nlohmann::json& j);
// Bytes of `text` that form whole UTF-8 characters at its start: a streamed delta never ends inside a
// character (the rest waits for the next token).
size_t complete_utf8_prefix(const std::string& text);

}  // namespace hrm::serve
