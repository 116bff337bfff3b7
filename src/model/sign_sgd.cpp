#include "hrm/model/sign_sgd.hpp"

namespace hrm {

torch::Tensor SparseSignSGD::unique_rows(const torch::Tensor& ids) {
  return std::get<0>(at::_unique(ids.to(torch::kLong).flatten(), /*sorted=*/true));
}

torch::Tensor SparseSignSGD::take_grad_rows(const torch::Tensor& rows) {
  torch::NoGradGuard no_grad;
  const auto grad = table_.grad();
  table_.mutable_grad() = torch::Tensor();
  const auto index = rows.to(table_.device());
  if (!grad.defined()) return torch::zeros({rows.numel(), table_.size(1)}, table_.options());
  if (!grad.is_sparse()) return grad.index_select(0, index);
  // coalesce() sums repeated ids and sorts them; each lands at its place in the sorted `rows`.
  const auto sparse = grad.coalesce();
  const auto ids = sparse.indices()[0];
  const auto at = torch::searchsorted(index, ids).clamp_max(std::max<int64_t>(0, index.numel() - 1));
  TORCH_CHECK(ids.numel() == 0 || index.index_select(0, at).equal(ids),
              "SparseSignSGD::take_grad_rows: the gradient has rows outside `rows`");
  return torch::zeros({index.numel(), table_.size(1)}, table_.options()).index_add_(0, at, sparse.values());
}

void SparseSignSGD::step(const torch::Tensor& rows, const torch::Tensor& grad) {
  torch::NoGradGuard no_grad;
  const auto index = rows.to(table_.device());
  const auto current = table_.index_select(0, index);
  table_.index_copy_(0, index, current * (1.0 - lr_ * wd_) - lr_ * grad.to(table_.device()).sign());
}

}  // namespace hrm
