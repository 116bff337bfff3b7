// Integration: the real `hrm-data exercism` on the fixture tracks (Python, Go, JavaScript) against the
// fixture polyglot-benchmark checkout, verified in the real sandbox; then the real `hrm-eval` on the
// held-out split it wrote, replaying the SFT answers (whole and diff) as model replies; and the real
// `hrm-data lcb` on the LiveCodeBench fixtures.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "hrm/util/fs.hpp"
#include "synth_test_util.hpp"
#include "../scratch_dir.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const fs::path kData = fs::path(HRM_SOURCE_DIR) / "data";

using hrm::synth::testing::CommandResult;
using hrm::synth::testing::read_jsonl;
using hrm::synth::testing::run;

using hrm::testing::scratch_dir;

// The held-out split scored by hrm-eval with the SFT answers of `format` replayed as the replies.
json replay(const std::vector<json>& rows, const std::string& format, const fs::path& data, const fs::path& dir) {
  std::string text;
  for (const auto& r : rows) {
    if (r["edit_format"] != format) continue;
    text += json{{"task", r["task_id"]}, {"try", 1}, {"reply", r["messages"].back()["content"]}}.dump() + "\n";
  }
  hrm::write_file_atomic(dir / (format + "-replies.jsonl"), text);
  const CommandResult r =
      run("hrm-eval", "--bench polyglot --data " + data.string() +
                          " --model predictions:" + (dir / (format + "-replies.jsonl")).string() + " --edit-format " +
                          format + " --tries 1 --jobs 2 --no-progress --out " + (dir / ("eval-" + format)).string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return json::parse(hrm::read_file(dir / ("eval-" + format) / "summary.json"));
}

TEST(ExercismIntegration, FixtureTracksAreDecontaminatedVerifiedAndScoredByHrmEval) {
  const fs::path dir = scratch_dir("tracks");
  const fs::path out = dir / "out";
  const fs::path tracks = kData / "exercism-fixtures";
  CommandResult r =
      run("hrm-data", "exercism --track " + (tracks / "python").string() + " " + (tracks / "go").string() + " " +
                          (tracks / "javascript").string() + " --exclude " + (kData / "polyglot-fixtures").string() +
                          " --out " + out.string() + " --holdout leap-year --repairs 2 --jobs 2 --timeout 600");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("excluded python/median"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("dropped go/word-flip"), std::string::npos) << r.output;
  const json stats = json::parse(hrm::read_file(out / "stats.json"));
  const auto& langs = stats["languages"];
  EXPECT_EQ(langs["python"]["found"], 5);
  EXPECT_EQ(langs["python"]["deprecated"], 1);
  EXPECT_EQ(langs["python"]["excluded_slug"], 1);
  EXPECT_EQ(langs["python"]["excluded_ngram"], 1);
  for (const char* lang : {"python", "go", "javascript"}) {
    EXPECT_EQ(langs[lang]["failed"], 1) << lang << ": the broken word-flip reference is dropped";
    EXPECT_EQ(langs[lang]["verified"], 2) << lang << ": " << stats["failures"].dump();
  }
  const json excluded = json::parse(hrm::read_file(out / "excluded.json"));
  std::set<std::string> ids;
  for (const auto& e : excluded) ids.insert(e["id"].get<std::string>() + ":" + e["reason"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"python/median:slug", "python/digit-total:ngram", "go/word-count:slug",
                                        "javascript/title-case:slug"}));

  // SFT rows: both formats for every verified exercise; the held-out slug only in the test split.
  const auto train = read_jsonl(out / "sft" / "train.jsonl");
  const auto test = read_jsonl(out / "sft" / "test.jsonl");
  EXPECT_EQ(train.size(), 6u);  // 3 languages x 1 exercise x 2 formats
  EXPECT_EQ(test.size(), 6u);
  for (const auto& row : train) EXPECT_EQ(row["task_id"].get<std::string>().find("leap-year"), std::string::npos);
  for (const auto& row : test) {
    EXPECT_NE(row["task_id"].get<std::string>().find("leap-year"), std::string::npos);
    EXPECT_NE(row["messages"].dump().find("whether it is a leap year"), std::string::npos)
        << "the prompt carries the instructions";
  }
  EXPECT_EQ(read_jsonl(out / "gspo" / "train.jsonl").size(), 3u);
  for (const auto& task : read_jsonl(out / "gspo" / "test.jsonl")) {
    EXPECT_TRUE(fs::exists(out / task["exercise"].get<std::string>() / ".meta" / "config.json")) << task.dump();
  }

  // Repair rows carry the runner's real output of a failing mutant.
  auto repairs = read_jsonl(out / "repair" / "train.jsonl");
  const auto more = read_jsonl(out / "repair" / "test.jsonl");
  repairs.insert(repairs.end(), more.begin(), more.end());
  ASSERT_FALSE(repairs.empty());
  for (const auto& row : repairs) {
    EXPECT_TRUE(row.contains("mutation"));
    EXPECT_NE(row["messages"].dump().find("See the testing errors above"), std::string::npos);
  }

  // The held-out split is a Polyglot directory: the whole and the diff answers both pass, the stubs fail.
  const fs::path held_out = out / "polyglot" / "test";
  for (const char* format : {"whole", "diff"}) {
    const json summary = replay(test, format, held_out, dir);
    EXPECT_EQ(summary["test_cases"], 3) << summary.dump();
    EXPECT_EQ(summary["pass_num_1"], 3) << format << ": " << summary.dump();
  }
  r = run("hrm-eval", "--bench polyglot --data " + held_out.string() +
                          " --model stub --tries 1 --jobs 2 --no-progress --out " + (dir / "eval-stub").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json::parse(hrm::read_file(dir / "eval-stub" / "summary.json"))["pass_num_1"], 0);
  fs::remove_all(dir);
}

TEST(ExercismIntegration, LcbCutoffWritesPromptSetsTheJudgeReads) {
  const fs::path dir = scratch_dir("lcb");
  const fs::path lcb = kData / "lcb-fixtures";
  CommandResult r =
      run("hrm-data", "lcb --data " + (lcb / "test.jsonl").string() + " " + (lcb / "test2.jsonl").string() +
                          " --before 2024-03-01 --out " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("data cutoff 2024-03-01: 4 problems before"), std::string::npos) << r.output;
  const json cutoff = json::parse(hrm::read_file(dir / "out" / "data_cutoff.json"));
  EXPECT_EQ(cutoff["data_cutoff"], "2024-03-01");
  EXPECT_EQ(read_jsonl(dir / "out" / "after_cutoff.jsonl").size(), 2u);
  r = run("hrm-data",
          "lcb --data " + (lcb / "test.jsonl").string() + " --before 2024-3-1 --out " + (dir / "bad").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("is not a date"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

}  // namespace
