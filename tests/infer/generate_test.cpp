// Sampling and the batched generation loop: greedy equals the argmax of a full recompute, n samples
// share the prefill and equal separate runs, sampling rules, stop tokens/sequences, streaming, limits.
#include "hrm/infer/generate.hpp"

#include <gtest/gtest.h>

#include "hrm/util/error.hpp"
#include "infer_test_util.hpp"

namespace {

using hrm::AttentionMode;
using hrm::infer::Decoder;
using hrm::infer::FinishReason;
using hrm::infer::GenerateOptions;
using hrm::infer::Sampler;
using hrm::infer::SamplingParams;
using namespace hrm::infer::testing;

// Every id is one or two letters, so stop sequences can start and end inside a token.
std::string letters(int32_t id) {
  std::string s(1, static_cast<char>('a' + id % 26));
  if (id % 3 == 0) s += static_cast<char>('A' + id % 26);
  return s;
}

std::vector<double> frequencies(const SamplingParams& p, const std::vector<float>& logits, int draws) {
  Sampler sampler(p, 123);
  std::vector<double> f(logits.size(), 0.0);
  for (int i = 0; i < draws; ++i)
    f[static_cast<size_t>(sampler.sample(logits.data(), static_cast<int64_t>(logits.size())))] += 1.0 / draws;
  return f;
}

TEST(Sampler, TemperatureTopKTopPFollowTheirDefinitions) {
  const std::vector<float> logits = {std::log(0.6f), std::log(0.3f), std::log(0.1f)};
  SamplingParams p;
  p.temperature = 1.0;
  auto f = frequencies(p, logits, 20000);
  EXPECT_NEAR(f[0], 0.6, 0.02);
  EXPECT_NEAR(f[1], 0.3, 0.02);
  EXPECT_NEAR(f[2], 0.1, 0.02);
  p.temperature = 100.0;  // nearly uniform
  f = frequencies(p, logits, 20000);
  for (const double x : f) EXPECT_NEAR(x, 1.0 / 3, 0.03);
  p.temperature = 0.5;  // p^2 renormalised: 0.36/0.46, 0.09/0.46, 0.01/0.46
  f = frequencies(p, logits, 20000);
  EXPECT_NEAR(f[0], 0.36 / 0.46, 0.02);
  p.temperature = 1.0;
  p.top_k = 2;  // 0.6/0.9, 0.3/0.9, never the third
  f = frequencies(p, logits, 20000);
  EXPECT_NEAR(f[0], 2.0 / 3, 0.02);
  EXPECT_EQ(f[2], 0.0);
  p.top_k = 0;
  p.top_p = 0.5;  // only the first token reaches 0.5
  f = frequencies(p, logits, 2000);
  EXPECT_NEAR(f[0], 1.0, 1e-9);
  p.top_p = 0.85;  // first two
  f = frequencies(p, logits, 20000);
  EXPECT_NEAR(f[0], 2.0 / 3, 0.02);
  EXPECT_EQ(f[2], 0.0);
}

TEST(Sampler, GreedyTopK1AndSeeds) {
  std::vector<float> logits(50);
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = std::sin(static_cast<float>(i) * 1.7f);
  const auto argmax = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  SamplingParams greedy;
  EXPECT_EQ(Sampler(greedy, 1).sample(logits.data(), 50), argmax);
  SamplingParams k1;
  k1.temperature = 2.0;
  k1.top_k = 1;
  Sampler s(k1, 9);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(s.sample(logits.data(), 50), argmax);
  SamplingParams hot;
  hot.temperature = 1.5;
  Sampler a(hot, 5), b(hot, 5), c(hot, 6);
  std::vector<int32_t> xa, xb, xc;
  for (int i = 0; i < 30; ++i) {
    xa.push_back(a.sample(logits.data(), 50));
    xb.push_back(b.sample(logits.data(), 50));
    xc.push_back(c.sample(logits.data(), 50));
  }
  EXPECT_EQ(xa, xb);
  EXPECT_NE(xa, xc);
  // vocab limit: ids at or above it are never picked.
  EXPECT_LT(Sampler(greedy, 1).sample(logits.data(), 3), 3);
}

struct Fixture : ::testing::Test {
  hrm::ModelConfig config = tiny_lm_config(AttentionMode::kCausal);
  hrm::HRMInner model{nullptr};
  std::unique_ptr<Decoder> decoder;
  torch::Tensor tokens;
  std::vector<std::vector<int32_t>> prompts;
  void SetUp() override {
    config.seq_len = 32;
    torch::manual_seed(21);
    model = hrm::HRMInner(config);
    decoder = std::make_unique<Decoder>(*model);
    tokens = random_tokens(config, 3, 4);
    prompts = {row_prefix(tokens, 0, 5), row_prefix(tokens, 1, 2), row_prefix(tokens, 2, 8)};
  }
};

TEST_F(Fixture, GreedyEqualsArgmaxOfFullRecompute) {
  GenerateOptions o;
  o.sampling.max_new_tokens = 10;
  o.act.segments = 2;
  const auto r = generate(*decoder, prompts, o);
  ASSERT_EQ(r.completions.size(), 3u);
  for (size_t b = 0; b < prompts.size(); ++b) {
    const auto& c = r.completions[b];
    ASSERT_EQ(c.tokens.size(), 10u);
    EXPECT_EQ(c.finish, FinishReason::kMaxNewTokens);
    EXPECT_EQ(c.segments, 2);
    // The whole sequence, recomputed from scratch (padded to seq_len), must predict each generated token.
    auto seq = torch::zeros({1, config.seq_len}, torch::kLong);
    std::vector<int32_t> all = prompts[b];
    all.insert(all.end(), c.tokens.begin(), c.tokens.end());
    for (size_t t = 0; t < all.size(); ++t) seq[0][static_cast<int64_t>(t)] = all[t];
    const auto logits = full_forward(model, seq, {0}, 2).logits[0];
    for (size_t t = 0; t < c.tokens.size(); ++t) {
      EXPECT_EQ(logits[static_cast<int64_t>(prompts[b].size() + t - 1)].argmax().item<int64_t>(), c.tokens[t])
          << "prompt " << b << " token " << t;
    }
  }
  EXPECT_EQ(r.stats.generated_tokens, 30);
  EXPECT_EQ(r.stats.decoded_tokens, 27);
  EXPECT_EQ(r.stats.segments_chosen, (std::map<int64_t, int64_t>{{2, 3}}));
  EXPECT_GT(r.stats.kv_bytes_per_token, 0);
  EXPECT_GT(r.stats.peak_rss_bytes, 0);
}

TEST_F(Fixture, SamplesShareThePrefillAndEqualSeparateRuns) {
  GenerateOptions o;
  o.sampling.max_new_tokens = 8;
  o.sampling.temperature = 1.0;
  o.sampling.top_p = 0.9;
  o.sampling.seed = 40;
  o.samples = 3;
  o.act.segments = 2;
  const auto batched = generate(*decoder, prompts, o);
  ASSERT_EQ(batched.completions.size(), 9u);
  EXPECT_EQ(batched.stats.prompt_tokens, 15);  // each prompt prefilled once
  EXPECT_EQ(batched.stats.sequences, 9);
  bool samples_differ = false;
  for (size_t p = 0; p < prompts.size(); ++p) {
    for (int64_t i = 0; i < o.samples; ++i) {
      auto single = o;
      single.samples = 1;
      single.sampling.seed = o.sampling.seed + static_cast<uint64_t>(i);
      const auto alone = generate(*decoder, {prompts[p]}, single);
      const auto& together = batched.completions[p * 3 + static_cast<size_t>(i)];
      EXPECT_EQ(together.tokens, alone.completions[0].tokens) << "prompt " << p << " sample " << i;
      samples_differ |= together.tokens != batched.completions[p * 3].tokens;
    }
  }
  EXPECT_TRUE(samples_differ);
  // top_k = 1 at a high temperature is greedy.
  GenerateOptions greedy, k1 = o;
  greedy.sampling.max_new_tokens = 8;
  greedy.act.segments = 2;
  k1.samples = 1;
  k1.sampling.top_k = 1;
  k1.sampling.temperature = 3.0;
  EXPECT_EQ(generate(*decoder, prompts, greedy).completions[1].tokens,
            generate(*decoder, prompts, k1).completions[1].tokens);
}

TEST_F(Fixture, StopTokensStopSequencesAndStreaming) {
  GenerateOptions o;
  o.sampling.max_new_tokens = 12;
  o.act.segments = 1;
  const auto free_run = generate(*decoder, {prompts[0]}, o, letters).completions[0];
  std::string full;
  for (const auto t : free_run.tokens) full += letters(t);
  EXPECT_EQ(free_run.text, full);

  // Stop at the 4th generated token: the first three stay, the stop token is dropped.
  EXPECT_EQ(free_run.stop_token, -1);  // no stop token was sampled
  auto stop_tok = o;
  // Two stop tokens, one never sampled: the completion records the one that was.
  int32_t unseen = 0;
  while (std::find(free_run.tokens.begin(), free_run.tokens.end(), unseen) != free_run.tokens.end()) ++unseen;
  stop_tok.stop_tokens = {unseen, free_run.tokens[3]};
  const auto first =
      std::find(free_run.tokens.begin(), free_run.tokens.end(), free_run.tokens[3]) - free_run.tokens.begin();
  const auto stopped = generate(*decoder, {prompts[0]}, stop_tok, letters).completions[0];
  EXPECT_EQ(stopped.finish, FinishReason::kStopToken);
  EXPECT_EQ(stopped.stop_token, free_run.tokens[3]);
  EXPECT_EQ(stopped.tokens, std::vector<int32_t>(free_run.tokens.begin(), free_run.tokens.begin() + first));

  // A stop sequence spanning token boundaries: the text is cut where it begins; streamed pieces add
  // up to the final text and never include a part of the stop sequence.
  const size_t at = letters(free_run.tokens[0]).size() + letters(free_run.tokens[1]).size() - 1;
  auto stop_seq = o;
  stop_seq.stop_sequences = {"#never#", full.substr(at, 3)};
  std::string streamed;
  bool saw_end = false;
  const auto cut = generate(*decoder, {prompts[0]}, stop_seq, letters, [&](const hrm::infer::StreamEvent& e) {
                     EXPECT_FALSE(saw_end);
                     streamed += e.text;
                     saw_end |= e.finished;
                   }).completions[0];
  EXPECT_EQ(cut.finish, FinishReason::kStopSequence);
  EXPECT_EQ(cut.text, full.substr(0, full.find(full.substr(at, 3))));
  EXPECT_EQ(streamed, cut.text);
  EXPECT_TRUE(saw_end);
}

TEST_F(Fixture, MaxNewTokensAndTheContextBoundEachSequence) {
  GenerateOptions o;
  o.sampling.max_new_tokens = 30;
  o.act.segments = 1;
  // seq_len 32: prompt lengths 5, 2, 8 leave 27, 30, 24 new tokens; the shortest prompt hits max_new_tokens.
  const auto r = generate(*decoder, prompts, o);
  EXPECT_EQ(r.completions[0].tokens.size(), 27u);
  EXPECT_EQ(r.completions[0].finish, FinishReason::kContextFull);
  EXPECT_EQ(r.completions[1].tokens.size(), 30u);
  EXPECT_EQ(r.completions[1].finish, FinishReason::kMaxNewTokens);
  EXPECT_EQ(r.completions[2].tokens.size(), 24u);
  EXPECT_EQ(r.completions[2].finish, FinishReason::kContextFull);
}

TEST_F(Fixture, BadOptionsAreErrors) {
  GenerateOptions o;
  o.sampling.top_p = 0;
  EXPECT_THROW(generate(*decoder, prompts, o), hrm::Error);
  o.sampling.top_p = 1;
  o.stop_sequences = {"x"};
  EXPECT_THROW(generate(*decoder, prompts, o), hrm::Error);  // no token_text
  o.stop_sequences.clear();
  o.samples = 0;
  EXPECT_THROW(generate(*decoder, prompts, o), hrm::Error);
}

}  // namespace
