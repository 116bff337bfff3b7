// pass@k against hand-computed values, group scoring, and LiveCodeBench's code extraction.
#include <gtest/gtest.h>

#include "hrm/eval/lcb_prompts.hpp"
#include "hrm/eval/lcb_score.hpp"
#include "hrm/util/error.hpp"

namespace lcb = hrm::eval::lcb;

TEST(LcbPassAtK, MatchesHandComputedValues) {
  EXPECT_DOUBLE_EQ(lcb::pass_at_k(10, 0, 1), 0.0);
  EXPECT_DOUBLE_EQ(lcb::pass_at_k(10, 3, 1), 0.3);
  EXPECT_DOUBLE_EQ(lcb::pass_at_k(10, 10, 5), 1.0);
  // 1 - C(7,5)/C(10,5) = 1 - 21/252 = 11/12
  EXPECT_NEAR(lcb::pass_at_k(10, 3, 5), 11.0 / 12.0, 1e-12);
  // 1 - C(4,2)/C(5,2) = 1 - 6/10
  EXPECT_NEAR(lcb::pass_at_k(5, 1, 2), 0.4, 1e-12);
  // n - c < k: certain
  EXPECT_DOUBLE_EQ(lcb::pass_at_k(5, 1, 5), 1.0);
  EXPECT_DOUBLE_EQ(lcb::pass_at_k(5, 0, 5), 0.0);
  EXPECT_THROW(lcb::pass_at_k(5, 6, 1), hrm::Error);
  EXPECT_THROW(lcb::pass_at_k(5, 1, 0), hrm::Error);
}

TEST(LcbPassAtK, ReportsOnlyKsEveryProblemSupportsAndGroups) {
  std::vector<lcb::ProblemOutcome> o{{"a", "easy", "atcoder", "2024-01-05T00:00:00", 10, 3},
                                     {"b", "hard", "leetcode", "2024-02-01T00:00:00", 10, 0},
                                     {"c", "easy", "leetcode", "2024-02-09T00:00:00", 4, 4}};
  EXPECT_EQ(lcb::reported_ks(o, {1, 5, 10}), std::vector<int>({1}));
  const auto groups = lcb::score_groups(o, {1, 5});
  ASSERT_EQ(groups[0].group, "all");
  EXPECT_EQ(groups[0].problems, 3);
  EXPECT_NEAR(groups[0].pass_at.at(1), (0.3 + 0.0 + 1.0) / 3, 1e-12);
  EXPECT_EQ(groups[0].pass_at.count(5), 0u);  // problem c has n = 4 < 5
  std::map<std::string, const lcb::GroupScore*> by;
  for (const auto& g : groups) by[g.group] = &g;
  ASSERT_TRUE(by.count("difficulty=easy") && by.count("difficulty=hard") && !by.count("difficulty=medium"));
  EXPECT_NEAR(by["difficulty=easy"]->pass_at.at(1), 0.65, 1e-12);
  EXPECT_NEAR(by["difficulty=hard"]->pass_at.at(5), 0.0, 1e-12);  // every hard problem has n >= 5
  EXPECT_NEAR(by["platform=leetcode"]->pass_at.at(1), 0.5, 1e-12);
  EXPECT_EQ(by["month=2024-02"]->problems, 2);
  EXPECT_EQ(by["month=2024-01"]->problems, 1);
}

TEST(LcbExtract, TakesTheLinesBetweenTheLastTwoFences) {
  EXPECT_EQ(lcb::extract_code("```python\nprint(1)\n```"), "print(1)");
  EXPECT_EQ(lcb::extract_code("a\n```python\nx = 1\n```\ntext\n```\ny = 2\nz = 3\n```\nbye"), "y = 2\nz = 3");
  EXPECT_EQ(lcb::extract_code("no code here"), "");
  EXPECT_EQ(lcb::extract_code("```python\nonly one fence"), "");
  EXPECT_EQ(lcb::extract_code("text ```inline``` text\nx\n  ```"), "x");  // any line containing ``` counts
  EXPECT_EQ(lcb::extract_code("```\n```"), "");
}

TEST(LcbExtract, TestOutputAndExecutionAnswers) {
  EXPECT_EQ(lcb::extract_test_output("x\nassert f(1) == 2\nassert f(2) == 3\nok"), "assert f(2) == 3");
  EXPECT_EQ(lcb::extract_test_output("```\nignored\n```\n```python\nf(1) == 2\n```"), "f(1) == 2");
  EXPECT_EQ(lcb::extract_test_output("nothing"), "");
  EXPECT_EQ(lcb::extract_execution_answer("[ANSWER]\nassert f(1) == 'ab'\n[/ANSWER]", false), "'ab'");
  EXPECT_EQ(lcb::extract_execution_answer("thinking...\n[ANSWER]\nassert f(x = 1) == [1, 2]\n[/ANSWER]", true),
            "[1, 2]");
  EXPECT_EQ(lcb::extract_execution_answer("assert f() == 5\nmore text", false), "5");
}

TEST(LcbPrompts, FollowLiveCodeBenchsGenericChatFormat) {
  lcb::Problem p;
  p.question_content = "Add two numbers.";
  auto m = lcb::codegen_messages(p);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].role, "system");
  EXPECT_EQ(m[1].content,
            "### Question:\nAdd two numbers.\n\n### Format: Read the inputs from stdin solve the problem and write the "
            "answer to stdout (do not directly test on the sample inputs). Enclose your code within delimiters as "
            "follows. Ensure that when the python program runs, it reads the inputs, runs the algorithm and writes "
            "output to STDOUT.\n```python\n# YOUR CODE HERE\n```\n\n### Answer: (use the provided format with "
            "backticks)\n\n");
  p.starter_code = "class Solution:\n    def f(self, x: int) -> int:\n        ";
  m = lcb::codegen_messages(p);
  EXPECT_NE(m[1].content.find("### Format: You will use the following starter code to write the solution to the "
                              "problem and enclose your code within delimiters.\n```python\nclass Solution:"),
            std::string::npos);
  EXPECT_TRUE(lcb::self_repair_messages("Q", "print(1)", R"({"execution time": 0.1})").empty());
  const auto r = lcb::self_repair_messages("Q", "print(1)",
                                           R"({"output": "1\n", "inputs": "2\n", "expected": "2\n", "error_code": -2,
                                               "error_message": "Wrong answer at output_line_idx=0: 1 != 2"})");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_NE(r[1].content.find("### Answer:\n```python\nprint(1)\n```\n\nThe above code is incorrect and got a wrong "
                              "answer.\nInput: 2\n\nGenerated Output: 1\n\nExpected: 2\n\n"),
            std::string::npos);
  const auto t = lcb::test_output_messages("P", "def f(a, b):\n    pass", "f", "1\n[2]");
  EXPECT_NE(t[1].content.find("```\nassert f(1, [2]) == # TODO\n```\n"), std::string::npos);
}
