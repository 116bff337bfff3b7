// Helpers shared by the data tests: scratch directories, small files, one small tokenizer.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "hrm/tokenizer/tokenizer.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "../error_of.hpp"
#include "../scratch_dir.hpp"

namespace hrm::test_support {

using hrm::testing::error_of;

inline std::filesystem::path source_dir() { return std::filesystem::path(HRM_SOURCE_DIR); }
inline std::filesystem::path fixtures_dir() { return source_dir() / "data" / "tokenizer-fixtures"; }

using hrm::testing::scratch_dir;

inline void write(const std::filesystem::path& path, const std::string& contents) {
  std::filesystem::create_directories(path.parent_path());
  hrm::write_file_atomic(path, contents);
}

// A 600-piece tokenizer trained once on data/tokenizer-fixtures.
inline const std::filesystem::path& tokenizer_path() {
  static const std::filesystem::path path = [] {
    const auto p = scratch_dir("shared-tok") / "tok.model";
    TokenizerTrainOptions options;
    options.vocab_size = 600;
    options.character_coverage = 1.0;
    train_tokenizer({fixtures_dir()}, options, p);
    return p;
  }();
  return path;
}

inline const Tokenizer& tokenizer() {
  static const Tokenizer t = Tokenizer::load(tokenizer_path());
  return t;
}

}  // namespace hrm::test_support
