// Sudoku generation for the bundled puzzle task: n x n grids (n = 4, 6 or 9; boxes 2x2, 2x3, 3x3)
// with exactly one solution, made by randomized backtracking and clue removal under a uniqueness check.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace hrm::puzzle {

struct SudokuShape {
  int n = 4, box_rows = 2, box_cols = 2;
  static SudokuShape of_size(int n);  // throws for sizes other than 4, 6, 9
  int cells() const { return n * n; }
};

// Grids are row-major, 0 = empty, 1..n = digits.
using Grid = std::vector<int>;

Grid random_solution(const SudokuShape& shape, std::mt19937_64& rng);
// Counts solutions of `grid`, stopping at `limit`.
int count_solutions(const SudokuShape& shape, Grid grid, int limit = 2);
// Removes clues from `solution` in random order while the puzzle keeps a unique solution,
// stopping once only `min_clues` remain (or no clue can be removed).
Grid make_puzzle(const SudokuShape& shape, const Grid& solution, int min_clues, std::mt19937_64& rng);
bool is_valid_solution(const SudokuShape& shape, const Grid& grid);

}  // namespace hrm::puzzle
