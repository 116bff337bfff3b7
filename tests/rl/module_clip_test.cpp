// Per-module gradient-norm clipping: the groups are make_module_optimizer's, and only a module whose
// gradient norm exceeds its own limit is scaled (to exactly the limit).
#include "hrm/rl/module_clip.hpp"

#include <gtest/gtest.h>

#include "hrm/model/module_optimizer.hpp"

namespace {

double norm(const std::vector<torch::Tensor>& params) {
  double sq = 0;
  for (const auto& p : params) sq += p.grad().pow(2).sum().item<double>();
  return std::sqrt(sq);
}

TEST(ModuleClip, ModuleAboveItsLimitIsScaledToItOthersUntouched) {
  hrm::ModelConfig mc;
  mc.vocab_size = 40;
  mc.seq_len = 8;
  mc.hidden_size = 16;
  mc.num_heads = 2;
  mc.H_layers = mc.L_layers = 1;
  mc.attention = hrm::AttentionMode::kPrefixLM;
  mc.forward_dtype = "float32";
  torch::manual_seed(0);
  hrm::HRMInner model(mc);
  auto opt = hrm::make_module_optimizer(*model, {"adamw", 1e-3});
  const auto groups = hrm::rl::module_params(*opt.optimizer, *model);
  // The optimizer's own split: H, L, heads (lm_head + q_head), the rest; every parameter in one of them.
  EXPECT_EQ(groups.H.size(), model->H->parameters().size());
  EXPECT_EQ(groups.L.size(), model->L->parameters().size());
  EXPECT_EQ(groups.heads.size(), model->lm_head->parameters().size() + model->q_head->parameters().size());
  EXPECT_FALSE(groups.embed.empty());
  EXPECT_EQ(groups.H.size() + groups.L.size() + groups.heads.size() + groups.embed.size(), model->parameters().size());

  torch::manual_seed(1);
  for (auto& p : model->parameters()) p.mutable_grad() = torch::randn_like(p);
  const double h = norm(groups.H), l = norm(groups.L), heads = norm(groups.heads);
  std::vector<torch::Tensor> before;
  for (const auto& p : model->parameters()) before.push_back(p.grad().clone());

  hrm::rl::ModuleClip clip;
  clip.H = h / 4;  // exceeded: scaled to the limit
  clip.L = l * 2;  // within: untouched
  clip.heads = 0;  // no limit: untouched
  hrm::rl::clip_module_grad_norms(groups, clip);
  EXPECT_NEAR(norm(groups.H), h / 4, 1e-4 * h);
  EXPECT_NEAR(norm(groups.heads), heads, 1e-9);
  const auto params = model->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    bool in_h = false;
    for (const auto& q : groups.H) in_h |= q.is_same(params[i]);
    if (in_h) {  // the same direction, a quarter of the length
      EXPECT_TRUE(torch::allclose(params[i].grad(), before[i] * (clip.H / h), 1e-4, 1e-6)) << i;
    } else {
      EXPECT_TRUE(torch::equal(params[i].grad(), before[i])) << i;
    }
  }
  EXPECT_FALSE(hrm::rl::ModuleClip{}.any());
}

}  // namespace
