// The model side of an episode: something that, given the conversation so far and the tools, answers
// with one assistant turn (text and/or tool calls).
//
// Specs understood by make_agent_model():
//   oracle                   the task's reference trajectory, one call per turn (the suite's self-check)
//   replay:<transcripts.jsonl>  the assistant turns of a previous run's transcripts, in order, per task
//   submit                   calls submit at once (a baseline that must score 0%)
//   random[:<seed>]          random valid calls (list, read, harmless commands, notes), then submit
//                            (a baseline that should score ~0%)
//   anything else            an hrm::eval backend (openai:<url>/<model>, hrm:<checkpoint>, ...) through
//                            ModelBackend::generate_turn with the tools attached
//
// Exports: TurnRequest, AgentModel, SerializedModel, make_agent_model().
#pragma once
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/agent/task.hpp"
#include "hrm/eval/model_backend.hpp"

namespace hrm::agent {

struct TurnRequest {
  const Task* task = nullptr;
  std::vector<ChatMessage> messages;  // system, user, then the episode so far
  nlohmann::json tools;               // the OpenAI schemas of the task's tools
  int turn = 0;                       // 0-based
};

class AgentModel {
 public:
  virtual ~AgentModel() = default;
  // Throws hrm::Error when the model cannot answer at all (unreachable server); a bad answer is an answer.
  virtual eval::AssistantTurn next_turn(const TurnRequest& request) = 0;
  virtual std::string name() const = 0;
  virtual bool thread_safe() const { return true; }
};

// One model shared by parallel episodes: calls are serialized when the model is not thread-safe.
class SerializedModel : public AgentModel {
 public:
  explicit SerializedModel(AgentModel& inner) : inner_(inner) {}
  eval::AssistantTurn next_turn(const TurnRequest& request) override;
  std::string name() const override { return inner_.name(); }

 private:
  AgentModel& inner_;
  std::mutex mu_;
};

std::unique_ptr<AgentModel> make_agent_model(const std::string& spec, const eval::GenerationParams& params);

}  // namespace hrm::agent
