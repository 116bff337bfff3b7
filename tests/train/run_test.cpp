// Trainer::run and the run directory: staged configs and --set overrides, checkpoints kept (last K +
// best), falling back past a corrupt latest checkpoint, stopping on a signal, the NaN/Inf guard,
// the metrics lines and `hrm-train report`.
#include <gtest/gtest.h>

#include <csignal>

#include "hrm/model/runtime.hpp"
#include "hrm/puzzle/dataset.hpp"
#include "hrm/train/report.hpp"
#include "hrm/train/stop_signal.hpp"
#include "hrm/train/trainer.hpp"
#include "train_test_util.hpp"

namespace {

using namespace hrm::train_test;

struct RunFixture : ::testing::Test {
  static void SetUpTestSuite() {
    hrm::configure_threads(1);
    root = scratch_dir("run");
    hrm::puzzle::SudokuDatasetOptions o;
    o.train_puzzles = 100;
    o.test_puzzles = 20;
    o.seed = 9;
    hrm::puzzle::generate_sudoku(o).save((root / "data").string());
  }
  // A two-stage puzzle run (both on the same tiny Sudoku set).
  static std::string config(const std::string& name, const std::string& extra = "") {
    const auto path = root / (name + ".yaml");
    const auto stage = [&](const std::string& n, int steps) {
      return "  - {name: " + n + ", kind: puzzle, steps: " + std::to_string(steps) +
             ", global_batch_size: 8, data: {path: " + (root / "data").string() +
             "}, optimizer: {lr: 1.0e-3, warmup_steps: 1}, eval: {interval: 3, batch_size: 20}}\n";
    };
    write(path,
          "model: {vocab_size: 6, seq_len: 16, hidden_size: 16, num_heads: 2, H_layers: 1, L_layers: 1, H_cycles: 1, "
          "L_cycles: 1, halt_max_steps: 2, forward_dtype: float32}\nlog_interval: 2\n"
          "checkpoint: {interval: 2, keep_last: 2}\nstages:\n" +
              stage("one", 4) + stage("two", 4) + extra);
    return path.string();
  }
  static fs::path root;
};
fs::path RunFixture::root;

TEST_F(RunFixture, OverridesApplyToStagesAndTheReferencedModel) {
  const auto c = hrm::TrainConfig::from_file(config("over"), {"stages.1.steps=7", "model.hidden_size=32", "seed=11",
                                                              "stages.0.optimizer.lr=5e-4", "checkpoint.keep_last=3"});
  EXPECT_EQ(c.stages[1].steps, 7);
  EXPECT_EQ(c.model.hidden_size, 32);
  EXPECT_EQ(c.seed, 11u);
  EXPECT_DOUBLE_EQ(c.stages[0].optimizer.lr, 5e-4);
  EXPECT_EQ(c.checkpoint.keep_last, 3);
  EXPECT_EQ(c.total_steps(), 11);
  const auto err = [&](const std::vector<std::string>& o) {
    try {
      hrm::TrainConfig::from_file(config("over"), o);
    } catch (const hrm::Error& e) {
      return e.describe();
    }
    return std::string();
  };
  EXPECT_NE(err({"stages.0.stesp=3"}).find("unknown key 'stages.0.stesp'"), std::string::npos);
  EXPECT_NE(err({"stages.5.steps=3"}).find("past the end"), std::string::npos);
  EXPECT_NE(err({"seed"}).find("expected key.path=value"), std::string::npos);
  EXPECT_NE(err({"stages.0.kind=gspo"}).find("unknown stage kind 'gspo'"), std::string::npos);  // not registered here
  EXPECT_NE(err({"stages.0.micro_batch_size=3"}).find("micro_batch_size"), std::string::npos);
  // eval.code: the problems must exist, and a program without a registered code evaluator refuses it.
  EXPECT_NE(err({"stages.0.eval.code.problems=/nonexistent/problems.jsonl"}).find("does not exist"), std::string::npos);
  const auto problems = (fs::path(HRM_SOURCE_DIR) / "data" / "lcb-fixtures" / "test.jsonl").string();
  EXPECT_NE(err({"stages.0.eval.code.problems=" + problems}).find("eval.code.problems"), std::string::npos);
}

TEST_F(RunFixture, RunKeepsLastCheckpointsAndFallsBackPastACorruptOne) {
  const auto cfg = hrm::TrainConfig::from_file(config("keep"));
  const auto out = root / "keep_run";
  hrm::Trainer t(cfg, out.string());
  t.run();
  EXPECT_TRUE(fs::exists(out / "final" / "model.safetensors"));
  // interval 2 over 8 steps; keep_last 2 (plus the best by eval loss, if older).
  std::vector<std::string> kept;
  for (const auto& e : fs::directory_iterator(out / "checkpoints")) kept.push_back(e.path().filename().string());
  EXPECT_NE(std::find(kept.begin(), kept.end(), "step-00000008"), kept.end());
  EXPECT_EQ(std::find(kept.begin(), kept.end(), "step-00000002"), kept.end());
  const auto step_dirs =
      std::count_if(kept.begin(), kept.end(), [](const std::string& n) { return n.rfind("step-", 0) == 0; });
  EXPECT_GE(step_dirs, 2);
  EXPECT_LE(step_dirs, 3);  // keep_last 2 + the best
  EXPECT_TRUE(fs::exists(out / "checkpoints" / "best.json"));
  ASSERT_TRUE(fs::is_symlink(out / "checkpoint"));  // the newest checkpoint, for hrm-generate --ckpt
  EXPECT_EQ(fs::read_symlink(out / "checkpoint"), fs::path("checkpoints") / "step-00000008");
  // Metrics: step lines carry the stage and throughput, eval lines the held-out metrics.
  const auto metrics = hrm::read_file(out / "metrics.jsonl");
  EXPECT_NE(metrics.find("\"stage_name\":\"two\""), std::string::npos);
  EXPECT_NE(metrics.find("\"tokens_per_s\""), std::string::npos);
  EXPECT_NE(metrics.find("\"peak_rss_mb\""), std::string::npos);
  EXPECT_NE(metrics.find("\"eval_exact_accuracy\""), std::string::npos);

  // Corrupt the newest checkpoint's weights: resume warns and uses the previous one.
  std::vector<std::string> steps;
  for (const auto& name : kept) {
    if (name.rfind("step-", 0) == 0) steps.push_back(name);
  }
  std::sort(steps.begin(), steps.end());
  ASSERT_GE(steps.size(), 2u);
  write(out / "checkpoints" / steps.back() / "model.safetensors", "not a safetensors file");
  hrm::Trainer resumed(cfg, out.string());
  const auto used = resumed.resume_latest();
  EXPECT_EQ(fs::path(used).filename(), steps[steps.size() - 2]);
  EXPECT_EQ(resumed.current_step(), std::stoi(steps[steps.size() - 2].substr(5)));
  EXPECT_EQ(resumed.current_stage(), 1);
}

TEST_F(RunFixture, StopSignalWritesACheckpointAndResumeMatchesAnUninterruptedRun) {
  const auto cfg = hrm::TrainConfig::from_file(config("stop"));
  hrm::Trainer full(cfg, (root / "stop_full").string());
  std::vector<double> expected;
  for (int i = 0; i < 8; ++i) expected.push_back(full.step().loss);

  const auto out = root / "stop_run";
  {
    hrm::Trainer t(cfg, out.string());
    for (int i = 0; i < 2; ++i) t.step();
    hrm::request_stop(SIGTERM);  // as the handler does; run() stops after its next step
    t.run();
    hrm::request_stop(0);
    EXPECT_TRUE(t.stopped_by_signal());
    EXPECT_EQ(t.current_step(), 3);
  }
  ASSERT_TRUE(fs::exists(out / "checkpoints" / "step-00000003"));
  hrm::Trainer resumed(cfg, out.string());
  EXPECT_NE(resumed.resume_latest(), "");
  std::vector<double> rest;
  while (!resumed.finished()) rest.push_back(resumed.step().loss);
  EXPECT_EQ(rest, std::vector<double>(expected.begin() + 3, expected.end()));
}

TEST_F(RunFixture, NonFiniteStepsAreSkippedThenStopTheRun) {
  // An absurd learning rate blows the weights up after the first update.
  const auto cfg = hrm::TrainConfig::from_file(
      config("nan"), {"stages.0.optimizer.lr=1e30", "stages.0.optimizer.warmup_steps=0", "max_bad_steps=3"});
  hrm::Trainer t(cfg, (root / "nan_run").string());
  int skipped = 0;
  try {
    for (int i = 0; i < 8; ++i) skipped += t.step().skipped ? 1 : 0;
    FAIL() << "expected the guard to stop the run";
  } catch (const hrm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("3 non-finite steps in a row"), std::string::npos) << e.what();
  }
  EXPECT_EQ(skipped, 2);  // the third one threw
  EXPECT_NE(hrm::read_file(root / "nan_run" / "metrics.jsonl").find("skipped_step"), std::string::npos);
}

TEST_F(RunFixture, ReportDrawsPngAndSvgCurves) {
  const auto cfg = hrm::TrainConfig::from_file(config("report"));
  const auto out = root / "report_run";
  hrm::Trainer(cfg, out.string()).run();
  const auto files = hrm::write_training_report((out / "metrics.jsonl").string(), (out / "report").string());
  ASSERT_FALSE(files.images.empty());
  EXPECT_TRUE(fs::exists(out / "report" / "loss.png"));
  EXPECT_TRUE(fs::exists(out / "report" / "eval_accuracy.svg"));
  EXPECT_EQ(hrm::read_file(out / "report" / "loss.png").substr(1, 3), "PNG");
  EXPECT_NE(hrm::read_file(out / "report" / "loss.svg").find("<svg"), std::string::npos);
  write(root / "bad.jsonl", "{\"step\": 1}\nnot json\n");
  try {
    hrm::write_training_report((root / "bad.jsonl").string(), (root / "bad_report").string());
    FAIL();
  } catch (const hrm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.jsonl:2"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

TEST(BundledTrainConfigs, ParseAndRoundTrip) {
  for (const char* name : {"sudoku4x4", "sft_synth", "pretrain_27m", "multi_gpu"}) {
    const auto path = std::string(HRM_SOURCE_DIR) + "/configs/train/" + name + ".yaml";
    const auto c = hrm::TrainConfig::from_file(path);
    ASSERT_FALSE(c.stages.empty()) << name;
    const auto resolved = hrm::train_test::scratch_dir("bundled") / (std::string(name) + ".yaml");
    hrm::train_test::write(resolved, c.to_yaml());
    EXPECT_EQ(hrm::TrainConfig::from_file(resolved.string()).to_yaml(), c.to_yaml()) << name;
  }
  EXPECT_EQ(hrm::TrainConfig::from_file(std::string(HRM_SOURCE_DIR) + "/configs/train/sft_synth.yaml").stages[0].kind,
            hrm::StageKind::kSft);
}

}  // namespace
