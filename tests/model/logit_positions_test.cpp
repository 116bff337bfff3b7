// LogitPositions: logits at labelled positions only (training) or none (target-Q forward) change no
// value: the same logits rows, Q values and carry as the dense forward, and through act_loss the same
// loss, metrics and gradients.
#include <gtest/gtest.h>

#include "hrm/model/act.hpp"
#include "hrm/model/losses.hpp"
#include "test_helpers.hpp"

namespace {

using hrm::LogitPositions;
using hrm::testing::random_batch;
using hrm::testing::tiny_config;

// A prefix-LM batch whose labels cover only each reply (varying prompt lengths), as SFT batches do.
hrm::Batch reply_only_batch(const hrm::ModelConfig& c, int64_t b, uint64_t seed) {
  auto batch = random_batch(c, b, seed);
  batch.prefix_lens = torch::arange(b, torch::kLong).remainder(c.seq_len - 2) + 1;
  const auto pos = torch::arange(c.seq_len, torch::kLong).view({1, -1});
  batch.labels = torch::where(pos >= batch.prefix_lens.view({-1, 1}), batch.labels,
                              torch::full_like(batch.labels, hrm::kIgnoreLabel));
  return batch;
}

hrm::ModelConfig prefix_config(bool task_embedding) {
  auto c = tiny_config(hrm::AttentionMode::kPrefixLM);
  c.halt_exploration_prob = 0.0;
  if (task_embedding) {  // puzzle-embedding slots in front: the token positions are offset
    c.puzzle_emb_ndim = c.hidden_size;
    c.num_puzzle_identifiers = 3;
  }
  return c;
}

TEST(LogitPositions, LabelledRowsAreTheDenseLogitsAtLabelledPositions) {
  for (bool task_embedding : {false, true}) {
    const auto c = prefix_config(task_embedding);
    torch::manual_seed(0);
    hrm::HRMInner m(c);
    const auto batch = reply_only_batch(c, 5, 1);
    const auto carry = m->reset_carry(torch::ones({5}, torch::kBool), m->empty_carry(5), batch);
    torch::NoGradGuard no_grad;
    const auto dense = m->forward(carry, batch);
    const auto sparse = m->forward(carry, batch, LogitPositions::kLabelled);
    const auto none = m->forward(carry, batch, LogitPositions::kNone);
    const auto mask = (batch.labels != hrm::kIgnoreLabel).reshape({-1});
    ASSERT_EQ(sparse.logit_index.numel(), mask.sum().item<int64_t>());
    EXPECT_TRUE(torch::equal(sparse.logit_index, mask.nonzero().squeeze(-1)));
    const auto expected = dense.logits.reshape({-1, c.vocab_size}).index_select(0, sparse.logit_index);
    EXPECT_TRUE(torch::allclose(sparse.logits, expected, 1e-6, 1e-6)) << "task embedding " << task_embedding;
    EXPECT_FALSE(none.logits.defined());
    for (const auto* o : {&sparse, &none}) {
      EXPECT_TRUE(torch::equal(o->q_halt, dense.q_halt));
      EXPECT_TRUE(torch::equal(o->carry.z_H, dense.carry.z_H));
    }
  }
}

TEST(LogitPositions, ActLossAndGradientsMatchTheDenseForward) {
  for (auto loss_type : {hrm::LossType::kSoftmax, hrm::LossType::kStablemax}) {
    const auto c = prefix_config(false);
    torch::manual_seed(0);
    hrm::HRM m(c, 1);
    m->train();
    const auto batch = reply_only_batch(c, 6, 2);
    struct Result {
      hrm::ActLoss loss;
      std::vector<torch::Tensor> grads;
    };
    const auto run = [&](LogitPositions positions) {
      m->generator().set_current_seed(7);
      auto [next, out] = m->forward(m->initial_carry(batch), batch, positions);
      Result r{hrm::act_loss(next, out, loss_type), {}};
      m->zero_grad();
      r.loss.loss.backward();
      for (const auto& p : m->parameters()) r.grads.push_back(p.grad().clone());
      return r;
    };
    const auto dense = run(LogitPositions::kAll);
    const auto sparse = run(LogitPositions::kLabelled);
    EXPECT_NEAR(sparse.loss.loss.item<double>(), dense.loss.loss.item<double>(), 1e-6);
    EXPECT_DOUBLE_EQ(sparse.loss.metrics.accuracy, dense.loss.metrics.accuracy);
    EXPECT_DOUBLE_EQ(sparse.loss.metrics.exact_accuracy, dense.loss.metrics.exact_accuracy);
    EXPECT_DOUBLE_EQ(sparse.loss.metrics.q_halt_accuracy, dense.loss.metrics.q_halt_accuracy);
    EXPECT_NEAR(sparse.loss.metrics.lm_loss, dense.loss.metrics.lm_loss, 1e-6);
    ASSERT_EQ(sparse.grads.size(), dense.grads.size());
    for (size_t i = 0; i < dense.grads.size(); ++i) {
      EXPECT_TRUE(torch::allclose(sparse.grads[i], dense.grads[i], 1e-5, 1e-6))
          << "parameter " << i << ": max diff " << (sparse.grads[i] - dense.grads[i]).abs().max().item<double>()
          << " of " << dense.grads[i].abs().max().item<double>();
    }
    EXPECT_GT(dense.grads[0].abs().sum().item<double>(), 0.0);  // the token embedding learns
  }
}

}  // namespace
