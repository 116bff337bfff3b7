// The backend registry and the local backends: oracle, stub, predictions. The openai backend lives in
// openai_backend.cpp and registers through the same table.
#include "hrm/eval/model_backend.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "hrm/util/error.hpp"

namespace hrm::eval {

const char* const kStubReply = "I have no changes to make.\n";

std::string RequestId::str() const {
  return bench + ":" + task + "#try" + std::to_string(attempt) + (sample ? "/s" + std::to_string(sample) : "");
}

AssistantTurn ModelBackend::generate_turn(const GenerationRequest& request) {
  if (!request.tools.empty()) {
    throw Error("model backend '" + name() + "' cannot call tools",
                "use a backend with tool calling: openai:<url>/<model>, hrm:<checkpoint>, oracle or replay:<file>");
  }
  GenerationRequest one = request;
  one.params.n = 1;
  AssistantTurn turn;
  turn.message = {"assistant", generate(one).at(0)};
  return turn;
}

namespace {

class OracleBackend : public ModelBackend {
 public:
  std::vector<std::string> generate(const GenerationRequest& request) override {
    if (!request.reference_reply) {
      throw Error("oracle backend: request " + request.id.str() + " carries no reference solution",
                  "the benchmark did not fill GenerationRequest::reference_reply; oracle works only on "
                  "benchmarks with reference solutions");
    }
    return std::vector<std::string>(std::max(1, request.params.n), *request.reference_reply);
  }
  std::string name() const override { return "oracle"; }
  bool needs_reference() const override { return true; }
};

class StubBackend : public ModelBackend {
 public:
  std::vector<std::string> generate(const GenerationRequest& request) override {
    return std::vector<std::string>(std::max(1, request.params.n), kStubReply);
  }
  std::string name() const override { return "stub"; }
};

// Replies keyed by (task, try); each key holds the replies for samples 0, 1, ...
class PredictionsBackend : public ModelBackend {
 public:
  explicit PredictionsBackend(std::string path) : path_(std::move(path)) {
    std::ifstream in(path_);
    if (!in) throw Error("predictions backend: cannot open '" + path_ + "'", "give predictions:<file.jsonl>");
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = path_ + ":" + std::to_string(line_no);
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const std::exception& e) {
        throw Error(where + ": not a JSON object: " + e.what(), "one JSON object per line");
      }
      if (!j.is_object() || !j.contains("task") || !j["task"].is_string()) {
        throw Error(where + ": missing string field 'task'",
                    R"(expected {"task": "cpp/bob", "try": 1, "reply": "..."})");
      }
      const int attempt = j.value("try", 1);
      std::vector<std::string> replies;
      if (j.contains("reply")) {
        if (!j["reply"].is_string()) throw Error(where + ": 'reply' must be a string");
        replies.push_back(j["reply"].get<std::string>());
      } else if (j.contains("replies")) {
        if (!j["replies"].is_array()) throw Error(where + ": 'replies' must be an array of strings");
        for (const auto& r : j["replies"]) {
          if (!r.is_string()) throw Error(where + ": 'replies' must be an array of strings");
          replies.push_back(r.get<std::string>());
        }
      } else {
        throw Error(where + ": missing 'reply' (or 'replies')");
      }
      for (const auto& key : j.items()) {
        static const std::set<std::string> known = {"task", "try", "reply", "replies", "bench"};
        if (!known.count(key.key()))
          throw Error(where + ": unknown field '" + key.key() + "'", "known: task, try, reply, replies, bench");
      }
      auto& slot = replies_[{j["task"].get<std::string>(), attempt}];
      slot.insert(slot.end(), replies.begin(), replies.end());
    }
    spdlog::info("predictions: {} replies for {} (task, try) pairs from {}", count(), replies_.size(), path_);
  }

  std::vector<std::string> generate(const GenerationRequest& request) override {
    const int n = std::max(1, request.params.n);
    std::vector<std::string> out;
    const auto it = replies_.find({request.id.task, request.id.attempt});
    for (int i = 0; i < n; ++i) {
      const size_t index = static_cast<size_t>(request.id.sample + i);
      if (it != replies_.end() && index < it->second.size()) {
        out.push_back(it->second[index]);
      } else {
        // A missing prediction is an empty reply (no edits): the case fails, the run goes on.
        std::lock_guard<std::mutex> lock(mu_);
        if (missing_.insert(request.id.str()).second) {
          spdlog::warn("predictions: no reply for {} in {}; using an empty reply", request.id.str(), path_);
        }
        out.emplace_back();
      }
    }
    return out;
  }
  std::string name() const override { return "predictions:" + path_; }

 private:
  size_t count() const {
    size_t n = 0;
    for (const auto& [key, v] : replies_) n += v.size();
    return n;
  }
  std::string path_;
  std::map<std::pair<std::string, int>, std::vector<std::string>> replies_;
  std::mutex mu_;
  std::set<std::string> missing_;
};

struct Registry {
  std::mutex mu;
  std::map<std::string, BackendFactory> factories;
};

}  // namespace

// Defined in openai_backend.cpp.
std::unique_ptr<ModelBackend> make_openai_backend(const std::string& argument);

static Registry& registry() {
  static Registry* r = [] {
    auto* reg = new Registry;
    reg->factories["oracle"] = [](const std::string& arg) -> std::unique_ptr<ModelBackend> {
      HRM_CHECK(arg.empty(), "model spec 'oracle:" + arg + "': oracle takes no argument", "use --model oracle");
      return std::make_unique<OracleBackend>();
    };
    reg->factories["stub"] = [](const std::string& arg) -> std::unique_ptr<ModelBackend> {
      HRM_CHECK(arg.empty(), "model spec 'stub:" + arg + "': stub takes no argument", "use --model stub");
      return std::make_unique<StubBackend>();
    };
    reg->factories["predictions"] = [](const std::string& arg) -> std::unique_ptr<ModelBackend> {
      HRM_CHECK(!arg.empty(), "model spec 'predictions' needs a file", "use --model predictions:<file.jsonl>");
      return std::make_unique<PredictionsBackend>(arg);
    };
    reg->factories["openai"] = make_openai_backend;
    return reg;
  }();
  return *r;
}

void register_backend(const std::string& scheme, BackendFactory factory) {
  auto& reg = registry();
  std::lock_guard<std::mutex> lock(reg.mu);
  reg.factories[scheme] = std::move(factory);
}

std::vector<std::string> backend_schemes() {
  auto& reg = registry();
  std::lock_guard<std::mutex> lock(reg.mu);
  std::vector<std::string> out;
  for (const auto& [name, f] : reg.factories) out.push_back(name);
  return out;
}

std::unique_ptr<ModelBackend> make_backend(const std::string& spec) {
  const auto colon = spec.find(':');
  const std::string scheme = spec.substr(0, colon);
  const std::string argument = colon == std::string::npos ? "" : spec.substr(colon + 1);
  BackendFactory factory;
  {
    auto& reg = registry();
    std::lock_guard<std::mutex> lock(reg.mu);
    const auto it = reg.factories.find(scheme);
    if (it != reg.factories.end()) factory = it->second;
  }
  if (!factory) {
    std::string known;
    for (const auto& s : backend_schemes()) known += (known.empty() ? "" : ", ") + s;
    throw Error("unknown model backend '" + spec + "'", "known schemes: " + known +
                                                            " (e.g. oracle, stub, predictions:replies.jsonl, "
                                                            "openai:http://127.0.0.1:8080/v1/<model>)");
  }
  return with_context("model backend '" + spec + "'", [&] { return factory(argument); });
}

}  // namespace hrm::eval
