#include "hrm/model/losses.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {

double s(double x) { return x < 0 ? 1.0 / (1.0 - x) : x + 1.0; }

TEST(Losses, StablemaxMatchesTheDirectFormula) {
  const std::vector<double> logits = {-2.0, 0.5, 3.0, -0.25};  // exact in float32
  double total = 0;
  for (double x : logits) total += s(x);
  const auto t = torch::tensor(logits, torch::kFloat32).view({1, 1, 4});
  const auto loss = hrm::stablemax_cross_entropy(t, torch::tensor({{2}}, torch::kLong));
  EXPECT_EQ(loss.scalar_type(), torch::kFloat64);
  EXPECT_NEAR(loss.item<double>(), -std::log(s(3.0) / total), 1e-12);
  // Ignored labels contribute zero.
  EXPECT_EQ(hrm::stablemax_cross_entropy(t, torch::tensor({{-100}}, torch::kLong)).item<double>(), 0.0);
}

TEST(Losses, SoftmaxCrossEntropyMatchesLogSoftmax) {
  const auto t = torch::tensor({1.0f, 2.0f, 0.5f}).view({1, 1, 3});
  const auto loss = hrm::softmax_cross_entropy(t, torch::tensor({{1}}, torch::kLong)).item<double>();
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(0.5);
  EXPECT_NEAR(loss, -std::log(std::exp(2.0) / z), 1e-6);
}

TEST(Losses, ActLossCombinesTermsAndNormalisesPerSequence) {
  hrm::Carry c;
  c.current.labels = torch::tensor({{1, 0, -100}, {2, 2, 2}}, torch::kLong);
  c.halted = torch::tensor({true, false});
  c.steps = torch::tensor({3, 1}, torch::kInt32);
  hrm::ActOutput out;
  // Sequence 0 is predicted correctly, sequence 1 is not.
  out.logits = torch::zeros({2, 3, 3});
  out.logits.index_put_({0, 0, 1}, 5.0);
  out.logits.index_put_({0, 1, 0}, 5.0);
  out.logits.index_put_({1, torch::indexing::Slice(), 0}, 5.0);
  out.q_halt = torch::tensor({0.5f, -0.5f});
  out.q_continue = torch::tensor({0.0f, 0.0f});
  out.target_q_continue = torch::tensor({0.25f, 0.75f});
  const auto r = hrm::act_loss(c, out, hrm::LossType::kSoftmax);
  const auto per = hrm::softmax_cross_entropy(out.logits, c.current.labels);
  const double lm = (per[0].sum() / 2 + per[1].sum() / 3).item<double>();
  const auto bce = [](double x, double y) {
    return -(y * std::log(1 / (1 + std::exp(-x))) + (1 - y) * std::log(1 - 1 / (1 + std::exp(-x))));
  };
  const double qh = bce(0.5, 1) + bce(-0.5, 0);
  const double qc = bce(0.0, 0.25) + bce(0.0, 0.75);
  EXPECT_NEAR(r.loss.item<double>(), lm + 0.5 * (qh + qc), 1e-5);
  EXPECT_DOUBLE_EQ(r.metrics.count, 1.0);  // only halted sequences count in metrics
  EXPECT_DOUBLE_EQ(r.metrics.exact_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(r.metrics.steps, 3.0);
  EXPECT_DOUBLE_EQ(r.metrics.q_halt_accuracy, 1.0);
}

}  // namespace
