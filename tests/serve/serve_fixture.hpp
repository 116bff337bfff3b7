// One fixture checkpoint per test process, in a scratch folder removed at exit.
#pragma once
#include <gtest/gtest.h>

#include "serve_test_util.hpp"

namespace hrm::serve::testing {

inline const fs::path& scratch() {
  static const fs::path dir = make_scratch("tests");
  return dir;
}

class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch(), ec);
  }
};

// seq_len 2048: the LiveCodeBench fixture prompts fit with room for a reply.
inline const fs::path& fixture_checkpoint() {
  static const fs::path dir = [] {
    static const auto* const cleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);
    (void)cleanup;
    const auto d = scratch() / "tiny";
    make_fixture_checkpoint(d, 2048);
    return d;
  }();
  return dir;
}

inline fs::path log_path(const std::string& name) { return scratch() / (name + ".log"); }

}  // namespace hrm::serve::testing
