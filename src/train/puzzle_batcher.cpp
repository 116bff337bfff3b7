#include "hrm/train/puzzle_batcher.hpp"

#include <numeric>

namespace hrm {

Batch make_puzzle_batch(const std::vector<puzzle::PuzzleExample>& examples, const std::vector<size_t>& rows,
                        torch::Device device) {
  const auto b = static_cast<int64_t>(rows.size());
  const auto s = static_cast<int64_t>(examples.at(rows.at(0)).inputs.size());
  auto inputs = torch::empty({b, s}, torch::kLong), labels = torch::empty({b, s}, torch::kLong);
  auto ids = torch::empty({b}, torch::kLong);
  auto in_a = inputs.accessor<int64_t, 2>(), lab_a = labels.accessor<int64_t, 2>();
  auto id_a = ids.accessor<int64_t, 1>();
  for (int64_t i = 0; i < b; ++i) {
    const auto& ex = examples[rows[static_cast<size_t>(i)]];
    for (int64_t j = 0; j < s; ++j) {
      in_a[i][j] = ex.inputs[static_cast<size_t>(j)];
      lab_a[i][j] = ex.labels[static_cast<size_t>(j)];
    }
    id_a[i] = ex.puzzle_id;
  }
  return {inputs.to(device), labels.to(device), ids.to(device), {}};
}

PuzzleBatcher::PuzzleBatcher(const std::vector<puzzle::PuzzleExample>* examples, uint64_t seed, torch::Device device)
    : examples_(examples), seed_(seed), device_(device) {
  shuffle_epoch();
}

void PuzzleBatcher::shuffle_epoch() {
  order_.resize(examples_->size());
  std::iota(order_.begin(), order_.end(), 0);
  std::mt19937_64 rng(seed_ * 1000003ULL + static_cast<uint64_t>(epoch_));
  std::shuffle(order_.begin(), order_.end(), rng);
}

Batch PuzzleBatcher::next(int64_t batch_size) {
  std::vector<size_t> rows;
  rows.reserve(static_cast<size_t>(batch_size));
  while (static_cast<int64_t>(rows.size()) < batch_size) {
    if (position_ == order_.size()) {
      ++epoch_;
      position_ = 0;
      shuffle_epoch();
    }
    rows.push_back(order_[position_++]);
  }
  return make_puzzle_batch(*examples_, rows, device_);
}

void PuzzleBatcher::seek(int64_t epoch, size_t position) {
  epoch_ = epoch;
  position_ = position;
  shuffle_epoch();
}

}  // namespace hrm
