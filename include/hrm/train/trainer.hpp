// Trainer — HRM training on a puzzle dataset: one ACT segment per step with deep supervision
// (the carry crosses steps; halted slots take fresh examples), AdamATan2/AdamW + sparse SignSGD for
// the task embedding, warmup+cosine schedule, optional EMA and bp_steps warmup, periodic held-out
// evaluation, JSON-lines metrics and checkpoints that resume exactly.
#pragma once
#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>

#include "hrm/model/act.hpp"
#include "hrm/model/losses.hpp"
#include "hrm/model/sign_sgd.hpp"
#include "hrm/puzzle/dataset.hpp"
#include "hrm/train/ema.hpp"
#include "hrm/train/puzzle_batcher.hpp"
#include "hrm/train/puzzle_eval.hpp"
#include "hrm/train/train_config.hpp"

namespace hrm {

struct StepMetrics {
  int64_t step = 0;
  double loss = 0, lr = 0, grad_norm = 0, seconds = 0;
  ActMetrics act;
};

class Trainer {
 public:
  // `out_dir` receives metrics.jsonl, config copies and checkpoints (checkpoint/, final/).
  Trainer(TrainConfig config, std::string out_dir, torch::Device device = torch::kCPU);

  StepMetrics step();
  PuzzleEvalResult evaluate();
  // Runs to config.steps with logging, evaluation and checkpoints; returns the final evaluation.
  PuzzleEvalResult run();

  void save(const std::string& dir);
  void resume(const std::string& dir);

  HRM& model() { return model_; }
  int64_t current_step() const { return step_; }
  const TrainConfig& config() const { return config_; }

 private:
  double scheduled_lr() const;
  void log_step(const StepMetrics& m);
  nlohmann::json eval_json(const PuzzleEvalResult& r) const;

  TrainConfig config_;
  std::string out_dir_;
  torch::Device device_;
  puzzle::PuzzleDataset data_;
  HRM model_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::vector<double> group_lr_mult_;
  std::unique_ptr<SparseSignSGD> puzzle_emb_optimizer_;
  std::unique_ptr<EmaWeights> ema_;
  std::unique_ptr<PuzzleBatcher> batcher_;
  Carry carry_;
  bool carry_ready_ = false;
  int64_t step_ = 0;
  std::ofstream metrics_;
  ActMetrics window_;
  double window_seconds_ = 0;
  int64_t window_steps_ = 0;
};

}  // namespace hrm
