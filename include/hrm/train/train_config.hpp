// TrainConfig — a training run, read from YAML (configs/train/*.yaml). Unknown keys are errors.
//
// A run is a list of stages that run in order on one model (docs/training.md has the full schema):
//   model: ../arch/sft_tiny.yaml            (a path, relative to this file, or an inline mapping)
//   seed: 0
//   stages:
//     - {name: sft, kind: sft, steps: 400, global_batch_size: 32, micro_batch_size: 16,
//        data: {train: [{path: runs/data/sft/train, weight: 1}], validation: [runs/data/sft/validation]},
//        optimizer: {...}, eval: {interval: 100}}
//   checkpoint: {interval: 100, keep_last: 2, keep_best: true}
// The older single-stage form (top-level data/batch_size/steps/optimizer/eval_interval, as in
// configs/train/sudoku4x4.yaml) is one puzzle stage. `--set key.path=value` overrides are applied to the
// YAML tree before it is read (config_override.hpp); to_yaml() writes the resolved config back.
#pragma once
#include <string>
#include <vector>

#include "hrm/model/config.hpp"
#include "hrm/train/code_eval.hpp"

namespace hrm {

struct OptimizerConfig {
  std::string name = "adam_atan2";  // adam_atan2 | adamw
  double lr = 1e-4;
  double lr_min_ratio = 1.0;  // cosine decay ends at lr * lr_min_ratio (1: constant after warmup)
  int64_t warmup_steps = 2000;
  double weight_decay = 0.1;
  double beta1 = 0.9, beta2 = 0.95;
  double grad_clip = 0.0;  // 0: no clipping (the norm is still measured and logged)
  double puzzle_emb_lr = 1e-2;
  double puzzle_emb_weight_decay = 0.1;
  // Per-module learning-rate multipliers (HRM-Text: fewer gradient passes -> scale per module).
  double lr_mult_H = 1.0, lr_mult_L = 1.0, lr_mult_heads = 1.0, lr_mult_embed = 1.0;
};

// One shard set (sft) or puzzle dataset directory (puzzle) and its share of the stage's examples.
struct DataSourceConfig {
  std::string path;
  double weight = 1.0;
};

struct EvalConfig {
  int64_t interval = 500;    // steps between evaluations (and at the end of the stage)
  int64_t max_examples = 0;  // 0: every held-out example
  int64_t batch_size = 256;
  CodeEvalConfig code;  // sft: pass@k on coding problems through the sandbox (code_eval.hpp)
};

// kExternal: a kind registered by another module (external_stage.hpp), e.g. rl's gspo.
enum class StageKind { kPuzzle, kSft, kExternal };

struct StageConfig {
  std::string name;  // defaults to the kind
  StageKind kind = StageKind::kPuzzle;
  // puzzle: one dataset directory (train split trained, test split evaluated).
  // sft: token shard sets of `hrm-data build` (mode sft), sampled by weight; validation shard sets.
  std::vector<DataSourceConfig> train;
  std::vector<std::string> validation;
  std::string tokenizer;           // sft: SentencePiece model; default <shard set>/../tokenizer.model
  int64_t steps = 1000;            // optimizer steps = ACT segments
  int64_t global_batch_size = 64;  // examples per step, over all ranks and micro-batches
  int64_t micro_batch_size = 0;    // examples per forward; 0: global_batch_size / world size
  OptimizerConfig optimizer;
  double ema_decay = 0.0;           // > 0: keep an EMA of the weights and evaluate it (HRM-Text)
  int64_t bp_steps_final = 0;       // 0: fixed bp_steps; else grow model.bp_steps to this ...
  double bp_warmup_fraction = 0.2;  // ... linearly over this share of the stage (HRM-Text)
  EvalConfig eval;
  // kExternal only: the registered kind's name and the stage's own mapping (paths absolute), which
  // the kind reads; the fields above except name and steps do not apply.
  std::string external_kind, external_yaml;
};

struct CheckpointConfig {
  int64_t interval = 0;                   // steps (global) between checkpoints; 0: only at stage ends
  int64_t keep_last = 2;                  // periodic checkpoints kept (older ones deleted)
  bool keep_best = true;                  // also keep the checkpoint with the best best_metric
  std::string best_metric = "eval_loss";  // eval_loss (lower is better) | eval_exact_accuracy (higher)
};

struct DistributedConfig {
  std::string backend = "auto";  // auto (nccl on CUDA, else gloo) | gloo | nccl
  double timeout_s = 300;        // a collective that waits longer fails the job
  double bucket_mb = 25;         // gradients are all-reduced in flat buckets of this size
};

struct TrainConfig {
  std::string source;  // the YAML file this came from
  ModelConfig model;
  uint64_t seed = 0;
  int threads = 0;  // LibTorch threads; 0: all cores
  int64_t log_interval = 50;
  int64_t max_bad_steps = 5;  // stop after this many non-finite steps in a row
  // Starting weights: a checkpoint directory whose config.yaml equals `model` (fine-tuning; empty:
  // random initialisation). Its recorded data_cutoff carries over.
  std::string init;
  // "YYYY-MM-DD": the newest date of any document in the training data. Recorded in every checkpoint
  // (train_state.json) so that hrm-eval flags benchmark problems released before it (contamination).
  std::string data_cutoff;
  std::vector<StageConfig> stages;
  CheckpointConfig checkpoint;
  DistributedConfig distributed;

  int64_t total_steps() const;
  // `overrides` are "key.path=value" strings (hrm-train --set).
  static TrainConfig from_file(const std::string& path, const std::vector<std::string>& overrides = {});
  // The resolved config in the staged form (paths absolute, defaults filled in); from_file reads it back.
  std::string to_yaml() const;
};

const char* to_string(StageKind kind);
// "puzzle", "sft" or the external kind's name.
std::string kind_name(const StageConfig& stage);

}  // namespace hrm
