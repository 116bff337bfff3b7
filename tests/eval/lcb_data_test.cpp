// Loading code_generation_lite rows: releases, filters, encoded private tests, and row errors that
// name file:line and the field.
#include <gtest/gtest.h>

#include <fstream>

#include "hrm/eval/lcb_data.hpp"
#include "hrm/util/error.hpp"

namespace lcb = hrm::eval::lcb;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(HRM_SOURCE_DIR) / "data/lcb-fixtures";

std::vector<std::string> ids(const std::vector<lcb::Problem>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.question_id);
  return out;
}

std::string load_error(const std::string& line) {
  const fs::path f = fs::path(HRM_BINARY_DIR) / "lcb_bad_row.jsonl";
  std::ofstream(f) << "\n" << line << "\n";
  try {
    lcb::load_problems(f);
  } catch (const hrm::Error& e) {
    return e.message();
  }
  return "";
}

}  // namespace

TEST(LcbData, ReleasesAreCumulative) {
  EXPECT_EQ(lcb::release_files("v1"), std::vector<std::string>({"test.jsonl"}));
  EXPECT_EQ(lcb::release_files("release_v3"), std::vector<std::string>({"test.jsonl", "test2.jsonl", "test3.jsonl"}));
  EXPECT_EQ(lcb::release_files("release_latest").size(), 6u);
  EXPECT_THROW(lcb::release_files("v7"), hrm::Error);
  EXPECT_EQ(ids(lcb::load_problems(kFixtures, "v1")), std::vector<std::string>({"hrmA_sum", "hrmB_avg", "hrmC_words"}));
  EXPECT_EQ(ids(lcb::load_problems(kFixtures, "v2")),
            std::vector<std::string>({"9001", "9002", "hrmA_sum", "hrmB_avg", "hrmC_words", "hrmD_reverse"}));
  try {
    lcb::load_problems(kFixtures, "v3");
    FAIL() << "v3 needs test3.jsonl";
  } catch (const hrm::Error& e) {
    EXPECT_NE(e.message().find("test3.jsonl"), std::string::npos);
  }
}

TEST(LcbData, DecodesRowsAndPrivateTests) {
  const auto ps = lcb::load_problems(kFixtures / "test2.jsonl");
  ASSERT_EQ(ps.size(), 3u);
  const auto& top2 = ps[0];
  EXPECT_EQ(top2.question_id, "9001");
  EXPECT_EQ(top2.func_name, "twoLargest");
  EXPECT_TRUE(top2.functional());
  EXPECT_EQ(top2.platform, "leetcode");
  const auto tests = lcb::problem_tests(top2);  // public + base64/zlib/pickle private
  ASSERT_EQ(tests.size(), 3u);
  EXPECT_EQ(tests[0].input, "[1, 5, 4]");
  EXPECT_EQ(tests[2].output, "[-1, -2]");
  EXPECT_EQ(tests[2].testtype, "functional");
  const auto& rev = ps[2];  // private tests as plain JSON
  EXPECT_FALSE(rev.functional());
  EXPECT_EQ(lcb::problem_tests(rev).size(), 3u);
}

TEST(LcbData, FiltersByDatePlatformAndDifficulty) {
  lcb::ProblemFilter f;
  f.start_date = "2023-07-15";  // inclusive
  f.end_date = "2024-06-22";    // inclusive (00:00 of that day, as LiveCodeBench)
  EXPECT_EQ(ids(lcb::load_problems(kFixtures, "v2", f)),
            std::vector<std::string>({"9001", "9002", "hrmB_avg", "hrmC_words"}));
  f.platforms = {"leetcode"};
  EXPECT_EQ(ids(lcb::load_problems(kFixtures, "v2", f)), std::vector<std::string>({"9001", "9002"}));
  f.difficulties = {"easy"};
  EXPECT_EQ(ids(lcb::load_problems(kFixtures, "v2", f)), std::vector<std::string>({"9002"}));
  lcb::ProblemFilter bad;
  bad.start_date = "2024/01/01";
  EXPECT_THROW(lcb::load_problems(kFixtures, "v2", bad), hrm::Error);
  bad = {};
  bad.platforms = {"topcoder"};
  EXPECT_THROW(lcb::load_problems(kFixtures, "v2", bad), hrm::Error);
}

TEST(LcbData, BadRowsNameFileLineAndField) {
  EXPECT_NE(load_error("{not json").find("lcb_bad_row.jsonl:2: not a JSON object"), std::string::npos);
  EXPECT_NE(load_error(R"({"question_title": "t"})").find("lcb_bad_row.jsonl:2: missing field 'question_content'"),
            std::string::npos);
  const std::string row =
      R"({"question_title": "t", "question_content": "c", "platform": "atcoder", "question_id": "x1", "contest_id": "x",
          "contest_date": "2024-01-01T00:00:00", "starter_code": "", "difficulty": "easy",
          "public_test_cases": "[]", "private_test_cases": "%PRIV%", "metadata": "{}"})";
  auto with = [&](const std::string& priv) {
    std::string r;
    for (char c : row)
      if (c != '\n') r.push_back(c);  // one row per line
    r.replace(r.find("%PRIV%"), 6, priv);
    return r;
  };
  EXPECT_EQ(load_error(with("[]")), "");
  // A row whose private tests are a hostile pickle only fails when the tests are decoded.
  const fs::path f = fs::path(HRM_BINARY_DIR) / "lcb_bad_row.jsonl";
  std::ofstream(f) << with("gASVCAAAAAAAAACMAm9zlJMu") << "\n";
  const auto ps = lcb::load_problems(f);
  try {
    lcb::problem_tests(ps.at(0));
    FAIL() << "expected a decoding error";
  } catch (const hrm::Error& e) {
    EXPECT_NE(e.message().find("lcb_bad_row.jsonl:1 (x1)"), std::string::npos) << e.message();
  }
  std::string bad_platform = with("[]");
  bad_platform.replace(bad_platform.find("atcoder"), 7, "topcoder");
  EXPECT_NE(load_error(bad_platform).find("platform 'topcoder'"), std::string::npos);
}
