// OpenAI response objects, stream chunks and error objects (api.hpp).
#include <random>

#include "hrm/serve/api.hpp"

namespace hrm::serve {

using nlohmann::json;

ApiError::ApiError(int status, std::string message, std::string param, std::string code)
    : std::runtime_error(std::move(message)), status_(status), param_(std::move(param)), code_(std::move(code)) {}

std::string ApiError::type() const {
  if (status_ == 401) return "authentication_error";
  if (status_ >= 500) return "server_error";
  return "invalid_request_error";
}

json ApiError::body() const {
  return {{"error",
           {{"message", what()},
            {"type", type()},
            {"param", param_.empty() ? json() : json(param_)},
            {"code", code_.empty() ? json() : json(code_)}}}};
}

const char* finish_reason_name(infer::FinishReason reason) {
  return reason == infer::FinishReason::kStopToken || reason == infer::FinishReason::kStopSequence ? "stop" : "length";
}

json Usage::to_json() const {
  return {{"prompt_tokens", prompt_tokens},
          {"completion_tokens", completion_tokens},
          {"total_tokens", prompt_tokens + completion_tokens}};
}

json models_response(const std::string& model_id, int64_t created) {
  return {{"object", "list"},
          {"data", json::array({{{"id", model_id}, {"object", "model"}, {"created", created}, {"owned_by", "hrm"}}})}};
}

json completion_response(const ApiRequest& request, const std::string& id, const std::string& model_id, int64_t created,
                         const std::vector<ResponseChoice>& choices, const Usage& usage) {
  json out = {{"id", id},
              {"object", request.chat ? "chat.completion" : "text_completion"},
              {"created", created},
              {"model", model_id},
              {"choices", json::array()},
              {"usage", usage.to_json()}};
  for (size_t i = 0; i < choices.size(); ++i) {
    const auto& c = choices[i];
    json choice = {{"index", i}, {"finish_reason", c.finish_reason}};
    if (request.chat) {
      json message = {{"role", "assistant"}, {"content", c.text}};
      if (!c.tool_calls.is_null()) {
        message["tool_calls"] = c.tool_calls;
        if (c.text.empty()) message["content"] = nullptr;
      }
      choice["message"] = std::move(message);
      choice["logprobs"] = nullptr;
    } else {
      choice["text"] = c.text;
      choice["logprobs"] = nullptr;
    }
    out["choices"].push_back(std::move(choice));
  }
  return out;
}

json stream_chunk(const ApiRequest& request, const std::string& id, const std::string& model_id, int64_t created,
                  size_t index, const json& delta, const std::optional<std::string>& finish_reason) {
  json choice = {{"index", index}, {"finish_reason", finish_reason ? json(*finish_reason) : json()}};
  if (request.chat) {
    choice["delta"] = delta;
  } else {
    choice["text"] = delta.value("text", std::string());
  }
  choice["logprobs"] = nullptr;
  return {{"id", id},
          {"object", request.chat ? "chat.completion.chunk" : "text_completion"},
          {"created", created},
          {"model", model_id},
          {"choices", json::array({std::move(choice)})}};
}

json usage_chunk(const ApiRequest& request, const std::string& id, const std::string& model_id, int64_t created,
                 const Usage& usage) {
  return {{"id", id},
          {"object", request.chat ? "chat.completion.chunk" : "text_completion"},
          {"created", created},
          {"model", model_id},
          {"choices", json::array()},
          {"usage", usage.to_json()}};
}

std::string random_hex(size_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += digits[rng() % 16];
  return s;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

size_t complete_utf8_prefix(const std::string& text) {
  // Only the last 3 bytes can be the start of a character still missing bytes.
  for (size_t back = 1; back <= std::min<size_t>(3, text.size()); ++back) {
    const auto lead = static_cast<unsigned char>(text[text.size() - back]);
    if ((lead & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    const size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return need > back && lead >= 0xC0 ? text.size() - back : text.size();
  }
  return text.size();
}

}  // namespace hrm::serve
