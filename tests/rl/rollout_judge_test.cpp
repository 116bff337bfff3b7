#include "hrm/rl/rollout_judge.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace {

hrm::eval::lcb::Problem sum_problem() {
  const nlohmann::json tests = nlohmann::json::array({{{"input", "1 2\n"}, {"output", "3\n"}, {"testtype", "stdin"}},
                                                      {{"input", "5 5\n"}, {"output", "10\n"}, {"testtype", "stdin"}}});
  const auto row = nlohmann::json{{"question_title", "Sum"},   {"question_content", "Print A+B."},
                                  {"platform", "atcoder"},     {"question_id", "sum"},
                                  {"contest_id", "t"},         {"contest_date", "2025-01-01T00:00:00"},
                                  {"starter_code", ""},        {"difficulty", "easy"},
                                  {"public_test_cases", "[]"}, {"private_test_cases", tests.dump()},
                                  {"metadata", "{}"}};
  return hrm::eval::lcb::parse_problem(row.dump(), "test:1");
}

std::string reply(const std::string& code) { return "Here:\n```python\n" + code + "\n```\n"; }

TEST(RolloutJudge, JudgesInTheSandboxAndCachesRepeats) {
  const auto problem = sum_problem();
  hrm::rl::RolloutJudge judge({});
  const std::vector<hrm::rl::Rollout> rollouts = {
      {&problem, reply("a, b = map(int, input().split())\nprint(a + b)"), 10},
      {&problem, reply("a, b = map(int, input().split())\nprint(a * b if a == 1 else a + b)"), 12},  // 1st test fails
      {&problem, reply("def broken(:\n  pass"), 5},
      {&problem, "no code at all", 3},
      {&problem, reply("a, b = map(int, input().split())\nprint(a + b)"), 10}};
  hrm::rl::JudgeStats stats;
  const auto j = judge.judge(rollouts, &stats);
  ASSERT_EQ(j.size(), 5u);
  EXPECT_EQ(j[0].tests_passed, 2);
  EXPECT_EQ(j[0].tests_total, 2);
  EXPECT_TRUE(j[0].compiled);
  EXPECT_EQ(j[1].tests_passed, 0);  // stops at the first failing test
  EXPECT_TRUE(j[1].compiled);
  EXPECT_FALSE(j[2].compiled);
  EXPECT_TRUE(j[2].well_formed);
  EXPECT_FALSE(j[3].well_formed);
  EXPECT_EQ(j[4].tests_passed, 2);
  EXPECT_EQ(stats.judged, 4);
  EXPECT_EQ(stats.cached, 1);
  const auto again = judge.judge({rollouts[1]}, &stats);
  EXPECT_EQ(stats.cached, 2);
  EXPECT_EQ(again[0].tests_passed, 0);
  EXPECT_EQ(again[0].response_tokens, 12);
}

}  // namespace
