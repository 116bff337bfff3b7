// PuzzleBatcher — endless, epoch-shuffled batches of puzzle examples as tensors, deterministic
// from a seed and resumable from (epoch, position).
#pragma once
#include <torch/torch.h>

#include <random>

#include "hrm/model/hrm.hpp"
#include "hrm/puzzle/dataset.hpp"

namespace hrm {

Batch make_puzzle_batch(const std::vector<puzzle::PuzzleExample>& examples, const std::vector<size_t>& rows,
                        torch::Device device);

class PuzzleBatcher {
 public:
  PuzzleBatcher(const std::vector<puzzle::PuzzleExample>* examples, uint64_t seed, torch::Device device);
  Batch next(int64_t batch_size);

  int64_t epoch() const { return epoch_; }
  size_t position() const { return position_; }
  // Restores the state reached after `epoch` full epochs and `position` examples of the next.
  void seek(int64_t epoch, size_t position);

 private:
  void shuffle_epoch();
  const std::vector<puzzle::PuzzleExample>* examples_;
  uint64_t seed_;
  torch::Device device_;
  std::vector<size_t> order_;
  int64_t epoch_ = 0;
  size_t position_ = 0;
};

}  // namespace hrm
