// Integration: the real `hrm-eval --bench livecodebench` on the fixtures, for every scenario, checking
// exact verdicts, pass@k, the LiveCodeBench-shaped reports, the contamination guard and --resume.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>

#include "../cli_error.hpp"
#include "hrm/eval/lcb_run.hpp"
#include "hrm/eval/model_backend.hpp"
#include "hrm/util/fs.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kBin = std::string(HRM_BINARY_DIR) + "/bin/hrm-eval";
const std::string kFixtures = std::string(HRM_SOURCE_DIR) + "/data/lcb-fixtures";

struct Run {
  int rc;
  std::string output;
};

Run run(const std::string& args) {
  const std::string cmd = kBin + " --bench livecodebench --no-progress --timeout 1 " + args + " 2>&1";
  Run r{0, ""};
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  r.rc = pclose(p);
  return r;
}

fs::path fresh_out(const std::string& name) {
  const fs::path out = fs::path(HRM_BINARY_DIR) / "lcb-cli-test" / name;
  fs::remove_all(out);
  return out;
}

json read_json(const fs::path& p) { return json::parse(hrm::read_file(p)); }

json group(const json& summary, const std::string& name) {
  for (const auto& g : summary["groups"])
    if (g["group"] == name) return g;
  return json();
}

std::map<std::string, json> graded_by_id(const fs::path& out, const char* id_key = "question_id") {
  std::map<std::string, json> m;
  for (const auto& e : read_json(out / "eval_all.json")) m[e[id_key].get<std::string>()] = e["graded_list"];
  return m;
}

// A library exception hrm does not wrap (std::filesystem: --out lies below a regular file) ends hrm-eval
// with status 1 and one line naming the binary, never std::terminate.
TEST(LcbCli, AFileWhereADirectoryIsExpectedEndsInOneLineError) {
  const fs::path dir = fresh_out("edge");
  fs::create_directories(dir);
  hrm::write_file_atomic(dir / "a_file", "x");
  const auto r = run("--data " + kFixtures + " --release v1 --model predictions:" + kFixtures +
                     "/replies.jsonl --out " + (dir / "a_file" / "out").string());
  ASSERT_TRUE(WIFEXITED(r.rc)) << r.output;
  EXPECT_EQ(WEXITSTATUS(r.rc), 1) << r.output;
  EXPECT_TRUE(hrm::testing::ends_with_one_line_error("hrm-eval", r.output));
  EXPECT_NE(r.output.find("a_file"), std::string::npos) << r.output;
}

}  // namespace

TEST(LcbCli, CodeGenerationFromCustomOutputsWithContaminationGuardAndResume) {
  const fs::path out = fresh_out("codegen");
  const auto r = run("--data " + kFixtures + " --release v2 --model predictions:" + kFixtures +
                     "/custom_outputs.json --k 1,5,10 --train-cutoff 2024-01-01 --out " + out.string());
  ASSERT_EQ(r.rc, 0) << r.output;
  EXPECT_NE(r.output.find("CONTAMINATION: 3 of 6 problems"), std::string::npos) << r.output;
  const json s = read_json(out / "summary.json");
  EXPECT_EQ(s["problems"], 6);
  EXPECT_EQ(s["samples"], 30);
  EXPECT_EQ(s["ks"], json::parse("[1, 5]"));  // n = 5: pass@10 is not reported
  EXPECT_NEAR(group(s, "all")["pass@1"].get<double>(), 0.5, 1e-12);
  EXPECT_NEAR(group(s, "all")["pass@5"].get<double>(), 1.0, 1e-12);
  EXPECT_NEAR(group(s, "difficulty=easy")["pass@1"].get<double>(), 0.4, 1e-12);
  EXPECT_NEAR(group(s, "difficulty=hard")["pass@1"].get<double>(), 0.6, 1e-12);
  EXPECT_NEAR(group(s, "platform=codeforces")["pass@1"].get<double>(), 0.7, 1e-12);
  EXPECT_NEAR(group(s, "month=2024-09")["pass@1"].get<double>(), 0.8, 1e-12);
  EXPECT_EQ(s["verdicts"], json::parse(R"({"passed": 15, "-2 wrong answer": 5, "-3 time limit exceeded": 2,
                                           "-4 runtime error": 8})"));
  EXPECT_EQ(s["contamination"]["problems_before_cutoff"], 3);
  EXPECT_EQ(s["comparator_disagreements"], 0);

  const json all = read_json(out / "eval_all.json");
  ASSERT_EQ(all.size(), 6u);
  std::map<std::string, json> by_id;
  for (const auto& e : all) by_id[e["question_id"].get<std::string>()] = e;
  const json& sum = by_id["hrmA_sum"];
  EXPECT_EQ(sum["graded_list"], json::parse("[true, false, false, false, false]"));
  EXPECT_EQ(sum["results"], json::parse("[[true,true,true,true],[true,true,-2],[true,-3],[true,true,-4],[-4]]"));
  EXPECT_DOUBLE_EQ(sum["pass@1"].get<double>(), 0.2);
  EXPECT_EQ(sum["contaminated"], true);
  EXPECT_EQ(by_id["hrmD_reverse"]["contaminated"], false);
  const json meta = json::parse(sum["metadata"][1].get<std::string>());  // metadata: one JSON text per sample
  EXPECT_EQ(meta["error_code"], -2);
  EXPECT_EQ(meta["inputs"], "-5 5\n");
  for (const char* key : {"question_title", "question_content", "platform", "contest_id", "contest_date",
                          "starter_code", "difficulty", "output_list", "code_list"})
    EXPECT_TRUE(sum.contains(key)) << key;
  EXPECT_EQ(by_id["hrmC_words"]["results"],
            json::parse("[[true,true,true],[true,-4],[true,true,-3],[-4],[true,true,true]]"));
  EXPECT_EQ(by_id["9001"]["results"], json::parse("[[true,true,true],[false],[-4],[true,true,true],[-4]]"));

  const json eval = read_json(out / "eval.json");  // [metrics, results, metadata] as lcb_runner
  ASSERT_EQ(eval.size(), 3u);
  EXPECT_NEAR(eval[0]["pass@1"].get<double>(), 0.5, 1e-12);
  EXPECT_EQ(eval[1]["2"], sum["results"]);  // problems in question_id order: 9001, 9002, hrmA_sum, ...

  // --resume: everything is already judged, nothing runs again and the reports are the same.
  const auto again = run("--data " + kFixtures + " --release v2 --model predictions:" + kFixtures +
                         "/custom_outputs.json --train-cutoff 2024-01-01 --resume --out " + out.string());
  ASSERT_EQ(again.rc, 0) << again.output;
  EXPECT_NE(again.output.find("resuming, 6 problems already judged"), std::string::npos) << again.output;
  EXPECT_EQ(read_json(out / "eval_all.json"), all);
  // Without --resume an existing run is not overwritten.
  const auto refused = run("--data " + kFixtures + " --release v2 --model predictions:" + kFixtures +
                           "/custom_outputs.json --out " + out.string());
  EXPECT_NE(refused.rc, 0);
  EXPECT_NE(refused.output.find("pass --resume"), std::string::npos) << refused.output;
}

TEST(LcbCli, RepliesThroughTheBackendAreExtractedThenSelfRepaired) {
  const fs::path out = fresh_out("replies");
  const auto r = run("--data " + kFixtures + " --release v1 --n 5 --model predictions:" + kFixtures +
                     "/replies.jsonl --out " + out.string());
  ASSERT_EQ(r.rc, 0) << r.output;
  const json s = read_json(out / "summary.json");
  EXPECT_EQ(s["problems"], 3);
  EXPECT_NEAR(group(s, "all")["pass@1"].get<double>(), 0.4, 1e-12);  // (1 + 3 + 2) / 15
  const auto graded = graded_by_id(out);
  EXPECT_EQ(graded.at("hrmB_avg"), json::parse("[true, false, true, true, false]"));

  const fs::path repaired = fresh_out("selfrepair");
  const auto sr =
      run("--scenario selfrepair --data " + kFixtures + " --release v1 --model predictions:" + kFixtures +
          "/replies.jsonl --codegen-results " + (out / "eval_all.json").string() + " --out " + repaired.string());
  ASSERT_EQ(sr.rc, 0) << sr.output;
  const json all = read_json(repaired / "eval_all.json");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]["question_id"], "hrmA_sum");
  EXPECT_EQ(all[0]["graded_list"], json::parse("[true, true, false, true, true]"));  // sample 2 stays in its loop
  EXPECT_EQ(all[0]["original_code_list"].size(), 5u);
  EXPECT_EQ(all[1]["graded_list"], json::parse("[true, true, true, true, true]"));
  EXPECT_NEAR(group(read_json(repaired / "summary.json"), "all")["pass@1"].get<double>(), (0.8 + 1 + 1) / 3, 1e-12);
}

// The sampling seed (hrm-eval --seed) reaches the backend with every request.
TEST(LcbRun, TheSeedReachesTheBackend) {
  static std::mutex mutex;
  static std::set<std::string> seen;  // "seed:sample" of every request
  struct SeedRecorder : hrm::eval::ModelBackend {
    std::vector<std::string> generate(const hrm::eval::GenerationRequest& r) override {
      std::lock_guard<std::mutex> lock(mutex);
      seen.insert((r.params.seed ? std::to_string(*r.params.seed) : "none") + ":" + std::to_string(r.id.sample));
      return std::vector<std::string>(static_cast<size_t>(r.params.n), "```python\nprint(1)\n```");
    }
    std::string name() const override { return "seed-recorder"; }
  };
  hrm::eval::register_backend("seed-recorder", [](const std::string&) { return std::make_unique<SeedRecorder>(); });
  hrm::eval::lcb::RunOptions o;
  o.data = kFixtures;
  o.release = "v1";
  o.model = "seed-recorder";
  o.n = 2;
  o.jobs = 1;
  o.progress = false;
  o.judge.timeout_seconds = 1;
  o.seed = 41;
  o.out_dir = fresh_out("seed");
  hrm::eval::lcb::run_livecodebench(o);
  ASSERT_FALSE(seen.empty());
  for (const auto& s : seen) EXPECT_EQ(s.substr(0, 3), "41:") << s;
}

TEST(LcbCli, TestOutputPredictionAndCodeExecution) {
  const fs::path to = fresh_out("testoutput");
  const auto r =
      run("--scenario testoutputprediction --data " + kFixtures + "/testoutput.jsonl --model predictions:" + kFixtures +
          "/testoutput_outputs.json --k 1 --out " + to.string());
  ASSERT_EQ(r.rc, 0) << r.output;
  const json all = read_json(to / "eval_all.json");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["question_id"], "9001");  // sorted by (question_id, test_id)
  EXPECT_EQ(all[0]["graded_list"], json::parse("[true, false, false, false]"));
  EXPECT_EQ(all[1]["graded_list"], json::parse("[true, false, true, true]"));
  EXPECT_NEAR(group(read_json(to / "summary.json"), "all")["pass@1"].get<double>(), 0.5, 1e-12);

  const fs::path ex = fresh_out("execution");
  const auto e =
      run("--scenario codeexecution --data " + kFixtures + "/execution.jsonl --model predictions:" + kFixtures +
          "/execution_outputs.json --k 1 --out " + ex.string());
  ASSERT_EQ(e.rc, 0) << e.output;
  const json eall = read_json(ex / "eval_all.json");
  ASSERT_EQ(eall.size(), 2u);
  EXPECT_EQ(eall[0]["id"], "sample_2");                                           // sorted by the number in the id
  EXPECT_EQ(eall[0]["graded_list"], json::parse("[true, false, false, false]"));  // wrong, repeats input, times out
  EXPECT_EQ(eall[1]["graded_list"], json::parse("[true, true, false, false]"));   // (9, 4) != [9, 4]
  EXPECT_NEAR(group(read_json(ex / "summary.json"), "all")["pass@1"].get<double>(), 0.375, 1e-12);
}

TEST(LcbCli, ClearErrorsForBadInput) {
  const auto r = run("--data " + kFixtures + " --release v3 --model predictions:" + kFixtures +
                     "/custom_outputs.json --out " + fresh_out("bad").string());
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.output.find("test3.jsonl"), std::string::npos) << r.output;
  const auto o = run("--data " + kFixtures + " --model oracle --out " + fresh_out("oracle").string());
  EXPECT_NE(o.rc, 0);
  EXPECT_NE(o.output.find("reference solutions"), std::string::npos) << o.output;
  const auto d = run("--data " + kFixtures + " --start-date 2024-13 --model predictions:" + kFixtures +
                     "/custom_outputs.json --out " + fresh_out("date").string());
  EXPECT_NE(d.rc, 0);
  EXPECT_NE(d.output.find("YYYY-MM-DD"), std::string::npos) << d.output;
}
