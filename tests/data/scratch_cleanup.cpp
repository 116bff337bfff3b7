// Removes this process's scratch directory (/tmp/hrm-data-test-<pid>) after all tests ran.
#include <gtest/gtest.h>

#include "data_test_util.hpp"

namespace {

class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(
        std::filesystem::temp_directory_path() / ("hrm-data-test-" + std::to_string(::getpid())), ec);
  }
};

[[maybe_unused]] const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

}  // namespace
