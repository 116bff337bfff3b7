// hrm::fused::swiglu against BlockImpl::mlp's silu(gate) * up, forward and backward, fp32 and bf16.
#include "hrm/model/fused_ops.hpp"
#include "gpu_test_util.hpp"

namespace hrm {
namespace {

using gpu_test::rel_err;
using gpu_test::tolerance;

torch::Tensor reference_swiglu(const torch::Tensor& gate_up) {
  const auto gu = gate_up.chunk(2, -1);
  return torch::silu(gu[0]) * gu[1];
}

struct SwigluCase {
  torch::ScalarType dtype;
  int64_t inner;
};

class FusedSwiglu : public ::testing::TestWithParam<SwigluCase> {};

TEST_P(FusedSwiglu, MatchesReferenceForwardAndBackward) {
  HRM_REQUIRE_CUDA();
  const auto [dtype, inner] = GetParam();
  torch::manual_seed(inner);
  const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(dtype);
  const auto gu_ref = (4 * torch::randn({5, 7, 2 * inner}, opts)).requires_grad_();  // both tails of silu
  const auto gu_fused = gu_ref.detach().clone().requires_grad_();
  const auto ref = reference_swiglu(gu_ref);
  const auto out = fused::swiglu(gu_fused);
  ASSERT_EQ(out.sizes(), ref.sizes());
  ASSERT_EQ(out.scalar_type(), dtype);
  EXPECT_LT(rel_err(out, ref), tolerance(dtype));
  const auto grad = torch::randn(ref.sizes(), opts);
  ref.backward(grad);
  out.backward(grad);
  EXPECT_LT(rel_err(gu_fused.grad(), gu_ref.grad()), tolerance(dtype));
  // Gate and up halves separately: a swapped half would still pass a whole-tensor norm only by luck.
  EXPECT_LT(rel_err(gu_fused.grad().narrow(-1, 0, inner), gu_ref.grad().narrow(-1, 0, inner)), tolerance(dtype));
  EXPECT_LT(rel_err(gu_fused.grad().narrow(-1, inner, inner), gu_ref.grad().narrow(-1, inner, inner)),
            tolerance(dtype));
}

INSTANTIATE_TEST_SUITE_P(Shapes, FusedSwiglu,
                         ::testing::Values(SwigluCase{torch::kFloat32, 1536}, SwigluCase{torch::kBFloat16, 1536},
                                           SwigluCase{torch::kFloat32, 200}, SwigluCase{torch::kBFloat16, 37}),
                         [](const auto& info) {
                           return gpu_test::dtype_name(info.param.dtype) + "_inner" + std::to_string(info.param.inner);
                         });

TEST(FusedSwigluErrors, RejectsOddWidthsAndCpuTensors) {
  EXPECT_THROW(fused::swiglu(torch::randn({2, 6})), c10::Error);
  if (!torch::cuda::is_available()) return;
  EXPECT_THROW(fused::swiglu(torch::randn({2, 5}, torch::kCUDA)), c10::Error);
  EXPECT_THROW(fused::swiglu(torch::randn({2, 6}, torch::kCUDA).to(torch::kFloat64)), c10::Error);
}

}  // namespace
}  // namespace hrm
