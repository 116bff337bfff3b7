// The openai backend: any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp server, ...).
// POST <base_url>/chat/completions with libcurl; retries connection errors, 429 and 5xx with
// exponential backoff; a 4xx other than 429 is an error at once (retrying cannot fix a bad request).
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "hrm/eval/model_backend.hpp"
#include "hrm/util/error.hpp"

namespace hrm::eval {
namespace {

size_t append_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

void curl_global_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    return std::stoi(v);
  } catch (const std::exception&) {
    throw Error(std::string("environment variable ") + name + "='" + v + "' is not an integer");
  }
}

class OpenAIBackend : public ModelBackend {
 public:
  OpenAIBackend(std::string base_url, std::string model) : base_url_(std::move(base_url)), model_(std::move(model)) {
    curl_global_once();
    if (const char* key = std::getenv("HRM_OPENAI_API_KEY")) api_key_ = key;
    max_retries_ = env_int("HRM_OPENAI_MAX_RETRIES", 4);
    backoff_ms_ = env_int("HRM_OPENAI_BACKOFF_MS", 1000);
  }

  std::vector<std::string> generate(const GenerationRequest& request) override {
    const int n = std::max(1, request.params.n);
    std::vector<std::string> replies;
    // Servers that ignore "n" (llama.cpp) return one choice: ask again until we have n.
    for (int round = 0; static_cast<int>(replies.size()) < n; ++round) {
      HRM_CHECK(round < n, "openai backend: " + url() + " returned no choices for " + request.id.str(),
                "the server answered without a 'choices' array entry");
      const auto choices = parse_choices(post(request, n - static_cast<int>(replies.size())));
      for (const auto& c : choices) {
        if (static_cast<int>(replies.size()) < n) replies.push_back(c);
      }
    }
    return replies;
  }
  std::string name() const override { return "openai:" + base_url_ + "/" + model_; }

  // One turn with native tools/tool_calls; the usage counts come from the server's "usage" object.
  AssistantTurn generate_turn(const GenerationRequest& request) override {
    const nlohmann::json j = parse_response(post(request, 1));
    const auto& choices = j["choices"];
    HRM_CHECK(!choices.empty() && choices[0].contains("message"),
              "openai backend: " + url() + " returned no message for " + request.id.str());
    nlohmann::json message = choices[0]["message"];
    message["role"] = "assistant";
    if (!message.contains("content")) message["content"] = nullptr;
    AssistantTurn turn;
    turn.message = with_context("openai backend: the reply of " + url(),
                                [&] { return chat_message_from_json(message, "choices[0].message"); });
    if (j.contains("usage") && j["usage"].is_object()) {
      turn.prompt_tokens = j["usage"].value("prompt_tokens", int64_t{-1});
      turn.completion_tokens = j["usage"].value("completion_tokens", int64_t{-1});
    }
    return turn;
  }

 private:
  std::string url() const { return base_url_ + "/chat/completions"; }

  // The response body of one successful POST.
  std::string post(const GenerationRequest& request, int n) const {
    nlohmann::json body;
    body["model"] = model_;
    body["messages"] = nlohmann::json::array();
    for (const auto& m : request.messages) body["messages"].push_back(to_openai_json(m));
    if (!request.tools.empty()) body["tools"] = request.tools;
    body["temperature"] = request.params.temperature;
    body["top_p"] = request.params.top_p;
    body["max_tokens"] = request.params.max_tokens;
    if (n > 1) body["n"] = n;
    if (request.params.seed) body["seed"] = *request.params.seed + static_cast<uint64_t>(request.id.sample);
    if (!request.params.stop.empty()) body["stop"] = request.params.stop;
    const std::string payload = body.dump();

    std::string last_error;
    for (int attempt = 0; attempt <= max_retries_; ++attempt) {
      if (attempt > 0) {
        const int delay = backoff_ms_ * (1 << std::min(attempt - 1, 6));
        spdlog::warn("openai: {} for {}; retry {}/{} in {} ms", last_error, request.id.str(), attempt, max_retries_,
                     delay);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      }
      long status = 0;
      std::string response;
      const CURLcode rc = perform(payload, request.params.timeout_seconds, &status, &response);
      if (rc != CURLE_OK) {
        last_error = std::string("request failed: ") + curl_easy_strerror(rc);
        continue;
      }
      if (status == 429 || status >= 500) {
        last_error = "HTTP " + std::to_string(status) + ": " + response.substr(0, 300);
        continue;
      }
      if (status != 200) {
        throw Error(
            "openai backend: POST " + url() + " answered HTTP " + std::to_string(status) + ": " +
                response.substr(0, 500),
            status == 401 || status == 403 ? "set HRM_OPENAI_API_KEY" : "check the model name and the endpoint");
      }
      return response;
    }
    throw Error(
        "openai backend: POST " + url() + " failed after " + std::to_string(max_retries_ + 1) +
            " attempts: " + last_error,
        "is the server running? the spec is openai:<base_url>/<model>, e.g. openai:http://127.0.0.1:8080/v1/qwen");
  }

  CURLcode perform(const std::string& payload, double timeout_seconds, long* status, std::string* response) const {
    CURL* curl = curl_easy_init();
    if (!curl) return CURLE_FAILED_INIT;
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    if (!api_key_.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + api_key_).c_str());
    const std::string target = url();
    curl_easy_setopt(curl, CURLOPT_URL, target.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, response);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_seconds * 1000));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    const CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return rc;
  }

  nlohmann::json parse_response(const std::string& response) const {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(response);
    } catch (const std::exception& e) {
      throw Error("openai backend: " + url() + " answered invalid JSON: " + e.what() + ": " + response.substr(0, 300));
    }
    if (!j.contains("choices") || !j["choices"].is_array()) {
      throw Error("openai backend: " + url() + " answered without a 'choices' array: " + response.substr(0, 300));
    }
    return j;
  }

  std::vector<std::string> parse_choices(const std::string& response) const {
    const nlohmann::json j = parse_response(response);
    std::vector<std::string> out;
    for (const auto& choice : j["choices"]) {
      const auto msg = choice.find("message");
      if (msg != choice.end() && msg->contains("content") && (*msg)["content"].is_string()) {
        out.push_back((*msg)["content"].get<std::string>());
      } else {
        out.emplace_back();  // a null content (refusal, tool call) is an empty reply
      }
    }
    return out;
  }

  std::string base_url_, model_, api_key_;
  int max_retries_ = 4;
  int backoff_ms_ = 1000;
};

}  // namespace

// "<base_url>/<model>": the model is what follows "/v1/" when present (model names may contain '/',
// e.g. Qwen/Qwen2.5-Coder-7B), else the last path segment.
std::unique_ptr<ModelBackend> make_openai_backend(const std::string& argument) {
  const std::string usage = "use --model openai:<base_url>/<model>, e.g. openai:http://127.0.0.1:8080/v1/qwen2.5-coder";
  HRM_CHECK(argument.rfind("http://", 0) == 0 || argument.rfind("https://", 0) == 0,
            "openai spec '" + argument + "' does not start with http:// or https://", usage);
  std::string base, model;
  const auto v1 = argument.find("/v1/");
  if (v1 != std::string::npos) {
    base = argument.substr(0, v1 + 3);
    model = argument.substr(v1 + 4);
  } else {
    const auto slash = argument.rfind('/');
    const auto host_start = argument.find("://") + 3;
    HRM_CHECK(slash != std::string::npos && slash > host_start, "openai spec '" + argument + "' names no model", usage);
    base = argument.substr(0, slash);
    model = argument.substr(slash + 1);
  }
  HRM_CHECK(!model.empty(), "openai spec '" + argument + "' names no model", usage);
  return std::make_unique<OpenAIBackend>(base, model);
}

}  // namespace hrm::eval
