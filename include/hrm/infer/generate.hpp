// generate() — batched text generation over a Decoder: many prompts of different lengths at once,
// n samples per prompt sharing the prompt's prefill, per-sequence stop (stop tokens, stop sequences,
// max new tokens, the model's context), sampling per sequence (sampler.hpp) and streaming.
//
// Output order is prompt-major: completion p * samples + i is sample i of prompt p; sample i draws
// from seed + i, so a batched call gives the same tokens as separate calls with those seeds.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "hrm/infer/decoder.hpp"
#include "hrm/infer/sampler.hpp"

namespace hrm::infer {

struct GenerateOptions {
  SamplingParams sampling;
  ActOptions act;
  int64_t samples = 1;                      // n per prompt
  std::vector<int32_t> stop_tokens;         // end a sequence; not part of its output
  std::vector<std::string> stop_sequences;  // end a sequence at this text (cut from the output); needs token_text
  int64_t vocab_limit = 0;                  // sample only ids < vocab_limit (the tokenizer's size); 0 = all
};

enum class FinishReason { kStopToken, kStopSequence, kMaxNewTokens, kContextFull };
const char* to_string(FinishReason reason);

struct Completion {
  std::vector<int32_t> tokens;  // generated ids (a stop token excluded; a stop sequence's tokens kept)
  std::string text;             // their text, cut before the first stop sequence (empty without token_text)
  FinishReason finish = FinishReason::kMaxNewTokens;
  int32_t stop_token = -1;  // with kStopToken: the stop token that was sampled (which of stop_tokens); else -1
  int64_t segments = 0;     // ACT segments every token of this sequence got
};

struct GenerationStats {
  int64_t prompts = 0, sequences = 0;
  int64_t prompt_tokens = 0;     // prefilled (each distinct prompt once)
  int64_t generated_tokens = 0;  // sampled over all sequences (stop tokens included)
  int64_t decode_steps = 0;
  int64_t decoded_tokens = 0;  // tokens fed through Decoder::step (rows x steps)
  double prefill_seconds = 0, decode_seconds = 0;
  int64_t kv_bytes_per_token = 0;              // K and V of every (segment, call, layer) for one position of one row
  int64_t kv_cache_bytes = 0;                  // preallocated for the batch
  int64_t peak_rss_bytes = 0;                  // of the process so far
  std::map<int64_t, int64_t> segments_chosen;  // ACT segments -> number of prompts
  double decode_tokens_per_second() const;
};

struct GenerationResult {
  std::vector<Completion> completions;
  GenerationStats stats;
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

// Generates for every prompt (token ids). `token_text` maps an id to its bytes (required for stop
// sequences and text); `stream` is called as text becomes final. Throws hrm::Error for bad options
// or prompts that do not fit the model.
GenerationResult generate(Decoder& decoder, const std::vector<std::vector<int32_t>>& prompts,
                          const GenerateOptions& options, const TokenTextFn& token_text = nullptr,
                          const StreamFn& stream = nullptr);

// One line for logs: tokens, tokens/s, KV bytes per token, cache size, peak RSS, ACT segments chosen.
std::string format_stats(const GenerationStats& stats);

// Peak resident set size of this process in bytes (getrusage).
int64_t peak_rss_bytes();

}  // namespace hrm::infer
