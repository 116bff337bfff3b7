// Sparse SignSGD for the per-task (puzzle) embedding, as the reference's CastedSparseEmbeddingSignSGD:
// only the rows used by the batch move, by -lr * sign(summed grad), with decoupled weight decay.
//
// The model looks the table up with a sparse gradient (HRMInner::input_embeddings), so backward never
// materialises a [num_puzzle_identifiers, dim] gradient: at ARC scale (about 1M ids x 512) that would be
// 2 GB to zero, all-reduce and clip every step. The trainer takes the rows the global batch touched
// (take_grad_rows), all-reduces only those, and hands them to step().
#pragma once
#include <torch/torch.h>

namespace hrm {

class SparseSignSGD {
 public:
  SparseSignSGD(torch::Tensor table, double lr, double weight_decay)
      : table_(std::move(table)), lr_(lr), wd_(weight_decay) {}
  // The ids of `ids` ([N] int64, repeats allowed) once each, sorted: the rows a step updates.
  static torch::Tensor unique_rows(const torch::Tensor& ids);
  // The table gradient's rows `rows` ([U] int64 from unique_rows) as a dense [U, dim] tensor, the
  // contributions of repeated ids summed; zeros where this process's batch did not use a row, or when
  // there is no gradient. Reads a sparse gradient (the model's) or a dense one alike, and drops it from
  // the table, so the next backward starts from none (also when the step's update is skipped).
  torch::Tensor take_grad_rows(const torch::Tensor& rows);
  // Moves the table rows `rows` by -lr * sign(grad) with decoupled weight decay (grad: [U, dim], e.g.
  // take_grad_rows summed over ranks).
  void step(const torch::Tensor& rows, const torch::Tensor& grad);
  void set_lr(double lr) { lr_ = lr; }
  double lr() const { return lr_; }
  const torch::Tensor& table() const { return table_; }

 private:
  torch::Tensor table_;
  double lr_, wd_;
};

}  // namespace hrm
