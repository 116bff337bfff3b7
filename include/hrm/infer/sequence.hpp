// TextSequence — one generated sequence: its sampler, its output so far and when it must stop (a stop
// token, a stop sequence, max new tokens, the context), with streaming that holds back any suffix that
// could still start a stop sequence. generate() runs one per row of its batch; the server's decode loop
// (hrm/serve) runs one per row of requests that join and leave its batch.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hrm/infer/sampler.hpp"

namespace hrm::infer {

enum class FinishReason { kStopToken, kStopSequence, kMaxNewTokens, kContextFull };
const char* to_string(FinishReason reason);

struct Completion {
  std::vector<int32_t> tokens;  // generated ids (a stop token excluded; a stop sequence's tokens kept)
  std::string text;             // their text, cut before the first stop sequence (empty without token_text)
  FinishReason finish = FinishReason::kMaxNewTokens;
  int32_t stop_token = -1;  // with kStopToken: the stop token that was sampled (which of stop_tokens); else -1
  int64_t segments = 0;     // ACT segments every token of this sequence got
};

// A piece of streamed output: the text of `sequence` (prompt-major index) that can no longer be cut by
// a stop sequence, or the end of the sequence (finished = true, text = what was held back).
struct StreamEvent {
  size_t sequence = 0;
  int32_t token = -1;  // the token that produced this text (-1 on the final event)
  std::string text;
  bool finished = false;
};
using StreamFn = std::function<void(const StreamEvent&)>;
using TokenTextFn = std::function<std::string(int32_t)>;

struct StopRules {
  std::vector<int32_t> stop_tokens;         // end the sequence; not part of its output
  std::vector<std::string> stop_sequences;  // end it at this text (cut from the output); needs token_text
  int64_t max_new_tokens = 256;
  int64_t capacity = 0;  // positions for prompt + output (the decoder's capacity)
};

class TextSequence {
 public:
  TextSequence(const SamplingParams& sampling, uint64_t seed, int64_t prompt_length, int64_t segments);

  int32_t sample(const float* logits, int64_t vocab) { return sampler_.sample(logits, vocab); }
  // Takes the sampled `token`; marks the sequence done when it must stop. `stream` (optional) gets
  // the text that became final, as event `index`, and a finished event at the end.
  void take(int32_t token, const StopRules& rules, const TokenTextFn& token_text, const StreamFn& stream, size_t index);

  bool done() const { return done_; }
  int64_t prompt_length() const { return prompt_length_; }
  const Completion& completion() const { return out_; }
  Completion release() { return std::move(out_); }

 private:
  void finish(FinishReason reason, const StreamFn& stream, size_t index);

  Sampler sampler_;
  int64_t prompt_length_ = 0;
  Completion out_;
  std::string text_;     // all generated text so far (cut at a stop sequence when one appears)
  size_t streamed_ = 0;  // bytes of text_ already streamed
  bool done_ = false;
};

}  // namespace hrm::infer
