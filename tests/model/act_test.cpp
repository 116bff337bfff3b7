// The ACT wrapper on hand-made carries: reset and refill of halted slots, halting rules,
// exploration, the target-Q forward, evaluation running max steps.
#include "hrm/model/act.hpp"

#include <gtest/gtest.h>

#include "test_helpers.hpp"

namespace {

using hrm::testing::random_batch;
using hrm::testing::tiny_config;

// The tiny config without halting exploration: in training, halting follows the Q head alone.
hrm::ModelConfig q_halting_config() {
  auto cfg = tiny_config();
  cfg.halt_exploration_prob = 0.0;
  return cfg;
}

// The model over `cfg` from torch seed 0, in training mode (where ACT explores and computes Q targets).
hrm::HRM training_model(const hrm::ModelConfig& cfg, uint64_t seed) {
  torch::manual_seed(0);
  hrm::HRM m(cfg, seed);
  m->train();
  return m;
}

void set_q_bias(hrm::HRM& m, double halt, double cont) {
  torch::NoGradGuard no_grad;
  m->inner->q_head->bias[0] = halt;
  m->inner->q_head->bias[1] = cont;
}

TEST(ACT, HaltedSlotsResetAndTakeNewDataOthersKeepTheirs) {
  const auto cfg = q_halting_config();
  auto m = training_model(cfg, 1);
  const auto first = random_batch(cfg, 2, 1);
  auto carry = m->initial_carry(first);
  auto [c1, o1] = m->forward(carry, first);
  EXPECT_TRUE(torch::equal(c1.current.inputs, first.inputs));  // all slots start halted
  EXPECT_EQ(c1.steps.sum().item<int>(), 2);
  // Slot 0 halted, slot 1 still running.
  c1.halted = torch::tensor({true, false});
  const auto second = random_batch(cfg, 2, 2);
  auto [c2, o2] = m->forward(c1, second);
  EXPECT_TRUE(torch::equal(c2.current.inputs[0], second.inputs[0]));
  EXPECT_TRUE(torch::equal(c2.current.inputs[1], first.inputs[1]));
  EXPECT_EQ(c2.steps[0].item<int>(), 1);
  EXPECT_EQ(c2.steps[1].item<int>(), 2);
  // The reset slot ran from H_init/L_init: same result as a fresh carry on the same example.
  auto fresh = m->initial_carry(second);
  fresh.halted = torch::tensor({true, true});
  auto [c3, o3] = m->forward(fresh, second);
  EXPECT_TRUE(torch::allclose(o2.logits[0], o3.logits[0], 1e-5, 1e-6));
}

TEST(ACT, HaltsWhenQHaltExceedsQContinueAndAtMaxSteps) {
  const auto cfg = q_halting_config();
  auto m = training_model(cfg, 1);
  const auto b = random_batch(cfg, 3, 1);
  set_q_bias(*&m, 1.0, -1.0);
  auto [c1, o1] = m->forward(m->initial_carry(b), b);
  EXPECT_TRUE(c1.halted.all().item<bool>());
  set_q_bias(*&m, -1.0, 1.0);
  auto carry = m->initial_carry(b);
  for (int64_t s = 1; s <= cfg.halt_max_steps; ++s) {
    auto [next, out] = m->forward(carry, b);
    carry = next;
    EXPECT_EQ(carry.halted.all().item<bool>(), s == cfg.halt_max_steps) << "segment " << s;
    ASSERT_TRUE(out.target_q_continue.defined());
  }
}

TEST(ACT, ExplorationForcesAMinimumNumberOfSegments) {
  auto cfg = tiny_config();
  cfg.halt_exploration_prob = 1.0;  // every slot draws a minimum in [2, max]
  cfg.halt_max_steps = 6;
  auto m = training_model(cfg, 7);
  set_q_bias(m, 5.0, -5.0);  // the Q head always wants to halt
  const auto b = random_batch(cfg, 64, 1);
  auto [c1, o1] = m->forward(m->initial_carry(b), b);
  EXPECT_FALSE(c1.halted.any().item<bool>());  // minimum >= 2 > 1 segment
  // Each slot halts once its drawn minimum (uniform in 2..6) is reached: some at segment 2, not all.
  auto [c2, o2] = m->forward(c1, b);
  const int at_two = c2.halted.sum().item<int>();
  EXPECT_GT(at_two, 0);
  EXPECT_LT(at_two, 64);
  EXPECT_EQ((c2.halted == (c2.steps >= 2)).sum().item<int>() >= at_two, true);
}

TEST(ACT, EvaluationRunsMaxStepsAndHasNoTarget) {
  auto cfg = tiny_config();
  torch::manual_seed(0);
  hrm::HRM m(cfg, 1);
  m->eval();
  set_q_bias(m, 5.0, -5.0);
  const auto b = random_batch(cfg, 2, 1);
  auto carry = m->initial_carry(b);
  for (int64_t s = 1; s <= cfg.halt_max_steps; ++s) {
    auto [next, out] = m->forward(carry, b);
    EXPECT_EQ(next.halted.all().item<bool>(), s == cfg.halt_max_steps);
    EXPECT_FALSE(out.target_q_continue.defined());
    carry = next;
  }
}

TEST(ACT, TargetQIsSigmoidOfNextSegmentsQ) {
  const auto cfg = q_halting_config();
  auto m = training_model(cfg, 1);
  {
    torch::NoGradGuard no_grad;
    m->inner->q_head->weight.normal_(0, 0.1);
  }
  const auto b = random_batch(cfg, 2, 1);
  auto [c1, o1] = m->forward(m->initial_carry(b), b);
  torch::NoGradGuard no_grad;
  const auto next = m->inner->forward(c1.inner, c1.current);
  const auto expected = torch::sigmoid(torch::maximum(next.q_halt, next.q_continue));
  EXPECT_TRUE(torch::allclose(o1.target_q_continue, expected, 1e-6, 1e-6));
}

}  // namespace
