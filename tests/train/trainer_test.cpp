// Trainer: same seed -> same losses; resuming from a checkpoint continues exactly; config errors.
#include "hrm/train/trainer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hrm/model/lr_schedule.hpp"
#include "hrm/model/runtime.hpp"
#include "hrm/puzzle/dataset.hpp"
#include "train_test_util.hpp"

namespace fs = std::filesystem;

namespace {

struct TrainerFixture : ::testing::Test {
  static void SetUpTestSuite() {
    hrm::configure_threads(1);
    root = hrm::train_test::scratch_dir("trainer");
    hrm::puzzle::SudokuDatasetOptions o;
    o.train_puzzles = 200;
    o.test_puzzles = 40;
    o.seed = 5;
    hrm::puzzle::generate_sudoku(o).save((root / "data").string());
  }

  static std::string write_config(const std::string& name, const std::string& extra) {
    const auto path = (root / (name + ".yaml")).string();
    std::ofstream(path) << "model:\n  vocab_size: 6\n  seq_len: 16\n  hidden_size: 32\n  num_heads: 2\n"
                           "  H_layers: 1\n  L_layers: 1\n  halt_max_steps: 3\n  forward_dtype: float32\n"
                           "data:\n  path: "
                        << (root / "data").string()
                        << "\nbatch_size: 16\nsteps: 12\n"
                           "optimizer: {lr: 1.0e-3, warmup_steps: 2, lr_min_ratio: 0.1}\neval_interval: 1000\n"
                        << extra;
    return path;
  }

  static std::vector<double> losses(hrm::Trainer& t, int n) {
    std::vector<double> out;
    for (int i = 0; i < n; ++i) out.push_back(t.step().loss);
    return out;
  }

  static fs::path root;
};
fs::path TrainerFixture::root;

TEST_F(TrainerFixture, SameSeedGivesSameLosses) {
  const auto cfg = hrm::TrainConfig::from_file(write_config("seed", "seed: 3\nema_decay: 0.9\n"));
  hrm::Trainer a(cfg, (root / "run_a").string()), b(cfg, (root / "run_b").string());
  const auto la = losses(a, 6), lb = losses(b, 6);
  EXPECT_EQ(la, lb);
  EXPECT_NE(la.front(), la.back());
}

// As the reference (step counter incremented before the lr is computed): the first update is not at lr 0,
// and the last one is at lr_min_ratio * lr.
TEST_F(TrainerFixture, LearningRateOfUpdateKIsTheScheduleAtK) {
  hrm::Trainer t(hrm::TrainConfig::from_file(write_config("lr", "")), (root / "run_lr").string());
  std::vector<double> lrs;
  for (int k = 1; k <= 12; ++k) lrs.push_back(t.step().lr);
  EXPECT_DOUBLE_EQ(lrs[0], 0.5e-3);
  EXPECT_DOUBLE_EQ(lrs[1], 1.0e-3);
  EXPECT_NEAR(lrs[11], 1.0e-4, 1e-15);
  for (int k = 1; k <= 12; ++k) EXPECT_DOUBLE_EQ(lrs[k - 1], hrm::cosine_warmup_lr(k, 1.0e-3, 2, 12, 0.1)) << k;
}

TEST_F(TrainerFixture, ResumeContinuesExactlyAsAnUninterruptedRun) {
  for (const char* opt : {"adam_atan2", "adamw"}) {
    const auto cfg = hrm::TrainConfig::from_file(write_config(
        std::string("resume_") + opt, std::string("optimizer: {name: ") + opt + ", lr: 1.0e-3}\nema_decay: 0.9\n"));
    hrm::Trainer full(cfg, (root / "full").string());
    losses(full, 5);
    const auto ckpt = (root / "ckpt").string();
    full.save(ckpt);
    const auto expected = losses(full, 5);
    hrm::Trainer resumed(cfg, (root / "resumed").string());
    resumed.resume(ckpt);
    EXPECT_EQ(resumed.current_step(), 5);
    EXPECT_EQ(losses(resumed, 5), expected) << opt;
  }
}

TEST_F(TrainerFixture, ConfigErrorsNameFileAndKey) {
  const auto err = [](const std::string& path) {
    try {
      hrm::TrainConfig::from_file(path);
    } catch (const hrm::Error& e) {
      return e.describe();
    }
    return std::string();
  };
  auto msg = err(write_config("typo", "bach_size: 3\n"));
  EXPECT_NE(msg.find("typo.yaml: unknown key 'bach_size'"), std::string::npos) << msg;
  msg = err(write_config("badvalue", "ema_decay: 1.5\n"));
  EXPECT_NE(msg.find("badvalue.yaml: invalid 'ema_decay'"), std::string::npos) << msg;
  const auto path = (root / "badopt.yaml").string();
  std::ofstream(path) << "model: {vocab_size: 6, seq_len: 16}\ndata: {path: x}\noptimizer: {name: sgd}\n";
  msg = err(path);
  EXPECT_NE(msg.find("'optimizer.name' is 'sgd'"), std::string::npos) << msg;
  msg = err(write_config("badmodel", "model_x: 1\n"));
  EXPECT_NE(msg.find("unknown key 'model_x'"), std::string::npos) << msg;
}

TEST_F(TrainerFixture, DatasetShapeMismatchIsAClearError) {
  const auto path = (root / "mismatch.yaml").string();
  std::ofstream(path) << "model: {vocab_size: 9, seq_len: 16, hidden_size: 32, num_heads: 2}\ndata: {path: "
                      << (root / "data").string() << "}\n";
  const auto cfg = hrm::TrainConfig::from_file(path);
  try {
    hrm::Trainer t(cfg, (root / "mm").string());
    FAIL() << "expected an error";
  } catch (const hrm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("do not match dataset"), std::string::npos) << e.what();
  }
}

}  // namespace
