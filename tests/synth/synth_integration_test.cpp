// Integration: the real `hrm-data synth` on small sets, verified in the real sandbox, then the real
// `hrm-eval` on what it wrote: the SFT answers replayed as model replies must pass both benchmarks,
// which shows the SFT chats answer exactly what the evaluators ask and extract.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <map>
#include <set>
#include <sstream>

#include "hrm/util/fs.hpp"
#include "synth_test_util.hpp"
#include "../scratch_dir.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using hrm::synth::testing::CommandResult;
using hrm::synth::testing::read_jsonl;
using hrm::synth::testing::run;

using hrm::testing::scratch_dir;

// The replay file of the predictions backend: every SFT row's answer as the reply to its task.
void write_replies(const std::vector<json>& rows, const std::string& bench, const fs::path& out) {
  std::string text;
  for (const auto& r : rows) {
    if (r["bench"] != bench || (r.contains("edit_format") && r["edit_format"] != "whole")) continue;
    text += json{{"task", r["task_id"]}, {"try", 1}, {"reply", r["messages"].back()["content"]}}.dump() + "\n";
  }
  hrm::write_file_atomic(out, text);
}

TEST(SynthIntegration, PythonSetIsVerifiedDeterministicAndPassesBothEvaluators) {
  const fs::path dir = scratch_dir("python");
  const std::string common =
      " --families add-const,count-cmp,clamp,sort-list,binary-search --languages python --per-family 3 --repairs 1 "
      "--jobs 2 --seed 5 --lcb-style mixed";
  CommandResult r = run("hrm-data", "synth --out " + (dir / "a").string() + common);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json stats = json::parse(hrm::read_file(dir / "a" / "stats.json"));
  for (const char* group : {"stage1/python/livecodebench", "stage1/python/polyglot", "stage2/python/livecodebench",
                            "stage2/python/polyglot"}) {
    const auto& g = stats["verified"][group];
    EXPECT_EQ(g["dropped"], 0) << group << ": " << stats["failures"].dump();
    EXPECT_GT(g["passed"].get<int>(), 0) << group;
  }
  // Splits: held-out instances of training families, and whole held-out families (clamp, binary-search).
  const auto train = read_jsonl(dir / "a" / "sft" / "train.jsonl");
  const auto test_instance = read_jsonl(dir / "a" / "sft" / "test_instance.jsonl");
  const auto test_family = read_jsonl(dir / "a" / "sft" / "test_family.jsonl");
  ASSERT_FALSE(train.empty());
  ASSERT_FALSE(test_instance.empty());
  ASSERT_FALSE(test_family.empty());
  std::set<std::string> train_families, train_tasks;
  for (const auto& row : train)
    train_families.insert(row["family"].get<std::string>()), train_tasks.insert(row["task_id"].get<std::string>());
  for (const auto& row : test_family)
    EXPECT_EQ(train_families.count(row["family"].get<std::string>()), 0u) << row["family"];
  for (const auto& row : test_instance) {
    EXPECT_EQ(train_tasks.count(row["task_id"].get<std::string>()), 0u);
    EXPECT_EQ(train_families.count(row["family"].get<std::string>()), 1u);
  }
  // Repair data carries the real error output of the mutant.
  const auto repairs = read_jsonl(dir / "a" / "repair" / "train.jsonl");
  ASSERT_FALSE(repairs.empty());
  bool saw_traceback = false;
  for (const auto& row : repairs) {
    const std::string all = row["messages"].dump();
    saw_traceback = saw_traceback || all.find("Error") != std::string::npos || all.find("failed") != std::string::npos;
    EXPECT_TRUE(row.contains("mutation"));
  }
  EXPECT_TRUE(saw_traceback);

  // The same options and seed give the same files.
  r = run("hrm-data", "synth --out " + (dir / "b").string() + common);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"sft/train.jsonl", "sft/test_family.jsonl", "lcb/test_instance.jsonl", "repair/train.jsonl"}) {
    EXPECT_EQ(hrm::read_file(dir / "a" / f), hrm::read_file(dir / "b" / f)) << f;
  }
  r = run("hrm-data", "synth --out " + (dir / "a").string() + common);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("not empty"), std::string::npos) << r.output;

  // The SFT answers, replayed, pass LiveCodeBench (held-out instances and families) ...
  std::vector<json> tests = test_instance;
  tests.insert(tests.end(), test_family.begin(), test_family.end());
  write_replies(tests, "livecodebench", dir / "lcb-replies.jsonl");
  for (const char* split : {"test_instance", "test_family"}) {
    const fs::path out = dir / (std::string("lcb-") + split);
    r = run("hrm-eval", "--bench livecodebench --data " +
                            (dir / "a" / "lcb" / (std::string(split) + ".jsonl")).string() +
                            " --model predictions:" + (dir / "lcb-replies.jsonl").string() + " --n 1 --k 1 --jobs 2" +
                            " --no-progress --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json summary = json::parse(hrm::read_file(out / "summary.json"));
    EXPECT_DOUBLE_EQ(summary["groups"][0]["pass@1"].get<double>(), 1.0) << split << ": " << summary.dump();
  }
  // ... and Polyglot.
  write_replies(test_family, "polyglot", dir / "polyglot-replies.jsonl");
  r = run("hrm-eval", "--bench polyglot --data " + (dir / "a" / "polyglot" / "test_family").string() +
                          " --model predictions:" + (dir / "polyglot-replies.jsonl").string() +
                          " --tries 1 --jobs 2 --no-progress --out " + (dir / "pg").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json pg = json::parse(hrm::read_file(dir / "pg" / "summary.json"));
  EXPECT_EQ(pg["pass_num_1"], pg["test_cases"]) << pg.dump();
  EXPECT_GT(pg["test_cases"].get<int>(), 0);
  fs::remove_all(dir);
}

TEST(SynthIntegration, EveryLanguageVerifiesWithItsNativeTests) {
  const fs::path dir = scratch_dir("languages");
  CommandResult r =
      run("hrm-data", "synth --out " + (dir / "s").string() +
                          " --families map-add --languages cpp,go,java,javascript,python,rust --per-family 1"
                          " --repairs 1 --jobs 2 --formats polyglot");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json stats = json::parse(hrm::read_file(dir / "s" / "stats.json"));
  for (const char* lang : {"cpp", "go", "java", "javascript", "python", "rust"}) {
    const auto& g = stats["verified"][std::string("stage1/") + lang + "/polyglot"];
    EXPECT_EQ(g["passed"], 1) << lang << ": " << stats["failures"].dump();
    EXPECT_TRUE(fs::exists(dir / "s" / "polyglot" / "train" / lang / "exercises" / "practice" / "map-add-0000" /
                           ".meta" / "config.json"));
  }
  // Each language's mutant is caught by its tests, and both edit formats are emitted for it.
  const auto repairs = read_jsonl(dir / "s" / "repair" / "train.jsonl");
  std::map<std::string, std::set<std::string>> formats;
  for (const auto& row : repairs) formats[row["language"]].insert(row["edit_format"].get<std::string>());
  int kept = 0;
  for (const auto& [group, kinds] : stats["repair"].items()) {
    for (const auto& [kind, s] : kinds.items()) kept += s.is_object() ? s["kept"].get<int>() : 0;
  }
  EXPECT_EQ(static_cast<int>(formats.size()), kept);
  for (const auto& [lang, f] : formats) EXPECT_EQ(f.size(), 2u) << lang;
  fs::remove_all(dir);
}

}  // namespace
