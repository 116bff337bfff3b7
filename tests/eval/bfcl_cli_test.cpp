// Integration: the real `hrm-eval --bench bfcl` on the invented BFCL-format fixture (tests/eval/bfcl_fixture),
// with the openai: backend talking to a local server that answers each question with known tool calls; the
// verdicts, the table, the tools the model was offered, resume, and errors on bad data.
#include <gtest/gtest.h>

#include "polyglot_test_util.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using hrm_test::MockServer;
using hrm_test::run_command;
using hrm_test::TempDir;

const std::string kFixture = std::string(HRM_SOURCE_DIR) + "/tests/eval/bfcl_fixture";

json calls(std::vector<std::pair<std::string, json>> named_args) {
  json out = json::array();
  for (size_t i = 0; i < named_args.size(); ++i) {
    out.push_back({{"id", "call_" + std::to_string(i)},
                   {"type", "function"},
                   {"function", {{"name", named_args[i].first}, {"arguments", named_args[i].second.dump()}}}});
  }
  return {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", out}};
}

json text(const std::string& content) { return {{"role", "assistant"}, {"content", content}}; }

// Question -> the model's reply, with the verdict each must get.
json known_replies() {
  return {
      {"Brew green tea for 3 minutes.", calls({{"kettle_brew_tea", {{"leaf", "Green-Tea"}, {"minutes", 3}}}})},
      {"Plant tomato and basil seeds in bed 4.",
       calls({{"garden_plant", {{"seeds", {"basil", "tomato"}}, {"bed", 4}}}})},  // list order differs
      {"Paint the fence blue with two coats.", text("I would paint it blue.")},
      {"Paint the fence red.", calls({{"paint_fence", {{"color", "red"}}}})},
      {"Brew oolong for 4.5 minutes.", calls({{"kettle_brew_tea", {{"leaf", "oolong"}, {"minutes", "4.5"}}}})},
      {"Paint one fence white and another black.",
       calls({{"paint_fence", {{"color", "black"}}}, {"paint_fence", {{"color", "white"}}}})},
      {"Brew mint for 5 minutes and chamomile for 6 minutes.",
       calls({{"kettle_brew_tea", {{"leaf", "mint"}, {"minutes", 5.0}}}})},
      {"Paint the fence green and plant carrots in bed 1.",
       calls({{"garden_plant", {{"seeds", {"carrots"}}, {"bed", 1}}}, {"paint_fence", {{"color", "green"}}}})},
      {"What is the capital of Peru?", text("Lima; none of the tools helps here.")},
      {"How tall is the tallest tree?", calls({{"kettle_brew_tea", {{"leaf", "x"}, {"minutes", 1}}}})},
      {"Resize the image buffer `buf` to 640 by 480 pixels, keeping the alpha channel.",
       calls({{"ImageBuffer_resize", {{"buffer", "buf"}, {"size", "new int[]{640, 480}"}, {"keepAlpha", "true"}}}})},
      {"Show the toast 'Saved' for 1.5 seconds.", calls({{"showToast", {{"message", "'Saved'"}, {"seconds", "1.5"}}}})},
  };
}

std::string bfcl_command(const MockServer& server, const fs::path& out, const std::string& extra = "") {
  return "HRM_OPENAI_MAX_RETRIES=0 " + std::string(HRM_BINARY_DIR) + "/bin/hrm-eval --bench bfcl --data " + kFixture +
         " --model openai:" + server.base() + "/known --jobs 2 --no-progress --out " + out.string() + " " + extra;
}

std::map<std::string, json> results_by_id(const fs::path& out) {
  std::map<std::string, json> by_id;
  std::istringstream lines(hrm::read_file(out / "results.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    const json r = json::parse(line);
    by_id[r["id"].get<std::string>()] = r;
  }
  return by_id;
}

TEST(BfclCli, KnownRepliesGetTheOfficialVerdicts) {
  TempDir tmp("bfcl-cli-known");
  hrm::write_file_atomic(tmp.path / "replies.json", known_replies().dump());
  MockServer server(tmp.path, "replies", false);
  ASSERT_GT(server.port(), 0);
  const auto r = run_command(bfcl_command(server, tmp.path / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("simple_python         1/3     33.3%"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("parallel_multiple     1/1    100.0%"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("irrelevance           1/2     50.0%"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("overall             69.0%"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Qwen3-0.6B 46.4"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Gemma-3-1B 16.3"), std::string::npos) << r.output;

  const auto by_id = results_by_id(tmp.path / "out");
  ASSERT_EQ(by_id.size(), 12u);
  const std::map<std::string, std::string> expected = {
      {"simple_python_0", ""},  // int for float, "Green-Tea" standardized, cups optional
      {"simple_python_1", "value_error:list/tuple"},
      {"simple_python_2", "simple_function_checker:wrong_count"},
      {"multiple_0", ""},
      {"multiple_1", "type_error:simple"},
      {"parallel_0", ""},  // any order
      {"parallel_1", "parallel_function_checker_no_order:wrong_count"},
      {"parallel_multiple_0", ""},
      {"irrelevance_0", ""},
      {"irrelevance_1", "irrelevance_error:decoder_success"},
      {"simple_java_0", ""},
      {"simple_javascript_0", ""}};
  for (const auto& [id, error_type] : expected) {
    const json& result = by_id.at(id);
    EXPECT_EQ(result["valid"].get<bool>(), error_type.empty()) << id << ": " << result.dump();
    EXPECT_EQ(result["error_type"], error_type) << id;
  }
  EXPECT_EQ(by_id.at("parallel_0")["decoded"][0]["paint_fence"]["color"], "black");
  EXPECT_EQ(by_id.at("simple_python_2")["model_output"]["content"], "I would paint it blue.");

  // The tools as BFCL offers them to function-calling models.
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 12u);
  for (const auto& request : requests) {
    const json& body = request["body"];
    if (body["messages"][0]["content"] != "Brew green tea for 3 minutes.") continue;
    const json& f = body["tools"][0]["function"];
    EXPECT_EQ(f["name"], "kettle_brew_tea");
    EXPECT_EQ(f["parameters"]["type"], "object");
    EXPECT_EQ(f["parameters"]["properties"]["minutes"]["type"], "number");
    EXPECT_NE(f["description"].get<std::string>().find("Python 3 syntax"), std::string::npos);
  }
  const json summary = json::parse(hrm::read_file(tmp.path / "out" / "summary.json"));
  EXPECT_EQ(summary["categories"]["simple_java"]["correct"], 1);
  EXPECT_EQ(summary["anchors_bfcl_v3_overall"]["Qwen3-0.6B"], 46.4);
}

TEST(BfclCli, ResumeKeepsSavedResultsAndARerunNeedsResume) {
  TempDir tmp("bfcl-cli-resume");
  hrm::write_file_atomic(tmp.path / "replies.json", known_replies().dump());
  MockServer server(tmp.path, "replies", false);
  const fs::path out = tmp.path / "out";
  ASSERT_EQ(run_command(bfcl_command(server, out, "--categories parallel,irrelevance --limit 1")).exit_code, 0);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(results_by_id(out).size(), 2u);

  const auto again = run_command(bfcl_command(server, out));
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("already holds BFCL results"), std::string::npos) << again.output;

  fs::remove(out / "items" / "parallel" / "parallel_0.json");  // a run stopped before this entry
  const auto resumed = run_command(bfcl_command(server, out, "--resume"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(server.requests().size(), 2u + 11u);  // every entry but the saved irrelevance_0
  EXPECT_EQ(results_by_id(out).size(), 12u);
}

TEST(BfclCli, BadDataNamesFileLineAndField) {
  TempDir tmp("bfcl-cli-bad");
  fs::copy(kFixture, tmp.path / "data", fs::copy_options::recursive);
  const fs::path answers = tmp.path / "data/bfcl_eval/data/possible_answer/BFCL_v4_parallel.json";
  std::string text = hrm::read_file(answers);
  text.replace(text.find("\"white\""), 7, "\"white\", \"ivory\"], \"brush\": 3, \"x\": [");
  hrm::write_file_atomic(answers, text);
  const std::string cmd = std::string(HRM_BINARY_DIR) + "/bin/hrm-eval --bench bfcl --data " +
                          (tmp.path / "data").string() + " --model stub --no-progress --out " +
                          (tmp.path / "out").string();
  const auto r = run_command(cmd);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("BFCL_v4_parallel.json:1: field 'ground_truth[0].paint_fence.brush' must be a list"),
            std::string::npos)
      << r.output;

  const auto missing = run_command(std::string(HRM_BINARY_DIR) + "/bin/hrm-eval --bench bfcl --data " +
                                   tmp.path.string() + "/nowhere --model stub --no-progress");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("no BFCL data under"), std::string::npos) << missing.output;
}

}  // namespace
