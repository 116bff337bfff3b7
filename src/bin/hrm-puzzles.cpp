// hrm-puzzles: writes a puzzle dataset directory (dataset.json, train.jsonl, test.jsonl).
//   hrm-puzzles sudoku --size 4 --train 2000 --test 200 --seed 0 --out data/sudoku4x4
#include <CLI/CLI.hpp>
#include <iostream>

#include "hrm/puzzle/dataset.hpp"
#include "hrm/util/run_main.hpp"

namespace {

int run(int argc, char** argv) {
  CLI::App app{"hrm-puzzles: generate puzzle datasets for HRM training"};
  app.require_subcommand(1);
  hrm::puzzle::SudokuDatasetOptions o;
  std::string out;
  auto* sudoku = app.add_subcommand("sudoku", "Sudoku with unique solutions, test grids disjoint from train grids");
  sudoku->add_option("--size", o.size, "grid size: 4, 6 or 9")->check(CLI::IsMember({4, 6, 9}));
  sudoku->add_option("--train", o.train_puzzles, "training puzzles");
  sudoku->add_option("--test", o.test_puzzles, "held-out puzzles");
  sudoku->add_option("--test-grid-fraction", o.test_grid_fraction, "share of solution grids held out");
  sudoku->add_option("--min-clues", o.min_clues, "stop removing clues at this many (0: minimal puzzles)");
  sudoku->add_option("--seed", o.seed, "random seed");
  sudoku->add_option("--out", out, "output directory")->required();
  CLI11_PARSE(app, argc, argv);
  const auto d = hrm::puzzle::generate_sudoku(o);
  d.save(out);
  std::cout << "wrote " << out << ": " << d.train.size() << " train, " << d.test.size() << " test puzzles ("
            << d.meta.description << ")" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return hrm::run_main(argc, argv, run); }
