// Cached decoding against a full recompute: at every generated position the decoder's logits equal
// HRMInner::forward on the whole sequence (same segments, carry kept), for causal and prefix-LM models,
// fp32 and bf16, several ACT segments and different prompt lengths in one batch; adaptive ACT.
#include "hrm/infer/decoder.hpp"

#include <gtest/gtest.h>

#include <set>

#include "hrm/model/safetensors.hpp"

#include "hrm/util/error.hpp"
#include "infer_test_util.hpp"
#include "../error_of.hpp"

namespace {

using hrm::testing::error_of;

using hrm::AttentionMode;
using hrm::infer::ActOptions;
using hrm::infer::Decoder;
using namespace hrm::infer::testing;

struct Errors {
  double max_abs = 0, max_ref = 0;
  int64_t positions = 0;
};

// Prefills rows of `tokens` with prompt lengths `lens`, then feeds the rows' own next tokens for
// `steps` steps (teacher forcing), comparing each logits row with the full forward at that position.
Errors teacher_forced(hrm::HRMInner& model, Decoder& decoder, const torch::Tensor& tokens,
                      const std::vector<int64_t>& lens, int64_t segments, int64_t steps) {
  const auto ref = full_forward(model, tokens, lens, segments).logits;
  std::vector<std::vector<int32_t>> prompts;
  for (size_t b = 0; b < lens.size(); ++b) prompts.push_back(row_prefix(tokens, static_cast<int64_t>(b), lens[b]));
  Errors e;
  const auto compare = [&](const torch::Tensor& logits, int64_t offset) {
    for (size_t b = 0; b < lens.size(); ++b) {
      const auto r = ref[static_cast<int64_t>(b)][lens[b] - 1 + offset];
      e.max_abs = std::max(e.max_abs, (logits[static_cast<int64_t>(b)] - r).abs().max().item<double>());
      e.max_ref = std::max(e.max_ref, r.abs().max().item<double>());
      ++e.positions;
    }
  };
  compare(decoder.prefill(prompts, std::vector<int64_t>(lens.size(), 1), {false, segments}, model->config().seq_len),
          0);
  for (int64_t s = 0; s < steps; ++s) {
    std::vector<int32_t> next;
    for (size_t b = 0; b < lens.size(); ++b)
      next.push_back(static_cast<int32_t>(tokens[static_cast<int64_t>(b)][lens[b] + s].item<int64_t>()));
    compare(decoder.step(next), s + 1);
  }
  return e;
}

struct Variant {
  const char* name;
  AttentionMode mode;
  hrm::NormStyle norm;
  hrm::PosEncoding pos;
  hrm::ZHInit z_H_init;
  const char* dtype;
  int64_t segments;
  // Max abs logit error; logits reach ~3.5. Measured: fp32 ~4e-6 on every machine; bf16 ~0.04 on Intel and 0.105 on
  // an AMD EPYC (AVX2 only), where BLAS picks other kernels for the full and the cached shapes. One bf16 ulp at 2..4
  // is 0.016, so bf16 allows ~12 ulps; the fp32 variants are the ones that check the cache logic tightly.
  double tolerance;
  hrm::Architecture architecture = hrm::Architecture::kHRM;  // the ablations share the cached schedule
};

class CachedMatchesFull : public ::testing::TestWithParam<Variant> {};

TEST_P(CachedMatchesFull, AtEveryPosition) {
  const auto v = GetParam();
  auto c = tiny_lm_config(v.mode, v.dtype);
  c.norm = v.norm;
  c.pos_encodings = v.pos;
  c.z_H_init = v.z_H_init;
  c.architecture = v.architecture;
  torch::manual_seed(11);
  hrm::HRMInner model(c);
  Decoder decoder(*model);
  const auto tokens = random_tokens(c, 3, 5);
  const std::vector<int64_t> lens = {5, 9, 3};  // different prompt lengths in one batch
  const auto e = teacher_forced(model, decoder, tokens, lens, v.segments, 12);
  EXPECT_EQ(e.positions, 3 * 13);
  EXPECT_GT(e.max_ref, 0.5);
  EXPECT_LT(e.max_abs, v.tolerance) << v.name << ": max |logit| " << e.max_ref;
}

INSTANTIATE_TEST_SUITE_P(
    Variants, CachedMatchesFull,
    ::testing::Values(
        Variant{"causal_rope_post_fp32", AttentionMode::kCausal, hrm::NormStyle::kPost, hrm::PosEncoding::kRope,
                hrm::ZHInit::kLearned, "float32", 2, 5e-5},
        Variant{"causal_learned_pre_embinit_fp32", AttentionMode::kCausal, hrm::NormStyle::kPre,
                hrm::PosEncoding::kLearned, hrm::ZHInit::kEmbedding, "float32", 3, 5e-5},
        Variant{"prefix_rope_pre_embinit_fp32", AttentionMode::kPrefixLM, hrm::NormStyle::kPre, hrm::PosEncoding::kRope,
                hrm::ZHInit::kEmbedding, "float32", 2, 5e-5},
        Variant{"prefix_learned_post_fp32", AttentionMode::kPrefixLM, hrm::NormStyle::kPost, hrm::PosEncoding::kLearned,
                hrm::ZHInit::kLearned, "float32", 3, 5e-5},
        Variant{"causal_rope_post_bf16", AttentionMode::kCausal, hrm::NormStyle::kPost, hrm::PosEncoding::kRope,
                hrm::ZHInit::kLearned, "bfloat16", 2, 0.2},
        Variant{"prefix_rope_pre_embinit_bf16", AttentionMode::kPrefixLM, hrm::NormStyle::kPre, hrm::PosEncoding::kRope,
                hrm::ZHInit::kEmbedding, "bfloat16", 2, 0.2},
        Variant{"l_only_causal_fp32", AttentionMode::kCausal, hrm::NormStyle::kPre, hrm::PosEncoding::kRope,
                hrm::ZHInit::kLearned, "float32", 2, 5e-5, hrm::Architecture::kLOnly},
        Variant{"transformer_prefix_fp32", AttentionMode::kPrefixLM, hrm::NormStyle::kPre, hrm::PosEncoding::kRope,
                hrm::ZHInit::kLearned, "float32", 1, 5e-5, hrm::Architecture::kTransformer},
        Variant{"trm_causal_fp32", AttentionMode::kCausal, hrm::NormStyle::kPost, hrm::PosEncoding::kRope,
                hrm::ZHInit::kLearned, "float32", 2, 5e-5, hrm::Architecture::kTRM},
        Variant{"trm_prefix_embinit_fp32", AttentionMode::kPrefixLM, hrm::NormStyle::kPre, hrm::PosEncoding::kLearned,
                hrm::ZHInit::kEmbedding, "float32", 3, 5e-5, hrm::Architecture::kTRM}),
    [](const auto& info) { return std::string(info.param.name); });

// Prefix-LM decoding is not silently causal (HRM-Text's pitfall of a lost prefix mask): the same
// weights as a causal model give clearly different logits, and the decoder follows the prefix-LM ones.
TEST(Decoder, PrefixLMPromptIsBidirectional) {
  auto c = tiny_lm_config(AttentionMode::kPrefixLM);
  torch::manual_seed(3);
  hrm::HRMInner model(c);
  Decoder decoder(*model);
  const auto tokens = random_tokens(c, 2, 9);
  const std::vector<int64_t> lens = {6, 8};
  EXPECT_LT(teacher_forced(model, decoder, tokens, lens, 2, 4).max_abs, 1e-4);
  auto causal_cfg = c;
  causal_cfg.attention = AttentionMode::kCausal;
  hrm::HRMInner causal(causal_cfg);
  hrm::load_into_module(*causal, hrm::module_tensors(*model, hrm::HRMInnerImpl::is_derived_buffer), "test",
                        hrm::HRMInnerImpl::is_derived_buffer);
  const auto prefix_logits = full_forward(model, tokens, lens, 2).logits;
  const auto causal_logits = full_forward(causal, tokens, lens, 2).logits;
  EXPECT_GT((prefix_logits[0][5] - causal_logits[0][5]).abs().max().item<double>(), 1e-2);
}

TEST(Decoder, AdaptiveActHaltsWhenTheQHeadSaysSo) {
  // TRM's single halting logit halts on q_halt > 0.
  for (const auto architecture : {hrm::Architecture::kHRM, hrm::Architecture::kTRM}) {
    auto c = tiny_lm_config(AttentionMode::kCausal);
    c.halt_max_steps = 4;
    c.architecture = architecture;
    torch::manual_seed(4);
    hrm::HRMInner model(c);
    const auto tokens = random_tokens(c, 2, 2);
    const std::vector<int64_t> lens = {4, 7};
    std::vector<std::vector<int32_t>> prompts = {row_prefix(tokens, 0, 4), row_prefix(tokens, 1, 7)};
    for (const bool halt : {true, false}) {
      {
        torch::NoGradGuard no_grad;
        const double q_halt = halt ? 5.0 : -5.0;
        model->q_head->bias.copy_(c.has_q_continue() ? torch::tensor({q_halt, -q_halt}) : torch::tensor({q_halt}));
      }
      Decoder decoder(*model);
      const auto logits = decoder.prefill(prompts, {1, 1}, {true, 0}, c.seq_len);
      const int64_t expected = halt ? 1 : c.halt_max_steps;
      EXPECT_EQ(decoder.segments(), (std::vector<int64_t>{expected, expected})) << hrm::to_string(architecture);
      EXPECT_EQ(decoder.cache().segments(), expected);
      const auto ref = full_forward(model, tokens, lens, expected).logits;
      EXPECT_LT((logits[0] - ref[0][3]).abs().max().item<double>(), 1e-4);
      EXPECT_LT((logits[1] - ref[1][6]).abs().max().item<double>(), 1e-4);
    }
  }
}

// With a Q head that reads z_H, prompts halt after different numbers of segments; each row's segments
// must be the first segment whose q_halt > q_continue at its last prompt position (from the full
// forward), and its decoded logits must equal the full forward run for that many segments.
TEST(Decoder, AdaptiveActPicksSegmentsPerPromptFromTheQHead) {
  auto c = tiny_lm_config(AttentionMode::kCausal);
  c.halt_max_steps = 4;
  torch::manual_seed(6);
  hrm::HRMInner model(c);
  {
    torch::NoGradGuard no_grad;
    model->q_head->weight.normal_(0.0, 0.5);
    model->q_head->bias.zero_();
  }
  Decoder decoder(*model);
  const int64_t rows = 8;
  const auto tokens = random_tokens(c, rows, 8);
  std::vector<int64_t> lens;
  std::vector<std::vector<int32_t>> prompts;
  for (int64_t b = 0; b < rows; ++b) {
    lens.push_back(3 + b);
    prompts.push_back(row_prefix(tokens, b, lens.back()));
  }
  const auto full = full_forward(model, tokens, lens, c.halt_max_steps);
  std::vector<int64_t> expected;
  for (int64_t b = 0; b < rows; ++b) {
    int64_t n = c.halt_max_steps;
    for (int64_t s = 0; s + 1 < c.halt_max_steps; ++s) {
      torch::NoGradGuard no_grad;
      const auto q = model->q_head(full.z_H[static_cast<size_t>(s)][b][lens[static_cast<size_t>(b)] - 1]);
      if (q[0].item<float>() > q[1].item<float>()) {
        n = s + 1;
        break;
      }
    }
    expected.push_back(n);
  }
  auto logits = decoder.prefill(prompts, std::vector<int64_t>(rows, 1), {true, 0}, c.seq_len);
  EXPECT_EQ(decoder.segments(), expected);
  std::set<int64_t> distinct(expected.begin(), expected.end());
  EXPECT_GE(distinct.size(), 2u) << "the Q head should split these prompts";
  // Decode three teacher-forced tokens and compare each row with the full forward at its own segments.
  std::vector<torch::Tensor> refs;
  for (int64_t n = 1; n <= c.halt_max_steps; ++n) refs.push_back(full_forward(model, tokens, lens, n).logits);
  for (int64_t step = 0; step <= 3; ++step) {
    for (int64_t b = 0; b < rows; ++b) {
      const auto& ref = refs[static_cast<size_t>(expected[static_cast<size_t>(b)] - 1)];
      EXPECT_LT((logits[b] - ref[b][lens[static_cast<size_t>(b)] - 1 + step]).abs().max().item<double>(), 1e-4)
          << "row " << b << " step " << step;
    }
    std::vector<int32_t> next;
    for (int64_t b = 0; b < rows; ++b)
      next.push_back(static_cast<int32_t>(tokens[b][lens[static_cast<size_t>(b)] + step].item<int64_t>()));
    logits = decoder.step(next);
  }
}

TEST(Decoder, KeepRowsAndCopiesMatchSeparateRows) {
  const auto c = tiny_lm_config(AttentionMode::kCausal);
  torch::manual_seed(8);
  hrm::HRMInner model(c);
  Decoder decoder(*model);
  const auto tokens = random_tokens(c, 2, 3);
  const std::vector<std::vector<int32_t>> prompts = {row_prefix(tokens, 0, 4), row_prefix(tokens, 1, 6)};
  // Prompt 0 twice, prompt 1 once: rows {p0, p0, p1}; then drop the first copy of p0.
  auto logits = decoder.prefill(prompts, {2, 1}, {false, 2}, c.seq_len);
  EXPECT_EQ(decoder.rows(), 3);
  EXPECT_TRUE(torch::equal(logits[0], logits[1]));
  EXPECT_EQ(decoder.positions(), (std::vector<int64_t>{4, 4, 6}));
  const auto ref = full_forward(model, tokens, {4, 6}, 2).logits;
  decoder.keep_rows({2, 1});
  logits = decoder.step(
      {static_cast<int32_t>(tokens[1][6].item<int64_t>()), static_cast<int32_t>(tokens[0][4].item<int64_t>())});
  EXPECT_LT((logits[0] - ref[1][6]).abs().max().item<double>(), 1e-4);
  EXPECT_LT((logits[1] - ref[0][4]).abs().max().item<double>(), 1e-4);
  EXPECT_EQ(decoder.positions(), (std::vector<int64_t>{7, 5}));
}

// A tiny random model of `mode` (weights drawn after torch::manual_seed(seed)) and its decoder.
struct TinyDecoder {
  TinyDecoder(AttentionMode mode, uint64_t seed)
      : c(tiny_lm_config(mode)), model((torch::manual_seed(seed), hrm::HRMInner(c))), decoder(*model) {}
  hrm::ModelConfig c;
  hrm::HRMInner model;
  Decoder decoder;
};

int32_t token_at(const torch::Tensor& tokens, int64_t row, int64_t t) {
  return static_cast<int32_t>(tokens[row][t].item<int64_t>());
}

// Continuous batching: rows that join a running batch between steps (add_rows) and leave it
// (keep_rows) get the logits of the full forward over their own sequence, as if decoded alone.
TEST(Decoder, RowsJoinAndLeaveARunningBatch) {
  for (const auto mode : {AttentionMode::kCausal, AttentionMode::kPrefixLM}) {
    TinyDecoder tiny(mode, 9);
    const auto& c = tiny.c;
    auto& model = tiny.model;
    auto& decoder = tiny.decoder;
    const auto tokens = random_tokens(c, 3, 4);
    const std::vector<int64_t> lens = {5, 3, 8};
    const auto ref = full_forward(model, tokens, lens, 2).logits;
    const auto token = [&](int64_t row, int64_t t) { return token_at(tokens, row, t); };
    const auto close = [&](const torch::Tensor& got, int64_t row, int64_t t) {
      EXPECT_LT((got - ref[row][t]).abs().max().item<double>(), 1e-4) << "row " << row << " position " << t;
    };
    // Row 0 runs alone for two steps; rows 1 and 2 join (row 1 twice: n = 2), row 0 leaves later.
    auto logits = decoder.add_rows({row_prefix(tokens, 0, lens[0])}, {1}, {false, 2}, c.seq_len);
    close(logits[0], 0, 4);
    logits = decoder.step({token(0, 5)});
    close(logits[0], 0, 5);
    const auto joined = decoder.add_rows({row_prefix(tokens, 1, lens[1]), row_prefix(tokens, 2, lens[2])}, {2, 1},
                                         {false, 2}, c.seq_len);
    ASSERT_EQ(joined.size(0), 3);
    close(joined[0], 1, 2);
    close(joined[1], 1, 2);
    close(joined[2], 2, 7);
    EXPECT_EQ(decoder.positions(), (std::vector<int64_t>{6, 3, 3, 8}));
    logits = decoder.step({token(0, 6), token(1, 3), token(1, 3), token(2, 8)});
    close(logits[0], 0, 6);
    close(logits[1], 1, 3);
    close(logits[2], 1, 3);
    close(logits[3], 2, 8);
    decoder.keep_rows({3, 1});
    logits = decoder.step({token(2, 9), token(1, 4)});
    close(logits[0], 2, 9);
    close(logits[1], 1, 4);
    // A capacity other than the running batch's is refused and leaves the batch as it was.
    EXPECT_THROW(decoder.add_rows({{1, 2}}, {1}, {false, 2}, c.seq_len - 1), hrm::Error);
    EXPECT_EQ(decoder.positions(), (std::vector<int64_t>{10, 5}));
    // Everyone left: the next add_rows starts a new batch.
    decoder.keep_rows({});
    logits = decoder.add_rows({row_prefix(tokens, 2, lens[2])}, {1}, {false, 2}, c.seq_len);
    close(logits[0], 2, 7);
    EXPECT_EQ(decoder.rows(), 1);
  }
}

// Rows that leave in increasing order are compacted in place, and rows that join take the room they
// left: the cache keeps its memory (no copy of the running rows) and every row keeps its full-forward logits.
TEST(Decoder, RowsLeaveInPlaceAndJoinIntoTheirRoom) {
  for (const auto mode : {AttentionMode::kCausal, AttentionMode::kPrefixLM}) {
    TinyDecoder tiny(mode, 9);
    const auto& c = tiny.c;
    auto& decoder = tiny.decoder;
    const auto tokens = random_tokens(c, 3, 6);
    const auto ref = full_forward(tiny.model, tokens, {5, 3, 8}, 2).logits;
    const auto token = [&](int64_t row, int64_t t) { return token_at(tokens, row, t); };
    const auto close = [&](const torch::Tensor& got, int64_t row, int64_t t) {
      EXPECT_LT((got - ref[row][t]).abs().max().item<double>(), 1e-4) << "row " << row << " position " << t;
    };
    decoder.add_rows({row_prefix(tokens, 0, 5), row_prefix(tokens, 1, 3), row_prefix(tokens, 2, 8)}, {1, 1, 1},
                     {false, 2}, c.seq_len);
    const auto bytes = decoder.cache().allocated_bytes();
    decoder.step({token(0, 5), token(1, 3), token(2, 8)});
    decoder.keep_rows({0, 2});  // row 1 leaves; row 2 moves down into its place
    EXPECT_EQ(decoder.cache().allocated_bytes(), bytes);
    auto logits = decoder.step({token(0, 6), token(2, 9)});
    close(logits[0], 0, 6);
    close(logits[1], 2, 9);
    const auto joined = decoder.add_rows({row_prefix(tokens, 1, 3)}, {1}, {false, 2}, c.seq_len);
    close(joined[0], 1, 2);
    EXPECT_EQ(decoder.cache().allocated_bytes(), bytes);  // the new row took the room row 1 left
    logits = decoder.step({token(0, 7), token(2, 10), token(1, 3)});
    close(logits[0], 0, 7);
    close(logits[1], 2, 10);
    close(logits[2], 1, 3);
    decoder.keep_rows({2, 1});  // row 0 leaves and the last row moves into its place: in place too
    EXPECT_EQ(decoder.cache().allocated_bytes(), bytes);
    logits = decoder.step({token(1, 4), token(2, 11)});
    close(logits[0], 1, 4);
    close(logits[1], 2, 11);
  }
}

// Prefix reuse (hrm-serve's prefix cache): a saved prompt cache continued with more tokens (causal) or
// taken whole (any model) gives the full forward's logits, joining a running batch or starting one.
TEST(Decoder, SavedPrefixesContinueAsIfPrefilled) {
  for (const auto mode : {AttentionMode::kCausal, AttentionMode::kPrefixLM}) {
    TinyDecoder tiny(mode, 10);
    const auto tokens = random_tokens(tiny.c, 2, 5);
    const auto token = [&](int64_t t) { return token_at(tokens, 0, t); };
    const auto close = [&](const torch::Tensor& got, const torch::Tensor& want, const char* what) {
      EXPECT_LT((got - want).abs().max().item<double>(), 1e-4) << what << " (" << hrm::to_string(mode) << ")";
    };
    const auto first = tiny.decoder.add_rows({row_prefix(tokens, 0, 6)}, {1}, {false, 2}, tiny.c.seq_len);
    const auto saved = tiny.decoder.save_prefix(0, 6);
    EXPECT_EQ(saved.length, 6);
    EXPECT_EQ(saved.cache.capacity(), 6);
    tiny.decoder.keep_rows({});

    // The whole prompt again: no compute; the next step matches the full forward.
    const auto ref6 = full_forward(tiny.model, tokens, {6, 6}, 2).logits;
    close(first[0], ref6[0][5], "prefill");
    EXPECT_FALSE(tiny.decoder.add_rows_from_prefix(saved, 6, {}, 1, tiny.c.seq_len).defined());
    EXPECT_EQ(tiny.decoder.positions(), (std::vector<int64_t>{6}));
    close(tiny.decoder.step({token(6)})[0], ref6[0][6], "step after a whole prefix");
    if (mode != AttentionMode::kCausal) continue;

    // Causal: positions [0, 4) of the saved prompt continued with tokens 4..8, as two rows joining a
    // running batch (the row decoded above, now at position 7).
    const auto ref9 = full_forward(tiny.model, tokens, {9, 9}, 2).logits;
    const std::vector<int32_t> rest = {token(4), token(5), token(6), token(7), token(8)};
    const auto joined = tiny.decoder.add_rows_from_prefix(saved, 4, rest, 2, tiny.c.seq_len);
    ASSERT_EQ(joined.size(0), 2);
    close(joined[0], ref9[0][8], "continued prefix");
    close(joined[1], ref9[0][8], "continued prefix, second copy");
    EXPECT_EQ(tiny.decoder.positions(), (std::vector<int64_t>{7, 9, 9}));
    const auto next = tiny.decoder.step({token(7), token(9), token(9)});
    close(next[0], ref9[0][7], "the running row");
    close(next[2], ref9[0][9], "a continued row's next step");
    EXPECT_THROW(tiny.decoder.add_rows_from_prefix(saved, 7, {}, 1, tiny.c.seq_len), hrm::Error);  // beyond the prefix
    EXPECT_EQ(tiny.decoder.rows(), 3);
  }
}

TEST(Decoder, CacheIsPreallocatedAndSized) {
  const auto c = tiny_lm_config(AttentionMode::kCausal);
  torch::manual_seed(1);
  hrm::HRMInner model(c);
  Decoder decoder(*model);
  decoder.prefill({{1, 2, 3}}, {4}, {false, 2}, 10);
  // H_cycles * (L_cycles * L_layers + H_layers) = 2 * (2 * 2 + 1) = 10 attentions per segment.
  EXPECT_EQ(decoder.cache().slots_per_segment(), 10);
  EXPECT_EQ(decoder.cache().bytes_per_token(), 2 * 2 * 10 * c.hidden_size * 4);
  EXPECT_EQ(decoder.cache().allocated_bytes(), decoder.cache().bytes_per_token() * 4 * 10);
}

TEST(Decoder, RejectsWhatItCannotDecode) {
  auto c = tiny_lm_config(AttentionMode::kBidirectional);
  hrm::HRMInner bidirectional(c);
  EXPECT_NE(error_of([&] { Decoder d(*bidirectional); }).find("bidirectional"), std::string::npos);
  c.attention = AttentionMode::kCausal;
  hrm::HRMInner model(c);
  Decoder d(*model);
  EXPECT_NE(error_of([&] { d.prefill({std::vector<int32_t>(24, 1)}, {1}, {}, 24); }).find("no room to generate"),
            std::string::npos);
  EXPECT_NE(error_of([&] { d.prefill({{1, 99}}, {1}, {}, 24); }).find("token id 99"), std::string::npos);
  EXPECT_NE(error_of([&] { d.prefill({{}}, {1}, {}, 24); }).find("empty"), std::string::npos);
}

}  // namespace
