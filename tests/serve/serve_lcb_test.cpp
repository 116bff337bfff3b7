// hrm-eval through hrm-serve: at temperature 0, `--model openai:http://127.0.0.1:<port>/v1/<model>`
// gives exactly the replies and pass@k of `--model hrm:<checkpoint>` on the LiveCodeBench fixtures.
#include <array>
#include <cstdio>
#include <fstream>

#include "serve_fixture.hpp"

namespace {

using namespace hrm::serve::testing;

std::string run_eval(const std::string& model, const fs::path& out) {
  const std::string cmd = "HRM_OPENAI_MAX_RETRIES=0 " + std::string(HRM_BINARY_DIR) +
                          "/bin/hrm-eval --bench livecodebench --no-progress --timeout 2 --data " + HRM_SOURCE_DIR +
                          "/data/lcb-fixtures --release v1 --n 2 --k 1,2 --temperature 0 --max-tokens 40 "
                          "--jobs 1 --threads 1 --model " +
                          model + " --out " + out.string() + " 2>&1";
  std::string output;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
  const int rc = ::pclose(p);
  EXPECT_EQ(rc, 0) << cmd << "\n" << output;
  return output;
}

json read(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

TEST(ServeLcb, HrmEvalThroughTheServerEqualsTheLocalBackend) {
  const auto local = scratch() / "lcb-local";
  const auto served = scratch() / "lcb-served";
  run_eval("hrm:" + fixture_checkpoint().string(), local);
  {
    ServerProcess server(fixture_checkpoint(), log_path("lcb"), {"--parallel", "4"});
    run_eval("openai:http://127.0.0.1:" + std::to_string(server.port()) + "/v1/tiny", served);
  }
  const auto a = read(local / "eval_all.json"), b = read(served / "eval_all.json");
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]["question_id"], b[i]["question_id"]);
    ASSERT_EQ(a[i]["output_list"].size(), 2u);
    EXPECT_FALSE(a[i]["output_list"][0].get<std::string>().empty());  // the model did reply
    EXPECT_EQ(a[i]["output_list"], b[i]["output_list"]) << a[i]["question_id"];
    EXPECT_EQ(a[i]["graded_list"], b[i]["graded_list"]);
  }
  const auto sa = read(local / "summary.json"), sb = read(served / "summary.json");
  EXPECT_EQ(sa["groups"], sb["groups"]);  // every pass@k of every group
  EXPECT_EQ(sa["verdicts"], sb["verdicts"]);
}

}  // namespace
