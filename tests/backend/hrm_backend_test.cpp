// The hrm:<dir> eval backend on a saved tiny text checkpoint (tests/infer/text_checkpoint.hpp): replies
// equal the library's, spec options and errors, and hrm-eval taking the data cutoff from the checkpoint.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../infer/text_checkpoint.hpp"
#include "hrm/backend/hrm_backend.hpp"
#include "hrm/backend/local_backends.hpp"
#include "hrm/eval/model_backend.hpp"
#include "hrm/infer/text_model.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/util/error.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path& scratch() { return hrm::infer::testing::text_scratch(); }
const std::string& checkpoint() { return hrm::infer::testing::tiny_text_checkpoint(); }

TEST(LocalBackends, RegistersTheHrmScheme) {
  hrm::backend::register_local_backends();
  const auto schemes = hrm::eval::backend_schemes();
  EXPECT_NE(std::find(schemes.begin(), schemes.end(), "hrm"), schemes.end());
}

TEST(HrmBackend, RepliesWithAllSamplesOfARequestInOneCall) {
  hrm::backend::register_hrm_backend();
  const auto schemes = hrm::eval::backend_schemes();
  EXPECT_NE(std::find(schemes.begin(), schemes.end(), "hrm"), schemes.end());
  auto backend = hrm::eval::make_backend("hrm:" + checkpoint());
  EXPECT_EQ(backend->name(), "hrm:" + checkpoint());
  EXPECT_FALSE(backend->thread_safe());
  hrm::eval::GenerationRequest req;
  req.id = {"livecodebench", "abc123", 1, 0};
  req.messages = {{"system", "You are a coder."}, {"user", "Add two numbers."}};
  req.params.n = 3;
  req.params.temperature = 1.0;
  req.params.max_tokens = 10;
  req.params.seed = 5;
  const auto replies = backend->generate(req);
  ASSERT_EQ(replies.size(), 3u);
  // The same as the library with seeds 5, 6, 7; sample 1 alone (id.sample = 1) gives the second reply.
  auto model = hrm::infer::TextModel::load(checkpoint());
  hrm::infer::GenerateOptions o;
  o.samples = 3;
  o.sampling.temperature = 1.0;
  o.sampling.max_new_tokens = 10;
  o.sampling.seed = 5;
  const auto direct = model.generate_chat({{{"system", "You are a coder."}, {"user", "Add two numbers."}}}, o);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(replies[i], direct.completions[i].text);
  EXPECT_FALSE(replies[0] == replies[1] && replies[1] == replies[2]);
  auto single = req;
  single.params.n = 1;
  single.id.sample = 1;
  EXPECT_EQ(backend->generate(single), std::vector<std::string>{replies[1]});
  // A prompt longer than the context gets empty replies instead of stopping the benchmark.
  auto huge = req;
  huge.messages = {{"user", std::string(2000, 'x')}};
  EXPECT_EQ(backend->generate(huge), std::vector<std::string>(3));
}

TEST(HrmBackend, SpecOptionsAndErrors) {
  hrm::backend::register_hrm_backend();
  auto adaptive = hrm::eval::make_backend("hrm:" + checkpoint() + "?act=adaptive&segments=2&dtype=bfloat16");
  hrm::eval::GenerationRequest req;
  req.messages = {{"user", "hi"}};
  req.params.max_tokens = 3;
  EXPECT_EQ(adaptive->generate(req).size(), 1u);
  const auto error_of = [](const std::string& spec) {
    try {
      hrm::eval::make_backend(spec);
    } catch (const hrm::Error& e) {
      return e.describe();
    }
    return std::string();
  };
  EXPECT_NE(error_of("hrm").find("checkpoint directory"), std::string::npos);
  EXPECT_NE(error_of("hrm:" + checkpoint() + "?colour=red").find("unknown option 'colour'"), std::string::npos);
  EXPECT_NE(error_of("hrm:" + checkpoint() + "?segments=0").find("positive integer"), std::string::npos);
  EXPECT_NE(error_of("hrm:/nonexistent/ckpt").find("/nonexistent/ckpt"), std::string::npos);
}

TEST(HrmBackend, TheCheckpointsDataCutoffDrivesTheContaminationGuard) {
  hrm::backend::register_hrm_backend();
  EXPECT_EQ(hrm::eval::make_backend("hrm:" + checkpoint())->training_cutoff(), "");
  const auto dated = (scratch() / "dated").string();
  {
    const auto meta = hrm::read_checkpoint_meta(checkpoint());
    hrm::HRMInner model(meta.config);
    hrm::load_checkpoint(checkpoint(), *model);
    hrm::save_checkpoint(dated, *model, {{"step", 0}, {"data_cutoff", "2024-01-01"}});
    fs::copy_file(fs::path(checkpoint()) / "tokenizer.model", fs::path(dated) / "tokenizer.model");
  }
  EXPECT_EQ(hrm::eval::make_backend("hrm:" + dated)->training_cutoff(), "2024-01-01");

  // hrm-eval takes the cutoff from the checkpoint when --train-cutoff is not given.
  const auto out = scratch() / "lcb_dated";
  const auto log = scratch() / "lcb_dated.log";
  const std::string cmd = std::string(HRM_BINARY_DIR) + "/bin/hrm-eval --bench livecodebench --data " + HRM_SOURCE_DIR +
                          "/data/lcb-fixtures --release v2 --n 1 --max-tokens 4 --jobs 1 --model hrm:" + dated +
                          " --out " + out.string() + " >" + log.string() + " 2>&1";
  ASSERT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 0) << cmd;
  std::ifstream in(log);
  const std::string text(std::istreambuf_iterator<char>(in), {});
  EXPECT_NE(text.find("CONTAMINATION: 3 of 6 problems"), std::string::npos) << text;
  std::ifstream summary_file(out / "summary.json");
  const auto summary = nlohmann::json::parse(summary_file);
  EXPECT_EQ(summary["contamination"]["train_cutoff"], "2024-01-01");
  EXPECT_EQ(summary["contamination"]["problems_before_cutoff"], 3);
}

}  // namespace
