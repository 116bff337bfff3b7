#include "hrm/model/sign_sgd.hpp"

namespace hrm {

void SparseSignSGD::step(const torch::Tensor& ids) {
  torch::NoGradGuard no_grad;
  if (!table_.grad().defined()) return;
  const auto unique = std::get<0>(at::_unique(ids.to(torch::kLong).flatten(), /*sorted=*/true));
  // The dense grad already sums contributions of repeated ids.
  const auto rows = table_.index_select(0, unique);
  const auto grad = table_.grad().index_select(0, unique);
  table_.index_copy_(0, unique, rows * (1.0 - lr_ * wd_) - lr_ * grad.sign());
  table_.mutable_grad().zero_();
}

}  // namespace hrm
