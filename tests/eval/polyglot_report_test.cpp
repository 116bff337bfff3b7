// The Polyglot summary math (Aider's definitions), record JSON round trip, exercise loading and prompts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "hrm/eval/polyglot_exercise.hpp"
#include "hrm/eval/polyglot_languages.hpp"
#include "hrm/eval/polyglot_report.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

using hrm::eval::ExerciseRecord;
using hrm::eval::TryRecord;

namespace {

ExerciseRecord record(const std::string& lang, const std::string& slug, std::vector<bool> outcomes, int malformed = 0,
                      const std::string& status = "") {
  ExerciseRecord r;
  r.id = lang + "/" + slug;
  r.language = lang;
  r.slug = slug;
  r.model = "m";
  r.edit_format = "whole";
  for (size_t i = 0; i < outcomes.size(); ++i) {
    TryRecord t;
    t.attempt = static_cast<int>(i) + 1;
    t.passed = outcomes[i];
    t.verdict = "exited";
    t.exit_code = outcomes[i] ? 0 : 1;
    t.test_output = "out " + std::to_string(i);
    r.tries.push_back(t);
  }
  r.num_malformed_responses = malformed;
  r.status = status.empty() ? (outcomes.back() ? "pass" : "fail") : status;
  r.duration_seconds = 10;
  return r;
}

const std::string kFixtures = std::string(HRM_SOURCE_DIR) + "/data/polyglot-fixtures";

}  // namespace

TEST(PolyglotReport, AiderPassRatesAndWellFormed) {
  std::vector<ExerciseRecord> rs = {
      record("go", "a", {true}),                              // pass on try 1
      record("go", "b", {false, true}, 1),                    // pass on try 2, one malformed reply
      record("python", "c", {false, false}, 2),               // fail, two malformed replies
      record("rust", "d", {false, false}, 0, "unsupported"),  // known offline limit
  };
  rs[3].unsupported_reason = "needs a crate";
  rs[2].syntax_errors = 3;
  rs[1].tries[0].timed_out = true;
  rs[1].test_timeouts = 1;
  hrm::eval::RunInfo info;
  info.model = "m";
  info.edit_format = "whole";
  info.tries = 2;
  info.selected_cases = 5;
  const auto s = hrm::eval::summarize(rs, info);
  EXPECT_EQ(s["test_cases"], 4);
  EXPECT_EQ(s["total_tests"], 5);
  EXPECT_DOUBLE_EQ(s["pass_rate_1"].get<double>(), 25.0);
  EXPECT_DOUBLE_EQ(s["pass_rate_2"].get<double>(), 50.0);
  EXPECT_EQ(s["pass_num_2"], 2);
  EXPECT_DOUBLE_EQ(s["percent_cases_well_formed"].get<double>(), 50.0);
  EXPECT_EQ(s["num_malformed_responses"], 3);
  EXPECT_EQ(s["num_with_malformed_responses"], 2);
  EXPECT_EQ(s["syntax_errors"], 3);
  EXPECT_EQ(s["test_timeouts"], 1);
  EXPECT_DOUBLE_EQ(s["seconds_per_case"].get<double>(), 10.0);
  EXPECT_EQ(s["languages"]["go"]["cases"], 2);
  EXPECT_DOUBLE_EQ(s["languages"]["go"]["pass_rate_1"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(s["languages"]["go"]["pass_rate_2"].get<double>(), 100.0);
  EXPECT_EQ(s["languages"]["rust"]["unsupported"], 1);
  EXPECT_EQ(s["unsupported"]["rust/d"], "needs a crate");
  const std::string table = hrm::eval::format_summary(s);
  EXPECT_NE(table.find("total"), std::string::npos);
  EXPECT_NE(table.find("incomplete: 4 of 5"), std::string::npos);
  EXPECT_NE(table.find("rust/d: needs a crate"), std::string::npos);
}

TEST(PolyglotReport, RecordJsonRoundTrip) {
  ExerciseRecord r = record("java", "x", {false, true}, 1);
  r.tries[0].edit_errors = {"no file name"};
  r.tries[1].reused_previous_run = true;
  const ExerciseRecord back = hrm::eval::exercise_from_json(hrm::eval::to_json(r), "x.json");
  EXPECT_EQ(hrm::eval::to_json(back), hrm::eval::to_json(r));
  EXPECT_EQ(hrm::eval::to_json(r)["tests_outcomes"], nlohmann::json({false, true}));
  EXPECT_THROW(hrm::eval::exercise_from_json(nlohmann::json{{"id", "x"}}, "x.json"), hrm::Error);
}

TEST(PolyglotExercise, FindsFixturesAndMapsReferences) {
  const auto all = hrm::eval::find_exercises(kFixtures, {}, "");
  EXPECT_EQ(all.size(), 15u);
  const auto some = hrm::eval::find_exercises(kFixtures, {"java", "rust"}, "rust/t*,run-*");
  ASSERT_EQ(some.size(), 2u);
  EXPECT_EQ(some[0].id(), "java/run-length");
  EXPECT_EQ(some[1].id(), "rust/triangle-kind");
  // Java: the reference goes by base name; Rust: example.rs -> src/lib.rs and Cargo-example.toml -> Cargo.toml.
  const auto java = hrm::eval::reference_solution(some[0]);
  ASSERT_EQ(java.count("src/main/java/RunLength.java"), 1u);
  const auto rust = hrm::eval::reference_solution(some[1]);
  EXPECT_NE(rust.at("src/lib.rs").find("anyhow::ensure!"), std::string::npos);
  EXPECT_NE(rust.at("Cargo.toml").find("anyhow"), std::string::npos);
  // A helper class of the Java reference becomes a new file beside the solution file.
  const auto trace =
      hrm::eval::reference_solution(hrm::eval::find_exercises(kFixtures, {"java"}, "matrix-trace").at(0));
  ASSERT_EQ(trace.size(), 2u);
  EXPECT_NE(trace.at("src/main/java/MatrixTrace.java").find("new Diagonal"), std::string::npos);
  EXPECT_NE(trace.at("src/main/java/Diagonal.java").find("class Diagonal"), std::string::npos);
  EXPECT_THROW(hrm::eval::find_exercises(kFixtures, {"cobol"}, ""), hrm::Error);
  EXPECT_THROW(hrm::eval::find_exercises(std::string(HRM_SOURCE_DIR) + "/src", {}, ""), hrm::Error);
}

TEST(PolyglotExercise, PromptShowsSolutionFilesOnlyAndFeedsBackTestOutput) {
  const auto ex = hrm::eval::find_exercises(kFixtures, {"javascript"}, "tidy-invoice").at(0);
  const auto files = hrm::eval::read_files(ex.dir, ex.solution_files);
  auto m = hrm::eval::build_messages(ex, hrm::eval::EditFormat::kWhole, files, {}, {});
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].role, "system");
  EXPECT_NE(m[1].content.find("tidy-invoice.js\n```\n"), std::string::npos);
  for (const auto& msg : m) {
    EXPECT_EQ(msg.content.find("tidy-invoice.spec.js"), std::string::npos) << "tests are never shown";
    EXPECT_EQ(msg.content.find("proof.ci"), std::string::npos) << "the reference is never shown";
  }
  EXPECT_NE(m[3].content.find("An old invoicing script"), std::string::npos) << "introduction first";
  EXPECT_NE(m[3].content.find("Use the above instructions to modify the supplied files: tidy-invoice.js"),
            std::string::npos);
  m = hrm::eval::build_messages(ex, hrm::eval::EditFormat::kDiff, files, {"reply one"}, {"FAIL: expected 5.3"});
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[4].role, "assistant");
  EXPECT_EQ(m[4].content, "reply one");
  EXPECT_EQ(m[5].content.rfind("FAIL: expected 5.3\n####\n\nSee the testing errors above.", 0), 0u);
  EXPECT_NE(m[0].content.find("SEARCH/REPLACE"), std::string::npos);
}

TEST(PolyglotLanguages, UnsupportedTableScopes) {
  hrm::eval::Exercise ex;
  ex.language = "java";
  ex.slug = "hangman";
  EXPECT_TRUE(hrm::eval::unsupported_reason(ex, false).has_value()) << "the tests themselves need rxjava";
  ex.language = "rust";
  ex.slug = "poker";
  EXPECT_TRUE(hrm::eval::unsupported_reason(ex, true).has_value());
  EXPECT_FALSE(hrm::eval::unsupported_reason(ex, false).has_value()) << "a model's own poker may pass";
  ex.slug = "bob";
  EXPECT_FALSE(hrm::eval::unsupported_reason(ex, true).has_value());
  EXPECT_EQ(hrm::eval::unsupported_rules().size(), 7u);
}

TEST(PolyglotLanguages, SharedCachesAreWritableForEveryRunUid) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("hrm-caches-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "go-build" / "0a");
  hrm::write_file_atomic(root / "go-build" / "0a" / "entry-d", "x");
  fs::permissions(root / "go-build" / "0a", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  fs::permissions(root / "go-build" / "0a" / "entry-d", fs::perms::owner_read | fs::perms::owner_write);
  const auto caches = hrm::eval::make_caches(root);
  EXPECT_TRUE(caches.shared());
  EXPECT_EQ(fs::status(caches.jest).permissions(), fs::perms::all)
      << "no sticky bit: runs replace each other's entries";
  EXPECT_EQ(fs::status(root / "go-build" / "0a").permissions(), fs::perms::all);
  const auto rw = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::group_write |
                  fs::perms::others_read | fs::perms::others_write;
  EXPECT_EQ(fs::status(root / "go-build" / "0a" / "entry-d").permissions(), rw);
  fs::remove_all(root);
  // Private caches: nothing shared is mounted into the run.
  hrm::eval::Exercise ex;
  ex.language = "go";
  ex.slug = "x";
  const auto req = hrm::eval::test_request(ex, "/tmp/x", hrm::eval::Toolchains{}, hrm::eval::Caches{}, 10);
  EXPECT_TRUE(req.extra_writable.empty());
  EXPECT_EQ(req.env.at("GOCACHE"), "/tmp/go-build");
  EXPECT_EQ(req.argv.at(2).rfind("umask 0; ", 0), 0u);
}

TEST(PolyglotLanguages, CleansTestOutput) {
  const std::string out = hrm::eval::clean_test_output(
      "\x1b[31mFAILED\x1b[0m /tmp/r/work/python/median/median_test.py::x - 1 failed in 0.12s\n",
      "/tmp/r/work/python/median");
  EXPECT_EQ(out, "FAILED median/median_test.py::x - 1 failed \n");
}
