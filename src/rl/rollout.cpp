#include "hrm/rl/rollout.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <random>

#include "hrm/eval/lcb_prompts.hpp"
#include "hrm/infer/decoder.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/tokenizer/chat_template.hpp"
#include "hrm/util/error.hpp"

namespace hrm::rl {

namespace fs = std::filesystem;

int64_t Policy::vocab() const { return tokenizer->vocab_size(); }

Policy load_policy(const std::string& dir) {
  Policy p;
  p.dir = dir;
  const auto tok_path = fs::path(dir) / "tokenizer.model";
  HRM_CHECK(fs::exists(tok_path), "policy checkpoint '" + dir + "' has no tokenizer.model",
            "start GSPO from a text checkpoint written by an sft stage of hrm-train");
  const auto meta = read_checkpoint_meta(dir);
  HRM_CHECK(meta.config.attention != AttentionMode::kBidirectional,
            "policy checkpoint '" + dir + "' is a bidirectional (puzzle) model",
            "GSPO needs a causal or prefix-LM text model");
  p.tokenizer = std::make_unique<Tokenizer>(Tokenizer::load(tok_path));
  HRM_CHECK(p.vocab() <= meta.config.vocab_size,
            "policy checkpoint '" + dir + "': its tokenizer has " + std::to_string(p.vocab()) +
                " ids, more than the model's vocab_size " + std::to_string(meta.config.vocab_size),
            "the checkpoint's tokenizer.model must be the one the model was trained with");
  p.model = HRMInner(meta.config);
  load_checkpoint(dir, *p.model);
  return p;
}

PromptSet load_prompts(const std::string& path, const Tokenizer& tokenizer, int64_t seq_len) {
  PromptSet set;
  size_t too_long = 0;
  for (auto& p : eval::lcb::load_problems(path)) {
    std::vector<ChatMessage> chat;
    for (const auto& m : eval::lcb::codegen_messages(p)) chat.push_back({m.role, m.content});
    auto ids = encode_prompt(tokenizer, chat);
    if (static_cast<int64_t>(ids.size()) + 2 > seq_len) {
      ++too_long;
      continue;
    }
    set.ids.push_back(std::move(ids));
    set.problems.push_back(std::move(p));
  }
  if (too_long)
    spdlog::warn("{}: {} problems skipped: their prompts leave no room in seq_len {}", path, too_long, seq_len);
  HRM_CHECK(!set.problems.empty(), "'" + path + "' has no usable problems", "check the file and the model's seq_len");
  return set;
}

std::vector<int32_t> sampled_tokens(const infer::Completion& completion) {
  auto tokens = completion.tokens;
  if (completion.finish == infer::FinishReason::kStopToken) {
    HRM_CHECK(completion.stop_token >= 0, "a completion that ended at a stop token does not say which");
    tokens.push_back(completion.stop_token);
  }
  return tokens;
}

namespace {

// The ACT segments each chosen prompt is decoded with: 0 = the Q head decides (adaptive), k = fixed k.
// Exploration gives a share of prompts a random count, so that the Q head also sees the outcome of
// halting where it would not have halted (as HRM's halt_exploration_prob).
std::vector<int64_t> segment_plan(const std::vector<size_t>& chosen, const RolloutOptions& o) {
  std::vector<int64_t> plan(chosen.size(), o.adaptive ? 0 : o.segments);
  if (!o.adaptive || o.exploration <= 0) return plan;
  std::mt19937_64 rng(o.seed ^ 0x5eedf00dULL);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::uniform_int_distribution<int64_t> count(1, o.segments);
  for (auto& p : plan) {
    if (coin(rng) < o.exploration) p = count(rng);
  }
  return plan;
}

}  // namespace

Sampled sample_rollouts(Policy& policy, const PromptSet& set, const std::vector<size_t>& chosen,
                        const RolloutOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  infer::Decoder decoder(*policy.model);
  const auto& tok = *policy.tokenizer;
  const auto plan = segment_plan(chosen, o);
  std::map<int64_t, std::vector<size_t>> by_mode;  // segments mode -> positions in `chosen`
  for (size_t i = 0; i < chosen.size(); ++i) by_mode[plan[i]].push_back(i);

  std::vector<infer::Completion> completions(chosen.size() * static_cast<size_t>(o.samples));
  for (const auto& [mode, positions] : by_mode) {
    infer::GenerateOptions g;
    g.sampling.temperature = o.temperature;
    g.sampling.seed = o.seed;
    g.sampling.max_new_tokens = o.max_new_tokens;
    g.act.adaptive = mode == 0;
    g.act.segments = mode == 0 ? o.segments : mode;
    g.samples = o.samples;
    g.stop_tokens = {tok::kEndId, tok::kEosId};
    g.vocab_limit = policy.vocab();
    std::vector<std::vector<int32_t>> prompts;
    for (size_t i : positions) prompts.push_back(set.ids[chosen[i]]);
    auto result = infer::generate(decoder, prompts, g, [&](int32_t id) { return tok.decode(&id, 1); });
    for (size_t c = 0; c < result.completions.size(); ++c) {
      const size_t at = positions[c / static_cast<size_t>(o.samples)] * static_cast<size_t>(o.samples) +
                        c % static_cast<size_t>(o.samples);
      completions[at] = std::move(result.completions[c]);
    }
  }
  Sampled s;
  for (size_t c = 0; c < completions.size(); ++c) {
    const size_t p = chosen[c / static_cast<size_t>(o.samples)];
    auto response = sampled_tokens(completions[c]);
    s.prompt_of.push_back(p);
    s.rollouts.push_back({&set.problems[p], completions[c].text, static_cast<int64_t>(response.size())});
    s.responses.push_back(std::move(response));
    s.segments.push_back(completions[c].segments);
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

}  // namespace hrm::rl
