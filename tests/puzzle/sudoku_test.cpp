#include "hrm/puzzle/sudoku.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "../cli_error.hpp"
#include "../scratch_dir.hpp"
#include "hrm/puzzle/dataset.hpp"
#include "hrm/util/error.hpp"

namespace fs = std::filesystem;

namespace {

TEST(Sudoku, GeneratedPuzzlesHaveUniqueValidSolutions) {
  std::mt19937_64 rng(1);
  for (int n : {4, 6, 9}) {
    const auto shape = hrm::puzzle::SudokuShape::of_size(n);
    const auto solution = hrm::puzzle::random_solution(shape, rng);
    EXPECT_TRUE(hrm::puzzle::is_valid_solution(shape, solution)) << n;
    const auto puzzle = hrm::puzzle::make_puzzle(shape, solution, n == 9 ? 30 : 0, rng);
    EXPECT_EQ(hrm::puzzle::count_solutions(shape, puzzle, 3), 1) << n;
    for (size_t i = 0; i < puzzle.size(); ++i) {
      if (puzzle[i] != 0) {
        EXPECT_EQ(puzzle[i], solution[i]);
      }
    }
  }
  // A grid with two interchangeable digits removed from a rectangle has two solutions.
  const auto s4 = hrm::puzzle::SudokuShape::of_size(4);
  EXPECT_EQ(hrm::puzzle::count_solutions(s4, hrm::puzzle::Grid(16, 0), 5), 5);
}

TEST(SudokuDataset, TestGridsAreDisjointFromTrainGrids) {
  hrm::puzzle::SudokuDatasetOptions o;
  o.train_puzzles = 300;
  o.test_puzzles = 60;
  const auto d = hrm::puzzle::generate_sudoku(o);
  EXPECT_EQ(d.train.size(), 300u);
  EXPECT_EQ(d.test.size(), 60u);
  std::set<std::vector<int32_t>> train_solutions;
  for (const auto& ex : d.train) train_solutions.insert(ex.labels);
  for (const auto& ex : d.test) EXPECT_EQ(train_solutions.count(ex.labels), 0u);
}

TEST(SudokuDataset, SaveLoadRoundTripAndRowErrorsNameFileAndLine) {
  hrm::puzzle::SudokuDatasetOptions o;
  o.train_puzzles = 20;
  o.test_puzzles = 5;
  const auto d = hrm::puzzle::generate_sudoku(o);
  const auto dir = (hrm::testing::scratch_dir("puzzle_ds") / "set").string();
  d.save(dir);
  const auto back = hrm::puzzle::PuzzleDataset::load(dir);
  ASSERT_EQ(back.train.size(), d.train.size());
  EXPECT_EQ(back.train[3].inputs, d.train[3].inputs);
  EXPECT_EQ(back.meta.vocab_size, 6);
  std::ofstream(dir + "/test.jsonl", std::ios::app) << "{\"inputs\": [1,2], \"labels\": [1,2]}\n";
  try {
    hrm::puzzle::PuzzleDataset::load(dir);
    FAIL() << "expected an error";
  } catch (const hrm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("test.jsonl:6: 'inputs' has 2 tokens"), std::string::npos) << e.what();
  }
}

// hrm-puzzles with --out below a regular file: std::filesystem throws (a file where a directory is
// expected); the binary reports it in one line naming itself and exits 1 instead of terminating.
TEST(HrmPuzzlesCli, AFileWhereADirectoryIsExpectedEndsInOneLineError) {
  const auto dir = hrm::testing::scratch_dir("puzzles_cli");
  std::ofstream(dir / "a_file") << "x";
  const std::string cmd = std::string(HRM_BINARY_DIR) + "/bin/hrm-puzzles sudoku --size 4 --train 5 --test 2 --out " +
                          (dir / "a_file" / "set").string() + " 2>&1";
  std::string output;
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
  const int status = ::pclose(p);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_TRUE(hrm::testing::ends_with_one_line_error("hrm-puzzles", output));
  EXPECT_NE(output.find("a_file"), std::string::npos) << output;
}

}  // namespace
