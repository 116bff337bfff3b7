// The ablation architectures (l_only, transformer, trm) in HRMInner: shapes and parameters, gradient only
// through the last bp_steps module calls, a tiny training run that learns, and checkpoints that refuse
// another architecture.
#include <gtest/gtest.h>

#include "../error_of.hpp"
#include "../scratch_dir.hpp"
#include "hrm/model/act.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/model/losses.hpp"
#include "hrm/model/safetensors.hpp"
#include "hrm/util/error.hpp"
#include "test_helpers.hpp"

namespace {

using hrm::Architecture;
using hrm::AttentionMode;

hrm::ModelConfig arch_config(Architecture arch, AttentionMode mode = AttentionMode::kBidirectional) {
  auto c = hrm::testing::tiny_config(mode);
  c.architecture = arch;
  if (arch == Architecture::kLOnly) c.L_cycles = 3, c.bp_steps = 1;
  if (arch == Architecture::kTransformer) c.L_layers = 2, c.halt_max_steps = 1, c.bp_steps = 1;
  if (arch == Architecture::kTRM) c.L_layers = 2, c.H_cycles = 3, c.L_cycles = 2, c.bp_steps = 3;
  return c;
}

const Architecture kAblations[] = {Architecture::kLOnly, Architecture::kTransformer, Architecture::kTRM};

TEST(Architectures, OutputShapesAndModules) {
  for (const auto arch : kAblations) {
    for (const auto mode : {AttentionMode::kBidirectional, AttentionMode::kCausal, AttentionMode::kPrefixLM}) {
      const auto c = arch_config(arch, mode);
      torch::manual_seed(1);
      hrm::HRMInner m(c);
      EXPECT_FALSE(m->H) << hrm::to_string(arch) << ": no H module";
      const auto batch = hrm::testing::random_batch(c, 3, 2);
      const auto out = m->forward(m->reset_carry(torch::ones({3}, torch::kBool), m->empty_carry(3), batch), batch);
      EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{3, c.seq_len, c.vocab_size}));
      EXPECT_EQ(out.carry.z_H.sizes(), (std::vector<int64_t>{3, c.seq_len, c.hidden_size}));
      EXPECT_EQ(out.q_halt.sizes(), (std::vector<int64_t>{3}));
      EXPECT_EQ(out.q_continue.sizes(), (std::vector<int64_t>{3}));
      EXPECT_TRUE(out.logits.isfinite().all().item<bool>());
    }
  }
  hrm::HRMInner trm(arch_config(Architecture::kTRM));
  EXPECT_EQ(trm->q_head->weight.size(0), 1) << "TRM has a single halting logit";
  const auto batch = hrm::testing::random_batch(trm->config(), 2, 3);
  const auto out = trm->forward(trm->reset_carry(torch::ones({2}, torch::kBool), trm->empty_carry(2), batch), batch);
  EXPECT_TRUE(out.q_continue.eq(0).all().item<bool>()) << "halting on q_halt > q_continue is q_halt > 0";
}

TEST(Architectures, AllLayersInOneModuleGiveEqualParameters) {
  auto c = hrm::testing::tiny_config();
  c.H_layers = 2, c.L_layers = 2;
  hrm::HRMInner hrm_model(c);
  const auto hrm_count = hrm::count_parameters(*hrm_model);
  c.L_layers = 4;  // the same blocks, all in L
  for (const auto arch : kAblations) {
    c.architecture = arch;
    hrm::HRMInner m(c);
    const int64_t single_halt_logit = arch == Architecture::kTRM ? c.hidden_size + 1 : 0;  // no Q-continue row
    EXPECT_EQ(hrm::count_parameters(*m) + single_halt_logit, hrm_count) << hrm::to_string(arch);
  }
}

// Copies every parameter and buffer of `from` into `to` (same names; the cycle counts may differ).
void copy_weights(hrm::HRMInnerImpl& from, hrm::HRMInnerImpl& to) {
  torch::NoGradGuard no_grad;
  hrm::load_into_module(to, hrm::module_tensors(from, hrm::HRMInnerImpl::is_derived_buffer), "test weights",
                        hrm::HRMInnerImpl::is_derived_buffer);
}

std::vector<torch::Tensor> grads_of(hrm::HRMInnerImpl& m) {
  std::vector<torch::Tensor> out;
  for (const auto& p : m.parameters()) out.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
  return out;
}

// `many` runs `rounds` repetitions of `one`'s schedule per segment with gradient only in the last one:
// its gradients equal those of `one` started from the state the first rounds - 1 repetitions reach without
// gradient, so nothing flows back through the no-grad rounds.
void expect_gradient_only_through_last_round(const hrm::ModelConfig& many, const hrm::ModelConfig& one,
                                             int64_t rounds) {
  torch::manual_seed(5);
  hrm::HRMInner a(many), b(one);
  copy_weights(*a, *b);
  const auto batch = hrm::testing::random_batch(many, 2, 9);
  const auto start = a->reset_carry(torch::ones({2}, torch::kBool), a->empty_carry(2), batch);
  const auto loss_of = [&](const hrm::InnerOutput& out) {
    return hrm::stablemax_cross_entropy(out.logits, batch.labels).mean() + out.q_halt.sum();
  };
  loss_of(a->forward(start, batch)).backward();
  auto carry = start;
  {
    torch::NoGradGuard no_grad;
    for (int64_t r = 0; r + 1 < rounds; ++r) carry = b->forward(carry, batch).carry;
  }
  const auto out_b = b->forward(carry, batch);
  loss_of(out_b).backward();
  const auto ga = grads_of(*a), gb = grads_of(*b);
  ASSERT_EQ(ga.size(), gb.size());
  double total = 0;
  for (size_t i = 0; i < ga.size(); ++i) {
    EXPECT_TRUE(torch::allclose(ga[i], gb[i], 1e-4, 1e-6)) << hrm::to_string(many.architecture) << " parameter " << i;
    total += gb[i].abs().sum().item<double>();
  }
  EXPECT_GT(total, 0.0);
}

TEST(Architectures, TrmBackpropagatesOnlyThroughTheLastRecursion) {
  auto many = arch_config(Architecture::kTRM);  // T = 3 rounds of (2 z updates + 1 y update), bp_steps 3
  auto one = many;
  one.H_cycles = 1;
  expect_gradient_only_through_last_round(many, one, 3);
}

TEST(Architectures, LOnlyOneStepGradientIsTheLastCall) {
  auto many = arch_config(Architecture::kLOnly);  // 3 L calls, bp_steps 1
  auto one = many;
  one.L_cycles = 1;
  expect_gradient_only_through_last_round(many, one, 3);
}

// ACT training on one fixed batch: the LM loss falls, for each architecture and attention mode.
double lm_loss_drop(const hrm::ModelConfig& c) {
  torch::manual_seed(3);
  hrm::HRM m(c, 3);
  m->train();
  const auto batch = hrm::testing::random_batch(c, 4, 4);
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(3e-3));
  auto carry = m->initial_carry(batch);
  double first = 0, last = 0;
  const int steps = 40;
  for (int step = 0; step < steps; ++step) {
    auto [next, out] = m->forward(carry, batch);
    const auto loss = hrm::act_loss(next, out, c.loss);
    opt.zero_grad();
    loss.loss.backward();
    opt.step();
    carry = next;
    const auto per_example = loss.metrics.lm_loss / static_cast<double>(batch.size());  // summed over rows
    if (step < 5) first += per_example / 5;
    if (step >= steps - 5) last += per_example / 5;
  }
  return first - last;
}

TEST(Architectures, TinyTrainingRunReducesTheLoss) {
  for (const auto arch : kAblations) {
    for (const auto mode : {AttentionMode::kBidirectional, AttentionMode::kPrefixLM}) {
      const auto c = arch_config(arch, mode);
      const auto drop = lm_loss_drop(c);
      EXPECT_GT(drop, 0.3) << hrm::to_string(arch) << " " << hrm::to_string(mode);
    }
  }
}

TEST(Architectures, CheckpointRoundTripAndArchitectureMismatch) {
  const auto dir = (hrm::testing::scratch_dir("arch_ckpt") / "ckpt").string();
  const auto c = arch_config(Architecture::kTRM, AttentionMode::kCausal);
  torch::manual_seed(8);
  hrm::HRMInner saved(c);
  hrm::save_checkpoint(dir, *saved, {{"step", 1}});
  torch::manual_seed(9);
  hrm::HRMInner loaded(hrm::read_checkpoint_meta(dir).config);
  EXPECT_EQ(loaded->config().architecture, Architecture::kTRM);
  hrm::load_checkpoint(dir, *loaded);
  const auto batch = hrm::testing::random_batch(c, 2, 6);
  const auto carry = saved->reset_carry(torch::ones({2}, torch::kBool), saved->empty_carry(2), batch);
  EXPECT_TRUE(torch::equal(saved->forward(carry, batch).logits, loaded->forward(carry, batch).logits));

  auto other = c;
  other.architecture = Architecture::kHRM;
  hrm::HRMInner hrm_model(other);
  const auto msg = hrm::testing::error_of([&] { hrm::load_checkpoint(dir, *hrm_model); });
  EXPECT_NE(msg.find("architecture (hrm vs trm)"), std::string::npos) << msg;
}

}  // namespace
