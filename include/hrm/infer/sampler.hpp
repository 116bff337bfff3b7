// Sampler — picks the next token from one row of logits: greedy, or temperature with top-k / top-p
// (nucleus) truncation, from its own seeded generator (so a sequence's samples do not depend on the
// other sequences of its batch).
//
// Rules: temperature <= 0 is greedy (argmax, lowest id on ties). Otherwise p_i ∝ exp(l_i / T) over the
// top_k largest logits (top_k <= 0: all), then the smallest set of most likely tokens whose mass
// reaches top_p; ties in rank go to the lower id, so top_k = 1 is greedy at any temperature.
// The random draws use mt19937_64 and a fixed float mapping: the same seed gives the same tokens
// on every platform.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace hrm::infer {

struct SamplingParams {
  double temperature = 0.0;  // <= 0: greedy
  int64_t top_k = 0;         // <= 0: no top-k truncation
  double top_p = 1.0;        // (0, 1]
  uint64_t seed = 0;         // sample i of a prompt draws from seed + i
  int64_t max_new_tokens = 256;
};

// Throws hrm::Error naming the field when a value is out of range.
void validate(const SamplingParams& params);

class Sampler {
 public:
  Sampler(const SamplingParams& params, uint64_t seed);
  // Token id in [0, vocab) chosen from logits[0..vocab).
  int32_t sample(const float* logits, int64_t vocab);

 private:
  SamplingParams params_;
  std::mt19937_64 rng_;
  std::vector<int32_t> order_;
  std::vector<double> weights_;
};

}  // namespace hrm::infer
