// PolicyUpdater on hand-made batches of a tiny policy: the trust region is centred on the weights being
// updated (decoupled GSPO), the decoupled loss is plain GSPO when nothing is stale, the log-probs are the
// sampler's (temperature, vocabulary), rows replay their own ACT segments, and ACT-GSPO trains both Q
// values on every row.
#include <gtest/gtest.h>

#include <random>

#include "hrm/infer/decoder.hpp"
#include "hrm/rl/gspo.hpp"
#include "hrm/rl/gspo_update.hpp"
#include "hrm/rl/policy_forward.hpp"
#include "rl_test_util.hpp"

namespace {

using hrm::rl::testing::tiny_config;

// Two groups of two: rewards 1, 0 | 0, 1 (every group has signal).
struct Groups {
  hrm::rl::SequenceBatch batch;
  torch::Tensor rewards;
};

Groups two_groups() {
  const std::vector<std::vector<int32_t>> prompts = {{5, 6, 7}, {5, 6, 7}, {8, 9}, {8, 9}};
  const std::vector<std::vector<int32_t>> responses = {{20, 21, 22}, {30, 31}, {23, 24}, {25}};
  return {hrm::rl::make_sequence_batch(prompts, responses, 12), torch::tensor({1.0f, 0.0f, 0.0f, 1.0f})};
}

hrm::rl::GspoStageConfig gspo_config() {
  hrm::rl::GspoStageConfig c;
  c.group_size = 2;
  c.minibatches = 1;
  c.lr = 1e-2;
  c.grad_clip = 0;
  return c;
}

torch::Tensor logp_of(hrm::HRMInnerImpl& model, const hrm::rl::SequenceBatch& batch, int64_t segments = 1,
                      const hrm::rl::SamplingDistribution& d = {}) {
  torch::NoGradGuard no_grad;
  return hrm::rl::policy_forward(model, batch, segments, d).logp;
}

bool same_weights(hrm::HRMInnerImpl& a, hrm::HRMInnerImpl& b, double tol) {
  const auto pb = b.named_parameters();
  for (const auto& p : a.named_parameters()) {
    if (!torch::allclose(p.value(), pb[p.key()], 0, tol)) return false;
  }
  return true;
}

// Rows sampled by weights the update no longer holds: their log pi_behav is 0.01 per token below the
// current weights' (a ratio of e^0.01, far outside GSPO's 1 + 4e-4). Measured against pi_behav every
// positive-advantage row would be clipped and get no gradient before it is trained on; the decoupled
// update measures the clip against the current weights (ratio 1 at the first minibatch) and carries the
// distance to the sampler as the behaviour weight.
TEST(GspoUpdate, ClipIsCentredOnTheWeightsBeingUpdated) {
  const auto g = two_groups();
  const auto run = [&](bool decoupled) {
    torch::manual_seed(0);
    hrm::HRMInner model(tiny_config());
    auto c = gspo_config();
    c.gspo.decoupled = decoupled;
    hrm::rl::PolicyUpdater updater(c, *model, 1);
    std::mt19937_64 rng(0);
    updater.update({g.batch, logp_of(*model, g.batch), {}, g.rewards, g.rewards, {}}, rng);  // version 0 -> 1
    EXPECT_EQ(updater.version(), 1);
    const auto behav = logp_of(*model, g.batch) - 0.01;
    const auto sampled_at = torch::zeros({4}, torch::kLong);  // one optimizer step ago
    return updater.update({g.batch, behav, {}, g.rewards, g.rewards, sampled_at}, rng);
  };
  const auto fixed = run(true);
  EXPECT_EQ(fixed.staleness, 1.0);
  EXPECT_EQ(fixed.clip_fraction, 0.0);
  EXPECT_LT(fixed.mean_abs_log_ratio, 1e-5);
  EXPECT_NEAR(fixed.behaviour_weight, std::exp(0.01), 1e-4);
  const auto previous = run(false);  // the loop before the fix: the positive-advantage half is clipped
  EXPECT_EQ(previous.clip_fraction, 0.5);
  EXPECT_NEAR(previous.mean_abs_log_ratio, 0.01, 1e-4);
}

// With the overlap off every row is sampled by the weights the update starts from: pi_prox = pi_behav,
// the behaviour weight is 1 and the decoupled loss is the paper's GSPO loss. Checked both ways: rows marked
// current (no proximal forward) and rows marked stale whose pi_behav is nevertheless the current weights'
// (the proximal forward runs and finds the same numbers).
TEST(GspoUpdate, WithoutOverlapTheDecoupledLossIsPlainGspo) {
  const auto g = two_groups();
  const auto c = gspo_config();
  torch::manual_seed(0);
  hrm::HRMInner a(tiny_config());
  torch::manual_seed(0);
  hrm::HRMInner b(tiny_config());
  const auto behav = logp_of(*a, g.batch);
  double plain = 0;
  {
    auto logp = hrm::rl::policy_forward(*a, g.batch, 1).logp;
    const auto adv = hrm::rl::group_advantages(g.rewards, 2, c.gspo).advantages;
    plain = hrm::rl::gspo_loss(logp, behav, g.batch.mask, adv, c.gspo).loss.item<double>();
  }
  hrm::rl::PolicyUpdater on_policy(c, *a, 1), recomputed(c, *b, 1);
  std::mt19937_64 rng_a(0), rng_b(0);
  const auto ua = on_policy.update({g.batch, behav, {}, g.rewards, g.rewards, torch::zeros({4}, torch::kLong)}, rng_a);
  const auto ub =
      recomputed.update({g.batch, behav, {}, g.rewards, g.rewards, torch::full({4}, -1, torch::kLong)}, rng_b);
  EXPECT_EQ(ua.behaviour_weight, 1.0);
  EXPECT_EQ(ua.staleness, 0.0);
  EXPECT_NEAR(ua.loss, plain, 1e-7);
  EXPECT_NEAR(ub.behaviour_weight, 1.0, 1e-6);
  EXPECT_NEAR(ub.loss, plain, 1e-6);
  EXPECT_TRUE(same_weights(*a, *b, 1e-6));
}

// The behaviour weight is the capped per-sequence geometric mean of pi_prox / pi_behav, without gradient.
TEST(GspoLoss, BehaviourWeightIsTheCappedSequenceRatio) {
  const auto prox = torch::tensor({{-1.0f, -2.0f}, {-1.0f, -1.0f}});
  const auto behav = torch::tensor({{-1.2f, -2.0f}, {-3.0f, -1.0f}});
  const auto mask = torch::tensor({{1.0f, 1.0f}, {1.0f, 0.0f}});
  const auto w = hrm::rl::behaviour_weights(prox, behav, mask, 2.0);
  EXPECT_NEAR(w[0].item<double>(), std::exp(0.1), 1e-6);
  EXPECT_NEAR(w[1].item<double>(), 2.0, 1e-6);  // e^2 capped
  // It scales each sequence's term of the loss.
  auto lp = prox.clone().requires_grad_(true);
  const auto adv = torch::tensor({1.0f, -1.0f});
  const auto plain = hrm::rl::gspo_loss(lp, prox, mask, adv, {});
  const auto weighted = hrm::rl::gspo_loss(lp, prox, mask, adv, {}, {}, w);
  EXPECT_NEAR(weighted.loss.item<double>(), -(std::exp(0.1) * 1 - 2.0 * 1) / 2, 1e-6);
  EXPECT_NEAR(plain.loss.item<double>(), 0.0, 1e-7);
}

// The ratio's log-probs are those of the distribution the sampler drew from: softmax(logits / T) over the
// tokenizer's vocabulary, as the decoder's logits give them.
TEST(PolicyForward, LogProbsAreTheSamplersDistribution) {
  torch::manual_seed(1);
  hrm::HRMInner model(tiny_config(2));
  const std::vector<int32_t> prompt = {5, 6, 7};
  const auto batch = hrm::rl::make_sequence_batch({prompt}, {{11}}, 12);
  const double temperature = 1.7;
  const int64_t vocab = 32;  // the tokenizer's size, below the model's 40 rows
  hrm::infer::Decoder decoder(*model);
  hrm::infer::ActOptions act;
  act.segments = 2;
  const auto logits = decoder.prefill({prompt}, {1}, act, 12)[0];
  const auto expected = torch::log_softmax(logits.narrow(0, 0, vocab) / temperature, 0)[11].item<double>();
  const auto logp = logp_of(*model, batch, 2, {temperature, vocab});
  EXPECT_NEAR(logp[0][2].item<double>(), expected, 1e-4);  // the decoder's kernels: within 1e-4 (decoder_test)
  const auto untempered = logp_of(*model, batch, 2);
  EXPECT_GT(std::abs(untempered[0][2].item<double>() - expected), 1e-3);  // what the loop used to compute
}

// Rows that halted after different numbers of segments are replayed with their own: row by row equal to a
// forward of that row alone with its count.
TEST(PolicyForward, RowsReplayTheirOwnSegments) {
  torch::manual_seed(2);
  hrm::HRMInner model(tiny_config(3));
  auto batch = hrm::rl::make_sequence_batch({{5, 6}, {7, 8, 9}, {5, 6}}, {{20, 21}, {22}, {23, 24, 25}}, 12);
  batch.segments = torch::tensor({3, 1, 2}, torch::kLong);
  torch::NoGradGuard no_grad;
  const auto mixed = hrm::rl::policy_forward(*model, batch, 3, {}, /*next_q=*/true);
  for (int64_t row = 0; row < 3; ++row) {
    const auto one = hrm::rl::select_rows(batch, torch::tensor({row}, torch::kLong));
    auto alone = one;
    alone.segments = torch::Tensor();
    const auto ref = hrm::rl::policy_forward(*model, alone, batch.segments[row].item<int64_t>(), {}, true);
    EXPECT_TRUE(torch::allclose(mixed.logp[row], ref.logp[0], 1e-5, 1e-6)) << row;
    EXPECT_NEAR(mixed.q_halt[row].item<double>(), ref.q_halt[0].item<double>(), 1e-5) << row;
    EXPECT_NEAR(mixed.next_q_continue[row].item<double>(), ref.next_q_continue[0].item<double>(), 1e-5) << row;
  }
}

// ACT-GSPO: groups without signal teach GSPO nothing but the Q head everything it can learn: every row's
// q_halt moves towards "passed" (net of the segment cost) and q_continue towards the value one segment
// further (HRM's bootstrap); a row at the maximum cannot continue.
TEST(GspoUpdate, ActTrainsBothQValuesOnEveryRow) {
  torch::manual_seed(3);
  hrm::HRMInner model(tiny_config(3));
  auto batch = hrm::rl::make_sequence_batch({{5, 6}, {5, 6}, {8, 9}, {8, 9}}, {{20}, {21}, {22}, {23}}, 12);
  batch.segments = torch::tensor({1, 1, 3, 3}, torch::kLong);
  const auto passed = torch::tensor({1.0f, 1.0f, 0.0f, 0.0f});  // no group has signal
  auto c = gspo_config();
  c.act_weight = 0.5;
  c.reward.segment_cost = 0.1;
  double q_halt_expected = 0, q_continue_expected = 0;
  {
    torch::NoGradGuard no_grad;
    const auto out = hrm::rl::policy_forward(*model, batch, 3, {}, true);
    const auto halt_target = torch::tensor({0.9f, 0.9f, 0.0f, 0.0f});
    q_halt_expected = torch::binary_cross_entropy_with_logits(out.q_halt, halt_target).item<double>();
    // Rows 0, 1 (1 segment of 3) continue towards max(q_halt, q_continue) after 2; rows 2, 3 cannot.
    const auto next = torch::max(out.next_q_halt, out.next_q_continue).narrow(0, 0, 2);
    q_continue_expected =
        torch::binary_cross_entropy_with_logits(out.q_continue.narrow(0, 0, 2), torch::sigmoid(next)).item<double>();
  }
  const auto before = logp_of(*model, batch, 3);
  hrm::rl::PolicyUpdater updater(c, *model, 3);
  std::mt19937_64 rng(0);
  const auto u = updater.update({batch, before, {}, passed, passed, {}}, rng);
  EXPECT_EQ(u.zero_signal_groups, 2);
  EXPECT_EQ(updater.version(), 1);  // the Q head was trained although GSPO had nothing
  EXPECT_NEAR(u.q_halt_loss, q_halt_expected, 1e-5);
  EXPECT_NEAR(u.q_continue_loss, q_continue_expected, 1e-5);
  EXPECT_NEAR(u.loss, 0.5 * (q_halt_expected + q_continue_expected), 1e-5);
}

}  // namespace
