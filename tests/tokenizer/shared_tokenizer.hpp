// One small tokenizer trained on data/tokenizer-fixtures, shared by the tests of this executable.
#pragma once
#include <unistd.h>

#include <filesystem>

#include "hrm/tokenizer/tokenizer.hpp"
#include "../scratch_dir.hpp"

namespace hrm::test_support {

inline std::filesystem::path fixtures_dir() {
  return std::filesystem::path(HRM_SOURCE_DIR) / "data" / "tokenizer-fixtures";
}

using hrm::testing::scratch_dir;

inline const Tokenizer& shared_tokenizer() {
  static const Tokenizer tok = [] {
    TokenizerTrainOptions options;
    options.vocab_size = 600;
    options.character_coverage = 1.0;
    const auto path = scratch_dir("shared") / "tok.model";
    train_tokenizer({fixtures_dir()}, options, path);
    return Tokenizer::load(path);
  }();
  return tok;
}

}  // namespace hrm::test_support
