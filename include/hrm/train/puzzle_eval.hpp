// Evaluation on held-out puzzles, as the reference evaluates: every example runs halt_max_steps
// ACT segments (eval mode never halts early); accuracy is read after the last segment. Also reports
// exact accuracy after each segment and where the Q head would have halted.
#pragma once
#include <vector>

#include "hrm/model/act.hpp"
#include "hrm/puzzle/dataset.hpp"

namespace hrm {

struct PuzzleEvalResult {
  int64_t examples = 0;
  double token_accuracy = 0;   // mean over examples of the share of correct labelled tokens
  double exact_accuracy = 0;   // share of examples solved completely
  std::vector<double> exact_by_segment;  // exact accuracy after segment 1..halt_max_steps
  double q_halt_exact_accuracy = 0;      // exact accuracy at the first segment where q_halt > q_continue (else last)
  double mean_q_halt_segments = 0;
};

PuzzleEvalResult evaluate_puzzles(HRM& model, const std::vector<puzzle::PuzzleExample>& examples, int64_t batch_size,
                                  int64_t max_examples, torch::Device device);

}  // namespace hrm
