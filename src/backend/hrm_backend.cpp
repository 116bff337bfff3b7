#include "hrm/backend/hrm_backend.hpp"

#include <spdlog/spdlog.h>

#include <map>

#include "hrm/infer/text_model.hpp"
#include "hrm/tokenizer/tool_call.hpp"
#include "hrm/util/error.hpp"

namespace hrm::backend {

using infer::ActOptions;
using infer::GenerateOptions;
using infer::TextModel;
using infer::TextModelOptions;

namespace {

struct BackendSpec {
  std::string dir;
  ActOptions act;
  TextModelOptions model;
};

int64_t parse_count(const std::string& key, const std::string& value) {
  size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  HRM_CHECK(used == value.size() && n >= 1, "'" + key + "=" + value + "' is not a positive integer");
  return n;
}

BackendSpec parse_spec(const std::string& argument) {
  const std::string usage = "use hrm:<checkpoint dir>[?act=fixed|adaptive&segments=N&dtype=float32|bfloat16]";
  HRM_CHECK(!argument.empty(), "model spec 'hrm' needs a checkpoint directory", usage);
  BackendSpec spec;
  const auto q = argument.find('?');
  spec.dir = argument.substr(0, q);
  HRM_CHECK(!spec.dir.empty(), "model spec 'hrm:" + argument + "' has no checkpoint directory", usage);
  if (q == std::string::npos) return spec;
  std::string rest = argument.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string item = rest.substr(0, amp);
    rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
    const auto eq = item.find('=');
    HRM_CHECK(eq != std::string::npos, "option '" + item + "' is not key=value", usage);
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "act") {
      HRM_CHECK(value == "fixed" || value == "adaptive", "act must be fixed or adaptive (got '" + value + "')", usage);
      spec.act.adaptive = value == "adaptive";
    } else if (key == "segments") {
      spec.act.segments = parse_count(key, value);
    } else if (key == "dtype") {
      HRM_CHECK(value == "float32" || value == "bfloat16", "dtype must be float32 or bfloat16 (got '" + value + "')",
                usage);
      spec.model.dtype = value == "float32" ? torch::kFloat32 : torch::kBFloat16;
    } else {
      throw Error("unknown option '" + key + "'", usage);
    }
  }
  return spec;
}

class HrmBackend : public eval::ModelBackend {
 public:
  HrmBackend(const std::string& argument, BackendSpec spec)
      : name_("hrm:" + argument), act_(spec.act), model_(TextModel::load(spec.dir, spec.model)) {
    spdlog::info("{}: {} parameters, seq_len {}, {} attention", name_, count_parameters(model_.decoder().model()),
                 model_.config().seq_len, to_string(model_.config().attention));
  }

  std::string training_cutoff() const override { return model_.data_cutoff(); }

  std::vector<std::string> generate(const eval::GenerationRequest& request) override {
    const auto& p = request.params;
    GenerateOptions options;
    options.samples = std::max(1, p.n);
    options.act = act_;
    options.sampling.temperature = p.temperature;
    options.sampling.top_p = p.top_p;
    options.sampling.max_new_tokens = std::max(1, p.max_tokens);
    options.sampling.seed = p.seed.value_or(0) + static_cast<uint64_t>(request.id.sample);
    options.stop_sequences = p.stop;
    const std::vector<ChatMessage>& conversation = request.messages;
    const auto prompt_tokens = static_cast<int64_t>(model_.encode(conversation).size());
    if (prompt_tokens >= model_.config().seq_len) {
      spdlog::warn(
          "{}: the prompt of {} has {} tokens, more than the model's context of {}; replying with {} empty replies",
          name_, request.id.str(), prompt_tokens, model_.config().seq_len, options.samples);
      return std::vector<std::string>(static_cast<size_t>(options.samples));
    }
    auto result = with_context(name_ + ": request " + request.id.str(),
                               [&] { return model_.generate_chat({conversation}, options); });
    std::vector<std::string> replies;
    for (auto& c : result.completions) replies.push_back(std::move(c.text));
    return replies;
  }

  // Tool calling through the chat template: the tools are described in the system prompt, the reply's
  // <|tool_call|> lines are parsed strictly (tool_call.hpp); a parse error goes back to the model.
  eval::AssistantTurn generate_turn(const eval::GenerationRequest& request) override {
    eval::GenerationRequest one = request;
    one.params.n = 1;
    one.messages = with_tools_system_prompt(std::move(one.messages), request.tools);
    eval::AssistantTurn turn;
    turn.message = {"assistant", generate(one).at(0)};
    if (request.tools.empty()) return turn;
    try {
      auto parsed = parse_tool_calls(turn.message.content);
      turn.message.content = parsed.content;
      turn.message.tool_calls = std::move(parsed.calls);
    } catch (const Error& e) {
      turn.call_error = e.describe();
    }
    return turn;
  }

  std::string name() const override { return name_; }
  bool thread_safe() const override { return false; }

 private:
  std::string name_;
  ActOptions act_;
  TextModel model_;
};

}  // namespace

std::unique_ptr<eval::ModelBackend> make_hrm_backend(const std::string& argument) {
  return std::make_unique<HrmBackend>(argument, parse_spec(argument));
}

void register_hrm_backend() { eval::register_backend("hrm", make_hrm_backend); }

}  // namespace hrm::backend
