#include "hrm/data/decontam.hpp"

#include <gtest/gtest.h>

#include "data_test_util.hpp"
#include "hrm/data/build.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hrm::test_support;

const char* kInstructions =
    "Given a list of integers representing the heights of towers, return the number of towers that can see the "
    "sunset when every taller tower to the west blocks the view of all the shorter towers behind it.\n";

// A two-exercise benchmark in the Polyglot layout.
fs::path make_polyglot(const fs::path& dir) {
  const auto ex = dir / "polyglot" / "python" / "exercises" / "practice";
  write(ex / "sunset-towers" / ".docs" / "instructions.md", kInstructions);
  write(ex / "sunset-towers" / "sunset_towers.py", "def count_visible(heights):\n    pass\n");
  write(ex / "sunset-towers" / "sunset_towers_test.py",
        "import unittest\nfrom sunset_towers import count_visible\n\nclass T(unittest.TestCase):\n"
        "    def test_three(self):\n        self.assertEqual(count_visible([3, 1, 4, 1, 5]), 3)\n");
  write(dir / "polyglot" / "go" / "exercises" / "practice" / "word-ladder" / ".docs" / "instructions.md",
        "Find the length of the shortest transformation sequence from the begin word to the end word changing one "
        "letter at a time where every intermediate word must exist in the given dictionary of allowed words.\n");
  return dir / "polyglot";
}

TEST(Decontam, WordNgramsIgnoreCaseAndPunctuation) {
  EXPECT_EQ(hrm::word_ngrams("a b c", 4).size(), 0u);
  EXPECT_EQ(hrm::word_ngrams("a b c d", 2).size(), 3u);
  EXPECT_EQ(hrm::word_ngrams("Foo(bar, BAZ);", 3), hrm::word_ngrams("foo bar\n\tbaz", 3));
  EXPECT_NE(hrm::word_ngrams("foo bar baz", 3), hrm::word_ngrams("foo baz bar", 3));
}

TEST(Decontam, LoadsPolyglotExercisesAndLcbRowsAfterTheCutoff) {
  const auto dir = scratch_dir("decontam-load");
  const auto problems = hrm::load_benchmark(make_polyglot(dir));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].id, "go/word-ladder");
  EXPECT_EQ(problems[1].id, "python/sunset-towers");
  EXPECT_NE(problems[1].text.find("count_visible([3, 1, 4, 1, 5])"), std::string::npos);
  EXPECT_NE(problems[1].text.find("heights of towers"), std::string::npos);

  write(dir / "lcb.jsonl", nlohmann::json{{"question_id", "old1"},
                                          {"question_title", "Old"},
                                          {"question_content", "old text"},
                                          {"contest_date", "2023-05-01T00:00:00"}}
                                   .dump() +
                               "\n" +
                               nlohmann::json{{"question_id", "new1"},
                                              {"question_title", "New"},
                                              {"question_content", kInstructions},
                                              {"contest_date", "2024-09-15T00:00:00"},
                                              {"starter_code", "class Solution:"}}
                                   .dump() +
                               "\n");
  EXPECT_EQ(hrm::load_benchmark(dir / "lcb.jsonl").size(), 2u);
  const auto recent = hrm::load_benchmark(dir / "lcb.jsonl", "2024-08-01");
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].id, "new1");
  EXPECT_NE(recent[0].text.find("class Solution:"), std::string::npos);

  EXPECT_NE(error_of([&] { hrm::load_benchmark(dir / "nothing-here"); }).find("does not exist"), std::string::npos);
  fs::create_directories(dir / "empty");
  EXPECT_NE(error_of([&] { hrm::load_benchmark(dir / "empty"); }).find("no Polyglot exercises"), std::string::npos);
}

TEST(Decontam, MeasuresOverlapPerProblem) {
  const auto dir = scratch_dir("decontam-overlap");
  hrm::OverlapIndex index(hrm::load_benchmark(make_polyglot(dir)), {8, 0.5});
  index.scan("unrelated text about compilers and parsers and many other things that do not overlap at all", "a:1");
  auto report = index.report();
  EXPECT_EQ(report.contaminated(), 0u);
  EXPECT_EQ(report.problems[0].hits, 0u);
  // A training document quoting the instructions verbatim (in different case and spacing).
  std::string quoted = kInstructions;
  std::transform(quoted.begin(), quoted.end(), quoted.begin(), ::toupper);
  index.scan("README\n" + quoted, "train.jsonl:7");
  report = index.report();
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_EQ(report.problems[0].id, "python/sunset-towers");
  EXPECT_GT(report.problems[0].overlap, 0.5);
  EXPECT_EQ(report.problems[0].first_hit, "train.jsonl:7");
  EXPECT_EQ(report.problems[1].hits, 0u);
  EXPECT_EQ(report.contaminated(), 1u);
  EXPECT_EQ(report.training_documents, 2u);
  EXPECT_NE(report.format().find("python/sunset-towers"), std::string::npos);
}

TEST(Decontam, BuildRefusesContaminatedDataUnlessForced) {
  const auto dir = scratch_dir("decontam-build");
  const auto bench = make_polyglot(dir);
  write(dir / "train.jsonl", nlohmann::json{{"text", "clean row about sorting numbers in a list quickly"}}.dump() +
                                 "\n" + nlohmann::json{{"text", std::string("Exercise: ") + kInstructions}}.dump() +
                                 "\n");
  auto config = hrm::BuildConfig::from_yaml(
      "tokenizer: " + tokenizer_path().string() + "\nout: " + (dir / "out").string() + "\ninputs: [" +
          (dir / "train.jsonl").string() + "]\nvalidation_fraction: 0\ndecontamination:\n  benchmarks: [" +
          bench.string() + "]\n",
      "d.yaml");
  const auto msg = error_of([&] { hrm::run_build(config); });
  EXPECT_NE(msg.find("refusing to build: 1 benchmark problem(s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("python/sunset-towers"), std::string::npos) << msg;
  EXPECT_NE(msg.find("train.jsonl:2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("--force"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(dir / "out" / "train" / "dataset.json"));

  config.decontamination.force = true;
  const auto stats = hrm::run_build(config);
  EXPECT_EQ(stats.train.documents, 2u);
  EXPECT_EQ(stats.decontamination.contaminated(), 1u);

  // The standalone report reads any row form.
  const auto report = hrm::overlap_report({(dir / "train.jsonl").string()}, config.decontamination, hrm::OnError::Stop);
  EXPECT_EQ(report.contaminated(), 1u);
}

}  // namespace
