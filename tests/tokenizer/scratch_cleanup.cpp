// Removes this process's scratch directory (/tmp/hrm-tok-test-<pid>) after all tests ran.
#include <gtest/gtest.h>

#include "shared_tokenizer.hpp"

namespace {

class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::temp_directory_path() / ("hrm-tok-test-" + std::to_string(::getpid())),
                                ec);
  }
};

[[maybe_unused]] const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

}  // namespace
