// Trainer — runs a TrainConfig's stages in order on one HRM.
//
// A step is one ACT segment over the stage's global batch: the batch is cut into micro-batches, each
// with its own ACT carry (deep supervision: the carry crosses steps; halted slots take fresh examples).
// This rank runs its micro-batches (forward → act_loss → backward, gradients accumulated), gradients
// are all-reduced over ranks, measured, clipped, checked for NaN/Inf, and the optimizer steps
// (AdamATan2/AdamW with warmup + cosine, SparseSignSGD for the task embedding, optional EMA).
// The global batch is a function of (seed, steps done) only, and the ACT exploration draws of micro-batch
// c of step t are seeded from (seed, stage, t, c): the same global and micro batch sizes give the same
// training on any number of ranks, and a checkpoint resumes exactly.
//
// Collective calls (step, evaluate, save, resume) must be made by every rank in the same order.
#pragma once
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "hrm/model/act.hpp"
#include "hrm/train/distributed.hpp"
#include "hrm/train/evaluation.hpp"
#include "hrm/train/metrics_log.hpp"
#include "hrm/train/train_config.hpp"

namespace hrm {

class Trainer {
 public:
  // `out_dir` receives metrics.jsonl, the resolved config (train_config.yaml), checkpoints/ and final/.
  // `dist` (may be null: one process) must outlive the trainer.
  Trainer(TrainConfig config, std::string out_dir, torch::Device device = torch::kCPU, Distributed* dist = nullptr);
  ~Trainer();

  // One optimizer step of the current stage; the first step after a stage's last one starts the next.
  StepMetrics step();
  // The current stage's held-out evaluation (EMA weights when the stage keeps an EMA).
  EvalResult evaluate();
  // Runs every remaining stage with logging, evaluation and checkpoints, then writes final/. Returns
  // the last evaluation. Stops early (checkpoint written, stopped_by_signal() true) on SIGINT/SIGTERM.
  EvalResult run();

  // A checkpoint directory (atomic: written aside, then renamed): model.safetensors, config.yaml,
  // train_state.json, train_state.safetensors, train_config.yaml and, for text stages, tokenizer.model.
  void save(const std::string& dir);
  void resume(const std::string& dir);
  // Resumes from the newest readable checkpoint under <out>/checkpoints, warning about and skipping
  // unreadable ones; returns the directory used, or "" when there is none.
  std::string resume_latest();

  HRM& model() { return model_; }
  int64_t current_step() const { return step_; }
  int current_stage() const;
  bool finished() const;
  bool stopped_by_signal() const { return stopped_; }
  const TrainConfig& config() const { return config_; }
  std::string checkpoints_dir() const;

 private:
  struct Stage;
  Stage& stage();  // the active stage; starts the next one when the active one is done
  void start_stage(int index);
  void run_external_stage(Stage& st);  // a registered kind (external_stage.hpp), e.g. gspo
  void run_code_eval(Stage& st);       // eval.code: pass@k through the registered evaluator (code_eval.hpp)
  void restore_progress(const nlohmann::json& train_state);  // step counters and the best checkpoint
  void micro_batches(Stage& st, StepMetrics& m);
  double reduce_gradients(Stage& st);
  void apply_update(Stage& st, double lr);
  void maybe_save_periodic(bool stage_end, const EvalResult* eval);
  void prune_checkpoints();

  TrainConfig config_;
  std::string out_dir_;
  torch::Device device_;
  Distributed local_;
  Distributed* dist_;
  HRM model_{nullptr};
  std::unique_ptr<Stage> stage_;
  int64_t step_ = 0;
  int64_t bad_steps_ = 0;
  bool stopped_ = false;
  double best_metric_ = 0;
  bool have_best_ = false;
  std::string best_dir_;
  std::unique_ptr<MetricsLog> log_;
};

}  // namespace hrm
