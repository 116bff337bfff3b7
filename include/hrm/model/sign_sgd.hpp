// Sparse SignSGD for the per-task (puzzle) embedding, as the reference's CastedSparseEmbeddingSignSGD:
// only the rows used by the batch move, by -lr * sign(summed grad), with decoupled weight decay.
#pragma once
#include <torch/torch.h>

namespace hrm {

class SparseSignSGD {
 public:
  SparseSignSGD(torch::Tensor table, double lr, double weight_decay)
      : table_(std::move(table)), lr_(lr), wd_(weight_decay) {}
  // Updates the rows named by `ids` ([B] int64, repeats allowed) from table.grad(), then clears the grad.
  void step(const torch::Tensor& ids);
  void set_lr(double lr) { lr_ = lr; }
  double lr() const { return lr_; }
  const torch::Tensor& table() const { return table_; }

 private:
  torch::Tensor table_;
  double lr_, wd_;
};

}  // namespace hrm
