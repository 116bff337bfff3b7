// hrm::fused::apply_rope / rope_qk_ against hrm::apply_rope, forward and backward, fp32 and bf16.
#include "hrm/model/fused_ops.hpp"
#include "hrm/model/layers.hpp"
#include "gpu_test_util.hpp"

namespace hrm {
namespace {

using gpu_test::bit_identical;
using gpu_test::rel_err;
using gpu_test::tolerance;

class FusedRope : public ::testing::TestWithParam<torch::ScalarType> {};

TEST_P(FusedRope, ApplyRopeMatchesReferenceForwardAndBackward) {
  HRM_REQUIRE_CUDA();
  const auto dtype = GetParam();
  torch::manual_seed(1);
  const int64_t b = 3, s = 17, h = 4, d = 64;
  auto [cos, sin] = rope_tables(s + 5, d, 10000.0);  // longer tables than S, as the model narrows them
  cos = cos.cuda();
  sin = sin.cuda();
  const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(dtype);
  const auto x_ref = (3 * torch::randn({b, s, h, d}, opts)).requires_grad_();
  const auto x_fused = x_ref.detach().clone().requires_grad_();
  const auto ref = apply_rope(x_ref, cos.narrow(0, 0, s), sin.narrow(0, 0, s));
  const auto out = fused::apply_rope(x_fused, cos, sin);
  EXPECT_LT(rel_err(out, ref), tolerance(dtype) / 10);
  RecordProperty("forward_bit_identical", bit_identical(out, ref) ? "yes" : "no");
  const auto grad = torch::randn({b, s, h, d}, opts);
  ref.backward(grad);
  out.backward(grad);
  EXPECT_LT(rel_err(x_fused.grad(), x_ref.grad()), tolerance(dtype) / 10);
  RecordProperty("backward_bit_identical", bit_identical(x_fused.grad(), x_ref.grad()) ? "yes" : "no");
}

TEST_P(FusedRope, ApplyRopeReadsStridedViewsOfTheQkvProjection) {
  HRM_REQUIRE_CUDA();
  const auto dtype = GetParam();
  torch::manual_seed(2);
  const int64_t b = 2, s = 9, h = 8, d = 16;
  auto [cos, sin] = rope_tables(s, d, 10000.0);
  cos = cos.cuda();
  sin = sin.cuda();
  const auto qkv = torch::randn({b, s, 3, h, d}, torch::TensorOptions().device(torch::kCUDA).dtype(dtype));
  for (int64_t part = 0; part < 2; ++part) {
    const auto view = qkv.select(2, part);  // row stride 3*h*d, as project_heads passes it
    EXPECT_LT(rel_err(fused::apply_rope(view, cos, sin), apply_rope(view, cos, sin)), tolerance(dtype) / 10);
  }
}

TEST_P(FusedRope, RopeQkInPlaceMatchesReferenceAndLeavesValuesAlone) {
  HRM_REQUIRE_CUDA();
  const auto dtype = GetParam();
  torch::manual_seed(3);
  const int64_t b = 4, s = 82, h = 8, d = 64;  // the 27M Sudoku model's attention shape
  auto [cos, sin] = rope_tables(s, d, 10000.0);
  cos = cos.cuda();
  sin = sin.cuda();
  const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(dtype);
  const auto leaf_ref = torch::randn({b, s, 3 * h * d}, opts).requires_grad_();
  const auto leaf_fused = leaf_ref.detach().clone().requires_grad_();
  const auto grads = torch::randn({3, b, s, h, d}, opts);

  const auto parts = (leaf_ref * 1).view({b, s, 3, h, d}).unbind(2);
  const auto q_ref = apply_rope(parts[0], cos, sin), k_ref = apply_rope(parts[1], cos, sin);
  ((q_ref.to(torch::kFloat32) * grads[0]).sum() + (k_ref.to(torch::kFloat32) * grads[1]).sum() +
   (parts[2].to(torch::kFloat32) * grads[2]).sum())
      .backward();

  const auto rotated = fused::rope_qk_(leaf_fused * 1, cos, sin, h).view({b, s, 3, h, d}).unbind(2);
  EXPECT_LT(rel_err(rotated[0], q_ref), tolerance(dtype) / 10);
  EXPECT_LT(rel_err(rotated[1], k_ref), tolerance(dtype) / 10);
  EXPECT_TRUE(bit_identical(rotated[2], parts[2])) << "v must pass through untouched";
  ((rotated[0].to(torch::kFloat32) * grads[0]).sum() + (rotated[1].to(torch::kFloat32) * grads[1]).sum() +
   (rotated[2].to(torch::kFloat32) * grads[2]).sum())
      .backward();
  EXPECT_LT(rel_err(leaf_fused.grad(), leaf_ref.grad()), tolerance(dtype) / 10);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, FusedRope, ::testing::Values(torch::kFloat32, torch::kBFloat16),
                         [](const auto& info) { return gpu_test::dtype_name(info.param); });

TEST(FusedRopeErrors, RejectsCpuTensorsAndWrongTables) {
  const auto cos = torch::ones({4, 8}), sin = torch::zeros({4, 8});
  EXPECT_THROW(fused::apply_rope(torch::randn({1, 4, 2, 8}), cos, sin), c10::Error);
  if (!torch::cuda::is_available()) return;
  const auto x = torch::randn({1, 4, 2, 8}, torch::kCUDA);
  EXPECT_THROW(fused::apply_rope(x, cos.cuda().narrow(0, 0, 3), sin.cuda().narrow(0, 0, 3)), c10::Error);
  EXPECT_THROW(fused::rope_qk_(torch::randn({1, 4, 7}, torch::kCUDA), cos.cuda(), sin.cuda(), 2), c10::Error);
}

}  // namespace
}  // namespace hrm
