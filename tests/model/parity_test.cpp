// Numbers checked against the original, as llm.c's test_gpt2.c checks GPT-2: tools/parity/make_fixture.py
// (an independent PyTorch implementation following sapientinc/HRM's hrm_act_v1.py, layers.py, losses.py,
// sparse_embedding.py, pretrain.py and the adam-atan2 package) ran 5 ACT/optimizer steps of a small HRM and
// wrote the weights, the batches and everything the steps produced into data/parity/<config>/. hrm loads
// the same weights, takes the same steps with its own model, loss, AdamATan2, SparseSignSGD and learning-rate
// schedule, and must reproduce every output, every parameter gradient, every loss and the final weights.
//
// Tolerances (fp32 on both sides; the differences come from summation order and the fused CPU kernels):
// an output or gradient matches when max |hrm - reference| <= kAbsTol + kRelTol * max |reference|.
// Measured errors are at most 1.1e-5 * max |reference| (the carry after 5 steps; gradients 4.5e-6), and one
// gradient scaled by 1.001 fails the test (docs/model.md).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "hrm/model/act.hpp"
#include "hrm/model/losses.hpp"
#include "hrm/model/lr_schedule.hpp"
#include "hrm/model/module_optimizer.hpp"
#include "hrm/model/safetensors.hpp"
#include "hrm/model/sign_sgd.hpp"
#include "hrm/util/fs.hpp"

namespace fs = std::filesystem;

namespace {

constexpr double kAbsTol = 1e-6;
constexpr double kRelTol = 1e-4;
constexpr double kLossTol = 1e-4;  // relative, on losses (sums over the batch)

struct Fixture {
  fs::path dir;
  hrm::ModelConfig model;
  nlohmann::json run;
  hrm::TensorMap tensors;

  const torch::Tensor& at(const std::string& key) const {
    const auto it = tensors.find(key);
    if (it == tensors.end()) throw std::runtime_error((dir / "tensors.safetensors").string() + " has no " + key);
    return it->second;
  }
  // Every tensor named "<prefix><name>", keyed by name.
  hrm::TensorMap with_prefix(const std::string& prefix) const {
    hrm::TensorMap out;
    for (const auto& [key, t] : tensors)
      if (key.rfind(prefix, 0) == 0) out[key.substr(prefix.size())] = t;
    return out;
  }
};

Fixture load_fixture(const std::string& name) {
  Fixture f;
  f.dir = fs::path(HRM_SOURCE_DIR) / "data" / "parity" / name;
  f.model = hrm::ModelConfig::from_file((f.dir / "model.yaml").string());
  f.run = nlohmann::json::parse(hrm::read_file((f.dir / "run.json").string()));
  f.tensors = hrm::load_safetensors((f.dir / "tensors.safetensors").string());
  return f;
}

void expect_close(const torch::Tensor& actual, const torch::Tensor& expected, const std::string& what) {
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  const auto a = actual.detach().to(torch::kFloat64), e = expected.to(torch::kFloat64);
  const double err = (a - e).abs().max().item<double>();
  const double bound = kAbsTol + kRelTol * e.abs().max().item<double>();
  EXPECT_LE(err, bound) << what << ": max abs error " << err << " (max |reference| " << e.abs().max().item<double>()
                        << ")";
}

void expect_loss(double actual, const nlohmann::json& expected, const std::string& what) {
  const auto e = expected.get<double>();
  EXPECT_NEAR(actual, e, kLossTol * std::max(1.0, std::abs(e))) << what;
}

// The model's gradients of this step against the reference's, every parameter (the task embedding dense).
void expect_gradients(hrm::HRMInnerImpl& inner, const Fixture& f, int step) {
  const auto expected = f.with_prefix("step." + std::to_string(step) + ".grad.");
  const auto params = inner.named_parameters();
  ASSERT_EQ(expected.size(), params.size()) << "step " << step << ": one reference gradient per parameter";
  for (const auto& p : params) {
    const auto& g = p.value().grad();
    ASSERT_TRUE(g.defined()) << p.key() << " has no gradient";
    expect_close(g.is_sparse() ? g.to_dense() : g, expected.at(p.key()),
                 "step " + std::to_string(step) + " gradient of " + p.key());
  }
}

// One training step as hrm::Trainer takes it (one micro-batch, one rank): forward, act_loss, backward
// scaled by 1/global batch, then AdamATan2 and SparseSignSGD at the scheduled learning rate.
void check_parity(const std::string& name) {
  const auto f = load_fixture(name);
  hrm::HRM model(f.model, 0);
  auto& inner = *model->inner;
  const auto weights = (f.dir / "tensors.safetensors").string() + " (weights.*)";
  hrm::load_into_module(inner, f.with_prefix("weights."), weights, hrm::HRMInnerImpl::is_derived_buffer);
  model->train();
  const auto& o = f.run.at("optimizer");
  const double base_lr = o.at("lr"), puzzle_lr = o.at("puzzle_emb_lr");
  auto optimizer =
      hrm::make_module_optimizer(inner, {"adam_atan2", base_lr, o.at("weight_decay"), o.at("beta1"), o.at("beta2")});
  std::unique_ptr<hrm::SparseSignSGD> sign_sgd;
  if (f.model.puzzle_emb_ndim > 0)
    sign_sgd = std::make_unique<hrm::SparseSignSGD>(inner.puzzle_emb, puzzle_lr, o.at("puzzle_emb_weight_decay"));
  const double scale = 1.0 / f.run.at("global_batch_size").get<double>();
  const auto grad_steps = f.run.at("grad_steps").get<std::vector<int>>();

  hrm::Carry carry;
  const auto& steps = f.run.at("steps");
  for (int k = 1; k <= static_cast<int>(steps.size()); ++k) {
    const auto& ref = steps.at(static_cast<size_t>(k - 1));
    const auto key = "step." + std::to_string(k) + ".", at = "step " + std::to_string(k) + " ";
    const auto batch_key = "batch." + std::to_string(k) + ".";
    const hrm::Batch batch{f.at(batch_key + "inputs"), f.at(batch_key + "labels"), f.at(batch_key + "puzzle_ids"), {}};
    if (k == 1) carry = model->initial_carry(batch);
    optimizer.optimizer->zero_grad();
    auto [next, out] = model->forward(carry, batch);
    const auto loss = hrm::act_loss(next, out, f.model.loss);
    (loss.loss * scale).backward();

    expect_close(out.logits, f.at(key + "logits"), at + "logits");
    expect_close(out.q_halt, f.at(key + "q_halt"), at + "q_halt");
    expect_close(out.q_continue, f.at(key + "q_continue"), at + "q_continue");
    expect_close(out.target_q_continue, f.at(key + "target_q_continue"), at + "target_q_continue");
    expect_close(next.inner.z_H, f.at(key + "z_H"), at + "carry z_H");
    expect_close(next.inner.z_L, f.at(key + "z_L"), at + "carry z_L");
    EXPECT_EQ(std::vector<bool>(next.halted.data_ptr<bool>(), next.halted.data_ptr<bool>() + next.halted.numel()),
              ref.at("halted").get<std::vector<bool>>())
        << at << "halted";
    EXPECT_EQ(std::vector<int32_t>(next.steps.data_ptr<int32_t>(), next.steps.data_ptr<int32_t>() + next.steps.numel()),
              ref.at("steps").get<std::vector<int32_t>>())
        << at << "segments";
    expect_loss(loss.loss.item<double>(), ref.at("loss"), at + "loss");
    expect_loss(loss.metrics.lm_loss, ref.at("lm_loss"), at + "lm_loss");
    expect_loss(loss.metrics.q_halt_loss, ref.at("q_halt_loss"), at + "q_halt_loss");
    expect_loss(loss.metrics.q_continue_loss, ref.at("q_continue_loss"), at + "q_continue_loss");
    EXPECT_EQ(loss.metrics.count, ref.at("count").get<double>()) << at << "count";
    EXPECT_EQ(loss.metrics.exact_accuracy, ref.at("exact_accuracy").get<double>()) << at << "exact matches";
    if (std::find(grad_steps.begin(), grad_steps.end(), k) != grad_steps.end()) expect_gradients(inner, f, k);

    // The reference increments its step counter before computing the learning rate: update k uses lr(k).
    const double lr =
        hrm::cosine_warmup_lr(k, base_lr, o.at("warmup_steps"), o.at("total_steps"), o.at("lr_min_ratio"));
    EXPECT_NEAR(lr, ref.at("lr").get<double>(), 1e-12) << at << "learning rate";
    for (auto& group : optimizer.optimizer->param_groups()) group.options().set_lr(lr);
    optimizer.optimizer->step();
    if (sign_sgd) {
      const auto rows = hrm::SparseSignSGD::unique_rows(next.current.puzzle_ids);
      sign_sgd->set_lr(lr / base_lr * puzzle_lr);
      sign_sgd->step(rows, sign_sgd->take_grad_rows(rows));
    }
    carry = std::move(next);
  }
  const auto final_weights = f.with_prefix("final.");
  for (const auto& [name, t] : hrm::module_tensors(inner, hrm::HRMInnerImpl::is_derived_buffer))
    expect_close(t, final_weights.at(name), "weights after the last step: " + name);
}

TEST(Parity, PuzzleConfigMatchesTheReferenceForFiveSteps) { check_parity("puzzle"); }
TEST(Parity, CausalConfigMatchesTheReferenceForFiveSteps) { check_parity("causal"); }

// The fixture is not vacuous: the Q head reads the state (not the published constant -5), slots halt
// and restart, and the run has exact matches and examples without labels.
TEST(Parity, FixtureExercisesHaltingAndTheQHead) {
  for (const std::string name : {"puzzle", "causal"}) {
    const auto f = load_fixture(name);
    EXPECT_GT(f.at("weights.q_head.weight").abs().max().item<double>(), 0.1) << name;
    const auto q = f.at("step.1.q_halt");
    EXPECT_GT((q - q.mean()).abs().max().item<double>(), 1e-2) << name << ": Q values differ between examples";
    int halted = 0, running = 0;
    for (const auto& s : f.run.at("steps"))
      for (bool h : s.at("halted").get<std::vector<bool>>()) (h ? halted : running) += 1;
    EXPECT_GT(halted, 0) << name;
    EXPECT_GT(running, 0) << name;
    EXPECT_EQ((f.at("batch.1.labels") != hrm::kIgnoreLabel).sum(-1).eq(0).any().item<bool>(), true) << name;
  }
  double exact = 0;
  const auto puzzle = load_fixture("puzzle");
  for (const auto& s : puzzle.run.at("steps")) exact += s.at("exact_accuracy").get<double>();
  EXPECT_GT(exact, 0);
}

}  // namespace
