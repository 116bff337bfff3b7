// hrm::cpu_fused (src/model/cpu_fused_ops.cpp, cpu_fused_rope.cpp) against its ATen references (the compositions in
// src/model/layers.cpp, restated here), forward and backward, fp32 and bf16, odd widths; and the
// layers.cpp entry points falling back to the reference for tensors the fused path does not take.
#include "hrm/model/cpu_fused_ops.hpp"

#include <gtest/gtest.h>

#include "hrm/model/layers.hpp"

namespace {

torch::Tensor ref_rms_norm(const torch::Tensor& x, double eps) {
  const auto xf = x.to(torch::kFloat32);
  return (xf * torch::rsqrt(xf.square().mean(-1, /*keepdim=*/true) + eps)).to(x.scalar_type());
}

torch::Tensor ref_swiglu(const torch::Tensor& gate_up) {
  const auto gu = gate_up.chunk(2, -1);
  return torch::silu(gu[0]) * gu[1];
}

torch::Tensor ref_rotate_half(const torch::Tensor& x) {
  const auto half = x.size(-1) / 2;
  return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// hrm::apply_rope on x [B, S, H, D] with cos/sin [S, D], then the heads-first layout rope_heads returns.
torch::Tensor ref_rope_heads(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const auto xf = x.to(torch::kFloat32);
  const auto c = cos.unsqueeze(-2), s = sin.unsqueeze(-2);
  return (xf * c + ref_rotate_half(xf) * s).to(x.scalar_type()).transpose(1, 2);
}

torch::Tensor randn(std::vector<int64_t> shape, torch::Dtype dtype, uint64_t seed, double scale = 1.0) {
  auto g = at::make_generator<at::CPUGeneratorImpl>(seed);
  return (torch::randn(shape, g, torch::kFloat32) * scale).to(dtype);
}

// |a - b| <= atol + rtol * |b| elementwise, with atol relative to b's largest magnitude.
void expect_close(const torch::Tensor& a, const torch::Tensor& b, double rtol, double atol_rel, const char* what) {
  ASSERT_EQ(a.sizes(), b.sizes()) << what;
  ASSERT_EQ(a.scalar_type(), b.scalar_type()) << what;
  const auto af = a.to(torch::kFloat64), bf = b.to(torch::kFloat64);
  const double scale = std::max(bf.abs().max().item<double>(), 1e-30);
  const auto excess = (af - bf).abs() - (atol_rel * scale + rtol * bf.abs());
  EXPECT_LE(excess.max().item<double>(), 0.0)
      << what << ": max |diff| " << (af - bf).abs().max().item<double>() << ", scale " << scale;
}

struct Tol {
  double rtol, atol_rel;
};
// fp32: a few ulps. bf16: a result rounded once (fused) vs rounded at several steps (reference), so a couple
// of bf16 ulps (2^-8 relative), plus cancellation in the norm's backward (hence the absolute part).
Tol fwd_tol(torch::Dtype d) { return d == torch::kFloat32 ? Tol{1e-5, 1e-6} : Tol{1.0 / 64, 1.0 / 128}; }
Tol bwd_tol(torch::Dtype d) { return d == torch::kFloat32 ? Tol{1e-4, 1e-5} : Tol{1.0 / 32, 1.0 / 32}; }

class CpuFused : public ::testing::TestWithParam<std::tuple<torch::Dtype, int64_t>> {
 protected:
  void SetUp() override {
    if (!hrm::cpu_fused::cpu_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  }
};

TEST_P(CpuFused, RmsNormForwardAndBackwardMatchTheReference) {
  const auto [dtype, n] = GetParam();
  const double eps = 1e-5;
  const auto x0 = randn({3, 5, n}, dtype, 1, 2.0);
  const auto up = randn({3, 5, n}, dtype, 2);
  ASSERT_TRUE(hrm::cpu_fused::supported(x0));

  auto xa = x0.clone().requires_grad_(true), xb = x0.clone().requires_grad_(true);
  const auto ya = hrm::cpu_fused::rms_norm(xa, eps), yb = ref_rms_norm(xb, eps);
  expect_close(ya, yb, fwd_tol(dtype).rtol, fwd_tol(dtype).atol_rel, "forward");
  (ya * up).sum().backward();
  (yb * up).sum().backward();
  expect_close(xa.grad(), xb.grad(), bwd_tol(dtype).rtol, bwd_tol(dtype).atol_rel, "backward");

  // Without a graph the same kernel runs: bit-identical.
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(hrm::cpu_fused::rms_norm(x0, eps), ya.detach()));
  EXPECT_TRUE(torch::equal(hrm::rms_norm(x0, eps), ya.detach()));
}

TEST_P(CpuFused, ResidualRmsNormForwardAndBackwardMatchTheReference) {
  const auto [dtype, n] = GetParam();
  const double eps = 1e-5;
  const auto x0 = randn({4, 3, n}, dtype, 3), y0 = randn({4, 3, n}, dtype, 4, 0.5);
  const auto up = randn({4, 3, n}, dtype, 5);

  auto xa = x0.clone().requires_grad_(true), ya = y0.clone().requires_grad_(true);
  auto xb = x0.clone().requires_grad_(true), yb = y0.clone().requires_grad_(true);
  const auto oa = hrm::cpu_fused::residual_rms_norm(xa, ya, eps), ob = ref_rms_norm(xb + yb, eps);
  expect_close(oa, ob, fwd_tol(dtype).rtol, fwd_tol(dtype).atol_rel, "forward");
  (oa * up).sum().backward();
  (ob * up).sum().backward();
  expect_close(xa.grad(), xb.grad(), bwd_tol(dtype).rtol, bwd_tol(dtype).atol_rel, "backward x");
  expect_close(ya.grad(), yb.grad(), bwd_tol(dtype).rtol, bwd_tol(dtype).atol_rel, "backward y");

  // Only one input needing a gradient works too; no graph gives the same values bit for bit.
  auto xc = x0.clone().requires_grad_(true);
  (hrm::cpu_fused::residual_rms_norm(xc, y0, eps) * up).sum().backward();
  EXPECT_TRUE(torch::equal(xc.grad(), xa.grad()));
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(hrm::cpu_fused::residual_rms_norm(x0, y0, eps), oa.detach()));
  EXPECT_TRUE(torch::equal(hrm::residual_rms_norm(x0, y0, eps), oa.detach()));
}

TEST_P(CpuFused, SwigluForwardAndBackwardMatchTheReference) {
  const auto [dtype, n] = GetParam();
  const auto gu0 = randn({2, 7, 2 * n}, dtype, 6, 3.0);  // gates out to the sigmoid's tails
  const auto up = randn({2, 7, n}, dtype, 7);

  auto a = gu0.clone().requires_grad_(true), b = gu0.clone().requires_grad_(true);
  const auto oa = hrm::cpu_fused::swiglu(a), ob = ref_swiglu(b);
  expect_close(oa, ob, fwd_tol(dtype).rtol, fwd_tol(dtype).atol_rel, "forward");
  (oa * up).sum().backward();
  (ob * up).sum().backward();
  expect_close(a.grad(), b.grad(), bwd_tol(dtype).rtol, bwd_tol(dtype).atol_rel, "backward");

  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(hrm::cpu_fused::swiglu(gu0), oa.detach()));
}

// RoPE on q and k views into a qkv projection [B, S, 3, H, D] (the layout BlockImpl::project_heads reads),
// forward and backward through the view into qkv, as in training.
class CpuFusedRope : public ::testing::TestWithParam<std::tuple<torch::Dtype, int64_t>> {
 protected:
  void SetUp() override {
    if (!hrm::cpu_fused::cpu_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  }
};

TEST_P(CpuFusedRope, ForwardAndBackwardMatchTheReference) {
  const auto [dtype, d] = GetParam();
  const int64_t b = 2, s = 5, h = 3;
  const auto [cos, sin] = hrm::rope_tables(s, d, 10000.0);
  const auto qkv0 = randn({b, s, 3, h, d}, dtype, 21, 2.0);
  const auto up = randn({b, h, s, d}, dtype, 22);
  auto qa = qkv0.clone().requires_grad_(true), qb = qkv0.clone().requires_grad_(true);
  const auto view_a = qa.unbind(2), view_b = qb.unbind(2);
  ASSERT_TRUE(hrm::cpu_fused::rope_supported(view_a[1], cos, sin));
  const auto oa = hrm::cpu_fused::rope_heads(view_a[1], cos, sin), ob = ref_rope_heads(view_b[1], cos, sin);
  EXPECT_TRUE(oa.is_contiguous());
  expect_close(oa, ob.contiguous(), fwd_tol(dtype).rtol, fwd_tol(dtype).atol_rel, "forward");
  (oa * up).sum().backward();
  (ob * up).sum().backward();
  expect_close(qa.grad(), qb.grad(), bwd_tol(dtype).rtol, bwd_tol(dtype).atol_rel, "backward");
  // q's and v's slots of qkv get no gradient from k's RoPE.
  EXPECT_EQ(qa.grad().select(2, 0).abs().max().item<double>(), 0.0);

  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(hrm::cpu_fused::rope_heads(qkv0.unbind(2)[1], cos, sin), oa.detach()));
}

// Per-row tables [B, S, D]: every row at its own positions, as Decoder::run_cached indexes them.
TEST_P(CpuFusedRope, PerRowTablesMatchTheReference) {
  const auto [dtype, d] = GetParam();
  const int64_t b = 3, s = 2, h = 2;
  const auto [cos_all, sin_all] = hrm::rope_tables(16, d, 10000.0);
  const auto positions = torch::tensor({7, 8, 0, 1, 12, 13}, torch::kLong);
  const auto cos = cos_all.index_select(0, positions).view({b, s, d}),
             sin = sin_all.index_select(0, positions).view({b, s, d});
  const auto qkv0 = randn({b, s, 3, h, d}, dtype, 24, 2.0);
  const auto up = randn({b, h, s, d}, dtype, 25);
  auto qa = qkv0.clone().requires_grad_(true), qb = qkv0.clone().requires_grad_(true);
  ASSERT_TRUE(hrm::cpu_fused::rope_supported(qa.unbind(2)[0], cos, sin));
  const auto oa = hrm::cpu_fused::rope_heads(qa.unbind(2)[0], cos, sin), ob = ref_rope_heads(qb.unbind(2)[0], cos, sin);
  expect_close(oa, ob.contiguous(), fwd_tol(dtype).rtol, fwd_tol(dtype).atol_rel, "forward");
  (oa * up).sum().backward();
  (ob * up).sum().backward();
  expect_close(qa.grad(), qb.grad(), bwd_tol(dtype).rtol, bwd_tol(dtype).atol_rel, "backward");
}

INSTANTIATE_TEST_SUITE_P(DtypesAndHeadDims, CpuFusedRope,
                         ::testing::Combine(::testing::Values(torch::kFloat32, torch::kBFloat16),
                                            ::testing::Values<int64_t>(64, 32, 18, 6)));

TEST(CpuFusedOps, RopeTakesOnlyWhatItSupportsAndAttentionAgrees) {
  if (!hrm::cpu_fused::cpu_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  const auto [cos, sin] = hrm::rope_tables(4, 8, 10000.0);
  const auto x = randn({2, 4, 3, 8}, torch::kFloat32, 23);
  EXPECT_TRUE(hrm::cpu_fused::rope_supported(x, cos, sin));
  EXPECT_FALSE(hrm::cpu_fused::rope_supported(x.transpose(2, 3), cos, sin));  // D values strided
  EXPECT_FALSE(hrm::cpu_fused::rope_supported(x.to(torch::kFloat64), cos, sin));
  const auto per_row = cos.unsqueeze(0).expand({2, 4, 8}).contiguous();  // the decoder's per-row positions
  EXPECT_TRUE(hrm::cpu_fused::rope_supported(x, per_row, per_row));
  EXPECT_FALSE(hrm::cpu_fused::rope_supported(x, per_row, sin));  // one of each
  EXPECT_FALSE(hrm::cpu_fused::rope_supported(x, per_row.narrow(0, 0, 1), per_row.narrow(0, 0, 1)));
  EXPECT_FALSE(hrm::cpu_fused::rope_supported(x, cos.narrow(0, 0, 3), sin.narrow(0, 0, 3)));

  // A block's projection takes the fused path and gives the reference's heads.
  hrm::ModelConfig c;
  c.hidden_size = 32;
  c.num_heads = 4;
  c.expansion = 2.0;
  hrm::Block block(c);
  const auto [bc, bs] = hrm::rope_tables(6, 8, 10000.0);
  const auto in = randn({2, 6, 32}, torch::kFloat32, 24);
  const auto heads = block->project_heads(in, bc, bs);
  const auto parts = block->qkv(in).view({2, 6, 3, 4, 8}).unbind(2);
  expect_close(heads.q, ref_rope_heads(parts[0], bc, bs).contiguous(), 1e-5, 1e-6, "q");
  expect_close(heads.k, ref_rope_heads(parts[1], bc, bs).contiguous(), 1e-5, 1e-6, "k");
  EXPECT_TRUE(torch::equal(heads.v, parts[2].transpose(1, 2)));
}

INSTANTIATE_TEST_SUITE_P(DtypesAndWidths, CpuFused,
                         ::testing::Combine(::testing::Values(torch::kFloat32, torch::kBFloat16),
                                            ::testing::Values<int64_t>(512, 37, 13, 8, 3)));

TEST(CpuFusedOps, SigmoidTailsAndSpecialValues) {
  if (!hrm::cpu_fused::cpu_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  // Large |gate|: silu -> gate or 0 without overflow; exact zeros stay zeros.
  const auto gate = torch::tensor({-200.f, -90.f, -20.f, -1.f, 0.f, 1.f, 20.f, 90.f, 200.f, 3.f}, torch::kFloat32);
  const auto gu = torch::cat({gate, torch::ones_like(gate)}).view({1, -1});
  const auto out = hrm::cpu_fused::swiglu(gu);
  expect_close(out, ref_swiglu(gu).view({1, -1}), 1e-5, 1e-7, "silu tails");
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
  // A zero row normalizes to zeros (rsqrt(eps) times 0), as the reference.
  const auto z = torch::zeros({2, 16}, torch::kBFloat16);
  EXPECT_TRUE(torch::equal(hrm::cpu_fused::rms_norm(z, 1e-5), ref_rms_norm(z, 1e-5)));
}

TEST(CpuFusedOps, BFloat16RoundingIsNearestEvenLikeC10) {
  if (!hrm::cpu_fused::cpu_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  // Residual sums that fall exactly halfway between two bf16 values (spacing 2^-7 near 1): 1 + 2^-8 ties
  // to 1 (even), 1 + 3 * 2^-8 and 1 + 5 * 2^-8 to 1 + 2^-6 (round-half-up would give 1 + 2^-7 and
  // 1 + 3 * 2^-7 for two of them, truncation 1 + 2^-7 and 1 + 2^-6). All the squares and their sums are
  // exact in fp32, so the scale does not depend on summation order and the outputs must match bit for
  // bit. Width 19: ties in the vector body and in the scalar tail.
  const float u = 1.0f / 256;
  std::vector<float> xs, ys;
  const float pattern[] = {u, 3 * u, -u, 5 * u, -3 * u, 0.0f, -5 * u};
  for (int i = 0; i < 19; ++i) {
    const float sign = (i % 3 == 2) ? -1.0f : 1.0f;
    xs.push_back(sign);
    ys.push_back(sign * pattern[i % 7]);
  }
  const auto x = torch::tensor(xs).view({1, 19}).to(torch::kBFloat16);
  const auto y = torch::tensor(ys).view({1, 19}).to(torch::kBFloat16);
  ASSERT_TRUE(torch::equal(x.to(torch::kFloat32), torch::tensor(xs).view({1, 19})));  // exact in bf16
  ASSERT_TRUE(torch::equal(y.to(torch::kFloat32), torch::tensor(ys).view({1, 19})));
  const auto want = ref_rms_norm(x + y, 1e-5);
  {
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::equal(hrm::cpu_fused::residual_rms_norm(x, y, 1e-5), want));
  }
  auto xg = x.clone().requires_grad_(true);
  EXPECT_TRUE(torch::equal(hrm::cpu_fused::residual_rms_norm(xg, y, 1e-5).detach(), want));
  // And the ties themselves: c10::BFloat16 semantics of the reference add.
  const auto sum = (x + y).to(torch::kFloat32);
  EXPECT_EQ(sum[0][0].item<float>(), 1.0f);
  EXPECT_EQ(sum[0][1].item<float>(), 1.0f + 4 * u);
  EXPECT_EQ(sum[0][3].item<float>(), 1.0f + 4 * u);
}

TEST(CpuFusedOps, NonContiguousAndOtherInputsTakeTheReference) {
  const double eps = 1e-5;
  for (const auto dtype : {torch::kFloat32, torch::kBFloat16}) {
    const auto base = randn({6, 40}, dtype, 8);
    const auto t = base.t();  // [40, 6], not contiguous
    ASSERT_FALSE(hrm::cpu_fused::supported(t));
    const auto nar = base.narrow(1, 3, 29);  // rows strided by 40
    ASSERT_FALSE(hrm::cpu_fused::supported(nar));
    EXPECT_TRUE(torch::equal(hrm::rms_norm(t, eps), ref_rms_norm(t, eps)));
    EXPECT_TRUE(torch::equal(hrm::rms_norm(nar, eps), ref_rms_norm(nar, eps)));
    const auto other = randn({40, 6}, dtype, 9);
    EXPECT_TRUE(torch::equal(hrm::residual_rms_norm(t, other, eps), ref_rms_norm(t + other, eps)));
    EXPECT_TRUE(torch::equal(hrm::residual_rms_norm(other, t, eps), ref_rms_norm(other + t, eps)));

    // Gradients through the fallback are the reference's.
    auto ta = base.clone().requires_grad_(true), tb = base.clone().requires_grad_(true);
    hrm::rms_norm(ta.t(), eps).sum().backward();
    ref_rms_norm(tb.t(), eps).sum().backward();
    EXPECT_TRUE(torch::equal(ta.grad(), tb.grad()));
  }
  // Other dtypes and broadcasting shapes keep the reference too.
  const auto d = randn({3, 10}, torch::kFloat64, 10);
  EXPECT_FALSE(hrm::cpu_fused::supported(d));
  EXPECT_TRUE(torch::equal(hrm::rms_norm(d, eps), ref_rms_norm(d, eps)));
  const auto x = randn({3, 10}, torch::kFloat32, 12), row = randn({1, 10}, torch::kFloat32, 13);
  EXPECT_TRUE(torch::equal(hrm::residual_rms_norm(x, row, eps), ref_rms_norm(x + row, eps)));
}

TEST(CpuFusedOps, BlockMlpMatchesTheReference) {
  if (!hrm::cpu_fused::cpu_supported()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  hrm::ModelConfig c;
  c.hidden_size = 40;
  c.num_heads = 4;
  c.expansion = 2.0;
  hrm::Block block(c);
  const auto x = randn({2, 5, 40}, torch::kFloat32, 14);
  const auto got = block->mlp(x);
  const auto want = block->down(ref_swiglu(block->gate_up(x)));
  expect_close(got, want, 1e-5, 1e-6, "mlp");
  // A non-contiguous input: gate_up's output is contiguous anyway; the fused path still agrees.
  const auto xt = randn({5, 2, 40}, torch::kFloat32, 15).transpose(0, 1);
  expect_close(block->mlp(xt), block->down(ref_swiglu(block->gate_up(xt))), 1e-5, 1e-6, "mlp strided");
}

}  // namespace
