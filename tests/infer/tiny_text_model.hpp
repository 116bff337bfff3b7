// The tiny random-init text model the infer, backend and serve tests share: a tokenizer trained on the
// bundled fixtures (600 pieces) and a causal model (hidden 32, 1+1 layers, 2 segments, seed 17) over it.
// Its replies are noise, but deterministic, which is what those tests compare. No GoogleTest here: the
// serve fixture program includes it too.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>

#include "hrm/model/checkpoint.hpp"
#include "hrm/model/hrm.hpp"
#include "hrm/tokenizer/tokenizer.hpp"
#include "../model/test_helpers.hpp"

namespace hrm::testing {

// Writes the checkpoint into `dir` (model.safetensors, config.yaml, train_state.json, tokenizer.model);
// the tokenizer is trained at `tokenizer_path` first.
inline void write_tiny_text_checkpoint(const std::filesystem::path& dir, const std::filesystem::path& tokenizer_path,
                                       int64_t seq_len) {
  TokenizerTrainOptions options;
  options.vocab_size = 600;
  options.character_coverage = 1.0;
  train_tokenizer({std::filesystem::path(HRM_SOURCE_DIR) / "data" / "tokenizer-fixtures"}, options, tokenizer_path);
  ModelConfig c = small_config(600, seq_len, AttentionMode::kCausal);
  c.H_cycles = 1;
  c.halt_max_steps = 2;
  c.norm = NormStyle::kPre;
  c.z_H_init = ZHInit::kEmbedding;
  torch::manual_seed(17);
  HRMInner model(c);
  save_checkpoint(dir.string(), *model, {{"step", 0}});
  std::filesystem::copy_file(tokenizer_path, dir / "tokenizer.model");
}

}  // namespace hrm::testing
