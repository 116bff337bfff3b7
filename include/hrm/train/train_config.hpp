// TrainConfig — a training run, read from YAML (configs/train/*.yaml). Unknown keys are errors.
//   model: configs/arch/sudoku_tiny.yaml   (a path, relative to this file, or an inline mapping)
//   data: {path: data/sudoku4x4}
//   optimizer: {...}  schedule: {...}  eval: {...}  checkpoint: {...}
#pragma once
#include <string>

#include "hrm/model/config.hpp"

namespace hrm {

struct OptimizerConfig {
  std::string name = "adam_atan2";  // adam_atan2 | adamw
  double lr = 1e-4;
  double lr_min_ratio = 1.0;
  int64_t warmup_steps = 2000;
  double weight_decay = 0.1;
  double beta1 = 0.9, beta2 = 0.95;
  double grad_clip = 0.0;           // 0: no clipping
  double puzzle_emb_lr = 1e-2;
  double puzzle_emb_weight_decay = 0.1;
  // Per-module learning-rate multipliers (HRM-Text: fewer gradient passes -> scale per module).
  double lr_mult_H = 1.0, lr_mult_L = 1.0, lr_mult_heads = 1.0, lr_mult_embed = 1.0;
};

struct TrainConfig {
  std::string source;               // the YAML file this came from
  ModelConfig model;
  std::string data_path;
  uint64_t seed = 0;
  int threads = 0;                  // 0: all cores
  int64_t batch_size = 64;
  int64_t steps = 1000;             // ACT segments (optimizer steps)
  OptimizerConfig optimizer;
  double ema_decay = 0.0;           // 0: off; else evaluate with an EMA of the weights
  int64_t bp_steps_final = 0;       // 0: fixed bp_steps; else grow model.bp_steps to this ...
  double bp_warmup_fraction = 0.2;  // ... linearly over this share of training (HRM-Text)
  int64_t eval_interval = 500;
  int64_t eval_max_examples = 0;    // 0: whole test split
  int64_t eval_batch_size = 256;
  int64_t log_interval = 50;
  int64_t checkpoint_interval = 0;  // 0: only at the end

  static TrainConfig from_file(const std::string& path);
};

}  // namespace hrm
