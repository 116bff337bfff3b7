// The agent models: scripted policies (oracle, submit, random), transcript replay, and the adapter to
// every hrm::eval backend.
#include "hrm/agent/model.hpp"

#include <fstream>
#include <map>
#include <random>

#include "hrm/util/error.hpp"

namespace hrm::agent {

using json = nlohmann::json;

namespace {

eval::AssistantTurn calls_turn(const std::string& text, std::vector<ToolCall> calls) {
  eval::AssistantTurn t;
  t.message = {"assistant", text};
  t.message.tool_calls = std::move(calls);
  return t;
}

class OracleModel : public AgentModel {
 public:
  eval::AssistantTurn next_turn(const TurnRequest& r) override {
    const auto& ref = r.task->reference;
    if (static_cast<size_t>(r.turn) >= ref.size()) return calls_turn("Done.", {});
    const auto& c = ref[static_cast<size_t>(r.turn)];
    return calls_turn("", {{"call_" + std::to_string(r.turn + 1), c.name, c.arguments.dump()}});
  }
  std::string name() const override { return "oracle"; }
};

class SubmitModel : public AgentModel {
 public:
  eval::AssistantTurn next_turn(const TurnRequest&) override { return calls_turn("", {{"call_1", "submit", "{}"}}); }
  std::string name() const override { return "submit"; }
};

// Valid calls that look around but change nothing that matters, then submit.
class RandomModel : public AgentModel {
 public:
  explicit RandomModel(uint64_t seed) : seed_(seed) {}
  eval::AssistantTurn next_turn(const TurnRequest& r) override {
    std::seed_seq seq{seed_, static_cast<uint64_t>(std::hash<std::string>()(r.task->id)),
                      static_cast<uint64_t>(r.turn)};
    std::mt19937_64 rng(seq);
    const std::string id = "call_" + std::to_string(r.turn + 1);
    if (r.turn >= 2 + static_cast<int>(rng() % 4)) return calls_turn("", {{id, "submit", "{}"}});
    static const std::vector<std::string> commands = {
        "ls -la", "git status", "git log --oneline | head", "pwd", "cat /etc/os-release | head -2", "wc -l $(ls)"};
    std::vector<std::string> files;
    for (const auto& [path, text] : r.task->files) files.push_back(path);
    json args;
    std::string tool;
    switch (rng() % 4) {
      case 0:
        tool = "list_files";
        args = json::object();
        break;
      case 1:
        tool = "bash";
        args = {{"command", commands[rng() % commands.size()]}};
        break;
      case 2:
        tool = "write_file";
        args = {{"path", "notes-" + std::to_string(rng() % 1000) + ".txt"}, {"content", std::to_string(rng()) + "\n"}};
        break;
      default:
        tool = files.empty() ? "list_files" : "read_file";
        args = files.empty() ? json::object() : json{{"path", files[rng() % files.size()]}};
    }
    return calls_turn("", {{id, tool, args.dump()}});
  }
  std::string name() const override { return "random:" + std::to_string(seed_); }

 private:
  uint64_t seed_;
};

// The assistant messages of each task's transcript (a line of transcripts.jsonl, see episode.hpp).
class ReplayModel : public AgentModel {
 public:
  explicit ReplayModel(std::string path) : path_(std::move(path)) {
    std::ifstream in(path_);
    if (!in)
      throw Error("replay: cannot open '" + path_ + "'",
                  "give replay:<transcripts.jsonl> from an hrm-eval --bench tools run");
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = path_ + ":" + std::to_string(n);
      json j;
      try {
        j = json::parse(line);
      } catch (const std::exception& e) {
        throw Error(where + ": not valid JSON: " + e.what());
      }
      HRM_CHECK(j.is_object() && j.contains("task") && j["task"].is_string() && j.contains("messages") &&
                    j["messages"].is_array(),
                where + ": a transcript line needs 'task' and 'messages'");
      auto& turns = turns_[j["task"].get<std::string>()];
      for (size_t i = 0; i < j["messages"].size(); ++i) {
        auto m = chat_message_from_json(j["messages"][i], where + ": messages[" + std::to_string(i) + "]");
        if (m.role == "assistant") turns.push_back(std::move(m));
      }
    }
  }
  eval::AssistantTurn next_turn(const TurnRequest& r) override {
    const auto it = turns_.find(r.task->id);
    if (it == turns_.end() || static_cast<size_t>(r.turn) >= it->second.size()) return calls_turn("", {});
    eval::AssistantTurn t;
    t.message = it->second[static_cast<size_t>(r.turn)];
    return t;
  }
  std::string name() const override { return "replay:" + path_; }

 private:
  std::string path_;
  std::map<std::string, std::vector<ChatMessage>> turns_;
};

class BackendModel : public AgentModel {
 public:
  BackendModel(std::unique_ptr<eval::ModelBackend> backend, eval::GenerationParams params)
      : backend_(std::move(backend)), params_(std::move(params)) {
    params_.n = 1;
  }
  eval::AssistantTurn next_turn(const TurnRequest& r) override {
    eval::GenerationRequest request;
    request.id = {"tools", r.task->id, r.turn + 1, 0};
    request.messages = r.messages;
    request.params = params_;
    request.tools = r.tools;
    return backend_->generate_turn(request);
  }
  std::string name() const override { return backend_->name(); }
  bool thread_safe() const override { return backend_->thread_safe(); }

 private:
  std::unique_ptr<eval::ModelBackend> backend_;
  eval::GenerationParams params_;
};

}  // namespace

eval::AssistantTurn SerializedModel::next_turn(const TurnRequest& request) {
  if (inner_.thread_safe()) return inner_.next_turn(request);
  std::lock_guard<std::mutex> lock(mu_);
  return inner_.next_turn(request);
}

std::unique_ptr<AgentModel> make_agent_model(const std::string& spec, const eval::GenerationParams& params) {
  if (spec == "oracle") return std::make_unique<OracleModel>();
  if (spec == "submit") return std::make_unique<SubmitModel>();
  if (spec == "random" || spec.rfind("random:", 0) == 0) {
    const std::string seed = spec.size() > 7 ? spec.substr(7) : "0";
    try {
      return std::make_unique<RandomModel>(std::stoull(seed));
    } catch (const std::exception&) {
      throw Error("model spec '" + spec + "': the seed must be an integer", "use random or random:<seed>");
    }
  }
  if (spec.rfind("replay:", 0) == 0) return std::make_unique<ReplayModel>(spec.substr(7));
  return std::make_unique<BackendModel>(eval::make_backend(spec), params);
}

}  // namespace hrm::agent
