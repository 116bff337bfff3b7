#include "hrm/infer/speculative.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "hrm/util/error.hpp"

namespace hrm::infer {

std::vector<int32_t> lookup_draft(const std::vector<int32_t>& history, int64_t ngram, int64_t k) {
  const auto size = static_cast<int64_t>(history.size());
  for (int64_t n = std::min(ngram, size - 1); n >= 1 && k > 0; --n) {
    const auto tail = history.end() - n;
    // The most recent earlier occurrence of the last n tokens that has a continuation.
    for (int64_t start = size - n - 1; start >= 0; --start) {
      if (!std::equal(tail, history.end(), history.begin() + start)) continue;
      const int64_t from = start + n, to = std::min(size, from + k);
      return {history.begin() + from, history.begin() + to};
    }
  }
  return {};
}

namespace {

// Picks tokens from logit rows: argmax, or a temperature draw; the acceptance test of a draft token.
class Verifier {
 public:
  explicit Verifier(const SpeculativeOptions& o) : temperature_(o.temperature), rng_(o.seed) {}

  int32_t pick(const torch::Tensor& logits) {
    if (temperature_ <= 0) return static_cast<int32_t>(logits.argmax().item<int64_t>());
    return draw(probabilities(logits));
  }
  // Greedy: the draft equals the argmax. Sampling: accept with probability p(draft); on rejection
  // *replacement is drawn from p without the draft token (the residual of a deterministic draft).
  bool accept(const torch::Tensor& logits, int32_t draft, int32_t* replacement) {
    if (temperature_ <= 0) {
      *replacement = pick(logits);
      return *replacement == draft;
    }
    auto p = probabilities(logits);
    if (uniform_(rng_) < p[draft]) return true;
    p[draft] = 0;
    *replacement = draw(p);
    return false;
  }

 private:
  std::vector<double> probabilities(const torch::Tensor& logits) const {
    const auto p = torch::softmax(logits.to(torch::kFloat64) / temperature_, -1).contiguous();
    return {p.data_ptr<double>(), p.data_ptr<double>() + p.numel()};
  }
  int32_t draw(const std::vector<double>& p) {
    double total = 0;
    for (const double v : p) total += v;
    double u = uniform_(rng_) * total;
    for (size_t i = 0; i < p.size(); ++i) {
      u -= p[i];
      if (u < 0) return static_cast<int32_t>(i);
    }
    return static_cast<int32_t>(p.size() - 1);
  }

  double temperature_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

}  // namespace

SpeculativeResult generate_speculative(Decoder& decoder, const std::vector<int32_t>& prompt,
                                       const SpeculativeOptions& options) {
  HRM_CHECK(options.draft_tokens >= 1 && options.ngram >= 1,
            "speculative decoding: draft_tokens and ngram must be >= 1");
  const int64_t capacity = decoder.config().seq_len;
  SpeculativeResult result;
  Verifier verifier(options);
  std::vector<int32_t> history = prompt;
  const auto stops = [&](int32_t t) {
    return std::find(options.stop_tokens.begin(), options.stop_tokens.end(), t) != options.stop_tokens.end();
  };
  int32_t next = verifier.pick(decoder.prefill({prompt}, {1}, options.act, capacity)[0]);
  result.forward_passes = 1;
  // Emits a token; true when generation is over.
  const auto emit = [&](int32_t t) {
    result.tokens.push_back(t);
    history.push_back(t);
    return stops(t) || static_cast<int64_t>(result.tokens.size()) >= options.max_new_tokens ||
           static_cast<int64_t>(history.size()) >= capacity;
  };
  while (!emit(next)) {
    const int64_t room = std::min(options.max_new_tokens - static_cast<int64_t>(result.tokens.size()),
                                  capacity - static_cast<int64_t>(history.size())) -
                         1;
    const auto draft = lookup_draft(history, options.ngram, std::min(options.draft_tokens, room));
    std::vector<int32_t> chunk = {next};
    chunk.insert(chunk.end(), draft.begin(), draft.end());
    const int64_t start = decoder.positions()[0];
    const auto logits = decoder.extend({chunk})[0];  // row j: the token after chunk[j]
    ++result.forward_passes;
    result.drafted += static_cast<int64_t>(draft.size());
    size_t j = 0;
    bool done = false;
    for (; j < draft.size(); ++j) {
      if (!verifier.accept(logits[static_cast<int64_t>(j)], draft[j], &next)) break;
      ++result.accepted;
      if ((done = emit(draft[j]))) break;
    }
    if (done) break;
    if (j == draft.size()) next = verifier.pick(logits[static_cast<int64_t>(j)]);
    decoder.rewind({start + 1 + static_cast<int64_t>(j)});  // chunk[0] and the accepted drafts stay
  }
  return result;
}

}  // namespace hrm::infer
