// SFT stages: examples from real `hrm-data build` shards, response-only labels, prefix lengths,
// learning, tokenizer in every checkpoint, exact resume (also across a stage boundary), gradient
// accumulation equal to one large batch, bf16 on CPU.
#include <gtest/gtest.h>

#include "hrm/model/checkpoint.hpp"
#include "hrm/model/runtime.hpp"
#include "hrm/tokenizer/chat_template.hpp"
#include "hrm/train/stage_data.hpp"
#include "hrm/train/trainer.hpp"
#include "train_test_util.hpp"

namespace {

using namespace hrm::train_test;

struct SftFixture : ::testing::Test {
  static void SetUpTestSuite() {
    hrm::configure_threads(1);
    root = scratch_dir("sft");
    shards = build_sft_shards(root / "a", 80, 1);
  }
  static std::string config(const std::string& name, const std::string& stages, const std::string& model_extra = "") {
    const auto path = root / (name + ".yaml");
    write(path, tiny_text_model(model_extra) + "seed: 2\nlog_interval: 1000\nstages:\n" + stages);
    return path.string();
  }
  static std::vector<double> losses(hrm::Trainer& t, int n) {
    std::vector<double> out;
    for (int i = 0; i < n; ++i) out.push_back(t.step().loss);
    return out;
  }
  static fs::path root, shards;
};
fs::path SftFixture::root, SftFixture::shards;

TEST_F(SftFixture, ExamplesAreWholeDocumentsWithResponseOnlyLabels) {
  const auto cfg = hrm::TrainConfig::from_file(config("data", sft_stage(shards, "sft", 4)));
  hrm::StageData data(cfg.stages[0], cfg.model, cfg.source);
  EXPECT_EQ(data.tokenizer_path(), (shards / "tokenizer.model").string());
  const auto reader = hrm::ShardReader::open(shards / "train");
  ASSERT_EQ(data.train_sizes(), std::vector<int64_t>{reader.num_documents()});
  const auto batch = data.train_batch({{0, 0}, {0, 3}}, torch::kCPU);
  const auto tok = hrm::Tokenizer::load(data.tokenizer_path());
  for (int row = 0; row < 2; ++row) {
    std::vector<int32_t> tokens;
    std::vector<uint8_t> mask;
    reader.read_document(row == 0 ? 0 : 3, tokens, mask);
    const auto n = static_cast<int64_t>(tokens.size());
    // Inputs are the document shifted by one against the labels; labels exist only under the loss mask.
    std::vector<int32_t> response;
    for (int64_t j = 0; j + 1 < n; ++j) {
      EXPECT_EQ(batch.inputs[row][j].item<int64_t>(), tokens[static_cast<size_t>(j)]);
      const auto label = batch.labels[row][j].item<int64_t>();
      if (mask[static_cast<size_t>(j + 1)]) {
        EXPECT_EQ(label, tokens[static_cast<size_t>(j + 1)]);
        response.push_back(static_cast<int32_t>(label));
      } else {
        EXPECT_EQ(label, hrm::kIgnoreLabel);
      }
    }
    for (int64_t j = n - 1; j < 32; ++j) EXPECT_EQ(batch.labels[row][j].item<int64_t>(), hrm::kIgnoreLabel);
    // The labelled tokens are the reversed word and <|end|>; the prompt is everything before.
    const auto text = tok.decode(response);
    EXPECT_EQ(text.size(), 3u + std::string("<|end|>").size()) << text;
    EXPECT_EQ(batch.prefix_lens[row].item<int64_t>(), reader.document(row == 0 ? 0 : 3).prompt_length);
    const auto prompt =
        tok.decode(std::vector<int32_t>(tokens.begin(), tokens.begin() + batch.prefix_lens[row].item<int64_t>()));
    EXPECT_NE(prompt.find("reverse: "), std::string::npos) << prompt;
    EXPECT_EQ(prompt.substr(prompt.size() - std::string("<|assistant|>\n").size()), "<|assistant|>\n");
  }
}

TEST_F(SftFixture, TrainsDeterministicallyAndLowersValidationLoss) {
  const auto cfg = hrm::TrainConfig::from_file(config("learn", sft_stage(shards, "sft", 40)));
  hrm::Trainer a(cfg, (root / "learn_a").string()), b(cfg, (root / "learn_b").string());
  const auto before = a.evaluate();
  const auto la = losses(a, 40);
  EXPECT_EQ(la, losses(b, 40));
  const auto after = a.evaluate();
  EXPECT_GT(before.examples, 0);
  EXPECT_LT(after.loss, before.loss * 0.8) << before.loss << " -> " << after.loss;
  EXPECT_EQ(after.exact_by_segment.size(), 2u);
}

TEST_F(SftFixture, EveryCheckpointIsALoadableTextModelDirectory) {
  const auto cfg = hrm::TrainConfig::from_file(config("ckpt", sft_stage(shards, "sft", 3)));
  const auto run = root / "ckpt_run";
  hrm::Trainer t(cfg, run.string());
  t.run();
  for (const auto& dir : {run / "final", run / "checkpoints" / "step-00000003"}) {
    ASSERT_TRUE(fs::exists(dir / "model.safetensors")) << dir;
    EXPECT_TRUE(fs::exists(dir / "config.yaml"));
    EXPECT_TRUE(fs::exists(dir / "train_state.json"));
    EXPECT_TRUE(fs::exists(dir / "train_config.yaml"));
    ASSERT_TRUE(fs::exists(dir / "tokenizer.model"));
    EXPECT_EQ(hrm::read_file(dir / "tokenizer.model"), hrm::read_file(shards / "tokenizer.model"));
    const auto meta = hrm::read_checkpoint_meta(dir.string());
    hrm::HRMInner inner(meta.config);
    hrm::load_checkpoint(dir.string(), *inner);
    EXPECT_EQ(meta.train_state.at("tokenizer"), "tokenizer.model");
    EXPECT_EQ(meta.train_state.at("stage_kind"), "sft");
    EXPECT_EQ(hrm::Tokenizer::load(dir / "tokenizer.model").vocab_size(), 600);
  }
  // The resolved config was saved and reads back to the same config.
  const auto resolved = hrm::TrainConfig::from_file((run / "train_config.yaml").string());
  EXPECT_EQ(resolved.to_yaml(), cfg.to_yaml());
}

TEST_F(SftFixture, InitStartsFromACheckpointAndTheDataCutoffIsRecorded) {
  const auto first = root / "cutoff_run";
  {
    const auto path = root / "cutoff.yaml";
    write(path, tiny_text_model() + "seed: 2\nlog_interval: 1000\ndata_cutoff: 2024-03-01\nstages:\n" +
                    sft_stage(shards, "sft", 2));
    hrm::Trainer t(hrm::TrainConfig::from_file(path.string()), first.string());
    t.run();
  }
  EXPECT_EQ(hrm::read_checkpoint_meta((first / "final").string()).train_state.at("data_cutoff"), "2024-03-01");

  // Fine-tuning from it: the weights start as the checkpoint's, and its cutoff carries over unless
  // this run's data is newer.
  const auto tune = [&](const std::string& name, const std::string& extra) {
    const auto path = root / (name + ".yaml");
    write(path, tiny_text_model() + "seed: 5\nlog_interval: 1000\ninit: " + (first / "final").string() + "\n" + extra +
                    "stages:\n" + sft_stage(shards, "sft", 1));
    return hrm::TrainConfig::from_file(path.string());
  };
  {
    hrm::Trainer t(tune("tune_a", ""), (root / "tune_a").string());
    hrm::HRMInner saved(t.config().model);
    hrm::load_checkpoint((first / "final").string(), *saved);
    const auto start = t.model()->inner->named_parameters();
    for (const auto& p : saved->named_parameters()) EXPECT_TRUE(torch::equal(p.value(), start[p.key()])) << p.key();
    t.run();
    EXPECT_EQ(hrm::read_checkpoint_meta((root / "tune_a" / "final").string()).train_state.at("data_cutoff"),
              "2024-03-01");
  }
  EXPECT_EQ(tune("tune_b", "data_cutoff: 2025-01-31\n").data_cutoff, "2025-01-31");
  {
    hrm::Trainer t(tune("tune_c", "data_cutoff: 2023-12-31\n"), (root / "tune_c").string());
    EXPECT_EQ(t.config().data_cutoff, "2024-03-01");  // the older date cannot hide the init's data
  }
  for (const auto& [bad, key] : std::vector<std::pair<std::string, std::string>>{
           {"data_cutoff: 2024-13-01\n", "data_cutoff"}, {"init: /nonexistent/ckpt\n", "init"}}) {
    const auto path = root / "bad_cutoff.yaml";
    write(path, tiny_text_model() + bad + "stages:\n" + sft_stage(shards, "sft", 1));
    try {
      hrm::TrainConfig::from_file(path.string());
      ADD_FAILURE() << bad;
    } catch (const hrm::Error& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("bad_cutoff.yaml"), std::string::npos) << e.what();
    }
  }
}

TEST_F(SftFixture, ResumeIsExactInsideAStageAndAcrossAStageBoundary) {
  const auto stages = sft_stage(shards, "first", 4, "    ema_decay: 0.9\n") +
                      sft_stage(shards, "second", 4, "    micro_batch_size: 4\n");
  const auto cfg = hrm::TrainConfig::from_file(config("resume", stages));
  hrm::Trainer full(cfg, (root / "resume_full").string());
  const auto expected = losses(full, 8);
  for (int cut : {2, 4, 6}) {
    hrm::Trainer first(cfg, (root / "resume_a").string());
    const auto head = losses(first, cut);
    EXPECT_EQ(head, std::vector<double>(expected.begin(), expected.begin() + cut)) << cut;
    const auto ckpt = (root / ("resume_ckpt_" + std::to_string(cut))).string();
    first.save(ckpt);
    hrm::Trainer resumed(cfg, (root / "resume_b").string());
    resumed.resume(ckpt);
    EXPECT_EQ(resumed.current_step(), cut);
    EXPECT_EQ(losses(resumed, 8 - cut), std::vector<double>(expected.begin() + cut, expected.end()))
        << "cut at " << cut;
    EXPECT_TRUE(resumed.finished());
  }
}

TEST_F(SftFixture, GradientAccumulationMatchesOneBatch) {
  // Without exploration (the only per-micro-batch randomness) 2 x 4 accumulated equals 1 x 8.
  const auto one =
      hrm::TrainConfig::from_file(config("accum1", sft_stage(shards, "sft", 5), "  halt_exploration_prob: 0\n"));
  const auto two = hrm::TrainConfig::from_file(
      config("accum2", sft_stage(shards, "sft", 5, "    micro_batch_size: 4\n"), "  halt_exploration_prob: 0\n"));
  hrm::Trainer a(one, (root / "accum_a").string()), b(two, (root / "accum_b").string());
  const auto la = losses(a, 5), lb = losses(b, 5);
  for (size_t i = 0; i < la.size(); ++i) EXPECT_NEAR(la[i], lb[i], 1e-4 * std::abs(la[i])) << i;
  const auto pa = a.model()->parameters(), pb = b.model()->parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_LT((pa[i] - pb[i]).abs().max().item<double>(), 1e-4) << i;
}

TEST_F(SftFixture, Bfloat16ForwardTrainsOnCpu) {
  const auto over =
      hrm::TrainConfig::from_file(config("bf16", sft_stage(shards, "sft", 3)), {"model.forward_dtype=bfloat16"});
  EXPECT_EQ(over.model.forward_dtype, "bfloat16");
  hrm::Trainer t(over, (root / "bf16").string());
  for (const double l : losses(t, 3)) EXPECT_TRUE(std::isfinite(l));
}

TEST_F(SftFixture, BidirectionalSftAndOversizedDocumentsAreRefused) {
  auto path = config("bidir", sft_stage(shards, "sft", 3));
  try {
    hrm::TrainConfig::from_file(path, {"model.attention=bidirectional"});
    FAIL();
  } catch (const hrm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("stages.0.kind"), std::string::npos) << e.what();
  }
  const auto cfg = hrm::TrainConfig::from_file(path, {"model.seq_len=8"});
  try {
    hrm::Trainer t(cfg, (root / "short").string());
    FAIL();
  } catch (const hrm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.seq_len 8 fits at most 9"), std::string::npos) << e.what();
  }
}

}  // namespace
