// The tool-use curriculum (`hrm-data synth --stages 3,4`): stages, recovery variants, and the real binary
// on a small set — trajectories recorded in the real sandbox, rows whose tool results are real outputs,
// held-out splits that share nothing with training.
#include "hrm/synth/tool_curriculum.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "hrm/agent/task_generator.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "../scratch_dir.hpp"
#include "synth_test_util.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using hrm::synth::testing::read_jsonl;
using hrm::synth::testing::run;

fs::path scratch(const std::string& name) { return hrm::testing::scratch_dir("tool-curriculum-" + name); }

const hrm::agent::Task& first_task_of(const std::string& family, const std::string& variant) {
  static std::map<std::string, hrm::agent::Task> tasks;
  if (tasks.empty()) {
    for (auto& t : hrm::agent::generate_tasks(3, 1)) tasks[t.id] = t;
  }
  return tasks.at(family + "/" + variant + "-1");
}

TEST(ToolCurriculum, StagesOfTheSuiteFamilies) {
  EXPECT_EQ(hrm::synth::tool_stage("multifile"), 3);
  for (const char* f : {"git", "build", "packages", "debugging", "shell"}) EXPECT_EQ(hrm::synth::tool_stage(f), 4);
  EXPECT_THROW(hrm::synth::tool_stage("sorting"), hrm::Error);
}

TEST(ToolCurriculum, FailingCheckRunsTheReferencesTestBeforeTheFix) {
  const auto& task = first_task_of("git", "branch-commit");  // checkout, edit, test && commit, submit
  const auto r = hrm::synth::recovery_task(task, false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, "failing-check");
  ASSERT_EQ(r->task.reference.size(), task.reference.size() + 1);
  EXPECT_EQ(r->failing_step, 1u);
  EXPECT_EQ(r->task.reference[1].name, "bash");
  EXPECT_EQ(r->task.reference[1].arguments, task.reference[2].arguments);
  EXPECT_EQ(r->task.reference[2].name, "edit_file");
}

TEST(ToolCurriculum, BadEditSearchesForTheFixThenReadsTheFile) {
  const auto& task = first_task_of("git", "branch-commit");
  const auto r = hrm::synth::recovery_task(task, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, "bad-edit");
  ASSERT_EQ(r->task.reference.size(), task.reference.size() + 2);
  const auto& wrong = r->task.reference[r->failing_step];
  EXPECT_EQ(wrong.name, "edit_file");
  EXPECT_EQ(wrong.arguments["search"], task.reference[1].arguments["replace"]);
  EXPECT_EQ(r->task.reference[r->failing_step + 1].name, "read_file");
  EXPECT_EQ(r->task.reference[r->failing_step + 2].arguments, task.reference[1].arguments);
}

TEST(ToolCurriculum, NoRecoveryWithoutAFileChange) {
  // revert-bad-commit only runs commands: there is no fix step to fail before.
  EXPECT_FALSE(hrm::synth::recovery_task(first_task_of("git", "revert-bad-commit"), false));
}

TEST(ToolCurriculum, HeldOutSeedAndUsedFoldersAreRefused) {
  const fs::path dir = scratch("refused");
  const std::string suite = std::string(HRM_SOURCE_DIR) + "/data/tools/suite.jsonl";
  auto r =
      run("hrm-data", "synth --stages 3,4 --seed 9001 --heldout-suite " + suite + " --out " + (dir / "a").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("held-out suite's seed"), std::string::npos) << r.output;
  r = run("hrm-data", "synth --stages 1,3 --out " + (dir / "b").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("mixes code stages"), std::string::npos) << r.output;
  fs::create_directories(dir / "c");
  hrm::write_file_atomic(dir / "c" / "x", "x");
  r = run("hrm-data", "synth --stages 3 --heldout-suite " + suite + " --out " + (dir / "c").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("not empty"), std::string::npos) << r.output;
}

// Every tool message answers the call before it; the system prompt is the hrm: backend's.
void expect_well_formed(const json& row) {
  const auto& m = row["messages"];
  ASSERT_GE(m.size(), 4u);
  EXPECT_EQ(m[0]["role"], "system");
  EXPECT_NE(m[0]["content"].get<std::string>().find("You can call these tools"), std::string::npos);
  EXPECT_EQ(m[1]["role"], "user");
  std::set<std::string> open;
  for (size_t i = 2; i < m.size(); ++i) {
    if (m[i]["role"] == "assistant") {
      ASSERT_TRUE(m[i].contains("tool_calls")) << m[i].dump();
      for (const auto& c : m[i]["tool_calls"]) open.insert(c["id"].get<std::string>());
    } else {
      ASSERT_EQ(m[i]["role"], "tool");
      EXPECT_EQ(open.erase(m[i]["tool_call_id"].get<std::string>()), 1u) << m[i].dump();
    }
  }
  EXPECT_TRUE(open.empty());
  EXPECT_EQ(m[m.size() - 2]["tool_calls"][0]["function"]["name"], "submit");
}

TEST(ToolCurriculum, RecordsVerifiedTrajectoriesWithRealOutputsAndSeparateHeldOutSplits) {
  const fs::path dir = scratch("run");
  const std::string suite = std::string(HRM_SOURCE_DIR) + "/data/tools/suite.jsonl";
  const auto r = run("hrm-data",
                     "synth --stages 3,4 --families multifile,git --holdout-families shell "
                     "--per-family 1 --seed 4 --jobs 2 --heldout-suite " +
                         suite + " --out " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("stage3/multifile/python"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("stage4/git/python"), std::string::npos) << r.output;

  const auto rows = read_jsonl(dir / "sft" / "train.jsonl");
  const auto stats = json::parse(hrm::read_file(dir / "stats.json"));
  int written = 0;
  for (const auto& [group, g] : stats["rows"].items()) {
    written += g.value("reference", 0) + g.value("failing-check", 0) + g.value("bad-edit", 0);
    EXPECT_EQ(g.value("verifier_failed", 0), 0) << group << ": " << stats["dropped"].dump();
  }
  EXPECT_EQ(static_cast<int>(rows.size()), written);
  std::map<std::string, int> kinds;
  std::set<std::string> families;
  bool failing_test_output = false, edit_error = false;
  for (const auto& row : rows) {
    expect_well_formed(row);
    ++kinds[row["trajectory"].get<std::string>()];
    families.insert(row["family"].get<std::string>());
    EXPECT_EQ(row["stage"], row["family"] == "multifile" ? 3 : 4);
    EXPECT_NE(row["task"].get<std::string>().find("-s4"), std::string::npos);
    const std::string all = row["messages"].dump();
    if (row["trajectory"] == "failing-check") {
      // The real failing run: a non-zero exit code and Python's own assertion or error output.
      for (const auto& m : row["messages"]) {
        const std::string content = m["content"].is_string() ? m["content"].get<std::string>() : "";
        failing_test_output = failing_test_output || (m["role"] == "tool" && content.rfind("exit code: ", 0) == 0 &&
                                                      content.rfind("exit code: 0\n", 0) != 0);
      }
      EXPECT_TRUE(all.find("Error") != std::string::npos) << all.substr(0, 3000);
    }
    if (row["trajectory"] == "bad-edit") edit_error = edit_error || all.find("error:") != std::string::npos;
  }
  EXPECT_EQ(families, (std::set<std::string>{"multifile", "git"}));
  EXPECT_GT(kinds["reference"], 0);
  EXPECT_TRUE(failing_test_output);
  EXPECT_TRUE(edit_error);

  // Held out: every suite task of the training families, and the shell family apart; none is trained on
  // (the same instruction with other files or history is another task: names and values differ).
  const auto instances = read_jsonl(dir / "eval" / "test_instance.jsonl");
  const auto held_families = read_jsonl(dir / "eval" / "test_family.jsonl");
  const auto train_tasks = read_jsonl(dir / "tasks" / "train.jsonl");
  EXPECT_EQ(instances.size(), 21u);  // 7 variants x 3 in data/tools/suite.jsonl
  EXPECT_EQ(held_families.size(), 9u);
  for (const auto& t : held_families) EXPECT_EQ(t["family"], "shell");
  const auto key = [](const json& t) { return t["instruction"].dump() + t["files"].dump() + t["setup"].dump(); };
  std::set<std::string> train_keys;
  for (const auto& t : train_tasks) train_keys.insert(key(t));
  for (const auto& t : instances) EXPECT_EQ(train_keys.count(key(t)), 0u) << t["id"];

  // The oracle replays the recorded training tasks: they are a valid suite for GSPO episodes.
  const auto replay = run("hrm-eval", "--bench tools --data " + (dir / "tasks" / "train.jsonl").string() +
                                          " --model oracle --jobs 2 --no-progress --out " + (dir / "oracle").string());
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_EQ(json::parse(hrm::read_file(dir / "oracle" / "summary.json"))["success_rate"], 100.0) << replay.output;
}

}  // namespace
