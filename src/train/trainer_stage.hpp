// The trainer's per-stage state (private to src/train): data, sampler, optimizer, EMA and the ACT
// carries of this rank's micro-batches. A new stage gets all of these fresh; the model carries over.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "hrm/model/act.hpp"
#include "hrm/model/sign_sgd.hpp"
#include "hrm/train/ema.hpp"
#include "hrm/train/sampler.hpp"
#include "hrm/train/stage_data.hpp"
#include "hrm/train/trainer.hpp"

namespace hrm {

struct Trainer::Stage {
  Stage(const TrainConfig& run, int index, HRM& model, int world_size, int rank);

  bool done() const { return step >= config.steps; }
  // The learning rate of the stage's next update (number step + 1; see lr_schedule.hpp).
  double scheduled_lr() const;
  // Seed of the ACT exploration draws of global micro-batch `chunk` at the current step.
  uint64_t exploration_seed(int64_t chunk) const;
  // HRM-Text's warmup of deep credit assignment: grows bp_steps over the first part of the stage.
  void apply_bp_warmup(HRMInnerImpl& inner) const;

  bool external() const { return config.kind == StageKind::kExternal; }
  // The tokenizer saved with this stage's checkpoints ("" for puzzle stages).
  std::string tokenizer_path() const { return data ? data->tokenizer_path() : external_tokenizer; }

  int index;
  const StageConfig& config;
  const ModelConfig& model_config;
  uint64_t seed;
  std::unique_ptr<StageData> data;
  std::unique_ptr<MixtureSampler> sampler;
  // Every parameter but the task embedding, in model order (their gradients are reduced in this order).
  std::vector<torch::Tensor> params;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::vector<double> group_lr_mult;
  std::unique_ptr<SparseSignSGD> puzzle_emb_optimizer;
  std::unique_ptr<EmaWeights> ema;
  int64_t global_batch = 0, micro_batch = 0, accumulation = 0;  // global = micro * accumulation * world
  int64_t first_chunk = 0;     // this rank's micro-batches are chunks [first_chunk, first_chunk + accumulation)
  std::vector<Carry> carries;  // one per micro-batch of this rank; undefined until the first step
  int64_t step = 0;
  bool stop_requested = false;
  torch::Tensor step_puzzle_rows;  // the task ids of the global batch, once each (for SparseSignSGD)
  torch::Tensor step_puzzle_grad;  // their gradient rows, summed over ranks
  int64_t step_all_reduced_bytes = 0;
  std::string external_tokenizer;  // external stages: the tokenizer of the checkpoint they started from
};

// "step-00000120": periodic checkpoint directories sort by step.
std::string checkpoint_name(int64_t step);

}  // namespace hrm
