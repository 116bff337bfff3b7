// The inner recurrence: shapes, the 1-step gradient against a hand-written computation, masks.
#include "hrm/model/hrm.hpp"

#include <gtest/gtest.h>

#include "test_helpers.hpp"

namespace {

using hrm::AttentionMode;
using hrm::testing::random_batch;
using hrm::testing::tiny_config;

hrm::InnerCarry start_carry(hrm::HRMInner& m, const hrm::Batch& b) {
  auto c = m->empty_carry(b.size());
  return m->reset_carry(torch::ones({b.size()}, torch::kBool), c, b);
}

// The tiny config with a puzzle embedding over three puzzles.
hrm::ModelConfig puzzle_config() {
  auto cfg = tiny_config();
  cfg.puzzle_emb_ndim = 40;  // two extra positions of 32
  cfg.num_puzzle_identifiers = 3;
  return cfg;
}

TEST(HRMInner, OutputShapes) {
  const auto cfg = puzzle_config();
  torch::manual_seed(0);
  hrm::HRMInner m(cfg);
  const auto b = random_batch(cfg, 3, 1);
  const auto out = m->forward(start_carry(m, b), b);
  EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{3, 8, 11}));
  EXPECT_EQ(out.carry.z_H.sizes(), (std::vector<int64_t>{3, 10, 32}));
  EXPECT_EQ(out.q_halt.sizes(), (std::vector<int64_t>{3}));
  EXPECT_FALSE(out.carry.z_H.requires_grad());
  // Fresh Q head: weight 0, bias -5.
  EXPECT_TRUE(torch::allclose(out.q_halt, torch::full({3}, -5.0)));
}

// The values, not only the shapes: forward() equals the H/L schedule composed by hand from the modules
// (H_cycles x [L_cycles L calls with input injection, one H call]), with the LM head applied to the token
// positions after the puzzle-embedding slots and the Q head read at position 0, both computed here as
// plain matmuls. The Q head and the puzzle embedding get non-zero values so that both are exercised.
TEST(HRMInner, OutputsEqualTheScheduleComposedByHand) {
  const auto cfg = puzzle_config();
  torch::manual_seed(0);
  hrm::HRMInner m(cfg);
  {
    torch::NoGradGuard no_grad;
    m->q_head->weight.normal_(0.0, 0.5);
    m->q_head->bias.normal_();
    m->puzzle_emb.normal_();
  }
  auto b = random_batch(cfg, 3, 1);
  b.puzzle_ids = torch::tensor({0, 1, 2}, torch::kLong);
  torch::NoGradGuard no_grad;
  const auto carry = start_carry(m, b);
  const auto out = m->forward(carry, b);

  const auto ctx = m->attention_context(b);
  const auto x = m->input_embeddings(b);
  auto zH = carry.z_H, zL = carry.z_L;
  for (int64_t h = 0; h < cfg.H_cycles; ++h) {
    for (int64_t l = 0; l < cfg.L_cycles; ++l) zL = m->L->forward(zL, zH + x, ctx);
    zH = m->H->forward(zH, zL, ctx);
  }
  const auto logits = torch::matmul(zH.narrow(1, 2, cfg.seq_len), m->lm_head->weight.t());
  const auto q = torch::matmul(zH.select(1, 0), m->q_head->weight.t()) + m->q_head->bias;
  EXPECT_TRUE(torch::allclose(out.logits, logits, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(out.q_halt, q.select(1, 0), 1e-5, 1e-6)) << out.q_halt << q;
  EXPECT_TRUE(torch::allclose(out.q_continue, q.select(1, 1), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(out.carry.z_H, zH, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(out.carry.z_L, zL, 1e-5, 1e-6));
  EXPECT_GT(out.q_halt.std().item<double>(), 0.0) << "the Q head must see the state";

  // Deterministic, and each row depends on its own example only: row 1 run alone gives the same values.
  EXPECT_TRUE(torch::equal(m->forward(carry, b).logits, out.logits));
  hrm::Batch row;
  row.inputs = b.inputs.narrow(0, 1, 1);
  row.labels = b.labels.narrow(0, 1, 1);
  row.puzzle_ids = b.puzzle_ids.narrow(0, 1, 1);
  const auto alone = m->forward(start_carry(m, row), row);
  // (Other batch shapes take other GEMM paths: equal up to float rounding, not bit for bit.)
  EXPECT_TRUE(torch::allclose(alone.logits[0], out.logits[1], 1e-4, 1e-5))
      << (alone.logits[0] - out.logits[1]).abs().max().item<double>();
  EXPECT_TRUE(torch::allclose(alone.q_halt[0], out.q_halt[1], 1e-4, 1e-5));
  // The puzzle embedding reaches the outputs: another puzzle id changes them.
  row.puzzle_ids = torch::tensor({2}, torch::kLong);
  EXPECT_FALSE(torch::allclose(m->forward(start_carry(m, row), row).logits[0], out.logits[1], 1e-3, 1e-3));
}

// Gradients must come only from the final L and final H update: recompute the segment by hand with
// every earlier call detached and compare every parameter's gradient.
TEST(HRMInner, OneStepGradientMatchesManualComputation) {
  const auto cfg = tiny_config();
  torch::manual_seed(0);
  hrm::HRMInner m(cfg);
  const auto b = random_batch(cfg, 2, 3);
  const auto carry = start_carry(m, b);
  const auto weights = torch::randn({2, 8, 11});

  m->zero_grad();
  (m->forward(carry, b).logits * weights).sum().backward();
  std::vector<torch::Tensor> grads;
  for (auto& p : m->parameters()) grads.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));

  m->zero_grad();
  const auto ctx = m->attention_context(b);
  const auto x = m->input_embeddings(b);
  auto zH = carry.z_H, zL = carry.z_L;
  {
    torch::NoGradGuard no_grad;
    zL = m->L->forward(zL, zH + x, ctx);  // h=0: L, L, H
    zL = m->L->forward(zL, zH + x, ctx);
    zH = m->H->forward(zH, zL, ctx);
    zL = m->L->forward(zL, zH + x, ctx);  // h=1: L, (L, H with grad)
  }
  zL = m->L->forward(zL, zH + x, ctx);
  zH = m->H->forward(zH, zL, ctx);
  (m->lm_head(zH) * weights).sum().backward();
  size_t i = 0;
  for (auto& p : m->parameters()) {
    const auto manual = p.grad().defined() ? p.grad() : torch::zeros_like(p);
    EXPECT_TRUE(torch::allclose(grads[i], manual, 1e-5, 1e-6)) << "parameter " << i;
    ++i;
  }
  // And the gradient really is only 1-step: a full backprop through all calls would differ.
  EXPECT_GT(m->L->parameters()[0].grad().abs().sum().item<double>(), 0.0);
}

// bf16: forward() casts the H/L weights once for its no-grad calls (CastWeightScope in hrm.cpp); the
// outputs and gradients must be bit-identical to the same schedule run call by call (each linear casting
// its fp32 weight itself), also after the weights change in place (no stale cast copy survives a forward).
TEST(HRMInner, Bfloat16CachedWeightCastsMatchPerCallCastsExactly) {
  auto cfg = tiny_config();
  cfg.forward_dtype = "bfloat16";
  torch::manual_seed(0);
  hrm::HRMInner m(cfg);
  const auto b = random_batch(cfg, 2, 3);
  const auto weights = torch::randn({2, 8, 11});
  for (int round = 0; round < 2; ++round) {
    if (round == 1) {
      torch::NoGradGuard no_grad;
      for (auto& p : m->parameters()) p.mul_(0.75);  // as an optimizer step would, between forwards
    }
    const auto carry = start_carry(m, b);
    for (auto& p : m->parameters()) p.mutable_grad() = torch::Tensor();
    const auto out = m->forward(carry, b);
    (out.logits.to(torch::kFloat32) * weights).sum().backward();
    std::vector<torch::Tensor> grads;
    for (auto& p : m->parameters()) grads.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));

    for (auto& p : m->parameters()) p.mutable_grad() = torch::Tensor();
    const auto ctx = m->attention_context(b);
    const auto x = m->input_embeddings(b);
    auto zH = carry.z_H, zL = carry.z_L;
    {
      torch::NoGradGuard no_grad;
      zL = m->L->forward(zL, zH + x, ctx);
      zL = m->L->forward(zL, zH + x, ctx);
      zH = m->H->forward(zH, zL, ctx);
      zL = m->L->forward(zL, zH + x, ctx);
    }
    zL = m->L->forward(zL, zH + x, ctx);
    zH = m->H->forward(zH, zL, ctx);
    const auto logits = m->lm_head(zH);
    (logits.to(torch::kFloat32) * weights).sum().backward();
    EXPECT_TRUE(torch::equal(out.logits, logits)) << "round " << round;
    EXPECT_TRUE(torch::equal(out.carry.z_H, zH.detach())) << "round " << round;
    EXPECT_TRUE(torch::equal(out.carry.z_L, zL.detach())) << "round " << round;
    size_t i = 0;
    for (auto& p : m->parameters()) {
      const auto manual = p.grad().defined() ? p.grad() : torch::zeros_like(p);
      EXPECT_TRUE(torch::equal(grads[i], manual)) << "round " << round << " parameter " << i;
      ++i;
    }
  }
  // The cast copies are gone after forward(): a no-grad call sees the current fp32 weights.
  torch::NoGradGuard no_grad;
  auto& linear = *m->L->layers->ptr<hrm::BlockImpl>(0)->qkv;
  const auto xin = torch::randn({2, 8, 32}).to(torch::kBFloat16);
  linear.weight.mul_(2.0);
  EXPECT_TRUE(
      torch::equal(linear.forward(xin), torch::nn::functional::linear(xin, linear.weight.to(torch::kBFloat16))));
}

TEST(HRMInner, MoreBpStepsChangesTheGradient) {
  auto cfg = tiny_config();
  torch::manual_seed(0);
  hrm::HRMInner m(cfg);
  const auto b = random_batch(cfg, 2, 3);
  const auto carry = start_carry(m, b);
  m->zero_grad();
  m->forward(carry, b).logits.square().sum().backward();
  const auto g2 = m->L->parameters()[0].grad().clone();
  m->set_bp_steps(cfg.module_calls());
  m->zero_grad();
  m->forward(carry, b).logits.square().sum().backward();
  EXPECT_FALSE(torch::allclose(g2, m->L->parameters()[0].grad()));
}

torch::Tensor logits_for(hrm::HRMInner& m, const hrm::Batch& b) {
  torch::NoGradGuard no_grad;
  return m->forward(start_carry(m, b), b).logits;
}

TEST(HRMInner, CausalLogitsNeverSeeLaterTokens) {
  const auto cfg = tiny_config(AttentionMode::kCausal);
  torch::manual_seed(0);
  hrm::HRMInner m(cfg);
  auto b = random_batch(cfg, 1, 5);
  const auto before = logits_for(m, b);
  for (int64_t j = 1; j < cfg.seq_len; ++j) {
    auto changed = b;
    changed.inputs = b.inputs.clone();
    changed.inputs[0][j] = (b.inputs[0][j].item<int64_t>() + 1) % cfg.vocab_size;
    const auto after = logits_for(m, changed);
    EXPECT_TRUE(torch::equal(before.narrow(1, 0, j), after.narrow(1, 0, j))) << "position " << j;
    EXPECT_FALSE(torch::allclose(before.narrow(1, j, 1), after.narrow(1, j, 1))) << "position " << j;
  }
}

TEST(HRMInner, PrefixLMIsBidirectionalOverThePromptCausalOverTheResponse) {
  const auto cfg = tiny_config(AttentionMode::kPrefixLM);
  torch::manual_seed(0);
  hrm::HRMInner m(cfg);
  auto b = random_batch(cfg, 1, 5);  // prefix length 4
  const auto before = logits_for(m, b);
  // A response token (position 6) never changes positions 0..5.
  auto resp = b;
  resp.inputs = b.inputs.clone();
  resp.inputs[0][6] = (b.inputs[0][6].item<int64_t>() + 1) % cfg.vocab_size;
  EXPECT_TRUE(torch::equal(before.narrow(1, 0, 6), logits_for(m, resp).narrow(1, 0, 6)));
  // A prompt token (position 3) changes earlier prompt positions: attention is bidirectional there.
  auto prompt = b;
  prompt.inputs = b.inputs.clone();
  prompt.inputs[0][3] = (b.inputs[0][3].item<int64_t>() + 1) % cfg.vocab_size;
  EXPECT_FALSE(torch::allclose(before.narrow(1, 0, 1), logits_for(m, prompt).narrow(1, 0, 1)));
  // The Q head reads the last prompt position.
  EXPECT_EQ(m->q_positions(b)[0].item<int64_t>(), 3);
}

TEST(HRMInner, CausalQHeadReadsTheLastPromptTokenWhenThereIsAPrompt) {
  const auto cfg = tiny_config(AttentionMode::kCausal);
  hrm::HRMInner m(cfg);
  auto b = random_batch(cfg, 2, 5);
  b.prefix_lens = torch::tensor({4, 0}, torch::kLong);  // an SFT row and a packed (prompt-less) row
  const auto q = m->q_positions(b);
  EXPECT_EQ(q[0].item<int64_t>(), 3);
  EXPECT_EQ(q[1].item<int64_t>(), cfg.total_seq_len() - 1);
  b.prefix_lens = torch::Tensor();
  EXPECT_EQ(m->q_positions(b)[0].item<int64_t>(), cfg.total_seq_len() - 1);
}

TEST(HRMInner, Bfloat16ForwardStaysCloseToFloat32) {
  auto cfg = tiny_config();
  torch::manual_seed(0);
  hrm::HRMInner m32(cfg);
  cfg.forward_dtype = "bfloat16";
  hrm::HRMInner m16(cfg);
  {
    torch::NoGradGuard no_grad;
    auto p16 = m16->parameters();
    auto p32 = m32->parameters();
    for (size_t i = 0; i < p16.size(); ++i) p16[i].copy_(p32[i]);
    m16->H_init.copy_(m32->H_init);
    m16->L_init.copy_(m32->L_init);
  }
  const auto b = random_batch(cfg, 2, 9);
  const auto l32 = logits_for(m32, b);
  const auto l16 = logits_for(m16, b);
  EXPECT_EQ(l16.scalar_type(), torch::kBFloat16);
  EXPECT_EQ(m16->parameters()[0].scalar_type(), torch::kFloat32);  // fp32 master weights
  EXPECT_LT((l16.to(torch::kFloat32) - l32).abs().max().item<double>(), 0.25);
}

}  // namespace
