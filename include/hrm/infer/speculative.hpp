// Speculative decoding without a draft model (prompt lookup, as llama.cpp's `lookup`): the draft is the
// k tokens that followed the most recent earlier occurrence of the last n tokens of prompt + output
// (n from `ngram` down to 1); the decoder verifies the next token and the draft in one chunked forward
// (Decoder::extend, through every (segment, cycle, layer) cache), keeps the longest accepted prefix plus
// one token from the verifier, and rewinds the rejected positions (Decoder::rewind). Greedy output is
// the plain decoder's, token for token; with temperature sampling a draft token t is accepted with
// probability p(t) (the draft is deterministic, q = 1) and otherwise replaced by a draw from p with t
// removed, so the output distribution is unchanged. Pays when the reply copies its prompt (edits,
// self-repair). One sequence at a time.
#pragma once
#include <cstdint>
#include <vector>

#include "hrm/infer/decoder.hpp"

namespace hrm::infer {

struct SpeculativeOptions {
  int64_t draft_tokens = 8;  // k: tokens proposed per verification
  int64_t ngram = 3;         // longest n-gram matched; shorter ones are tried when it does not occur
  double temperature = 0.0;  // <= 0: greedy
  uint64_t seed = 0;
  int64_t max_new_tokens = 256;
  std::vector<int32_t> stop_tokens;  // generation ends after emitting one (it is part of the output)
  ActOptions act;
};

struct SpeculativeResult {
  std::vector<int32_t> tokens;  // generated (a stop token included)
  int64_t forward_passes = 0;   // prefill + one per verification
  int64_t drafted = 0, accepted = 0;
};

// The draft for `history` (prompt + output so far): up to k tokens, empty when no n-gram recurs.
std::vector<int32_t> lookup_draft(const std::vector<int32_t>& history, int64_t ngram, int64_t k);

// Generates from one prompt (the decoder is re-prefilled; capacity = the model's seq_len).
SpeculativeResult generate_speculative(Decoder& decoder, const std::vector<int32_t>& prompt,
                                       const SpeculativeOptions& options);

}  // namespace hrm::infer
