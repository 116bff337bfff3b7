// hrm::eval model backends — the one interface through which every benchmark (Polyglot, LiveCodeBench)
// asks a model for replies. A request carries the chat messages, the sampling parameters and an id
// (benchmark, task, try, sample) so that replay backends (predictions) and self-check backends
// (oracle) can answer without knowing the benchmark.
//
// Exports: ChatMessage (hrm::ChatMessage, util/chat_message.hpp), GenerationParams, RequestId, GenerationRequest,
// ModelBackend, BackendFactory, register_backend(), make_backend(), backend_schemes(). See docs/eval-backends.md.
//
// Specs understood by make_backend():
//   oracle                    replies with the request's reference_reply (the benchmark's reference
//                             solution, rendered by the benchmark in its own reply format)
//   stub                      replies with a fixed text that contains no code and no edits
//   predictions:<file.jsonl>  replays precomputed replies, one JSON object per line:
//                             {"task": "cpp/bob", "try": 1, "reply": "..."}  (or "replies": [...] for n>1)
//   openai:<base_url>/<model> any OpenAI-compatible chat endpoint: POST <base_url>/chat/completions,
//                             bearer key from $HRM_OPENAI_API_KEY if set, retries with backoff
// Other schemes (e.g. hrm:<checkpoint>) are added with register_backend() by the module that owns them.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hrm/util/chat_message.hpp"

namespace hrm::eval {

using hrm::ChatMessage;

struct GenerationParams {
  double temperature = 0.0;
  double top_p = 1.0;
  int max_tokens = 4096;
  int n = 1;                      // samples per request; generate() returns exactly n replies
  std::optional<uint64_t> seed;   // passed to backends that support it
  std::vector<std::string> stop;  // stop sequences
  double timeout_seconds = 600;   // per HTTP attempt (remote backends)
};

// Identifies a request independently of its text, e.g. {"polyglot", "cpp/bob", 2, 0}.
struct RequestId {
  std::string bench;        // "polyglot", "livecodebench"
  std::string task;         // exercise "<lang>/<slug>" or problem id
  int attempt = 1;          // try number, 1-based
  int sample = 0;           // first sample index of this request (for n > 1, samples are sample..sample+n-1)
  std::string str() const;  // "polyglot:cpp/bob#try1"
};

struct GenerationRequest {
  RequestId id;
  std::vector<ChatMessage> messages;
  GenerationParams params;
  // The reply a perfect model would give, when the benchmark has a reference solution (the oracle
  // backend's answer); benchmarks fill it only when the backend asks for it (needs_reference()).
  std::optional<std::string> reference_reply;
  // OpenAI function schemas the model may call (generate_turn only; empty: no tools).
  nlohmann::json tools = nlohmann::json::array();
};

// One assistant turn with its tool calls, and the token counts when the backend knows them (-1: unknown).
struct AssistantTurn {
  ChatMessage message;  // role "assistant"
  int64_t prompt_tokens = -1, completion_tokens = -1;
  // Set when the model wrote tool calls that could not be parsed (a local model's <|tool_call|> lines):
  // the error the model is shown; message.content then holds the whole generated text.
  std::string call_error;
};

class ModelBackend {
 public:
  virtual ~ModelBackend() = default;
  // Exactly request.params.n replies. Throws hrm::Error for failures the run cannot continue from
  // (unreachable server after all retries, missing file); a bad reply is a reply, not an error.
  virtual std::vector<std::string> generate(const GenerationRequest& request) = 0;
  // One assistant turn that may call request.tools (the agent runtime). The default answers with the text
  // of generate() and no calls, and throws hrm::Error when tools are offered to a backend that cannot
  // call them. Malformed calls are returned as they are (the runtime reports them to the model).
  virtual AssistantTurn generate_turn(const GenerationRequest& request);
  // For reports: "oracle", "stub", "predictions:runs/x.jsonl", "openai:http://host:8080/v1/qwen".
  virtual std::string name() const = 0;
  // True when generate() reads request.reference_reply (so the benchmark must fill it).
  virtual bool needs_reference() const { return false; }
  // False for backends that must be called one request at a time (e.g. a local GPU model).
  virtual bool thread_safe() const { return true; }
  // The newest date (YYYY-MM-DD) of the model's training data when the model records it (a local
  // checkpoint's train_state.json), else "". Benchmarks use it as the contamination cutoff unless the
  // user gives one (hrm-eval --train-cutoff).
  virtual std::string training_cutoff() const { return ""; }
};

// Makes a backend from the part of the spec after "<scheme>:" (empty when there is no colon).
using BackendFactory = std::function<std::unique_ptr<ModelBackend>(const std::string& argument)>;

// Adds (or replaces) a scheme. Thread-safe; typically called once from main or a static registrar.
void register_backend(const std::string& scheme, BackendFactory factory);
// Parses "<scheme>[:<argument>]" and builds the backend; throws hrm::Error naming the spec and the
// known schemes when the scheme is unknown or the argument is malformed.
std::unique_ptr<ModelBackend> make_backend(const std::string& spec);
// Known schemes, sorted (for --help and error messages).
std::vector<std::string> backend_schemes();

// The fixed reply of the stub backend.
extern const char* const kStubReply;

}  // namespace hrm::eval
