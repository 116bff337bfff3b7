#include <hrm/puzzle/sudoku.hpp>
#include <hrm/util/error.hpp>

#include <iostream>

int main() {
  std::mt19937_64 rng(1);
  const auto shape = hrm::puzzle::SudokuShape::of_size(4);
  const auto grid = hrm::puzzle::random_solution(shape, rng);
  std::cout << (hrm::puzzle::is_valid_solution(shape, grid) ? "ok" : "bad") << std::endl;
  return hrm::puzzle::is_valid_solution(shape, grid) ? 0 : 1;
}
