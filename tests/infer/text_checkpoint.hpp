// A tiny text checkpoint saved once per test process: a tokenizer trained on the bundled fixtures and a
// random-init causal model over its vocabulary, in a scratch directory of this process (removed at exit).
// Shared by the infer tests (TextModel, hrm-generate) and the backend tests (hrm:<dir>, hrm-eval).
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <string>

#include "../scratch_dir.hpp"
#include "tiny_text_model.hpp"

namespace hrm::infer::testing {

namespace fs = std::filesystem;

inline const fs::path& text_scratch() {
  static const fs::path dir = hrm::testing::scratch_dir("text-checkpoint");
  return dir;
}

// The checkpoint directory (model.safetensors, config.yaml, train_state.json, tokenizer.model).
inline const std::string& tiny_text_checkpoint() {
  static const std::string dir = [] {
    const auto ckpt = text_scratch() / "ckpt";
    hrm::testing::write_tiny_text_checkpoint(ckpt, text_scratch() / "tok.model", 96);
    return ckpt.string();
  }();
  return dir;
}

}  // namespace hrm::infer::testing
