// The sandboxed judge on the fixture problems and samples: every verdict, attributed to the right test.
// Uses a 1 s per-test timeout so the time-limit cases stay short.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hrm/eval/lcb_data.hpp"
#include "hrm/eval/lcb_judge.hpp"
#include "hrm/util/fs.hpp"

namespace lcb = hrm::eval::lcb;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kFixtures = fs::path(HRM_SOURCE_DIR) / "data/lcb-fixtures";

struct Judged {
  json results;
  std::vector<lcb::SampleResult> samples;
};

Judged judge(const std::string& qid) {
  static const auto problems = lcb::load_problems(kFixtures, "v2");
  static const json custom = json::parse(hrm::read_file(kFixtures / "custom_outputs.json"));
  const lcb::Problem* problem = nullptr;
  for (const auto& p : problems)
    if (p.question_id == qid) problem = &p;
  EXPECT_NE(problem, nullptr);
  std::vector<std::string> codes;
  for (const auto& e : custom)
    if (e["question_id"] == qid) codes = e["code_list"].get<std::vector<std::string>>();
  lcb::JudgeOptions opt;
  opt.timeout_seconds = 1;
  opt.work_root = fs::path(HRM_BINARY_DIR) / "lcb-judge-test";
  Judged j;
  j.samples = lcb::judge_problem(*problem, lcb::problem_tests(*problem), codes, opt);
  j.results = json::array();
  for (const auto& s : j.samples) {
    j.results.push_back(s.results);
    EXPECT_EQ(s.comparator_disagreements, 0);
  }
  return j;
}

}  // namespace

TEST(LcbJudge, StdinVerdicts) {
  const auto j = judge("hrmA_sum");
  EXPECT_EQ(j.results, json::parse("[[true,true,true,true],[true,true,-2],[true,-3],[true,true,-4],[-4]]"));
  EXPECT_TRUE(j.samples[0].passed);
  EXPECT_TRUE(j.samples[0].metadata.contains("execution time"));
  const auto& wa = j.samples[1].metadata;
  EXPECT_EQ(wa["error_code"], -2);
  EXPECT_EQ(wa["inputs"], "-5 5\n");  // the failing input, output and expected kept for self-repair
  EXPECT_EQ(wa["output"], "-10\n");
  EXPECT_EQ(wa["expected"], "0\n");
  EXPECT_EQ(wa["error_message"], "Wrong answer at output_line_idx=0: -10 != 0");
  EXPECT_EQ(j.samples[2].metadata["error_code"], -3);
  EXPECT_EQ(j.samples[2].metadata["error_message"], "Time Limit Exceeded");
  EXPECT_EQ(j.samples[3].metadata["error"], "ValueError(-5)");
  EXPECT_NE(
      j.samples[4].metadata["error_message"].get<std::string>().find("Error during testing: '(' was never closed"),
      std::string::npos);
}

TEST(LcbJudge, FloatOutputsAndFormatting) {
  const auto j = judge("hrmB_avg");
  EXPECT_EQ(j.results,
            json::parse("[[true,true,true,true],[true,-2],[true,true,true,true],[true,true,true,true],[-2]]"));
  EXPECT_EQ(j.samples[4].metadata["error_message"], "Wrong answer: mismatched output length");
}

TEST(LcbJudge, CrashesHangsAndMemoryAreAttributedToTheTestInFlight) {
  const auto j = judge("hrmC_words");
  EXPECT_EQ(j.results, json::parse("[[true,true,true],[true,-4],[true,true,-3],[-4],[true,true,true]]"))
      << j.samples[4].metadata.dump();
  EXPECT_NE(j.samples[1].metadata["error"].get<std::string>().find("SIGSEGV"), std::string::npos);
  EXPECT_EQ(j.samples[1].metadata["inputs"], "1\nx x x\n");
  EXPECT_NE(j.samples[2].metadata["error"].get<std::string>().find("watchdog"), std::string::npos);
  EXPECT_EQ(j.samples[2].metadata["inputs"], "3\nab cd\nef\ncd ab\n");
  EXPECT_EQ(j.samples[3].metadata["error"], "MemoryError()");
}

TEST(LcbJudge, FunctionalClassAndTupleResults) {
  const auto j = judge("9001");
  EXPECT_EQ(j.results, json::parse("[[true,true,true],[false],[-4],[true,true,true],[-4]]"));
  EXPECT_EQ(j.samples[1].metadata["output"], "[4, 5]");
  EXPECT_EQ(j.samples[1].metadata["inputs"], "[[1, 5, 4]]");
  EXPECT_EQ(j.samples[2].metadata["error_message"], "Error during testing: function twoLargest not found");
  EXPECT_NE(j.samples[4].metadata["error"].get<std::string>().find("RecursionError"), std::string::npos);
}

TEST(LcbJudge, FunctionalModuleLevelFunctions) {
  const auto j = judge("9002");
  EXPECT_EQ(j.results, json::parse("[[true,true,true],[true,false],[true,true,true],[true,true,true],[-4]]"));
  EXPECT_EQ(j.samples[1].metadata["inputs"], "['zzz', 'z']");
  EXPECT_NE(j.samples[4].metadata["error_message"].get<std::string>().find("hrm_no_such_module"), std::string::npos);
}

TEST(LcbJudge, MainGuardExitAndEmptyCode) {
  const auto j = judge("hrmD_reverse");
  EXPECT_EQ(j.results, json::parse("[[true,true,true],[true,true,true],[true,true,true],[true,true,true],[-4]]"));
  // An empty answer is a compile error, as under LiveCodeBench's function wrapping.
  EXPECT_EQ(j.samples[4].metadata["error_message"],
            "Error during testing: the program has no statements besides imports");
}

TEST(LcbJudge, OneProcessPerSampleMatchesOneProcessForAll) {
  static const auto problems = lcb::load_problems(kFixtures / "test.jsonl");
  const auto& p = problems[0];
  lcb::JudgeOptions opt;
  opt.timeout_seconds = 1;
  opt.samples_per_process = 1;
  opt.work_root = fs::path(HRM_BINARY_DIR) / "lcb-judge-test";
  const auto r =
      lcb::judge_problem(p, lcb::problem_tests(p), {"print(3)", "a, b = map(int, input().split())\nprint(a + b)"}, opt);
  EXPECT_EQ(r[0].results, json::parse("[true,-2]"));
  EXPECT_EQ(r[1].results, json::parse("[true,true,true,true]"));
}
