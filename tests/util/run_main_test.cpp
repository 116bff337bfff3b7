// hrm::run_main: what escapes a binary's work is printed once, cleanly, and the exit status is 1.
#include "hrm/util/run_main.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "../scratch_dir.hpp"
#include "hrm/util/error.hpp"

namespace {

// run_main's exit status and stderr for `fn`, as binary "/usr/local/bin/hrm-x".
std::pair<int, std::string> run_as_binary(const hrm::MainFn& fn) {
  std::string argv0 = "/usr/local/bin/hrm-x";
  char* argv[] = {argv0.data(), nullptr};
  ::testing::internal::CaptureStderr();
  const int status = hrm::run_main(1, argv, fn);
  return {status, ::testing::internal::GetCapturedStderr()};
}

TEST(RunMain, ReturnsWhatTheWorkReturnsAndPrintsNothing) {
  const auto [status, err] = run_as_binary([](int argc, char** argv) {
    EXPECT_EQ(argc, 1);
    EXPECT_STREQ(argv[0], "/usr/local/bin/hrm-x");
    return 3;
  });
  EXPECT_EQ(status, 3);
  EXPECT_EQ(err, "");
}

TEST(RunMain, HrmErrorPrintsItsMessageAndHint) {
  const auto [status, err] = run_as_binary([](int, char**) -> int { throw hrm::Error("bad key 'x'", "use 'y'"); });
  EXPECT_EQ(status, 1);
  EXPECT_EQ(err, "error: bad key 'x'\nHINT: use 'y'\n");
  EXPECT_EQ(run_as_binary([](int, char**) -> int { throw hrm::Error("no hint"); }).second, "error: no hint\n");
}

TEST(RunMain, LibraryExceptionsBecomeOneLineNamingTheBinary) {
  const auto [json_status, json_err] =
      run_as_binary([](int, char**) { return static_cast<int>(nlohmann::json::parse("{\"a\": ").size()); });
  EXPECT_EQ(json_status, 1);
  EXPECT_EQ(json_err.rfind("hrm-x: error: [json.exception.parse_error.101]", 0), 0u) << json_err;

  const auto file = hrm::testing::scratch_dir("run_main") / "a_file";
  std::ofstream(file) << "x";
  const auto [fs_status, fs_err] = run_as_binary([&](int, char**) {
    std::filesystem::create_directories(file / "sub");  // a file where a directory is expected
    return 0;
  });
  EXPECT_EQ(fs_status, 1);
  EXPECT_EQ(fs_err.rfind("hrm-x: error: filesystem error: ", 0), 0u) << fs_err;
  EXPECT_NE(fs_err.find("a_file"), std::string::npos) << fs_err;

  // c10::Error's what() carries a backtrace after the first line: only the first line is printed.
  const auto [c10_status, c10_err] = run_as_binary([](int, char**) -> int {
    throw std::runtime_error("Expected nthreads > 0\nException raised from set_num_threads at ...\nframe #0: ...");
  });
  EXPECT_EQ(c10_status, 1);
  EXPECT_EQ(c10_err, "hrm-x: error: Expected nthreads > 0\n");
}

TEST(RunMain, AnythingElseIsAnUnknownExceptionNotATerminate) {
  const auto [status, err] = run_as_binary([](int, char**) -> int { throw 42; });
  EXPECT_EQ(status, 1);
  EXPECT_EQ(err, "hrm-x: error: unknown exception\n");
}

}  // namespace
