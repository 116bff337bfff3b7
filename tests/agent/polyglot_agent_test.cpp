// hrm-eval --bench polyglot --agent through the real binary on the project's Polyglot fixtures
// (data/polyglot-fixtures): the oracle passes every exercise whose reference is right, submitting at once
// passes none, a replayed transcript that fails a test run, edits and reruns passes from the right turn
// budget on, a malformed call does not end the episode, and --resume keeps saved exercises.
#include <gtest/gtest.h>

#include <fstream>

#include "agent_test_util.hpp"
#include "hrm/util/fs.hpp"

namespace {

using hrm_agent_test::hrm_eval;
using hrm_agent_test::run_command;
using hrm_agent_test::ScratchDir;
using json = nlohmann::json;

const std::string kFixtures = std::string(HRM_SOURCE_DIR) + "/data/polyglot-fixtures";
// One fixture per language whose reference passes and whose stub fails (the others are broken on purpose
// for the standard runner's tests).
const std::string kSolvable = "acronym-maker,digit-sum,title-case,reverse-words,matrix-trace,triangle-kind";

hrm_agent_test::CommandResult run_agent(const std::string& model, const std::string& out, const std::string& extra) {
  return run_command(hrm_eval() + " --bench polyglot --agent --data " + kFixtures + " --model " + model +
                     " --jobs 2 --no-progress --out " + out + " " + extra);
}

json read_json(const std::string& path) { return json::parse(hrm::read_file(path)); }

// {"2": rate, "4": rate, ...} of a summary.
std::map<std::string, double> rates(const json& summary) {
  std::map<std::string, double> out;
  for (const auto& [b, v] : summary["by_budget"].items()) out[b] = v["pass_rate"];
  return out;
}

TEST(PolyglotAgent, OraclePassesEverySolvableFixtureInEveryLanguage) {
  ScratchDir dir;
  const std::string out = (dir.path / "oracle").string();
  const auto r = run_agent("oracle", out, "--exercises " + kSolvable + " --max-turns 2,8");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto s = read_json(out + "/summary.json");
  EXPECT_EQ(s["cases"], 6);
  EXPECT_EQ(rates(s), (std::map<std::string, double>{{"2", 100.0}, {"8", 100.0}})) << s.dump(1);
  EXPECT_EQ(s["languages"].size(), 6u);
  EXPECT_EQ(s["episodes"]["invalid_calls"], 0);
  // The test command the prompt gives works in the model's own bash, in every language.
  for (const auto& [lang, slug] : std::map<std::string, std::string>{{"cpp", "reverse-words"},
                                                                     {"go", "digit-sum"},
                                                                     {"java", "matrix-trace"},
                                                                     {"javascript", "title-case"},
                                                                     {"python", "acronym-maker"},
                                                                     {"rust", "triangle-kind"}}) {
    const auto e = read_json(out + "/exercises/" + lang + "/" + slug + ".json");
    EXPECT_EQ(e["stop_reason"], "submitted") << lang;
    ASSERT_GE(e["calls"].size(), 3u) << lang;
    const json& bash = e["calls"][e["calls"].size() - 2];
    EXPECT_EQ(bash["name"], "bash") << lang;
    EXPECT_EQ(bash["exit_code"], 0) << lang << ": " << e["messages"].dump().substr(0, 3000);
  }
  EXPECT_NE(r.output.find("polyglot, agent mode: oracle, 6 exercises"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out + "/work")) << "workspaces are removed";
}

TEST(PolyglotAgent, SubmittingAtOncePassesNothing) {
  ScratchDir dir;
  const std::string out = (dir.path / "submit").string();
  const auto r = run_agent("submit", out, "--exercises acronym-maker,digit-sum,title-case --max-turns 1,4");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto s = read_json(out + "/summary.json");
  EXPECT_EQ(rates(s), (std::map<std::string, double>{{"1", 0.0}, {"4", 0.0}})) << s.dump(1);
  EXPECT_EQ(s["episodes"]["stop_reasons"]["submitted"], 3);
  // One test run per exercise: the untouched stub is tested once and its verdict stands for every budget.
  EXPECT_DOUBLE_EQ(s["test_runs_per_case"].get<double>(), 1.0);
}

json call(const std::string& id, const std::string& name, const std::string& arguments) {
  return {{"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", arguments}}}};
}

json assistant(const json& c) { return {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", {c}}}; }

// python/median: a wrong solution, a malformed call, a failing test run, the fix, a passing run, submit.
void write_median_transcript(const std::string& path) {
  const std::string tests = "python3 -m pytest -q -p no:cacheprovider";
  const json turns = {
      assistant(call(
          "c1", "write_file",
          json{{"path", "median.py"}, {"content", "def median(values):\n    return sorted(values)[len(values) // 2]\n"}}
              .dump())),
      assistant(call("c2", "read_file", "{\"path\": \"median.py\"")),  // bad JSON
      assistant(call("c3", "bash", json{{"command", tests}}.dump())),
      assistant(call("c4", "edit_file",
                     json{{"path", "median.py"},
                          {"search", "    return sorted(values)[len(values) // 2]\n"},
                          {"replace",
                           "    s = sorted(values)\n    m = len(s) // 2\n"
                           "    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2\n"}}
                         .dump())),
      assistant(call("c5", "bash", json{{"command", tests}}.dump())),
      assistant(call("c6", "submit", "{}")),
  };
  std::ofstream(path) << json{{"task", "python/median"}, {"messages", turns}}.dump() << "\n";
}

TEST(PolyglotAgent, ReplayThatFailsEditsAndRerunsPassesFromTheRightBudget) {
  ScratchDir dir;
  const std::string transcript = (dir.path / "median.jsonl").string();
  write_median_transcript(transcript);
  const std::string out = (dir.path / "replay").string();
  const auto r = run_agent("replay:" + transcript, out, "--exercises median --max-turns 2,4,8");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto s = read_json(out + "/summary.json");
  EXPECT_EQ(rates(s), (std::map<std::string, double>{{"2", 0.0}, {"4", 100.0}, {"8", 100.0}})) << s.dump(1);

  const auto e = read_json(out + "/exercises/python/median.json");
  EXPECT_EQ(e["stop_reason"], "submitted");
  EXPECT_EQ(e["turns"], 6);
  EXPECT_TRUE(e["passed"].get<bool>());
  // The malformed call came back as an error and the episode went on.
  EXPECT_EQ(e["invalid_calls"], 1);
  EXPECT_TRUE(e["calls"][1]["error"].get<bool>());
  // The model's own runs: the first fails in test_even, the second passes.
  EXPECT_NE(e["calls"][2]["exit_code"], 0);
  EXPECT_EQ(e["calls"][4]["exit_code"], 0);
  bool saw_failure = false;
  for (const auto& m : e["messages"]) {
    if (m["role"] == "tool" && m.value("tool_call_id", "") == "c3") {
      saw_failure = m["content"].get<std::string>().find("test_even") != std::string::npos;
    }
  }
  EXPECT_TRUE(saw_failure) << e["messages"].dump();
  // Verdicts: after turn 2 (wrong solution), after turn 4 (fixed), and at the end, where the files are
  // those tested after turn 4, so that run is reused.
  ASSERT_EQ(e["budgets"].size(), 3u);
  EXPECT_EQ(e["budgets"][0]["after_turn"], 2);
  EXPECT_FALSE(e["budgets"][0]["passed"].get<bool>());
  EXPECT_EQ(e["budgets"][1]["after_turn"], 4);
  EXPECT_TRUE(e["budgets"][1]["passed"].get<bool>());
  EXPECT_EQ(e["budgets"][2]["after_turn"], 6);
  EXPECT_TRUE(e["budgets"][2]["reused_previous_run"].get<bool>());
  EXPECT_EQ(e["test_runs"], 2);
  // The transcripts replay: the same run again gives the same verdicts.
  const std::string again = (dir.path / "again").string();
  ASSERT_EQ(run_agent("replay:" + out + "/transcripts.jsonl", again, "--exercises median --max-turns 2,4,8").exit_code,
            0);
  EXPECT_EQ(rates(read_json(again + "/summary.json")), rates(s));
}

TEST(PolyglotAgent, ResumeKeepsSavedExercisesAndRefusesAnotherRun) {
  ScratchDir dir;
  const std::string out = (dir.path / "resume").string();
  ASSERT_EQ(run_agent("oracle", out, "--exercises acronym-maker --max-turns 2,4").exit_code, 0);
  const std::string saved = out + "/exercises/python/acronym-maker.json";
  auto record = read_json(saved);
  record["seconds"] = 12345.0;  // a marker: a resumed run reads the record instead of running it again
  hrm::write_file_atomic(saved, record.dump());

  const auto resumed = run_agent("oracle", out, "--languages python --max-turns 2,4 --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(read_json(saved)["seconds"], 12345.0);
  const auto s = read_json(out + "/summary.json");
  EXPECT_EQ(s["cases"], 3);
  EXPECT_NE(hrm::read_file(out + "/transcripts.jsonl").find("12345"), std::string::npos);

  const auto refused = run_agent("oracle", out, "--languages python --max-turns 2,4");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("already holds results"), std::string::npos) << refused.output;
  const auto other_budgets = run_agent("oracle", out, "--languages python --max-turns 2,8 --resume");
  EXPECT_EQ(other_budgets.exit_code, 1);
  EXPECT_NE(other_budgets.output.find("other turn budgets"), std::string::npos) << other_budgets.output;
}

}  // namespace
