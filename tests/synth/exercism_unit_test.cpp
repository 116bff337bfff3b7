// Exercism track discovery, decontamination against a polyglot-benchmark checkout, the stub-to-solution
// SEARCH/REPLACE replies, and the LiveCodeBench data cutoff, on the project's fixture tracks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>

#include "hrm/eval/lcb_data.hpp"
#include "hrm/synth/exercism.hpp"
#include "hrm/synth/exercism_tracks.hpp"
#include "hrm/synth/generic.hpp"
#include "hrm/synth/lcb_cutoff.hpp"
#include "hrm/eval/lcb_codec.hpp"
#include "hrm/synth/polyglot_rows.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "../scratch_dir.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const fs::path kTracks = fs::path(HRM_SOURCE_DIR) / "data" / "exercism-fixtures";
const fs::path kBenchmark = fs::path(HRM_SOURCE_DIR) / "data" / "polyglot-fixtures";
const fs::path kLcb = fs::path(HRM_SOURCE_DIR) / "data" / "lcb-fixtures";

using hrm::testing::scratch_dir;

std::vector<std::string> slugs(const hrm::synth::TrackListing& t) {
  std::vector<std::string> out;
  for (const auto& e : t.exercises) out.push_back(e.slug);
  return out;
}

TEST(ExercismTracks, ListsPracticeExercisesAndSkipsDeprecatedOnes) {
  const auto py = hrm::synth::list_track(kTracks / "python");
  EXPECT_EQ(py.language, "python");
  EXPECT_EQ(slugs(py),
            (std::vector<std::string>{"digit-total", "leap-year", "median", "raindrop-sounds", "word-flip"}));
  EXPECT_EQ(py.deprecated, std::vector<std::string>{"old-greeting"});
  const auto& leap = py.exercises[1];
  EXPECT_EQ(leap.solution_files, std::vector<std::string>{"leap_year.py"});
  EXPECT_EQ(leap.test_files, std::vector<std::string>{"leap_year_test.py"});
  EXPECT_EQ(hrm::synth::track_language(kTracks / "javascript"), "javascript");
}

TEST(ExercismTracks, RefusesWhatIsNotATrack) {
  const fs::path dir = scratch_dir("not-a-track");
  EXPECT_THROW(hrm::synth::list_track(dir), hrm::Error);  // no config.json
  hrm::write_file_atomic(dir / "config.json", R"({"slug": "cobol"})");
  try {
    hrm::synth::track_language(dir);
    FAIL() << "a COBOL track was accepted";
  } catch (const hrm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a Polyglot language"), std::string::npos) << e.what();
  }
  hrm::write_file_atomic(dir / "config.json", R"({"slug": "python"})");
  EXPECT_THROW(hrm::synth::list_track(dir), hrm::Error);  // no exercises/practice
  fs::remove_all(dir);
}

TEST(ExercismTracks, ExcludesBenchmarkSlugsAndNgramCollisions) {
  const hrm::synth::ExcludeSet exclude({kBenchmark}, 13, 0.1);
  EXPECT_GT(exclude.num_exercises(), 10u);
  const auto py = hrm::synth::list_track(kTracks / "python");
  std::map<std::string, std::optional<hrm::synth::Exclusion>> why;
  for (const auto& ex : py.exercises) why[ex.slug] = exclude.check(ex);
  ASSERT_TRUE(why["median"]);
  EXPECT_EQ(why["median"]->reason, "slug");
  EXPECT_EQ(why["median"]->benchmark, "python/median");
  // digit-total has its own slug and tests, but go/digit-sum's instructions word for word.
  ASSERT_TRUE(why["digit-total"]);
  EXPECT_EQ(why["digit-total"]->reason, "ngram");
  EXPECT_EQ(why["digit-total"]->benchmark, "go/digit-sum instructions");
  EXPECT_DOUBLE_EQ(why["digit-total"]->overlap, 1.0);
  for (const char* clean : {"leap-year", "raindrop-sounds", "word-flip"}) EXPECT_FALSE(why[clean]) << clean;
  EXPECT_THROW(hrm::synth::ExcludeSet({kTracks / "python"}, 13, 0.1), hrm::Error);  // not a benchmark checkout
}

TEST(ExercismRows, DiffReplyTurnsTheStubIntoTheSolutionWithMinimalBlocks) {
  const hrm::synth::FileMap stub = {
      {"a.py", "import math\n\n\ndef area(r):\n    pass\n\n\ndef other():\n    return 1\n"}};
  const hrm::synth::FileMap solution = {
      {"a.py", "import math\n\n\ndef area(r):\n    return math.pi * r * r\n\n\ndef other():\n    return 1\n"},
      {"helper.py", "X = 1\n"}};
  const std::string reply = hrm::synth::diff_reply(stub, solution);
  EXPECT_TRUE(hrm::synth::diff_applies(reply, stub, solution)) << reply;
  EXPECT_EQ(reply.find("def other"), std::string::npos) << "unchanged lines far from the edit were repeated:\n"
                                                        << reply;
  EXPECT_NE(reply.find("helper.py"), std::string::npos) << "the new file is created";
  EXPECT_FALSE(hrm::synth::diff_applies(reply, stub, {{"a.py", "something else\n"}}));
  // Every fixture exercise: the reply from its stub to its reference applies with Aider's matcher.
  for (const char* track : {"python", "go", "javascript"}) {
    for (const auto& ex : hrm::synth::list_track(kTracks / track).exercises) {
      const auto before = hrm::eval::read_files(ex.dir, ex.solution_files);
      const auto after = hrm::eval::reference_solution(ex);
      EXPECT_TRUE(hrm::synth::diff_applies(hrm::synth::diff_reply(before, after), before, after)) << ex.id();
    }
  }
}

TEST(ExercismRows, RepairChatsQuoteTheTestOutputAndFixTheBrokenFile) {
  const auto ex = hrm::synth::list_track(kTracks / "python").exercises[1];  // leap-year
  const auto stub = hrm::eval::read_files(ex.dir, ex.solution_files);
  const auto fixed = hrm::eval::reference_solution(ex);
  auto broken = fixed;
  broken["leap_year.py"] = "def leap_year(year):\n    return year % 4 == 0 and (year % 100 == 0 or year % 400 == 0)\n";
  const auto chats = hrm::synth::repair_chats(ex, stub, broken, "FAILED test_divisible_by_4", fixed);
  ASSERT_EQ(chats.size(), 2u);
  for (const auto& chat : chats) {
    std::string all;
    for (const auto& m : chat.messages) all += m.content;
    EXPECT_NE(all.find("FAILED test_divisible_by_4"), std::string::npos);
    EXPECT_NE(all.find("year % 100 == 0"), std::string::npos) << "the broken try is in the chat";
  }
  EXPECT_TRUE(hrm::synth::diff_applies(chats[1].answer, broken, fixed)) << chats[1].answer;
  EXPECT_NE(chats[0].answer.find("year % 100 != 0"), std::string::npos);
}

TEST(ExercismOptions, RefusesMissingExcludeAndNonEmptyOutput) {
  const fs::path dir = scratch_dir("options");
  hrm::synth::ExercismOptions o;
  o.tracks = {kTracks / "python"};
  o.out_dir = dir / "out";
  EXPECT_THROW(hrm::synth::run_exercism(o), hrm::Error);  // no --exclude
  o.exclude = {kBenchmark};
  fs::create_directories(dir / "out");
  hrm::write_file_atomic(dir / "out" / "stale.txt", "x");
  EXPECT_THROW(hrm::synth::run_exercism(o), hrm::Error);
  fs::remove_all(dir);
}

TEST(LcbCutoff, SplitsRowsAtTheCutoffByteForByte) {
  const fs::path dir = scratch_dir("lcb");
  hrm::synth::LcbCutoffOptions o;
  o.data = {kLcb / "test.jsonl", kLcb / "test2.jsonl"};
  o.before = "2024-01-01";
  o.out_dir = dir / "out";
  const json stats = hrm::synth::split_lcb_at_cutoff(o);
  EXPECT_EQ(stats["counts"]["before"], 3);
  EXPECT_EQ(stats["counts"]["after"], 3);
  EXPECT_EQ(stats["data_cutoff"], "2024-01-01");
  EXPECT_EQ(stats["newest_training_problem"], "2023-10-01");
  EXPECT_EQ(hrm::read_file(dir / "out" / "problems.jsonl"), hrm::read_file(kLcb / "test.jsonl"));
  EXPECT_EQ(hrm::read_file(dir / "out" / "after_cutoff.jsonl"), hrm::read_file(kLcb / "test2.jsonl"));
  // The evaluator's reader takes the written rows, and the same filter selects them.
  hrm::eval::lcb::ProblemFilter before;
  before.before_date = "2024-01-01";
  EXPECT_EQ(hrm::eval::lcb::load_problems(dir / "out" / "problems.jsonl").size(), 3u);
  EXPECT_EQ(hrm::eval::lcb::load_problems(kLcb / "test2.jsonl", "v6", before).size(), 0u);
  EXPECT_EQ(json::parse(hrm::read_file(dir / "out" / "data_cutoff.json")), stats);
  o.out_dir = dir / "bad";
  o.before = "2024-13-01";
  EXPECT_THROW(hrm::synth::split_lcb_at_cutoff(o), hrm::Error);
  fs::remove_all(dir);
}

TEST(LcbCutoff, DropsDuplicateAndTestlessRowsAndRefusesUndatedOnes) {
  const fs::path dir = scratch_dir("lcb-drops");
  const std::string first = hrm::read_file(kLcb / "test.jsonl");
  json testless = json::parse(first.substr(0, first.find('\n')));
  testless["question_id"] = "testless";
  testless["public_test_cases"] = "[]";
  testless["private_test_cases"] = hrm::eval::lcb::encode_private_tests("[]");
  hrm::write_file_atomic(dir / "rows.jsonl", first + testless.dump() + "\n");
  hrm::synth::LcbCutoffOptions o;
  o.data = {dir / "rows.jsonl", kLcb / "test.jsonl"};  // the second file repeats every question_id
  o.before = "2025-01-01";
  o.out_dir = dir / "out";
  const json stats = hrm::synth::split_lcb_at_cutoff(o);
  EXPECT_EQ(stats["counts"]["before"], 3);
  EXPECT_EQ(stats["counts"]["no_tests"], 1);
  EXPECT_EQ(stats["counts"]["duplicate"], 3);
  json undated = testless;
  undated["contest_date"] = "";
  hrm::write_file_atomic(dir / "undated.jsonl", undated.dump() + "\n");
  o.data = {dir / "undated.jsonl"};
  o.out_dir = dir / "out2";
  try {
    hrm::synth::split_lcb_at_cutoff(o);
    FAIL() << "an undated row was placed";
  } catch (const hrm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("undated.jsonl:1"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

}  // namespace

namespace {

// Rows in the three layouts; solutions are judged for real by the LCB judge in the sandbox.
TEST(GenericRows, AppsTacoAndCodeContestsRowsBecomeVerifiedSftRows) {
  const fs::path dir = scratch_dir("generic");
  const json apps_stdin = {
      {"problem_id", "sum"},
      {"question", "Read two integers and print their sum."},
      {"solutions", json::array({"print(0)", "a, b = map(int, input().split())\nprint(a + b)"}).dump()},
      {"input_output", json{{"inputs", {"1 2\n", "5 7\n"}}, {"outputs", {"3\n", "12\n"}}}.dump()},
      {"difficulty", "introductory"}};
  const json apps_functional = {
      {"problem_id", "double"},
      {"question", "Write double(x) returning twice x."},
      {"solutions", json::array({"def double(x):\n    return 2 * x\n"})},
      {"input_output", json{{"fn_name", "double"}, {"inputs", {{3}, {-1}}}, {"outputs", {{6}, {-2}}}}.dump()}};
  const json code_contests = {
      {"name", "max"},
      {"description", "Print the larger of two integers."},
      {"solutions", {{"language", {2, 3}}, {"solution", {"int main(){}", "print(max(map(int, input().split())))"}}}},
      {"public_tests", {{"input", {"4 9\n"}}, {"output", {"9\n"}}}},
      {"private_tests", {{"input", {"-1 -5\n"}}, {"output", {"-1\n"}}}}};
  const json all_wrong = {{"id", "wrong"},
                          {"question", "Print 1."},
                          {"solutions", {"print(2)"}},
                          {"tests", {{"inputs", {""}}, {"outputs", {"1\n"}}}}};
  const json only_cpp = {{"name", "cpp-only"},
                         {"description", "Print 1."},
                         {"solutions", {{"language", {2}}, {"solution", {"int main(){}"}}}},
                         {"public_tests", {{"input", {""}}, {"output", {"1\n"}}}}};
  std::string text;
  for (const auto& row : {apps_stdin, apps_functional, code_contests, all_wrong, only_cpp}) text += row.dump() + "\n";
  hrm::write_file_atomic(dir / "rows.jsonl", text);
  hrm::synth::GenericOptions o;
  o.data = {dir / "rows.jsonl"};
  o.out_dir = dir / "out";
  o.jobs = 2;
  const json stats = hrm::synth::build_generic(o);
  const auto& c = stats["counts"];
  EXPECT_EQ(c["rows"], 5);
  EXPECT_EQ(c["verified"], 3) << stats.dump();
  EXPECT_EQ(c["failed"], 1);
  EXPECT_EQ(c["no_solutions"], 1);
  EXPECT_EQ(c["solutions_tried"], 5);
  EXPECT_EQ(c["solutions_passed"], 3);
  std::vector<std::string> answers;
  std::istringstream sft(hrm::read_file(dir / "out" / "sft.jsonl"));
  for (std::string row; std::getline(sft, row);) answers.push_back(json::parse(row)["messages"].back()["content"]);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0], "```python\na, b = map(int, input().split())\nprint(a + b)\n```") << "the passing solution";
  EXPECT_EQ(hrm::eval::lcb::load_problems(dir / "out" / "lcb.jsonl").size(), 3u);
  // A row without tests is an error naming the line.
  hrm::write_file_atomic(dir / "bad.jsonl", json{{"question", "q"}, {"solutions", {"x"}}}.dump() + "\n");
  o.data = {dir / "bad.jsonl"};
  o.out_dir = dir / "out2";
  try {
    hrm::synth::build_generic(o);
    FAIL() << "a row without tests was accepted";
  } catch (const hrm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.jsonl:1"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

}  // namespace
