// Helpers shared by the data tests: scratch directories, small files, one small tokenizer.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "hrm/tokenizer/tokenizer.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::test_support {

inline std::filesystem::path source_dir() { return std::filesystem::path(HRM_SOURCE_DIR); }
inline std::filesystem::path fixtures_dir() { return source_dir() / "data" / "tokenizer-fixtures"; }

// A fresh directory under /tmp for one test (removed first if it exists).
inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("hrm-data-test-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write(const std::filesystem::path& path, const std::string& contents) {
  std::filesystem::create_directories(path.parent_path());
  hrm::write_file_atomic(path, contents);
}

inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const hrm::Error& e) {
    return e.describe();
  }
  return "";
}

// A 600-piece tokenizer trained once on data/tokenizer-fixtures.
inline const std::filesystem::path& tokenizer_path() {
  static const std::filesystem::path path = [] {
    auto p =
        std::filesystem::temp_directory_path() / ("hrm-data-test-" + std::to_string(::getpid())) / "tok" / "tok.model";
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
