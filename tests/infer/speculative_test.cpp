// Prompt-lookup speculative decoding: the n-gram draft, Decoder::extend against single steps, rewind,
// and greedy output token-for-token equal to plain decoding (float and q4 decoders, causal and prefix-LM,
// several segments).
#include <gtest/gtest.h>

#include "hrm/infer/quantized_checkpoint.hpp"
#include "hrm/infer/speculative.hpp"
#include "hrm/util/error.hpp"
#include "infer_test_util.hpp"

namespace hrm::infer {
namespace {

TEST(LookupDraft, TakesTheContinuationOfTheLatestMatch) {
  EXPECT_EQ(lookup_draft({1, 2, 3, 4, 1, 2}, 2, 3), (std::vector<int32_t>{3, 4, 1}));
  EXPECT_EQ(lookup_draft({5, 1, 2, 7, 1, 2, 9, 1, 2}, 2, 2), (std::vector<int32_t>{9, 1}));  // the latest
  EXPECT_EQ(lookup_draft({4, 9, 8, 1, 7, 1}, 3, 4), (std::vector<int32_t>{7, 1}));           // falls back to n = 1
  EXPECT_TRUE(lookup_draft({1, 2, 3}, 2, 4).empty());
  EXPECT_TRUE(lookup_draft({1, 2, 1, 2}, 2, 0).empty());
}

// The tiny LM with room for a repeated prompt and what is generated after it.
ModelConfig long_config(AttentionMode mode) {
  auto c = testing::tiny_lm_config(mode);
  c.seq_len = 40;
  return c;
}

// A prompt that repeats itself, so drafts exist from the first step.
std::vector<int32_t> repeating_prompt(const ModelConfig& c) {
  const auto tokens = testing::random_tokens(c, 1, 4);
  auto p = testing::row_prefix(tokens, 0, 6);
  const auto copy = p;
  p.insert(p.end(), copy.begin(), copy.end());
  return p;
}

std::vector<int32_t> plain_greedy(Decoder& d, const std::vector<int32_t>& prompt, int64_t max_new) {
  std::vector<int32_t> out;
  auto logits = d.prefill({prompt}, {1}, {}, d.config().seq_len);
  while (static_cast<int64_t>(out.size()) < max_new &&
         static_cast<int64_t>(prompt.size() + out.size()) < d.config().seq_len) {
    out.push_back(static_cast<int32_t>(logits[0].argmax().item<int64_t>()));
    if (static_cast<int64_t>(prompt.size() + out.size()) >= d.config().seq_len) break;
    logits = d.step({out.back()});
  }
  return out;
}

TEST(Decoder, ExtendEqualsSingleStepsAndRewinds) {
  torch::manual_seed(2);
  HRMInner model(testing::tiny_lm_config(AttentionMode::kCausal));
  Decoder a(*model), b(*model);
  const std::vector<int32_t> prompt = {3, 9, 4}, chunk = {7, 1, 8, 2};
  a.prefill({prompt}, {1}, {}, 16);
  b.prefill({prompt}, {1}, {}, 16);
  const auto chunked = a.extend({chunk});
  ASSERT_EQ(chunked.sizes(), (std::vector<int64_t>{1, 4, 64}));
  for (size_t j = 0; j < chunk.size(); ++j) {
    const auto stepped = b.step({chunk[j]});
    EXPECT_LT((chunked[0][static_cast<int64_t>(j)] - stepped[0]).abs().max().item<float>(), 1e-5) << j;
  }
  // Back to after the second chunk token: feeding the rest again gives the same logits.
  a.rewind({5});
  const auto again = a.extend({{8, 2}});
  EXPECT_LT((again[0] - chunked[0].narrow(0, 2, 2)).abs().max().item<float>(), 1e-5);
  EXPECT_THROW(a.rewind({9}), Error);
  EXPECT_THROW(a.extend({{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}), Error);  // past the capacity of 16
}

void expect_identical_greedy(Decoder& plain, Decoder& speculative, const std::vector<int32_t>& prompt) {
  const auto expected = plain_greedy(plain, prompt, 18);
  SpeculativeOptions o;
  o.max_new_tokens = 18;
  o.draft_tokens = 4;
  const auto r = generate_speculative(speculative, prompt, o);
  EXPECT_EQ(r.tokens, expected);
  EXPECT_GT(r.drafted, 0);
  EXPECT_LE(r.forward_passes, static_cast<int64_t>(expected.size()));
}

TEST(Speculative, GreedyOutputEqualsPlainDecoding) {
  for (const auto mode : {AttentionMode::kCausal, AttentionMode::kPrefixLM}) {
    torch::manual_seed(5);
    const auto c = long_config(mode);
    HRMInner model(c);
    Decoder plain(*model), speculative(*model);
    expect_identical_greedy(plain, speculative, repeating_prompt(c));
  }
}

TEST(Speculative, QuantizedGreedyOutputEqualsPlainDecoding) {
  torch::manual_seed(6);
  const auto c = long_config(AttentionMode::kCausal);
  HRMInner model(c);
  QuantizeOptions o;
  const auto weights = quantize_weights(*model, o);
  load_dequantized(*model, weights);
  Decoder plain(*model), speculative(*model);
  plain.use_quantized(weights);
  speculative.use_quantized(weights);
  expect_identical_greedy(plain, speculative, repeating_prompt(c));
}

TEST(Speculative, StopsAtStopTokensAndTheLimit) {
  torch::manual_seed(7);
  const auto c = long_config(AttentionMode::kCausal);
  HRMInner model(c);
  Decoder d(*model);
  const auto prompt = repeating_prompt(c);
  const auto plain = plain_greedy(d, prompt, 12);
  SpeculativeOptions o;
  o.max_new_tokens = 12;
  o.stop_tokens = {plain[5]};
  const auto r = generate_speculative(d, prompt, o);
  const auto first_stop = std::find(plain.begin(), plain.end(), plain[5]) - plain.begin();
  EXPECT_EQ(r.tokens, std::vector<int32_t>(plain.begin(), plain.begin() + first_stop + 1));
  o.stop_tokens.clear();
  o.max_new_tokens = 40;  // bounded by seq_len
  EXPECT_EQ(static_cast<int64_t>(generate_speculative(d, prompt, o).tokens.size()),
            c.seq_len - static_cast<int64_t>(prompt.size()));
}

}  // namespace
}  // namespace hrm::infer
