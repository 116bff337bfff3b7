// A scratch directory of this test process: /tmp/hrm-test-<pid>/<name>, emptied on every call and removed
// with its root after the last test. ctest runs every test in a process of its own (gtest_discover_tests),
// so tests running side by side (ctest -j) never share a directory.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace hrm::testing {

inline std::filesystem::path scratch_root() {
  return std::filesystem::temp_directory_path() / ("hrm-test-" + std::to_string(::getpid()));
}

inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = scratch_root() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

class ScratchRootCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(scratch_root(), ec);
  }
};
inline const auto* const kScratchRootCleanup = ::testing::AddGlobalTestEnvironment(new ScratchRootCleanup);

}  // namespace hrm::testing
