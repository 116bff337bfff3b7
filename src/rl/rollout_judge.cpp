#include "hrm/rl/rollout_judge.hpp"

#include <chrono>
#include <functional>

#include "hrm/eval/lcb_score.hpp"

namespace hrm::rl {

Judgement judgement_of(const eval::lcb::SampleResult& result, int64_t tests_total, bool well_formed,
                       int64_t response_tokens) {
  Judgement j;
  j.tests_total = tests_total;
  j.well_formed = well_formed;
  j.response_tokens = response_tokens;
  for (const auto& r : result.results) j.tests_passed += (r.is_boolean() && r.get<bool>()) ? 1 : 0;
  const bool failed_before_tests =
      result.results.size() == 1 && !result.results[0].is_boolean() && !result.metadata.contains("inputs");
  j.compiled = well_formed && !failed_before_tests;
  return j;
}

const std::vector<eval::lcb::Test>& RolloutJudge::tests_of(const eval::lcb::Problem& problem) {
  auto it = tests_.find(problem.question_id);
  if (it == tests_.end()) it = tests_.emplace(problem.question_id, eval::lcb::problem_tests(problem)).first;
  return it->second;
}

std::vector<Judgement> RolloutJudge::judge(const std::vector<Rollout>& rollouts, JudgeStats* stats) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Judgement> out(rollouts.size());
  std::vector<bool> filled(rollouts.size(), false);
  std::vector<uint64_t> keys(rollouts.size());
  // New (problem, reply) pairs grouped by problem: one JudgeItem per problem.
  std::unordered_map<std::string, size_t> item_of;
  std::vector<std::vector<std::string>> codes;
  std::vector<std::vector<size_t>> owners;  // rollout indices of each item's codes
  std::vector<const eval::lcb::Problem*> problems;
  std::unordered_map<uint64_t, std::pair<size_t, size_t>> pending;  // key -> (item, code index)
  int64_t cached = 0;
  for (size_t i = 0; i < rollouts.size(); ++i) {
    const auto& r = rollouts[i];
    keys[i] = std::hash<std::string>{}(r.problem->question_id + '\x1f' + r.reply);
    if (auto c = cache_.find(keys[i]); c != cache_.end()) {
      out[i] = c->second;
      out[i].response_tokens = r.response_tokens;
      filled[i] = true;
      ++cached;
      continue;
    }
    if (pending.count(keys[i])) {  // same reply twice in this batch: judged once
      ++cached;
      continue;
    }
    auto [it, added] = item_of.emplace(r.problem->question_id, problems.size());
    if (added) {
      problems.push_back(r.problem);
      codes.emplace_back();
      owners.emplace_back();
    }
    pending[keys[i]] = {it->second, codes[it->second].size()};
    codes[it->second].push_back(eval::lcb::extract_code(r.reply));
    owners[it->second].push_back(i);
  }
  std::vector<eval::lcb::JudgeItem> items;
  for (size_t k = 0; k < problems.size(); ++k) items.push_back({problems[k], &tests_of(*problems[k]), &codes[k], {}});
  if (!items.empty()) eval::lcb::judge_batch(items, options_);
  for (size_t k = 0; k < items.size(); ++k) {
    for (size_t c = 0; c < codes[k].size(); ++c) {
      const size_t i = owners[k][c];
      const auto j = judgement_of(items[k].results[c], static_cast<int64_t>(tests_of(*problems[k]).size()),
                                  !codes[k][c].empty(), rollouts[i].response_tokens);
      cache_[keys[i]] = j;
    }
  }
  for (size_t i = 0; i < rollouts.size(); ++i) {
    if (filled[i]) continue;
    out[i] = cache_.at(keys[i]);
    out[i].response_tokens = rollouts[i].response_tokens;
  }
  if (stats) {
    stats->judged += static_cast<int64_t>(pending.size());
    stats->cached += cached;
    stats->seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return out;
}

}  // namespace hrm::rl
