#include "hrm/puzzle/dataset.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "hrm/puzzle/sudoku.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace fs = std::filesystem;

namespace hrm::puzzle {
namespace {

std::vector<PuzzleExample> load_split(const fs::path& path, const PuzzleDatasetMeta& meta) {
  std::ifstream in(path);
  if (!in)
    throw Error("cannot open '" + path.string() + "'",
                "a puzzle dataset directory holds dataset.json, train.jsonl and test.jsonl");
  std::vector<PuzzleExample> out;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto where = path.string() + ":" + std::to_string(line_no);
    PuzzleExample ex;
    try {
      const auto row = nlohmann::json::parse(line);
      ex.inputs = row.at("inputs").get<std::vector<int32_t>>();
      ex.labels = row.at("labels").get<std::vector<int32_t>>();
      ex.puzzle_id = row.value("puzzle_id", int64_t{0});
    } catch (const nlohmann::json::exception& e) {
      throw Error(where + ": bad row: " + e.what(),
                  "each line must be {\"inputs\": [...], \"labels\": [...], \"puzzle_id\": k}");
    }
    const auto check_tokens = [&](const std::vector<int32_t>& v, const char* field, bool labels) {
      if (static_cast<int64_t>(v.size()) != meta.seq_len) {
        throw Error(where + ": '" + field + "' has " + std::to_string(v.size()) +
                    " tokens, dataset.json says seq_len " + std::to_string(meta.seq_len));
      }
      for (auto t : v) {
        if ((t < 0 || t >= meta.vocab_size) && !(labels && t == -100)) {
          throw Error(where + ": '" + field + "' token " + std::to_string(t) +
                      " outside [0, vocab_size=" + std::to_string(meta.vocab_size) + ")");
        }
      }
    };
    check_tokens(ex.inputs, "inputs", false);
    check_tokens(ex.labels, "labels", true);
    if (ex.puzzle_id < 0 || ex.puzzle_id >= meta.num_puzzle_identifiers) {
      throw Error(where + ": puzzle_id " + std::to_string(ex.puzzle_id) + " outside [0, num_puzzle_identifiers)");
    }
    out.push_back(std::move(ex));
  }
  if (out.empty()) throw Error(path.string() + ": no examples");
  return out;
}

void save_split(const fs::path& path, const std::vector<PuzzleExample>& split) {
  std::ostringstream s;
  for (const auto& ex : split) {
    s << nlohmann::json{{"inputs", ex.inputs}, {"labels", ex.labels}, {"puzzle_id", ex.puzzle_id}}.dump() << "\n";
  }
  write_file_atomic(path, s.str());
}

}  // namespace

PuzzleDataset PuzzleDataset::load(const std::string& dir) {
  PuzzleDataset d;
  const auto meta_path = fs::path(dir) / "dataset.json";
  try {
    const auto j = nlohmann::json::parse(read_file(meta_path));
    d.meta.name = j.at("name").get<std::string>();
    d.meta.description = j.value("description", "");
    d.meta.vocab_size = j.at("vocab_size").get<int64_t>();
    d.meta.seq_len = j.at("seq_len").get<int64_t>();
    d.meta.num_puzzle_identifiers = j.value("num_puzzle_identifiers", int64_t{1});
    d.meta.pad_id = j.value("pad_id", 0);
    d.meta.blank_id = j.value("blank_id", 1);
  } catch (const nlohmann::json::exception& e) {
    throw Error(meta_path.string() + ": " + e.what(), "dataset.json needs name, vocab_size and seq_len");
  }
  d.train = load_split(fs::path(dir) / "train.jsonl", d.meta);
  d.test = load_split(fs::path(dir) / "test.jsonl", d.meta);
  return d;
}

void PuzzleDataset::save(const std::string& dir) const {
  fs::create_directories(dir);
  nlohmann::json j = {{"name", meta.name},
                      {"description", meta.description},
                      {"vocab_size", meta.vocab_size},
                      {"seq_len", meta.seq_len},
                      {"num_puzzle_identifiers", meta.num_puzzle_identifiers},
                      {"pad_id", meta.pad_id},
                      {"blank_id", meta.blank_id},
                      {"train_examples", train.size()},
                      {"test_examples", test.size()}};
  write_file_atomic(fs::path(dir) / "dataset.json", j.dump(2) + "\n");
  save_split(fs::path(dir) / "train.jsonl", train);
  save_split(fs::path(dir) / "test.jsonl", test);
}

PuzzleDataset generate_sudoku(const SudokuDatasetOptions& o) {
  const auto shape = SudokuShape::of_size(o.size);
  std::mt19937_64 rng(o.seed);
  // Distinct solution grids, split between train and test.
  const int wanted_grids = o.train_puzzles + o.test_puzzles;
  std::set<Grid> seen;
  std::vector<Grid> grids;
  for (int attempts = 0; static_cast<int>(grids.size()) < wanted_grids && attempts < 50 * wanted_grids; ++attempts) {
    auto g = random_solution(shape, rng);
    if (seen.insert(g).second) grids.push_back(std::move(g));
  }
  const auto n_test_grids =
      std::max<size_t>(1, static_cast<size_t>(static_cast<double>(grids.size()) * o.test_grid_fraction));
  HRM_CHECK(grids.size() > n_test_grids, "could not draw enough distinct Sudoku grids");
  const std::vector<Grid> test_grids(grids.begin(), grids.begin() + static_cast<std::ptrdiff_t>(n_test_grids));
  const std::vector<Grid> train_grids(grids.begin() + static_cast<std::ptrdiff_t>(n_test_grids), grids.end());

  const auto make_split = [&](const std::vector<Grid>& pool, int count) {
    std::vector<PuzzleExample> out;
    std::set<Grid> puzzles;
    for (int i = 0; static_cast<int>(out.size()) < count && i < 20 * count; ++i) {
      const auto& solution = pool[static_cast<size_t>(i) % pool.size()];
      auto p = make_puzzle(shape, solution, o.min_clues, rng);
      if (!puzzles.insert(p).second) continue;
      PuzzleExample ex;
      for (size_t c = 0; c < p.size(); ++c) {
        ex.inputs.push_back(p[c] == 0 ? 1 : p[c] + 1);
        ex.labels.push_back(solution[c] + 1);
      }
      out.push_back(std::move(ex));
    }
    return out;
  };
  PuzzleDataset d;
  d.meta.name = "sudoku" + std::to_string(o.size) + "x" + std::to_string(o.size);
  d.meta.description =
      std::to_string(o.size) + "x" + std::to_string(o.size) +
      " Sudoku with unique solutions; test grids disjoint from train grids; tokens: 0 pad, 1 blank, 2.. digits";
  d.meta.vocab_size = o.size + 2;
  d.meta.seq_len = shape.cells();
  d.train = make_split(train_grids, o.train_puzzles);
  d.test = make_split(test_grids, o.test_puzzles);
  return d;
}

}  // namespace hrm::puzzle
