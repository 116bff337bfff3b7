#include <gtest/gtest.h>

#include <cmath>

#include "hrm/model/adam_atan2.hpp"
#include "hrm/model/lr_schedule.hpp"
#include "hrm/model/sign_sgd.hpp"

namespace {

TEST(AdamATan2, TwoStepsMatchHandComputedValues) {
  auto p = torch::tensor({1.0, -2.0}, torch::kFloat64).requires_grad_(true);
  hrm::AdamATan2 opt({p}, hrm::AdamATan2Options(0.1).betas({0.9, 0.95}).weight_decay(0.5));
  const std::vector<std::vector<double>> grads = {{0.2, -0.4}, {-0.1, 0.3}};
  std::vector<double> x = {1.0, -2.0}, m = {0, 0}, v = {0, 0};
  for (int t = 1; t <= 2; ++t) {
    p.mutable_grad() = torch::tensor(grads[static_cast<size_t>(t - 1)], torch::kFloat64);
    opt.step();
    for (size_t i = 0; i < 2; ++i) {
      const double g = grads[static_cast<size_t>(t - 1)][i];
      x[i] *= 1 - 0.1 * 0.5;
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.95 * v[i] + 0.05 * g * g;
      const double bc1 = 1 - std::pow(0.9, t), bc2 = 1 - std::pow(0.95, t);
      x[i] -= 0.1 / bc1 * std::atan2(m[i], std::sqrt(v[i]) / std::sqrt(bc2));
    }
    EXPECT_NEAR(p[0].item<double>(), x[0], 1e-12) << "step " << t;
    EXPECT_NEAR(p[1].item<double>(), x[1], 1e-12) << "step " << t;
  }
}

// Moves rows 0 and 2 of a ones table with lr 0.1, weight decay 0.5, and checks the result.
void expect_batch_rows_moved(const torch::Tensor& table) {
  const auto t = table.detach();
  EXPECT_FLOAT_EQ(t[0][0].item<float>(), 0.95f - 0.1f);
  EXPECT_FLOAT_EQ(t[0][1].item<float>(), 0.95f + 0.1f);
  EXPECT_FLOAT_EQ(t[2][0].item<float>(), 0.95f + 0.1f);
  EXPECT_FLOAT_EQ(t[2][1].item<float>(), 0.95f);  // sign(0) = 0
  EXPECT_FLOAT_EQ(t[1][0].item<float>(), 1.0f);   // not in the batch
  EXPECT_FLOAT_EQ(t[3][0].item<float>(), 1.0f);
}

TEST(SparseSignSGD, MovesOnlyTheBatchRows) {
  auto table = torch::ones({4, 2}).requires_grad_(true);
  table.mutable_grad() = torch::tensor({{0.5f, -0.2f}, {0.f, 0.f}, {-3.f, 0.f}, {1.f, 1.f}});
  hrm::SparseSignSGD opt(table, 0.1, 0.5);
  const auto rows = hrm::SparseSignSGD::unique_rows(torch::tensor({0, 2, 0}, torch::kLong));
  EXPECT_TRUE(torch::equal(rows, torch::tensor({0, 2}, torch::kLong)));
  opt.step(rows, opt.take_grad_rows(rows));
  expect_batch_rows_moved(table);
  EXPECT_FALSE(table.grad().defined());  // taken: the next backward starts from none
}

// The sparse gradient of an embedding lookup (what the model produces) gives the update the dense one gives.
TEST(SparseSignSGD, SparseLookupGradientMatchesTheDensePath) {
  namespace F = torch::nn::functional;
  const auto ids = torch::tensor({0, 2, 0}, torch::kLong);
  const auto upstream = torch::tensor({{0.3f, -0.1f}, {-3.f, 0.f}, {0.2f, -0.1f}});
  for (const bool sparse : {false, true}) {
    auto table = torch::ones({4, 2}).requires_grad_(true);
    (F::embedding(ids, table, F::EmbeddingFuncOptions().sparse(sparse)) * upstream).sum().backward();
    EXPECT_EQ(table.grad().is_sparse(), sparse);
    hrm::SparseSignSGD opt(table, 0.1, 0.5);
    const auto rows = hrm::SparseSignSGD::unique_rows(ids);
    const auto g = opt.take_grad_rows(rows);
    EXPECT_TRUE(torch::allclose(g, torch::tensor({{0.5f, -0.2f}, {-3.f, 0.f}}))) << g;  // repeats summed
    opt.step(rows, g);
    expect_batch_rows_moved(table);
  }
}

TEST(LrSchedule, WarmupThenCosineToMinRatio) {
  EXPECT_DOUBLE_EQ(hrm::cosine_warmup_lr(0, 1.0, 10, 110, 0.1), 0.0);
  EXPECT_DOUBLE_EQ(hrm::cosine_warmup_lr(5, 1.0, 10, 110, 0.1), 0.5);
  EXPECT_DOUBLE_EQ(hrm::cosine_warmup_lr(10, 1.0, 10, 110, 0.1), 1.0);
  EXPECT_NEAR(hrm::cosine_warmup_lr(60, 1.0, 10, 110, 0.1), 0.55, 1e-12);
  EXPECT_NEAR(hrm::cosine_warmup_lr(110, 1.0, 10, 110, 0.1), 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(hrm::cosine_warmup_lr(500, 2.0, 10, 110, 1.0), 2.0);  // min ratio 1: constant
}

}  // namespace
