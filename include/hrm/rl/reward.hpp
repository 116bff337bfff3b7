// The reward of one sampled program, from what the sandbox said of it (rl/gspo.hpp uses it).
//   binary (default): 1 when every test passed, else 0
//   fraction:         tests passed / tests run
// plus format_weight when the reply held extractable code that compiled (a dense signal for models that
// still write malformed replies), minus length_penalty per response token beyond length_budget, minus
// segment_cost per ACT segment the reply was sampled with (the price of thinking longer; ACT-GSPO's
// halting head is trained towards pass - segment_cost * segments, gspo_update.hpp).
#pragma once
#include <cstdint>
#include <string>

namespace hrm::rl {

struct RewardConfig {
  enum class Kind { kBinary, kFraction };
  Kind kind = Kind::kBinary;
  double format_weight = 0.0;
  double length_penalty = 0.0;
  int64_t length_budget = 0;
  double segment_cost = 0.0;
  // "binary" | "fraction"; throws hrm::Error naming `where` on anything else.
  static Kind parse_kind(const std::string& name, const std::string& where);
};

struct Judgement {
  int64_t tests_passed = 0, tests_total = 0;
  bool well_formed = false;  // code could be extracted from the reply
  bool compiled = false;     // it compiled / imported without a syntax error
  int64_t response_tokens = 0;
  int64_t segments = 0;  // ACT segments per token the reply was sampled with (set by the stage, not the judge)
};

double reward(const Judgement& judgement, const RewardConfig& config);

}  // namespace hrm::rl
