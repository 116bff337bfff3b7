// MixtureSampler — the deterministic order in which a stage visits its training examples.
//
// Each source (a puzzle train split, an SFT shard set) is visited in epoch-shuffled order; with several
// sources each drawn example first picks its source by weight. Every draw depends only on the seed and
// the number of examples drawn before it, so (a) every rank computes the same global batch and takes
// its own disjoint slice of it, and (b) the state is a few integers (a checkpoint resumes exactly).
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace hrm {

struct SampleRef {
  int source = 0;     // index into the stage's sources
  int64_t index = 0;  // example (puzzle row, SFT document) within that source
};

class MixtureSampler {
 public:
  // sizes[i] examples in source i (each >= 1), drawn with probability weights[i] / sum(weights).
  MixtureSampler(std::vector<int64_t> sizes, std::vector<double> weights, uint64_t seed);

  // The next `count` examples of the global stream.
  std::vector<SampleRef> next(int64_t count);

  int64_t drawn() const { return drawn_; }
  // {"drawn", "sources": [{"epoch", "position"}, ...]}
  nlohmann::json state() const;
  // Restores a state() of a sampler over the same sources; `where` names the checkpoint in errors.
  void restore(const nlohmann::json& state, const std::string& where);

 private:
  struct Source {
    int64_t size = 0;
    uint64_t seed = 0;
    int64_t epoch = 0, position = 0;
    std::vector<size_t> order;
    void shuffle();
  };
  int pick_source(uint64_t draw) const;

  std::vector<Source> sources_;
  std::vector<double> cumulative_;  // normalised cumulative weights
  uint64_t seed_;
  int64_t drawn_ = 0;
};

// SplitMix64: a well-mixed 64-bit hash, for per-draw and per-step seeds derived from a run seed.
uint64_t mix_seed(uint64_t a, uint64_t b);

}  // namespace hrm
