// RolloutJudge — rewards for sampled LiveCodeBench-format programs: extracts the code of each reply as
// LiveCodeBench does, judges every new (problem, reply) in the sandbox in one batch (lcb_judge.hpp), and
// caches verdicts by a hash of (problem id, reply), so a reply sampled again costs nothing.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "hrm/eval/lcb_judge.hpp"
#include "hrm/rl/reward.hpp"

namespace hrm::rl {

struct Rollout {
  const eval::lcb::Problem* problem = nullptr;
  std::string reply;
  int64_t response_tokens = 0;
};

struct JudgeStats {
  int64_t judged = 0, cached = 0;
  double seconds = 0;
};

class RolloutJudge {
 public:
  explicit RolloutJudge(eval::lcb::JudgeOptions options) : options_(std::move(options)) {}
  // One Judgement per rollout, in order. Blocking; safe to run on another thread than the model's.
  std::vector<Judgement> judge(const std::vector<Rollout>& rollouts, JudgeStats* stats = nullptr);

 private:
  const std::vector<eval::lcb::Test>& tests_of(const eval::lcb::Problem& problem);
  eval::lcb::JudgeOptions options_;
  std::unordered_map<std::string, std::vector<eval::lcb::Test>> tests_;  // by question_id
  std::unordered_map<uint64_t, Judgement> cache_;
};

// The Judgement of one judged sample (tests passed until the first failure; a failure before any test
// ran, i.e. at compile/load time, is not `compiled`).
Judgement judgement_of(const eval::lcb::SampleResult& result, int64_t tests_total, bool well_formed,
                       int64_t response_tokens);

}  // namespace hrm::rl
