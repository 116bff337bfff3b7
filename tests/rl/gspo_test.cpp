#include "hrm/rl/gspo.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hrm/rl/reward.hpp"
#include "hrm/util/error.hpp"

namespace {

using hrm::rl::GspoConfig;

torch::Tensor f32(std::vector<float> v, std::vector<int64_t> shape) {
  return torch::tensor(v, torch::kFloat32).view(shape).clone();
}

TEST(GspoAdvantages, NormalisePerGroupAndDropEqualGroups) {
  GspoConfig c;
  const auto g = hrm::rl::group_advantages(f32({1, 0, 0, 0, 1, 1, 1, 1}, {8}), 4, c);
  // Group 1: mean 0.25, sample std 0.5; group 2: all equal, no signal.
  const double d = 0.5 + 1e-4;
  const std::vector<double> expected = {0.75 / d, -0.25 / d, -0.25 / d, -0.25 / d, 0, 0, 0, 0};
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(g.advantages[i].item<double>(), expected[i], 1e-6) << i;
  EXPECT_EQ(g.zero_signal_groups, 1);
  EXPECT_TRUE(g.has_signal[0].item<bool>());
  EXPECT_FALSE(g.has_signal[1].item<bool>());
  c.unbiased_std = false;  // population std of {1,0,0,0} = sqrt(3)/4
  const auto p = hrm::rl::group_advantages(f32({1, 0, 0, 0}, {4}), 4, c);
  EXPECT_NEAR(p.advantages[0].item<double>(), 0.75 / (std::sqrt(3.0) / 4 + 1e-4), 1e-6);
  EXPECT_THROW(hrm::rl::group_advantages(f32({1, 0, 0}, {3}), 2, c), hrm::Error);
  EXPECT_THROW(hrm::rl::group_advantages(f32({1, 0}, {2}), 1, c), hrm::Error);
}

TEST(GspoLoss, HandComputedTinyExample) {
  // Sequence 1: two tokens, log ratio mean 3e-4 (inside the clip range), A = -1.
  // Sequence 2: one token (the second is masked), log ratio 1e-3 > log(1 + 4e-4), A = 2: clipped.
  const auto old_lp = f32({-1, -2, -0.5, -1}, {2, 2});
  const auto delta = f32({2e-4, 4e-4, 1e-3, -5.0}, {2, 2});
  auto new_lp = (old_lp + delta).detach().requires_grad_(true);
  const auto mask = f32({1, 1, 1, 0}, {2, 2});
  const auto adv = f32({-1, 2}, {2});
  const auto out = hrm::rl::gspo_loss(new_lp, old_lp, mask, adv, GspoConfig{});
  const double s1 = std::exp(3e-4);
  const double expected = -((-1.0 * s1) + 2.0 * (1 + 4e-4)) / 2;
  EXPECT_NEAR(out.loss.item<double>(), expected, 1e-6);
  EXPECT_DOUBLE_EQ(out.clip_fraction, 0.5);
  EXPECT_NEAR(out.mean_abs_log_ratio, (3e-4 + 1e-3) / 2, 1e-6);
  out.loss.backward();
  // d loss / d logp_1t = -(1/B) * A_1 * s_1 / len_1 = 0.25 * s_1; sequence 2 is clipped: no gradient.
  const auto grad = new_lp.grad();
  EXPECT_NEAR(grad[0][0].item<double>(), 0.25 * s1, 1e-6);
  EXPECT_NEAR(grad[0][1].item<double>(), 0.25 * s1, 1e-6);
  EXPECT_EQ(grad[1][0].item<double>(), 0.0);
  EXPECT_EQ(grad[1][1].item<double>(), 0.0);
}

TEST(GspoLoss, TokenVariantEqualsSequenceVariantForSequenceAdvantages) {
  torch::manual_seed(3);
  const int64_t B = 6, T = 5;
  const auto old_lp = -torch::rand({B, T}) * 3;
  // Ratios spread around 1 so that some sequences fall outside the clip range on either side.
  const auto base = (old_lp + (torch::rand({B, T}) - 0.5) * 2e-3).detach();
  auto mask = (torch::rand({B, T}) > 0.3).to(torch::kFloat32);
  mask.index_put_({torch::indexing::Slice(), 0}, 1.0);
  const auto adv = torch::randn({B});
  GspoConfig seq_cfg, tok_cfg;
  tok_cfg.token_level = true;
  auto a = base.clone().requires_grad_(true);
  auto b = base.clone().requires_grad_(true);
  const auto la = hrm::rl::gspo_loss(a, old_lp, mask, adv, seq_cfg);
  const auto lb = hrm::rl::gspo_loss(b, old_lp, mask, adv, tok_cfg);
  EXPECT_GT(la.clip_fraction, 0.0);
  EXPECT_NEAR(la.loss.item<double>(), lb.loss.item<double>(), 1e-6);
  la.loss.backward();
  lb.loss.backward();
  EXPECT_TRUE(torch::allclose(a.grad(), b.grad(), 1e-5, 1e-7)) << a.grad() << b.grad();
  EXPECT_GT(a.grad().abs().sum().item<double>(), 0.0);
}

TEST(GspoLoss, ZeroSignalGroupsGiveZeroLossAndGradient) {
  const auto g = hrm::rl::group_advantages(f32({1, 1, 0, 0, 0, 0}, {6}), 2, GspoConfig{});
  EXPECT_EQ(g.zero_signal_groups, 3);
  auto lp = torch::full({6, 3}, -1.0).requires_grad_(true);
  const auto out = hrm::rl::gspo_loss(lp, torch::full({6, 3}, -1.1), torch::ones({6, 3}), g.advantages, GspoConfig{});
  EXPECT_EQ(out.loss.item<double>(), 0.0);
  out.loss.backward();
  EXPECT_EQ(lp.grad().abs().sum().item<double>(), 0.0);
}

TEST(GspoLoss, ClippingEngagesOnlyOutsideTheRangeInTheAdvantagesDirection) {
  const auto old_lp = torch::zeros({4, 1});
  // log ratios: far above, far above, far below, far below; advantages +, -, -, +.
  auto lp = f32({0.01f, 0.01f, -0.01f, -0.01f}, {4, 1}).requires_grad_(true);
  const auto adv = f32({1, -1, -1, 1}, {4});
  const auto out = hrm::rl::gspo_loss(lp, old_lp, torch::ones({4, 1}), adv, GspoConfig{});
  EXPECT_DOUBLE_EQ(out.clip_fraction, 0.5);
  out.loss.backward();
  const auto g = lp.grad().view({4});
  EXPECT_EQ(g[0].item<double>(), 0.0);  // ratio high, A > 0: clipped
  EXPECT_NE(g[1].item<double>(), 0.0);  // ratio high, A < 0: the unclipped term is the minimum
  EXPECT_EQ(g[2].item<double>(), 0.0);  // ratio low, A < 0: clipped
  EXPECT_NE(g[3].item<double>(), 0.0);  // ratio low, A > 0: unclipped
}

TEST(GspoLoss, KlPenaltyAgainstTheReference) {
  auto lp = f32({-1, -2}, {1, 2}).requires_grad_(true);
  GspoConfig c;
  c.kl_coef = 0.5;
  const auto same = hrm::rl::gspo_loss(lp, lp.detach(), torch::ones({1, 2}), torch::zeros({1}), c, lp.detach());
  EXPECT_NEAR(same.kl, 0.0, 1e-9);
  const auto ref = f32({-1.5, -2}, {1, 2});
  const auto out = hrm::rl::gspo_loss(lp, lp.detach(), torch::ones({1, 2}), torch::zeros({1}), c, ref);
  const double d = -0.5;  // log pi_ref - log pi on the first token
  EXPECT_NEAR(out.kl, (std::exp(d) - d - 1) / 2, 1e-6);
  EXPECT_NEAR(out.loss.item<double>(), 0.5 * out.kl, 1e-6);
  EXPECT_THROW(hrm::rl::gspo_loss(lp, lp.detach(), torch::ones({1, 2}), torch::zeros({1}), c), hrm::Error);
}

TEST(GspoLoss, TokenLogProbsMatchLogSoftmax) {
  const auto logits = f32({1, 2, 3, 0, 0, 0}, {1, 2, 3});
  const auto tokens = torch::tensor({{2, 0}}, torch::kLong);
  const auto lp = hrm::rl::token_log_probs(logits.to(torch::kBFloat16), tokens);
  EXPECT_NEAR(lp[0][0].item<double>(), 3 - std::log(std::exp(1) + std::exp(2) + std::exp(3)), 1e-5);
  EXPECT_NEAR(lp[0][1].item<double>(), -std::log(3.0), 1e-5);
}

TEST(Reward, BinaryFractionFormatAndLength) {
  hrm::rl::RewardConfig c;
  hrm::rl::Judgement j{3, 4, true, true, 10};
  EXPECT_EQ(hrm::rl::reward(j, c), 0.0);
  j.tests_passed = 4;
  EXPECT_EQ(hrm::rl::reward(j, c), 1.0);
  c.kind = hrm::rl::RewardConfig::Kind::kFraction;
  j.tests_passed = 3;
  EXPECT_DOUBLE_EQ(hrm::rl::reward(j, c), 0.75);
  c.format_weight = 0.1;
  EXPECT_DOUBLE_EQ(hrm::rl::reward(j, c), 0.85);
  j.compiled = false;
  EXPECT_DOUBLE_EQ(hrm::rl::reward(j, c), 0.75);
  c.length_penalty = 0.01;
  c.length_budget = 6;
  EXPECT_DOUBLE_EQ(hrm::rl::reward(j, c), 0.75 - 0.04);
  c.segment_cost = 0.05;
  j.segments = 3;
  EXPECT_DOUBLE_EQ(hrm::rl::reward(j, c), 0.75 - 0.04 - 0.15);
  EXPECT_EQ(hrm::rl::reward({0, 0, false, false, 0}, hrm::rl::RewardConfig{}), 0.0);
  EXPECT_THROW(hrm::rl::RewardConfig::parse_kind("dense", "stage gspo"), hrm::Error);
}

}  // namespace
