#include "hrm/rl/reward.hpp"

#include <algorithm>

#include "hrm/util/error.hpp"

namespace hrm::rl {

RewardConfig::Kind RewardConfig::parse_kind(const std::string& name, const std::string& where) {
  if (name == "binary") return Kind::kBinary;
  if (name == "fraction") return Kind::kFraction;
  throw Error(where + ": unknown reward kind '" + name + "'",
              "use binary (all tests pass) or fraction (share of tests passed)");
}

double reward(const Judgement& j, const RewardConfig& config) {
  double r = 0.0;
  if (j.tests_total > 0) {
    r = config.kind == RewardConfig::Kind::kBinary
            ? (j.tests_passed == j.tests_total ? 1.0 : 0.0)
            : static_cast<double>(j.tests_passed) / static_cast<double>(j.tests_total);
  }
  if (j.well_formed && j.compiled) r += config.format_weight;
  if (config.length_penalty > 0) {
    r -= config.length_penalty * static_cast<double>(std::max<int64_t>(0, j.response_tokens - config.length_budget));
  }
  return r - config.segment_cost * static_cast<double>(j.segments);
}

}  // namespace hrm::rl
