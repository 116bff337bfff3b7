// Activation checkpointing changes memory, not numbers: the checkpointed function against plain
// autograd, and whole HRMs (causal, prefix-LM, bidirectional puzzle model) with the option off and on —
// loss, every parameter gradient, and parameters after a few AdamATan2 steps.
#include "hrm/model/activation_checkpoint.hpp"

#include <gtest/gtest.h>

#include <set>

#include "hrm/model/act.hpp"
#include "hrm/model/adam_atan2.hpp"
#include "hrm/model/losses.hpp"
#include "hrm/model/sign_sgd.hpp"
#include "test_helpers.hpp"

namespace {

using hrm::AttentionMode;
using hrm::testing::random_batch;
using hrm::testing::tiny_config;

// fp32, same operations in the same order: recomputation reproduces the forward exactly, so only the
// summation order of gradients from several uses of a tensor may differ.
constexpr double kRtol = 1e-6, kAtol = 1e-7;

void expect_close(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  ASSERT_EQ(a.defined(), b.defined()) << what;
  if (!a.defined()) return;
  if (a.is_sparse()) return expect_close(a.to_dense(), b.to_dense(), what);  // the task embedding's gradient
  EXPECT_TRUE(torch::allclose(a, b, kRtol, kAtol)) << what << ": max |diff| " << (a - b).abs().max().item<double>();
}

TEST(ActivationCheckpoint, GradientsOfInputAndParametersEqualPlainAutogradAndAccumulate) {
  torch::manual_seed(0);
  const auto w = torch::randn({6, 6}).requires_grad_(), bias = torch::randn({6}).requires_grad_();
  const auto unused = torch::randn({3}).requires_grad_();  // a parameter fn does not read gets no gradient
  const auto fn = [&](const torch::Tensor& x) { return torch::tanh(torch::matmul(x, w) + bias) * x; };
  const auto x0 = torch::randn({4, 6});
  const auto weights = torch::randn({4, 6});

  auto plain_x = (x0 * 2).detach().requires_grad_();
  (fn(plain_x * 1.5) * weights).sum().backward();
  const auto gw = w.grad().clone(), gb = bias.grad().clone(), gx = plain_x.grad().clone();

  // Second pass through the checkpoint: parameter gradients add to the ones already there.
  auto ck_x = (x0 * 2).detach().requires_grad_();
  const auto y = hrm::activation_checkpoint(fn, ck_x * 1.5, {w, bias, unused});
  EXPECT_TRUE(y.requires_grad());
  EXPECT_TRUE(torch::equal(y, fn(ck_x * 1.5)));
  (y * weights).sum().backward();
  expect_close(w.grad(), 2 * gw, "weight");
  expect_close(bias.grad(), 2 * gb, "bias");
  expect_close(ck_x.grad(), gx, "input");
  EXPECT_FALSE(unused.grad().defined());

  // Without grad mode it is just fn.
  torch::NoGradGuard no_grad;
  EXPECT_FALSE(hrm::activation_checkpoint(fn, x0, {w, bias}).requires_grad());
}

TEST(ActivationCheckpoint, InputThatNeedsNoGradientStillGivesParameterGradients) {
  torch::manual_seed(1);
  const auto w = torch::randn({5, 5}).requires_grad_();
  const auto x = torch::randn({2, 5});
  const auto fn = [&](const torch::Tensor& in) { return torch::relu(torch::matmul(in, w)); };
  fn(x).square().sum().backward();
  const auto plain = w.grad().clone();
  w.mutable_grad().reset();
  hrm::activation_checkpoint(fn, x, {w}).square().sum().backward();
  expect_close(w.grad(), plain, "weight");
}

// Distinct nodes of `t`'s autograd graph whose name contains `name`.
int64_t count_nodes(const torch::Tensor& t, const std::string& name) {
  std::set<torch::autograd::Node*> seen;
  std::vector<torch::autograd::Node*> todo{t.grad_fn().get()};
  int64_t n = 0;
  while (!todo.empty()) {
    auto* node = todo.back();
    todo.pop_back();
    if (node == nullptr || !seen.insert(node).second) continue;
    n += node->name().find(name) != std::string::npos ? 1 : 0;
    for (const auto& edge : node->next_edges()) todo.push_back(edge.function.get());
  }
  return n;
}

hrm::ModelConfig model_config(AttentionMode mode) {
  auto c = tiny_config(mode);
  c.H_layers = 2;
  c.L_layers = 2;
  c.halt_exploration_prob = 0.0;
  if (mode == AttentionMode::kBidirectional) {  // the puzzle model: a task embedding over two slots
    c.puzzle_emb_ndim = 40;
    c.num_puzzle_identifiers = 3;
  }
  return c;
}

hrm::Batch batch_for(const hrm::ModelConfig& c, uint64_t seed) {
  auto b = random_batch(c, 3, seed);
  if (c.puzzle_emb_ndim > 0) b.puzzle_ids = torch::tensor({0, 2, 1}, torch::kLong);
  if (c.attention == AttentionMode::kCausal) b.prefix_lens = torch::tensor({3, 0, 5}, torch::kLong);
  return b;
}

hrm::HRM make_model(hrm::ModelConfig c, bool checkpointing) {
  c.activation_checkpointing = checkpointing;
  torch::manual_seed(0);  // the flag creates nothing: both models get the same weights
  hrm::HRM m(c, 7);
  m->train();
  return m;
}

struct Case {
  const char* name;
  AttentionMode mode;
  hrm::NormStyle norm;
  int64_t bp_steps;
};

const Case kCases[] = {
    {"causal (1-step gradient)", AttentionMode::kCausal, hrm::NormStyle::kPost, 2},
    {"prefix-LM, pre-norm", AttentionMode::kPrefixLM, hrm::NormStyle::kPre, 2},
    {"prefix-LM, gradient through every call", AttentionMode::kPrefixLM, hrm::NormStyle::kPre, 6},
    {"puzzle (bidirectional, task embedding)", AttentionMode::kBidirectional, hrm::NormStyle::kPost, 2},
    {"puzzle, bp_steps 4", AttentionMode::kBidirectional, hrm::NormStyle::kPost, 4},
};

// Loss and every parameter gradient of two segments (the second from the first's carry).
TEST(ActivationCheckpoint, HRMLossAndEveryGradientEqualWithoutCheckpointing) {
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.name);
    auto cfg = model_config(k.mode);
    cfg.norm = k.norm;
    cfg.bp_steps = k.bp_steps;
    auto off = make_model(cfg, false), on = make_model(cfg, true);
    auto carry_off = off->initial_carry(batch_for(cfg, 1)), carry_on = on->initial_carry(batch_for(cfg, 1));
    for (uint64_t segment = 0; segment < 2; ++segment) {
      const auto batch = batch_for(cfg, 10 + segment);
      off->zero_grad();
      on->zero_grad();
      auto [next_off, out_off] = off->forward(carry_off, batch);
      auto [next_on, out_on] = on->forward(carry_on, batch);
      const auto loss_off = hrm::act_loss(next_off, out_off, cfg.loss).loss;
      const auto loss_on = hrm::act_loss(next_on, out_on, cfg.loss).loss;
      EXPECT_TRUE(torch::equal(out_off.logits, out_on.logits)) << "segment " << segment;
      EXPECT_EQ(loss_off.item<double>(), loss_on.item<double>()) << "segment " << segment;
      // One checkpoint per block of each gradient-carrying call (and the target-Q forward adds none).
      EXPECT_EQ(count_nodes(loss_on, "CheckpointFunction"), k.bp_steps * 2) << "segment " << segment;
      EXPECT_EQ(count_nodes(loss_off, "CheckpointFunction"), 0);
      loss_off.backward();
      loss_on.backward();
      const auto p_on = on->named_parameters();
      size_t with_grad = 0;
      for (const auto& p : off->named_parameters()) {
        expect_close(p.value().grad(), p_on[p.key()].grad(), p.key() + " (segment " + std::to_string(segment) + ")");
        with_grad += p.value().grad().defined() ? 1 : 0;
      }
      EXPECT_GE(with_grad, 2 * 2 * 4u) << "the blocks' parameters got gradients";
      carry_off = next_off;
      carry_on = next_on;
    }
  }
}

TEST(ActivationCheckpoint, TrainingStepsGiveIdenticalParameters) {
  for (const auto mode : {AttentionMode::kCausal, AttentionMode::kPrefixLM, AttentionMode::kBidirectional}) {
    SCOPED_TRACE(hrm::to_string(mode));
    const auto cfg = model_config(mode);
    auto off = make_model(cfg, false), on = make_model(cfg, true);
    // As the trainer: AdamATan2 for the weights, SparseSignSGD for the task embedding (sparse gradient).
    const auto dense_params = [](hrm::HRM& m) {
      std::vector<torch::Tensor> out;
      for (const auto& p : m->named_parameters())
        if (p.key() != "inner.puzzle_emb") out.push_back(p.value());
      return out;
    };
    hrm::AdamATan2 opt_off(dense_params(off), hrm::AdamATan2Options(1e-3));
    hrm::AdamATan2 opt_on(dense_params(on), hrm::AdamATan2Options(1e-3));
    auto carry_off = off->initial_carry(batch_for(cfg, 1)), carry_on = on->initial_carry(batch_for(cfg, 1));
    for (uint64_t step = 0; step < 4; ++step) {
      const auto batch = batch_for(cfg, 20 + step);
      for (auto* run : {&off, &on}) {
        auto& model = *run;
        auto& opt = run == &off ? opt_off : opt_on;
        auto& carry = run == &off ? carry_off : carry_on;
        auto [next, out] = model->forward(carry, batch);
        opt.zero_grad();
        hrm::act_loss(next, out, cfg.loss).loss.backward();
        opt.step();
        if (cfg.puzzle_emb_ndim > 0) {
          hrm::SparseSignSGD sign_sgd(model->inner->puzzle_emb, 1e-2, 0.1);
          const auto rows = hrm::SparseSignSGD::unique_rows(next.current.puzzle_ids);
          sign_sgd.step(rows, sign_sgd.take_grad_rows(rows));
        }
        carry = next;
      }
    }
    const auto p_on = on->named_parameters();
    for (const auto& p : off->named_parameters()) expect_close(p.value(), p_on[p.key()], p.key());
  }
}

TEST(ActivationCheckpoint, ConfigKeyIsReadSavedAndNotPartOfTheArchitecture) {
  auto c = model_config(AttentionMode::kCausal);
  EXPECT_FALSE(c.activation_checkpointing);
  EXPECT_NE(c.to_yaml().find("activation_checkpointing: false\n"), std::string::npos);
  auto on = c;
  on.activation_checkpointing = true;
  EXPECT_NE(on.to_yaml().find("activation_checkpointing: true\n"), std::string::npos);
  EXPECT_EQ(c.diff(on), "");  // a checkpoint trained with it loads without it, and the reverse
  auto node = YAML::Load(on.to_yaml());
  hrm::ConfigReader r(node, "model.yaml");
  EXPECT_TRUE(hrm::ModelConfig::from_reader(r).activation_checkpointing);

  node["activation_checkpointing"] = "sometimes";
  hrm::ConfigReader bad(node, "model.yaml");
  try {
    hrm::ModelConfig::from_reader(bad);
    ADD_FAILURE() << "a non-boolean activation_checkpointing was accepted";
  } catch (const hrm::Error& e) {
    EXPECT_NE(e.describe().find("'activation_checkpointing' must be true or false"), std::string::npos) << e.describe();
  }
}

}  // namespace
