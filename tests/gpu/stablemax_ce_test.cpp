// hrm::fused::stablemax_cross_entropy against hrm::stablemax_cross_entropy (float64), forward and backward.
#include "hrm/model/fused_ops.hpp"
#include "hrm/model/hrm.hpp"
#include "hrm/model/losses.hpp"
#include "gpu_test_util.hpp"

namespace hrm {
namespace {

using gpu_test::rel_err;
using gpu_test::tolerance;

struct StablemaxCase {
  torch::ScalarType dtype;
  int64_t vocab;
};

class FusedStablemax : public ::testing::TestWithParam<StablemaxCase> {};

TEST_P(FusedStablemax, MatchesReferenceForwardAndBackward) {
  HRM_REQUIRE_CUDA();
  const auto [dtype, vocab] = GetParam();
  torch::manual_seed(vocab);
  const int64_t b = 4, s = 9;
  const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(dtype);
  const auto x_ref = (3 * torch::randn({b, s, vocab}, opts)).requires_grad_();  // both branches of s(x)
  const auto x_fused = x_ref.detach().clone().requires_grad_();
  auto labels = torch::randint(0, vocab, {b, s}, torch::TensorOptions().device(torch::kCUDA).dtype(torch::kLong));
  const auto ignored = torch::rand({b, s}, torch::kCUDA) < 0.25;
  labels = torch::where(ignored, torch::full_like(labels, kIgnoreLabel), labels);

  const auto ref = stablemax_cross_entropy(x_ref, labels);
  const auto out = fused::stablemax_cross_entropy(x_fused, labels.to(torch::kInt32));  // any integer labels
  ASSERT_EQ(out.scalar_type(), torch::kFloat64);
  ASSERT_EQ(out.sizes(), ref.sizes());
  EXPECT_LT(rel_err(out, ref), 1e-12);  // both float64 from the same inputs
  EXPECT_TRUE(
      torch::equal(out.masked_select(ignored).cpu(), torch::zeros({ignored.sum().item<int64_t>()}, torch::kFloat64)));
  // The loss as act_loss uses it: per-token losses over a per-sequence divisor, summed.
  const auto divisor = (labels != kIgnoreLabel).sum(-1, true).clamp_min(1).to(torch::kFloat64);
  (ref / divisor).sum().backward();
  (out / divisor).sum().backward();
  ASSERT_EQ(x_fused.grad().scalar_type(), dtype);
  EXPECT_LT(rel_err(x_fused.grad(), x_ref.grad()), dtype == torch::kBFloat16 ? tolerance(dtype) : 1e-6);
  EXPECT_EQ(x_fused.grad().index({ignored}).abs().sum().item<double>(), 0.0);
}

INSTANTIATE_TEST_SUITE_P(Shapes, FusedStablemax,
                         ::testing::Values(StablemaxCase{torch::kFloat32, 11}, StablemaxCase{torch::kBFloat16, 11},
                                           StablemaxCase{torch::kFloat32, 1000}, StablemaxCase{torch::kBFloat16, 1000}),
                         [](const auto& info) {
                           return gpu_test::dtype_name(info.param.dtype) + "_vocab" + std::to_string(info.param.vocab);
                         });

TEST(FusedStablemaxErrors, OutOfRangeLabelGivesNanAndShapesAreChecked) {
  HRM_REQUIRE_CUDA();
  const auto logits = torch::randn({1, 3, 5}, torch::kCUDA);
  const auto loss = fused::stablemax_cross_entropy(logits, torch::tensor({{0, 7, kIgnoreLabel}}, torch::kCUDA));
  const auto cpu = loss.cpu();
  EXPECT_TRUE(std::isfinite(cpu[0][0].item<double>()));
  EXPECT_TRUE(std::isnan(cpu[0][1].item<double>()));
  EXPECT_EQ(cpu[0][2].item<double>(), 0.0);
  EXPECT_THROW(fused::stablemax_cross_entropy(logits, torch::zeros({1, 4}, torch::kLong)), c10::Error);
  EXPECT_THROW(fused::stablemax_cross_entropy(logits, torch::zeros({1, 3}, torch::kCUDA)), c10::Error);
}

}  // namespace
}  // namespace hrm
