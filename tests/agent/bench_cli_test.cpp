// hrm-eval --bench tools through the real binary: the shipped suite's self-checks (the oracle passes
// every task, submitting at once passes none, random valid calls pass ~none), resume, and the error
// for a results folder that is already used.
#include <gtest/gtest.h>

#include "agent_test_util.hpp"
#include "hrm/agent/task.hpp"
#include "hrm/util/fs.hpp"

namespace {

using hrm_agent_test::hrm_eval;
using hrm_agent_test::run_command;
using hrm_agent_test::ScratchDir;
using hrm_agent_test::shipped_suite;

nlohmann::json run_bench(const std::string& model, const std::string& out, const std::string& extra = "") {
  const auto r = run_command(hrm_eval() + " --bench tools --data " + shipped_suite() + " --model " + model +
                             " --jobs 2 --no-progress --out " + out + " " + extra);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return nlohmann::json::parse(hrm::read_file(out + "/summary.json"));
}

TEST(ToolsBench, OraclePassesEveryShippedTask) {
  ScratchDir dir;
  const auto tasks = hrm::agent::load_suite(shipped_suite());
  EXPECT_GE(tasks.size(), 60u);
  const auto s = run_bench("oracle", (dir.path / "oracle").string());
  EXPECT_EQ(s["tasks"], tasks.size());
  EXPECT_EQ(s["passed"], tasks.size()) << s.dump(1);
  EXPECT_EQ(s["invalid_calls"], 0);
  for (const auto& family : {"git", "build", "packages", "debugging", "shell", "multifile"}) {
    EXPECT_EQ(s["by_family"][family]["success_rate"], 100.0) << family;
  }
  // One transcript line per task, in the OpenAI messages format, with a record per call.
  const std::string transcripts = hrm::read_file(dir.path / "oracle" / "transcripts.jsonl");
  EXPECT_EQ(static_cast<size_t>(std::count(transcripts.begin(), transcripts.end(), '\n')), tasks.size());
  const auto first = nlohmann::json::parse(transcripts.substr(0, transcripts.find('\n')));
  EXPECT_EQ(first["messages"][0]["role"], "system");
  EXPECT_EQ(first["messages"][2]["tool_calls"][0]["type"], "function");
  EXPECT_EQ(first["messages"][3]["role"], "tool");
  EXPECT_EQ(first["messages"][3]["tool_call_id"], first["messages"][2]["tool_calls"][0]["id"]);
  EXPECT_EQ(first["calls"].size(), tasks[0].reference.size());
}

TEST(ToolsBench, SubmittingAtOnceOrRandomCallsPassNothing) {
  ScratchDir dir;
  auto s = run_bench("submit", (dir.path / "submit").string());
  EXPECT_EQ(s["passed"], 0) << s.dump(1);
  EXPECT_EQ(s["stop_reasons"]["submitted"], s["tasks"]);
  s = run_bench("random:7", (dir.path / "random").string(), "--families shell,git,multifile,debugging");
  EXPECT_LE(s["success_rate"].get<double>(), 5.0) << s.dump(1);
  EXPECT_GT(s["tool_calls_per_episode"].get<double>(), 2.0);
  EXPECT_EQ(s["invalid_calls"], 0);
}

TEST(ToolsBench, ResumeKeepsSavedEpisodesAndAUsedFolderIsRefused) {
  ScratchDir dir;
  const std::string out = (dir.path / "shell").string();
  const auto first = run_bench("oracle", out, "--families shell");
  const std::string episode = out + "/episodes/shell/rename-files-1.json";
  ASSERT_TRUE(std::filesystem::exists(episode));
  // A marker in a saved episode survives a resumed run: it was read, not run again.
  auto saved = nlohmann::json::parse(hrm::read_file(episode));
  saved["seconds"] = 12345.0;
  hrm::write_file_atomic(episode, saved.dump());
  run_bench("oracle", out, "--families shell --resume");
  EXPECT_EQ(nlohmann::json::parse(hrm::read_file(episode))["seconds"], 12345.0);
  const auto again = nlohmann::json::parse(hrm::read_file(out + "/summary.json"));
  EXPECT_EQ(again["passed"], first["passed"]);
  const auto refused = run_command(hrm_eval() + " --bench tools --data " + shipped_suite() +
                                   " --model oracle --families shell --no-progress --out " + out);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("already holds episodes"), std::string::npos) << refused.output;
}

}  // namespace
