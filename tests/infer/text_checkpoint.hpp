// A tiny text checkpoint saved once per test process: a tokenizer trained on the bundled fixtures and a
// random-init causal model over its vocabulary, in a scratch directory of this process (removed at exit).
// Shared by the infer tests (TextModel, hrm-generate) and the backend tests (hrm:<dir>, hrm-eval).
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>
#include <torch/torch.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "hrm/model/checkpoint.hpp"
#include "hrm/model/hrm.hpp"
#include "hrm/tokenizer/tokenizer.hpp"

namespace hrm::infer::testing {

namespace fs = std::filesystem;

inline const fs::path& text_scratch() {
  static const fs::path dir = [] {
    char tmpl[] = "/tmp/hrm-text-test-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    return fs::path(made);
  }();
  return dir;
}

class TextScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(text_scratch(), ec);
  }
};
inline const auto* const kTextScratchCleanup = ::testing::AddGlobalTestEnvironment(new TextScratchCleanup);

// The checkpoint directory (model.safetensors, config.yaml, train_state.json, tokenizer.model).
inline const std::string& tiny_text_checkpoint() {
  static const std::string dir = [] {
    TokenizerTrainOptions options;
    options.vocab_size = 600;
    options.character_coverage = 1.0;
    const auto tok_path = text_scratch() / "tok.model";
    train_tokenizer({fs::path(HRM_SOURCE_DIR) / "data" / "tokenizer-fixtures"}, options, tok_path);
    ModelConfig c;
    c.vocab_size = 600;
    c.seq_len = 96;
    c.hidden_size = 32;
    c.num_heads = 4;
    c.expansion = 2.0;
    c.H_layers = 1;
    c.L_layers = 1;
    c.H_cycles = 1;
    c.L_cycles = 2;
    c.halt_max_steps = 2;
    c.attention = AttentionMode::kCausal;
    c.norm = NormStyle::kPre;
    c.z_H_init = ZHInit::kEmbedding;
    c.forward_dtype = "float32";
    torch::manual_seed(17);
    HRMInner model(c);
    const auto ckpt = (text_scratch() / "ckpt").string();
    save_checkpoint(ckpt, *model, {{"step", 0}});
    fs::copy_file(tok_path, fs::path(ckpt) / "tokenizer.model");
    return ckpt;
  }();
  return dir;
}

}  // namespace hrm::infer::testing
