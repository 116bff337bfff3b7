// Puzzle datasets in the HRM reference's shape: fixed-length token grids (inputs, labels), a task
// (puzzle) identifier per example, and a train/test split. On disk a dataset is a directory:
//   dataset.json   {"name", "vocab_size", "seq_len", "num_puzzle_identifiers", "pad_id", "blank_id", ...}
//   train.jsonl    one {"inputs": [...], "labels": [...], "puzzle_id": k} per line
//   test.jsonl     the same, held out
// Loading checks every row against the metadata and names file:line on error.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hrm::puzzle {

struct PuzzleExample {
  std::vector<int32_t> inputs, labels;
  int64_t puzzle_id = 0;
};

struct PuzzleDatasetMeta {
  std::string name, description;
  int64_t vocab_size = 0, seq_len = 0, num_puzzle_identifiers = 1;
  int32_t pad_id = 0, blank_id = 1;
};

struct PuzzleDataset {
  PuzzleDatasetMeta meta;
  std::vector<PuzzleExample> train, test;

  static PuzzleDataset load(const std::string& dir);
  void save(const std::string& dir) const;
};

struct SudokuDatasetOptions {
  int size = 4;
  int train_puzzles = 2000;
  int test_puzzles = 200;
  double test_grid_fraction = 0.3;  // share of distinct solution grids held out for the test split
  int min_clues = 0;                // 0: remove clues until the puzzle is minimal
  uint64_t seed = 0;
};

// Tokens: 0 pad, 1 blank, 2..n+1 the digits 1..n. Test puzzles come from solution grids that no
// training puzzle uses, so held-out accuracy measures solving, not recall.
PuzzleDataset generate_sudoku(const SudokuDatasetOptions& options);

}  // namespace hrm::puzzle
