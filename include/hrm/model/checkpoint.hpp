// A checkpoint is a directory:
//   model.safetensors      weights (parameter names as HRMInner's, e.g. "H.layers.0.qkv.weight")
//   config.yaml            the ModelConfig the weights belong to
//   train_state.json       {"format_version", "step", ...}: whatever the trainer needs to resume
//   train_state.safetensors optional trainer tensors for exact resume (optimizer moments, EMA, ACT carry, RNG)
// It is written to <dir>.tmp-<pid> and renamed into place, so a crash never leaves half a checkpoint.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "hrm/model/config.hpp"
#include "hrm/model/hrm.hpp"
#include "hrm/model/safetensors.hpp"

namespace hrm {

inline constexpr int kCheckpointFormatVersion = 1;

struct CheckpointContents {
  ModelConfig config;
  nlohmann::json train_state;
  TensorMap trainer_tensors;  // train_state.safetensors; empty when absent or not asked for
};

void save_checkpoint(const std::string& dir, HRMInnerImpl& model, const nlohmann::json& train_state,
                     const TensorMap& trainer_tensors = {});
// Reads config.yaml and train_state.json, checks the format version.
CheckpointContents read_checkpoint_meta(const std::string& dir);
// Loads weights into `model`; a config that differs from the checkpoint's is an error naming the keys.
CheckpointContents load_checkpoint(const std::string& dir, HRMInnerImpl& model, bool with_trainer_tensors = false);

}  // namespace hrm
