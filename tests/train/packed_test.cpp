// The packed-shard training path: causal-LM pretraining on `hrm-data build` shards with `packing: true`
// (the path configs/train/pretrain_code.yaml takes). Windows of seq_len + 1 tokens of the concatenated
// stream, next-token labels under the build's loss mask, no prefix; learning; activation
// checkpointing gives the same losses; the shipped code config parses with a 4096-token context.
#include <gtest/gtest.h>

#include "hrm/model/runtime.hpp"
#include "hrm/train/stage_data.hpp"
#include "hrm/train/trainer.hpp"
#include "train_test_util.hpp"

namespace {

using namespace hrm::train_test;

// Pretraining rows of small, regular "code" (a language model learns them fast), packed into
// windows of `seq_len` tokens.
fs::path build_packed_shards(const fs::path& dir, int64_t seq_len) {
  std::string jsonl;
  for (int i = 0; i < 30; ++i) {
    const std::string name = std::string(1, static_cast<char>('a' + i % 7)) + std::to_string(i % 5);
    const std::string code = "def " + name + "(x):\n    return x + " + std::to_string(i % 3) + "\n";
    jsonl += nlohmann::json{{"content", code}, {"language", "python"}}.dump() + "\n";
  }
  write(dir / "corpus.jsonl", jsonl);
  const auto config = hrm::BuildConfig::from_yaml(
      "tokenizer: " + tokenizer_path().string() + "\nout: " + (dir / "shards").string() +
          "\nmode: pretrain\ninputs: [" + (dir / "corpus.jsonl").string() + "]\nseq_len: " + std::to_string(seq_len) +
          "\npacking: true\nvalidation_fraction: 0.1\nseed: 3\n",
      (dir / "pretrain.yaml").string());
  hrm::run_build(config);
  return dir / "shards";
}

std::string causal_model(const std::string& extra = "") {
  return "model:\n  vocab_size: 600\n  seq_len: 32\n  hidden_size: 32\n  num_heads: 2\n  H_layers: 1\n  L_layers: 1\n"
         "  H_cycles: 1\n  L_cycles: 2\n  halt_max_steps: 1\n  attention: causal\n  forward_dtype: float32\n" +
         extra;
}

struct PackedFixture : ::testing::Test {
  static void SetUpTestSuite() {
    hrm::configure_threads(1);
    root = scratch_dir("packed");
    shards = build_packed_shards(root / "a", 32);
  }
  static std::string config(const std::string& name, int steps, const std::string& model_extra = "") {
    const auto path = root / (name + ".yaml");
    write(path, causal_model(model_extra) + "seed: 4\nlog_interval: 1000\nstages:\n" + sft_stage(shards, "lm", steps));
    return path.string();
  }
  static fs::path root, shards;
};
fs::path PackedFixture::root, PackedFixture::shards;

TEST_F(PackedFixture, WindowsAreTheTokenStreamWithNextTokenLabels) {
  const auto cfg = hrm::TrainConfig::from_file(config("windows", 1));
  hrm::StageData data(cfg.stages[0], cfg.model, cfg.source);
  const auto reader = hrm::ShardReader::open(shards / "train");
  ASSERT_TRUE(reader.packing());
  const int64_t L = cfg.model.seq_len + 1;
  ASSERT_EQ(data.train_sizes(), std::vector<int64_t>{reader.num_sequences(L)});
  ASSERT_GE(reader.num_sequences(L), 4);
  const auto batch = data.train_batch({{0, 1}, {0, 3}}, torch::kCPU);
  for (int row = 0; row < 2; ++row) {
    std::vector<int32_t> tokens(static_cast<size_t>(L));
    std::vector<uint8_t> mask(static_cast<size_t>(L));
    reader.read(row == 0 ? 1 : 3, L, tokens.data(), mask.data());
    for (int64_t j = 0; j + 1 < L; ++j) {
      EXPECT_EQ(batch.inputs[row][j].item<int64_t>(), tokens[static_cast<size_t>(j)]);
      const int64_t want = mask[static_cast<size_t>(j + 1)] ? tokens[static_cast<size_t>(j + 1)] : hrm::kIgnoreLabel;
      EXPECT_EQ(batch.labels[row][j].item<int64_t>(), want) << row << ":" << j;
    }
    EXPECT_EQ(batch.prefix_lens[row].item<int64_t>(), 0) << "packed text is plain causal LM";
  }
}

TEST_F(PackedFixture, LearnsTheCorpusAndCheckpointingChangesNothing) {
  const auto plain = hrm::TrainConfig::from_file(config("plain", 30));
  const auto ckpt = hrm::TrainConfig::from_file(config("ckpt", 30, "  activation_checkpointing: true\n"));
  hrm::Trainer a(plain, (root / "plain").string()), b(ckpt, (root / "ckpt").string());
  const double before = a.evaluate().loss;
  std::vector<double> la, lb;
  for (int i = 0; i < 30; ++i) {
    la.push_back(a.step().loss);
    lb.push_back(b.step().loss);
  }
  for (size_t i = 0; i < la.size(); ++i) EXPECT_NEAR(la[i], lb[i], 1e-4 * std::max(1.0, la[i])) << "step " << i;
  const double after = a.evaluate().loss;
  EXPECT_LT(after, 0.7 * before) << "validation loss " << before << " -> " << after;
}

TEST(PackedConfig, TheCodePretrainingConfigHasA4096TokenCheckpointedCausalModel) {
  const auto path = fs::path(HRM_SOURCE_DIR) / "configs" / "train" / "pretrain_code.yaml";
  const auto cfg = hrm::TrainConfig::from_file(path.string());
  EXPECT_GE(cfg.model.seq_len, 4096);
  EXPECT_EQ(cfg.model.attention, hrm::AttentionMode::kCausal);
  EXPECT_TRUE(cfg.model.activation_checkpointing);
}

}  // namespace
