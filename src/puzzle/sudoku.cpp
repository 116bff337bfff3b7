#include "hrm/puzzle/sudoku.hpp"

#include <algorithm>
#include <numeric>

#include "hrm/util/error.hpp"

namespace hrm::puzzle {
namespace {

bool allowed(const SudokuShape& s, const Grid& g, int cell, int digit) {
  const int r = cell / s.n, c = cell % s.n;
  for (int i = 0; i < s.n; ++i) {
    if (g[static_cast<size_t>(r * s.n + i)] == digit || g[static_cast<size_t>(i * s.n + c)] == digit) return false;
  }
  const int br = r / s.box_rows * s.box_rows, bc = c / s.box_cols * s.box_cols;
  for (int i = 0; i < s.box_rows; ++i) {
    for (int j = 0; j < s.box_cols; ++j) {
      if (g[static_cast<size_t>((br + i) * s.n + bc + j)] == digit) return false;
    }
  }
  return true;
}

bool fill(const SudokuShape& s, Grid& g, std::mt19937_64& rng) {
  const auto it = std::find(g.begin(), g.end(), 0);
  if (it == g.end()) return true;
  const int cell = static_cast<int>(it - g.begin());
  std::vector<int> digits(static_cast<size_t>(s.n));
  std::iota(digits.begin(), digits.end(), 1);
  std::shuffle(digits.begin(), digits.end(), rng);
  for (int d : digits) {
    if (allowed(s, g, cell, d)) {
      *it = d;
      if (fill(s, g, rng)) return true;
      *it = 0;
    }
  }
  return false;
}

void count(const SudokuShape& s, Grid& g, int limit, int& found) {
  if (found >= limit) return;
  // Branch on the empty cell with the fewest candidates: keeps 9x9 uniqueness checks fast.
  int best = -1, best_count = s.n + 1;
  for (int cell = 0; cell < s.cells(); ++cell) {
    if (g[static_cast<size_t>(cell)] != 0) continue;
    int k = 0;
    for (int d = 1; d <= s.n; ++d) k += allowed(s, g, cell, d);
    if (k < best_count) {
      best = cell;
      best_count = k;
      if (k == 0) return;
    }
  }
  if (best < 0) {
    ++found;
    return;
  }
  for (int d = 1; d <= s.n && found < limit; ++d) {
    if (allowed(s, g, best, d)) {
      g[static_cast<size_t>(best)] = d;
      count(s, g, limit, found);
      g[static_cast<size_t>(best)] = 0;
    }
  }
}

}  // namespace

SudokuShape SudokuShape::of_size(int n) {
  switch (n) {
    case 4:
      return {4, 2, 2};
    case 6:
      return {6, 2, 3};
    case 9:
      return {9, 3, 3};
    default:
      throw Error("unsupported Sudoku size " + std::to_string(n), "use 4, 6 or 9");
  }
}

Grid random_solution(const SudokuShape& s, std::mt19937_64& rng) {
  Grid g(static_cast<size_t>(s.cells()), 0);
  fill(s, g, rng);
  return g;
}

int count_solutions(const SudokuShape& s, Grid grid, int limit) {
  int found = 0;
  count(s, grid, limit, found);
  return found;
}

Grid make_puzzle(const SudokuShape& s, const Grid& solution, int min_clues, std::mt19937_64& rng) {
  Grid g = solution;
  std::vector<int> order(static_cast<size_t>(s.cells()));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  int clues = s.cells();
  for (int cell : order) {
    if (clues <= min_clues) break;
    const int keep = g[static_cast<size_t>(cell)];
    g[static_cast<size_t>(cell)] = 0;
    if (count_solutions(s, g, 2) == 1) {
      --clues;
    } else {
      g[static_cast<size_t>(cell)] = keep;
    }
  }
  return g;
}

bool is_valid_solution(const SudokuShape& s, const Grid& g) {
  if (static_cast<int>(g.size()) != s.cells()) return false;
  Grid empty = g;
  for (int cell = 0; cell < s.cells(); ++cell) {
    const int d = g[static_cast<size_t>(cell)];
    empty[static_cast<size_t>(cell)] = 0;
    if (d < 1 || d > s.n || !allowed(s, empty, cell, d)) return false;
    empty[static_cast<size_t>(cell)] = d;
  }
  return true;
}

}  // namespace hrm::puzzle
