// Held-out evaluation, as the reference evaluates: every example runs halt_max_steps ACT segments
// (eval mode never halts early) and is scored after the last one. Every figure is a mean over the
// examples that have labels (examples without any are left out, as the reference's `count` leaves them
// out): the LM loss normalised per sequence by its labelled tokens, token accuracy, exact accuracy (every
// labelled token right: the whole puzzle solved, or for SFT the whole response predicted exactly), exact
// accuracy after each segment, and what the Q head would have scored had it halted at the first segment
// with q_halt > q_continue.
//
// EvalSums are additive, so ranks can each evaluate a disjoint slice and all-reduce the sums.
#pragma once
#include <functional>
#include <vector>

#include "hrm/model/act.hpp"

namespace hrm {

struct EvalResult {
  int64_t examples = 0;                  // evaluated
  int64_t labelled_examples = 0;         // of those, with at least one label: the denominator of every mean
  double loss = 0;                       // mean over examples of the LM loss per labelled token, last segment
  double token_accuracy = 0;             // mean over examples of the share of correct labelled tokens
  double exact_accuracy = 0;             // share of examples with every labelled token correct
  std::vector<double> exact_by_segment;  // exact accuracy after segment 1..halt_max_steps
  double q_halt_exact_accuracy = 0;      // exact accuracy where the Q head would have halted
  double mean_q_halt_segments = 0;
};

// Sums over examples; to_result() divides.
struct EvalSums {
  // examples, loss, labelled examples, token acc, exact, q exact, q segments, exact by segment...
  std::vector<double> values;
  explicit EvalSums(int64_t segments) : values(7 + static_cast<size_t>(segments), 0.0) {}
  EvalResult to_result() const;
};

// Evaluates examples [begin, end) of a held-out set; `batch_of(b, e)` builds the Batch of examples [b, e).
EvalSums evaluate_examples(HRM& model, int64_t begin, int64_t end, int64_t batch_size,
                           const std::function<Batch(int64_t, int64_t)>& batch_of, LossType loss);

}  // namespace hrm
