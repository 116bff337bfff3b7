// Held-out evaluation scores as the reference's evaluate() does: every mean is over the examples that have
// labels, and the LM loss is normalised per sequence before it is averaged over examples.
#include "hrm/train/evaluation.hpp"

#include <gtest/gtest.h>

#include "hrm/model/losses.hpp"

namespace {

hrm::ModelConfig tiny_model() {
  hrm::ModelConfig c;
  c.vocab_size = 6;
  c.seq_len = 6;
  c.hidden_size = 16;
  c.num_heads = 2;
  c.H_layers = 1;
  c.L_layers = 1;
  c.halt_max_steps = 2;
  c.forward_dtype = "float32";
  return c;
}

TEST(Evaluation, MeansAreOverLabelledExamplesWithPerSequenceLoss) {
  torch::manual_seed(3);
  const auto config = tiny_model();
  hrm::HRM model(config, 0);
  hrm::Batch batch;
  batch.inputs = torch::randint(0, config.vocab_size, {4, config.seq_len}, torch::kLong);
  batch.puzzle_ids = torch::zeros({4}, torch::kLong);
  batch.labels = torch::full({4, config.seq_len}, hrm::kIgnoreLabel, torch::kLong);

  // The logits after the last segment (labels do not change the forward).
  model->eval();
  torch::Tensor logits;
  {
    torch::NoGradGuard no_grad;
    auto carry = model->initial_carry(batch);
    for (int64_t s = 0; s < config.halt_max_steps; ++s) {
      auto [next, out] = model->forward(carry, batch);
      carry = std::move(next);
      logits = out.logits;
    }
  }
  const auto predicted = logits.argmax(-1);
  // Row 0: every token labelled, row 1: one token, predicted right (an exact match), row 2: no labels
  // (the old scoring counted it as an exact match), row 3: three tokens.
  batch.labels[0] = (predicted[0] + 1) % config.vocab_size;
  batch.labels[0][2] = predicted[0][2];
  batch.labels[1][4] = predicted[1][4];
  batch.labels[3].narrow(0, 0, 3).copy_((predicted[3].narrow(0, 0, 3) + 2) % config.vocab_size);

  const auto r =
      hrm::evaluate_examples(
          model, 0, 4, /*batch_size=*/3,
          [&](int64_t b, int64_t e) {
            return hrm::Batch{
                batch.inputs.slice(0, b, e), batch.labels.slice(0, b, e), batch.puzzle_ids.slice(0, b, e), {}};
          },
          hrm::LossType::kStablemax)
          .to_result();

  const auto per_token = hrm::stablemax_cross_entropy(logits, batch.labels);
  const std::vector<int64_t> rows{0, 1, 3};
  const std::vector<double> counts{6, 1, 3}, right{1, 1, 0};
  double loss = 0, token_accuracy = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    loss += per_token[rows[i]].sum().item<double>() / counts[i];
    token_accuracy += right[i] / counts[i];
  }
  EXPECT_EQ(r.examples, 4);
  EXPECT_EQ(r.labelled_examples, 3);
  EXPECT_NEAR(r.loss, loss / 3, 1e-5);
  EXPECT_NEAR(r.token_accuracy, token_accuracy / 3, 1e-6);
  EXPECT_NEAR(r.exact_accuracy, 1.0 / 3, 1e-12);
  ASSERT_EQ(r.exact_by_segment.size(), 2u);
  EXPECT_NEAR(r.exact_by_segment.back(), 1.0 / 3, 1e-12);
}

}  // namespace
