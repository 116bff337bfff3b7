// End-to-end: the real hrm-eval binary on the project's fixture exercises (data/polyglot-fixtures), with
// real toolchains in the real sandbox. Each fixture language has an exercise whose reference is right
// and one whose reference is broken in a test that is skipped by default (xtest, @Disabled, #[ignore],
// EXERCISM_RUN_ALL_TESTS), so a pass proves the un-skipping too. Needs tools/setup-toolchains.sh.
#include <gtest/gtest.h>

#include <map>

#include "hrm/util/fs.hpp"
#include "polyglot_test_util.hpp"

namespace fs = std::filesystem;
using hrm_test::CommandResult;
using hrm_test::TempDir;

namespace {

const std::string kFixtures = std::string(HRM_SOURCE_DIR) + "/data/polyglot-fixtures";

CommandResult hrm_eval(const fs::path& out, const std::string& args) {
  const std::string cmd = std::string(HRM_BINARY_DIR) + "/bin/hrm-eval --bench polyglot --data " + kFixtures +
                          " --cache-dir " + HRM_BINARY_DIR + "/polyglot-test-cache --no-progress --jobs 2 --out " +
                          out.string() + " " + args;
  return hrm_test::run_command(cmd);
}

nlohmann::json result(const fs::path& out, const std::string& id) {
  return nlohmann::json::parse(hrm::read_file(out / "exercises" / (id + ".json")));
}

std::map<std::string, std::string> statuses(const fs::path& out) {
  std::map<std::string, std::string> s;
  for (const auto& lang : fs::directory_iterator(out / "exercises")) {
    for (const auto& f : fs::directory_iterator(lang.path())) {
      const auto j = nlohmann::json::parse(hrm::read_file(f.path()));
      s[j["id"]] = j["status"];
    }
  }
  return s;
}

nlohmann::json summary(const fs::path& out) { return nlohmann::json::parse(hrm::read_file(out / "summary.json")); }

std::string test_output(const nlohmann::json& r, size_t attempt = 1) { return r["tries"][attempt - 1]["test_output"]; }

}  // namespace

TEST(PolyglotIntegration, OracleOnAllFixtures) {
  TempDir tmp("pg-oracle");
  const auto run = hrm_eval(tmp.path / "out", "--model oracle");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::map<std::string, std::string> expected = {
      {"cpp/clamp-range", "fail"},         {"cpp/reverse-words", "pass"},      {"go/digit-sum", "pass"},
      {"go/word-count", "fail"},           {"java/matrix-trace", "pass"},      {"java/run-length", "fail"},
      {"javascript/tidy-invoice", "pass"}, {"javascript/title-case", "pass"},  {"javascript/vowel-count", "fail"},
      {"python/acronym-maker", "pass"},    {"python/median", "fail"},          {"python/tidy-report", "pass"},
      {"rust/checked-div", "fail"},        {"rust/robot-name", "unsupported"}, {"rust/triangle-kind", "pass"},
  };
  EXPECT_EQ(statuses(tmp.path / "out"), expected);
  const auto s = summary(tmp.path / "out");
  EXPECT_EQ(s["test_cases"], 15);
  EXPECT_EQ(s["pass_num_1"], 8);
  EXPECT_EQ(s["pass_num_2"], 8);
  EXPECT_DOUBLE_EQ(s["pass_rate_2"].get<double>(), 53.3);
  EXPECT_DOUBLE_EQ(s["percent_cases_well_formed"].get<double>(), 100.0);
  EXPECT_EQ(s["model"], "oracle");
  EXPECT_EQ(s["languages"]["javascript"]["pass_num_2"], 2);
  EXPECT_NE(s["unsupported"]["rust/robot-name"].get<std::string>().find("rand 0.3"), std::string::npos);
  EXPECT_NE(run.output.find("total            15       8"), std::string::npos) << run.output;

  // Skipped tests ran: each broken reference fails exactly in the test that is skipped by default.
  EXPECT_NE(test_output(result(tmp.path / "out", "cpp/clamp-range")).find("FAILED line 19"), std::string::npos);
  EXPECT_NE(test_output(result(tmp.path / "out", "cpp/reverse-words")).find("passed: reverse_words::reverse(\"a  b\")"),
            std::string::npos);
  EXPECT_NE(test_output(result(tmp.path / "out", "java/run-length")).find("expected: <3ab2c> but was: <abc>"),
            std::string::npos);
  EXPECT_NE(test_output(result(tmp.path / "out", "java/matrix-trace")).find("2 tests successful"), std::string::npos);
  EXPECT_NE(test_output(result(tmp.path / "out", "javascript/vowel-count")).find("1 failed, 2 passed, 3 total"),
            std::string::npos);
  EXPECT_NE(test_output(result(tmp.path / "out", "rust/checked-div")).find("attempt to divide by zero"),
            std::string::npos);
  EXPECT_NE(test_output(result(tmp.path / "out", "rust/triangle-kind")).find("Compiling anyhow"), std::string::npos)
      << "the reference's Cargo-example.toml dependency comes from Debian's registry, offline";
  EXPECT_NE(test_output(result(tmp.path / "out", "go/word-count")).find("want map[go:2 stop:3]"), std::string::npos);
  EXPECT_NE(test_output(result(tmp.path / "out", "python/median")).find("test_even"), std::string::npos);

  // A failed try gives the (unchanged) reference again: the second try reuses the first run.
  const auto median = result(tmp.path / "out", "python/median");
  ASSERT_EQ(median["tries"].size(), 2u);
  EXPECT_TRUE(median["tries"][1]["reused_previous_run"].get<bool>());
  EXPECT_EQ(median["tests_outcomes"], nlohmann::json({false, false}));
  EXPECT_FALSE(fs::exists(tmp.path / "out" / "work")) << "work folders are removed";
}

TEST(PolyglotIntegration, StubPassesOnlyWorkingStubs) {
  TempDir tmp("pg-stub");
  const auto run = hrm_eval(tmp.path / "out", "--model stub");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const auto& [id, status] : statuses(tmp.path / "out")) {
    const bool refactoring = id == "javascript/tidy-invoice" || id == "python/tidy-report";
    EXPECT_EQ(status, refactoring ? "pass" : "fail") << id;
  }
  const auto s = summary(tmp.path / "out");
  EXPECT_EQ(s["pass_num_2"], 2);
  EXPECT_EQ(s["num_malformed_responses"], 0) << "a reply without edits is not malformed";
  EXPECT_EQ(s["unsupported"].size(), 0u) << "robot-name's limit is the reference's, not the tests'";
}

TEST(PolyglotIntegration, OracleInDiffFormatWithPrivateCaches) {
  TempDir tmp("pg-diff");
  // Also with private caches (nothing shared between runs): same outcomes.
  const auto run = hrm_eval(tmp.path / "out",
                            "--model oracle --edit-format diff --no-shared-caches --exercises "
                            "reverse-words,median,tidy-report,matrix-trace");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::map<std::string, std::string> expected = {{"cpp/reverse-words", "pass"},
                                                       {"java/matrix-trace", "pass"},
                                                       {"python/median", "fail"},
                                                       {"python/tidy-report", "pass"}};
  EXPECT_EQ(statuses(tmp.path / "out"), expected);
  EXPECT_EQ(summary(tmp.path / "out")["edit_format"], "diff");
}

TEST(PolyglotIntegration, PredictionsSecondTryMalformedRepliesAndResume) {
  TempDir tmp("pg-pred");
  const fs::path preds = tmp.path / "preds.jsonl";
  nlohmann::json lines = nlohmann::json::array({
      // Wrong on try 1, fixed on try 2.
      {{"task", "python/median"}, {"try", 1}, {"reply", "median.py\n```\ndef median(values):\n    return 0\n```\n"}},
      {{"task", "python/median"},
       {"try", 2},
       {"reply",
        "median.py\n```\ndef median(v):\n    s = sorted(v)\n    m = len(s) // 2\n"
        "    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2\n```\n"}},
      // Malformed on try 1 (unclosed fence), right on try 2.
      {{"task", "python/acronym-maker"}, {"try", 1}, {"reply", "acronym_maker.py\n```\ndef abbreviate(p):\n"}},
      {{"task", "python/acronym-maker"},
       {"try", 2},
       {"reply",
        "acronym_maker.py\n```\nimport re\n\n\ndef abbreviate(p):\n"
        "    return ''.join(w[0].upper() for w in re.split(r'[\\s-]+', p) if w)\n```\n"}},
      // python/tidy-report has no prediction: an empty reply, and its stub already passes.
  });
  std::string text;
  for (const auto& l : lines) text += l.dump() + "\n";
  hrm::write_file_atomic(preds, text);
  const fs::path out = tmp.path / "out";
  const std::string args = "--model predictions:" + preds.string() + " --languages python";
  auto run = hrm_eval(out, args);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto s = summary(out);
  EXPECT_EQ(s["test_cases"], 3);
  EXPECT_EQ(s["pass_num_1"], 1);
  EXPECT_EQ(s["pass_num_2"], 3);
  EXPECT_DOUBLE_EQ(s["pass_rate_1"].get<double>(), 33.3);
  EXPECT_DOUBLE_EQ(s["pass_rate_2"].get<double>(), 100.0);
  EXPECT_EQ(s["num_malformed_responses"], 1);
  EXPECT_DOUBLE_EQ(s["percent_cases_well_formed"].get<double>(), 66.7);
  const auto acronym = result(out, "python/acronym-maker");
  EXPECT_TRUE(acronym["tries"][0]["malformed"].get<bool>());
  EXPECT_NE(acronym["tries"][0]["edit_errors"][0].get<std::string>().find("not closed"), std::string::npos);
  EXPECT_EQ(result(out, "python/median")["tests_outcomes"], nlohmann::json({false, true}));

  // Results exist: a second run needs --resume, which runs nothing and reports the same numbers.
  run = hrm_eval(out, args);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("--resume"), std::string::npos) << run.output;
  fs::remove(out / "exercises" / "python" / "median.json");
  run = hrm_eval(out, args + " --resume");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("1 exercises to run (2 already done)"), std::string::npos) << run.output;
  EXPECT_EQ(summary(out)["pass_num_2"], 3);
  run = hrm_eval(out, "--model stub --languages python --resume");
  EXPECT_EQ(run.exit_code, 1) << "resuming with another model is refused";
}

TEST(PolyglotIntegration, OpenAIBackendGetsTheTestOutputOnTryTwo) {
  TempDir tmp("pg-openai");
  hrm_test::MockServer server(tmp.path, "median", false);
  ASSERT_GT(server.port(), 0);
  const auto run =
      hrm_eval(tmp.path / "out", "--model openai:" + server.base() + "/mock-coder --exercises python/median");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(result(tmp.path / "out", "python/median")["tests_outcomes"], nlohmann::json({false, true}));
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  const auto& second = reqs[1]["body"]["messages"];
  ASSERT_EQ(second.size(), 6u);
  EXPECT_EQ(second[4]["role"], "assistant");
  EXPECT_NE(second[1]["content"].get<std::string>().find("return sorted(values)[len(values) // 2]"), std::string::npos)
      << "try 2 shows the files as the first reply left them";
  EXPECT_NE(second[5]["content"].get<std::string>().find("FAILED median_test.py::MedianTest::test_even"),
            std::string::npos)
      << second[5]["content"];
}
