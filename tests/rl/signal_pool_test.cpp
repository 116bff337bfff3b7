// SignalPool: only groups with signal enter, whole and in order; take() hands out the oldest groups
// with their log pi_old, rewards and passes, and keeps the rest for the next update.
#include <gtest/gtest.h>

#include "hrm/rl/signal_pool.hpp"
#include "hrm/util/error.hpp"

namespace {

using hrm::rl::JudgedBatch;
using hrm::rl::SequenceBatch;
using hrm::rl::SignalPool;

// `groups` groups of 2 rows, seq_len 3; row r carries the value base + r everywhere, so a row's origin
// can be read back from any of its tensors.
struct Rollout {
  SequenceBatch batch;
  torch::Tensor logp_old, rewards, passed;
  JudgedBatch judged() const { return {batch, logp_old, {}, rewards, passed, {}}; }
};

Rollout rollout(int64_t groups, double base) {
  const auto rows = torch::arange(groups * 2, torch::kFloat32) + base;
  const auto grid = rows.unsqueeze(1).expand({groups * 2, 3}).contiguous();
  return {{grid.to(torch::kLong), grid.to(torch::kLong), grid.clone(), rows.to(torch::kLong), {}}, -grid, rows, rows};
}

TEST(SignalPool, KeepsOnlyGroupsWithSignalWholeAndInOrder) {
  SignalPool pool(2);
  const auto a = rollout(3, 0);    // rows 0..5
  const auto b = rollout(2, 100);  // rows 100..103
  pool.add(a.judged(), torch::tensor({true, false, true}));
  EXPECT_EQ(pool.groups(), 2);
  pool.add(b.judged(), torch::tensor({false, false}));
  EXPECT_EQ(pool.groups(), 2);
  pool.add(b.judged(), torch::tensor({false, true}));
  EXPECT_EQ(pool.groups(), 3);

  const auto first = pool.take(2);
  EXPECT_EQ(first.groups, 2);
  EXPECT_TRUE(torch::equal(first.rewards, torch::tensor({0.f, 1.f, 4.f, 5.f})));
  EXPECT_TRUE(torch::equal(first.passed, first.rewards));
  EXPECT_TRUE(torch::equal(first.batch.prefix_lens, torch::tensor({0, 1, 4, 5}, torch::kLong)));
  EXPECT_TRUE(torch::equal(first.batch.inputs.select(1, 2), first.batch.prefix_lens));
  EXPECT_TRUE(torch::equal(first.logp_old.select(1, 0), -first.rewards));
  EXPECT_FALSE(first.logp_ref.defined());  // no KL reference: none pooled
  EXPECT_EQ(pool.groups(), 1);

  const auto rest = pool.take(5);  // asks for more than is held: gets what there is
  EXPECT_EQ(rest.groups, 1);
  EXPECT_TRUE(torch::equal(rest.rewards, torch::tensor({102.f, 103.f})));
  EXPECT_TRUE(torch::equal(rest.batch.mask.select(1, 1), rest.rewards));
  EXPECT_EQ(pool.groups(), 0);
  EXPECT_EQ(pool.take(1).groups, 0);
}

TEST(SignalPool, RejectsRowsThatAreNotWholeGroups) {
  SignalPool pool(4);
  const auto a = rollout(3, 0);  // 6 rows: not 3 groups of 4
  EXPECT_THROW(pool.add(a.judged(), torch::tensor({true, true, true})), hrm::Error);
}

}  // namespace
