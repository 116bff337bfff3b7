// Rejection-sampling fine-tuning: which replies are selected and the loss, on hand-computed examples;
// and one RFT update of a tiny policy through the stage's PolicyUpdater (the rows that count).
#include "hrm/rl/rft.hpp"

#include <gtest/gtest.h>

#include <random>

#include "hrm/rl/gspo.hpp"
#include "hrm/rl/gspo_update.hpp"
#include "hrm/rl/policy_forward.hpp"
#include "hrm/util/error.hpp"
#include "rl_test_util.hpp"

namespace {

using hrm::rl::testing::tiny_config;

torch::Tensor f32(std::vector<float> v, std::vector<int64_t> shape) {
  return torch::tensor(v, torch::kFloat32).view(shape).clone();
}

std::vector<bool> bools(const torch::Tensor& t) {
  std::vector<bool> out;
  for (int64_t i = 0; i < t.size(0); ++i) out.push_back(t[i].item<bool>());
  return out;
}

TEST(RftSelect, PassingRepliesWithTheGroupsBestReward) {
  // Binary reward: group 1 has two passing replies (both selected), group 2 none (zero signal), group 3
  // all four (all selected: for GSPO this group would carry no signal).
  const auto binary = f32({1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1}, {12});
  const auto s = hrm::rl::rft_select(binary, binary, 4);
  EXPECT_EQ(bools(s.selected), (std::vector<bool>{1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(bools(s.has_signal), (std::vector<bool>{1, 0, 1}));
  EXPECT_EQ(s.zero_signal_groups, 1);
  // Shaped reward: only the best passing reply counts; a failing reply with a higher reward never does.
  const auto shaped = f32({0.9f, 0.7f, 1.2f, 0.9f, 0.3f, 0.2f}, {6});
  const auto passed = f32({1, 1, 0, 0, 0, 0}, {6});
  const auto t = hrm::rl::rft_select(shaped, passed, 3);
  EXPECT_EQ(bools(t.selected), (std::vector<bool>{1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(t.zero_signal_groups, 1);
  EXPECT_THROW(hrm::rl::rft_select(f32({1, 0, 1}, {3}), f32({1, 0, 1}, {3}), 2), hrm::Error);
}

TEST(RftLoss, HandComputedTokenMeanOverSelectedRows) {
  // Row 0: two tokens, selected; row 1: one token (second masked), selected; row 2: not selected.
  auto new_lp = f32({-1, -2, -0.5, -3, -4, -4}, {3, 2}).requires_grad_(true);
  const auto old_lp = f32({-1.1f, -2.1f, -0.5f, 9, 0, 0}, {3, 2});
  const auto mask = f32({1, 1, 1, 0, 1, 1}, {3, 2});
  const auto weight = f32({1, 1, 0}, {3});
  const auto l = hrm::rl::rft_loss(new_lp, old_lp, mask, weight, 0.0);
  EXPECT_NEAR(l.loss.item<double>(), (1 + 2 + 0.5) / 3.0, 1e-6);
  // |mean log ratio| of the selected rows: row 0 0.1, row 1 0 (its masked token ignored).
  EXPECT_NEAR(l.mean_abs_log_ratio, 0.05, 1e-6);
  EXPECT_EQ(l.kl, 0.0);
  l.loss.backward();
  const auto g = new_lp.grad();
  const std::vector<double> expected = {-1 / 3.0, -1 / 3.0, -1 / 3.0, 0, 0, 0};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(g.view({-1})[i].item<double>(), expected[i], 1e-6) << i;

  // The KL penalty: the reference equals the policy -> 0; otherwise k3 over all rows, added with kl_coef.
  const auto same = hrm::rl::rft_loss(new_lp, old_lp, mask, weight, 0.5, new_lp.detach());
  EXPECT_NEAR(same.kl, 0.0, 1e-9);
  const auto ref = new_lp.detach() + f32({0.1f, 0, 0, 0, 0, 0}, {3, 2});
  const auto with_kl = hrm::rl::rft_loss(new_lp, old_lp, mask, weight, 0.5, ref);
  const double k3 = (std::exp(0.1) - 0.1 - 1) / 2 / 3;  // row 0's mean over two tokens, over three rows
  EXPECT_NEAR(with_kl.kl, k3, 1e-6);
  EXPECT_NEAR(with_kl.loss.item<double>(), 3.5 / 3 + 0.5 * k3, 1e-6);
  EXPECT_THROW(hrm::rl::rft_loss(new_lp, old_lp, mask, weight, 0.5), hrm::Error);

  // No selected row in the minibatch: loss 0, zero gradient.
  auto lp = f32({-1, -2}, {1, 2}).requires_grad_(true);
  const auto none = hrm::rl::rft_loss(lp, lp.detach(), f32({1, 1}, {1, 2}), f32({0}, {1}), 0.0);
  EXPECT_EQ(none.loss.item<double>(), 0.0);
  none.loss.backward();
  EXPECT_EQ(lp.grad().abs().sum().item<double>(), 0.0);
}

TEST(RftUpdate, OnlyTheSelectedRepliesAreTrainedOnAndEmptyGroupsAreZeroSignal) {
  torch::manual_seed(0);
  hrm::HRMInner model(tiny_config());
  // Two groups of two: in group 1 reply 0 passes, in group 2 nothing does.
  const std::vector<std::vector<int32_t>> prompts = {{5, 6, 7}, {5, 6, 7}, {8, 9}, {8, 9}};
  const std::vector<std::vector<int32_t>> responses = {{20, 21, 22}, {30, 31}, {23, 24}, {25}};
  const auto batch = hrm::rl::make_sequence_batch(prompts, responses, 12);
  const auto logp_before = [&] {
    torch::NoGradGuard no_grad;
    return hrm::rl::policy_forward(*model, batch, 1).logp;
  }();
  const auto row_logp = [&](const torch::Tensor& logp, int64_t row) {
    return ((logp[row] * batch.mask[row]).sum() / batch.mask[row].sum()).item<double>();
  };
  hrm::rl::GspoStageConfig c;
  c.objective = "rft";
  c.group_size = 2;
  c.minibatches = 1;
  c.lr = 1e-2;
  c.grad_clip = 0;
  hrm::rl::PolicyUpdater updater(c, *model, 1);
  std::mt19937_64 rng(0);
  const auto passed = f32({1, 0, 0, 0}, {4});
  const auto u = updater.update({batch, logp_before, {}, passed, passed, {}}, rng);
  EXPECT_EQ(u.groups, 2);
  EXPECT_EQ(u.zero_signal_groups, 1);
  // One minibatch holding row 0 alone: the loss is its mean token NLL under the starting weights.
  EXPECT_NEAR(u.loss, -row_logp(logp_before, 0), 1e-5);
  EXPECT_EQ(u.clip_fraction, 0.0);
  EXPECT_NEAR(u.mean_abs_log_ratio, 0.0, 1e-6);
  {
    torch::NoGradGuard no_grad;
    const auto logp_after = hrm::rl::policy_forward(*model, batch, 1).logp;
    EXPECT_GT(row_logp(logp_after, 0), row_logp(logp_before, 0) + 1e-3);
  }

  // With the ACT term every reply joins the minibatch for the halting target (weight 0 in the NLL unless
  // selected), the group without a pass included: its replies teach q_halt "this fails". With one segment
  // (the maximum) no row can continue, so q_continue has no target.
  torch::manual_seed(0);
  hrm::HRMInner fresh(tiny_config());
  c.act_weight = 0.5;
  hrm::rl::PolicyUpdater act_updater(c, *fresh, 1);
  double expected = 0;
  {
    torch::NoGradGuard no_grad;
    const auto out = hrm::rl::policy_forward(*fresh, batch, 1);
    expected =
        -row_logp(logp_before, 0) + 0.5 * torch::binary_cross_entropy_with_logits(out.q_halt, passed).item<double>();
  }
  const auto a = act_updater.update({batch, logp_before, {}, passed, passed, {}}, rng);
  EXPECT_EQ(a.zero_signal_groups, 1);
  EXPECT_NEAR(a.loss, expected, 1e-5);
  EXPECT_EQ(a.q_continue_loss, 0.0);
}

}  // namespace
