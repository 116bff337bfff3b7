// Integration: the real hrm-train binary on the bundled 4x4 Sudoku set, shortened, must show a clear
// learning signal on held-out puzzles (whole-puzzle accuracy of an untrained model is ~0).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>

#include "../cli_error.hpp"
#include "train_test_util.hpp"

namespace fs = std::filesystem;

namespace {

using hrm::train_test::run_command;

TEST(HrmTrainBinary, LearnsHeldOutSudokuQuickly) {
  const fs::path out = hrm::train_test::scratch_dir("learning");
  int status = 0;
  const auto log = run_command(std::string(HRM_BINARY_DIR) + "/bin/hrm-train --config " + HRM_SOURCE_DIR +
                                   "/configs/train/sudoku4x4.yaml --out " + out.string() + " --steps 900",
                               status);
  ASSERT_EQ(status, 0) << log;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex("held-out exact accuracy: ([0-9.e-]+)"))) << log;
  const double exact = std::stod(m[1]);
  EXPECT_GT(exact, 0.3) << log;
  // The run left a loadable checkpoint and metrics.
  EXPECT_TRUE(fs::exists(out / "final" / "model.safetensors"));
  EXPECT_TRUE(fs::exists(out / "metrics.jsonl"));
}

TEST(HrmTrainBinary, BadConfigFailsWithFileAndKey) {
  const fs::path cfg = hrm::train_test::scratch_dir("bad_config") / "hrm_bad_train.yaml";
  {
    std::FILE* f = std::fopen(cfg.c_str(), "w");
    std::fputs("model: {vocab_size: 6, seq_len: 16}\ndata: {path: x}\nstesp: 3\n", f);
    std::fclose(f);
  }
  int status = 0;
  const auto log = run_command(std::string(HRM_BINARY_DIR) + "/bin/hrm-train --config " + cfg.string(), status);
  EXPECT_NE(status, 0);
  EXPECT_NE(log.find("hrm_bad_train.yaml: unknown key 'stesp'"), std::string::npos) << log;
}

// An exception from a library hrm does not wrap (here std::filesystem: --out is a file) ends the run
// with status 1 and one line naming the binary, never std::terminate.
TEST(HrmTrainBinary, ALibraryExceptionEndsInOneLineNamingTheBinary) {
  const auto dir = hrm::train_test::scratch_dir("report_into_file");
  hrm::train_test::write(dir / "metrics.jsonl", "{\"step\": 1, \"loss\": 2.5}\n{\"step\": 2, \"loss\": 2.0}\n");
  hrm::train_test::write(dir / "a_file", "not a directory\n");
  int status = 0;
  const auto log = run_command(std::string(HRM_BINARY_DIR) + "/bin/hrm-train report --metrics " +
                                   (dir / "metrics.jsonl").string() + " --out " + (dir / "a_file").string(),
                               status);
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 1) << log;
  EXPECT_TRUE(hrm::testing::ends_with_one_line_error("hrm-train", log));
  EXPECT_NE(log.find("a_file"), std::string::npos) << log;
}

}  // namespace
