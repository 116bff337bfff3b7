#include "hrm/rl/signal_pool.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "hrm/util/error.hpp"

namespace hrm::rl {

namespace {

torch::Tensor cat_rows(const torch::Tensor& held, const torch::Tensor& more) {
  if (!more.defined()) return held;
  return held.defined() ? torch::cat({held, more}, 0) : more;
}

torch::Tensor rows_of(const torch::Tensor& t, const torch::Tensor& rows) {
  return t.defined() ? t.index_select(0, rows) : t;
}

PooledGroups select(const PooledGroups& p, const torch::Tensor& rows, int64_t groups) {
  return {select_rows(p.batch, rows),
          rows_of(p.logp_old, rows),
          rows_of(p.logp_ref, rows),
          rows_of(p.rewards, rows),
          rows_of(p.passed, rows),
          rows_of(p.sampled_at, rows),
          groups};
}

}  // namespace

SignalPool::SignalPool(int64_t group_size) : group_size_(group_size) {
  HRM_CHECK(group_size >= 1, "SignalPool needs a group size of at least 1");
}

void SignalPool::add(const JudgedBatch& j, const torch::Tensor& has_signal) {
  const int64_t groups = has_signal.size(0);
  HRM_CHECK(j.rewards.size(0) == groups * group_size_, "SignalPool::add: " + std::to_string(j.rewards.size(0)) +
                                                           " rows are not " + std::to_string(groups) + " groups of " +
                                                           std::to_string(group_size_));
  std::vector<int64_t> rows;
  int64_t kept = 0;
  const auto signal = has_signal.to(torch::kBool).contiguous();
  const auto s = signal.accessor<bool, 1>();
  for (int64_t g = 0; g < groups; ++g) {
    if (!s[g]) continue;
    ++kept;
    for (int64_t i = 0; i < group_size_; ++i) rows.push_back(g * group_size_ + i);
  }
  if (kept == 0) return;
  const auto idx = torch::tensor(rows, torch::kLong);
  const auto more = select({j.batch, j.logp_old, j.logp_ref, j.rewards, j.passed, j.sampled_at, groups}, idx, kept);
  auto& h = held_;
  h.batch = concat_rows(h.batch, more.batch);
  h.sampled_at = cat_rows(h.sampled_at, more.sampled_at);
  h.logp_old = cat_rows(h.logp_old, more.logp_old);
  h.logp_ref = cat_rows(h.logp_ref, more.logp_ref);
  h.rewards = cat_rows(h.rewards, more.rewards);
  h.passed = cat_rows(h.passed, more.passed);
  h.groups += kept;
}

PooledGroups SignalPool::take(int64_t n) {
  const int64_t taken = std::min(n, held_.groups);
  if (taken == 0) return {};
  if (taken == held_.groups) return std::exchange(held_, PooledGroups{});
  const int64_t rows = held_.rewards.size(0);
  const auto head = torch::arange(taken * group_size_, torch::kLong);
  const auto tail = torch::arange(taken * group_size_, rows, torch::kLong);
  auto out = select(held_, head, taken);
  held_ = select(held_, tail, held_.groups - taken);
  return out;
}

}  // namespace hrm::rl
