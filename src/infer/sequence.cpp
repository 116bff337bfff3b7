#include "hrm/infer/sequence.hpp"

#include <algorithm>

#include "hrm/util/enum_table.hpp"

namespace hrm::infer {

const char* to_string(FinishReason reason) {
  static constexpr const char* kNames[] = {"stop_token", "stop_sequence", "max_new_tokens", "context_full"};
  return enum_entry<FinishReason::kContextFull>(reason, kNames, "?");
}

namespace {

// Length of the longest suffix of `text` that is a proper prefix of a stop sequence: those bytes may
// still become a stop sequence, so they are not streamed yet.
size_t held_back(const std::string& text, const std::vector<std::string>& stops) {
  size_t best = 0;
  for (const auto& s : stops) {
    for (size_t m = std::min(s.size() - 1, text.size()); m > best; --m) {
      if (text.compare(text.size() - m, m, s, 0, m) == 0) {
        best = m;
        break;
      }
    }
  }
  return best;
}

// Offset of the earliest stop sequence in `text` that ends after `old_size` bytes (earlier text was
// already searched), or npos.
size_t find_stop(const std::string& text, size_t old_size, const std::vector<std::string>& stops) {
  size_t first = std::string::npos;
  for (const auto& s : stops) {
    const size_t from = old_size >= s.size() - 1 ? old_size - (s.size() - 1) : 0;
    first = std::min(first, text.find(s, from));
  }
  return first;
}

}  // namespace

TextSequence::TextSequence(const SamplingParams& sampling, uint64_t seed, int64_t prompt_length, int64_t segments)
    : sampler_(sampling, seed), prompt_length_(prompt_length) {
  out_.segments = segments;
}

void TextSequence::take(int32_t token, const StopRules& rules, const TokenTextFn& token_text, const StreamFn& stream,
                        size_t index) {
  if (std::find(rules.stop_tokens.begin(), rules.stop_tokens.end(), token) != rules.stop_tokens.end()) {
    out_.stop_token = token;
    return finish(FinishReason::kStopToken, stream, index);
  }
  out_.tokens.push_back(token);
  if (token_text) {
    const size_t old = text_.size();
    text_ += token_text(token);
    if (!rules.stop_sequences.empty()) {
      const size_t stop = find_stop(text_, old, rules.stop_sequences);
      if (stop != std::string::npos) {
        text_.resize(stop);
        return finish(FinishReason::kStopSequence, stream, index);
      }
    }
  }
  if (stream) {
    const size_t ready = text_.size() - held_back(text_, rules.stop_sequences);
    if (ready > streamed_ || !token_text) {
      stream({index, token, text_.substr(streamed_, ready - streamed_), false});
      streamed_ = ready;
    }
  }
  const auto generated = static_cast<int64_t>(out_.tokens.size());
  if (generated >= rules.max_new_tokens) return finish(FinishReason::kMaxNewTokens, stream, index);
  if (prompt_length_ + generated >= rules.capacity) return finish(FinishReason::kContextFull, stream, index);
}

void TextSequence::finish(FinishReason reason, const StreamFn& stream, size_t index) {
  done_ = true;
  out_.finish = reason;
  out_.text = text_;
  if (stream) stream({index, -1, text_.substr(std::min(streamed_, text_.size())), true});
}

}  // namespace hrm::infer
