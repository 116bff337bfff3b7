// PrefixCache — prompt caches kept by hrm-serve's decode loop so that a request sharing a prompt prefix
// with an earlier one skips that prefix's prefill (Decoder::save_prefix / add_rows_from_prefix).
//
// HRM's state at a position depends on every (segment, module call, layer) before it, and on nothing
// after it only where attention is causal throughout. So a shared prefix shorter than the prompt is
// reused only for causal models with a fixed number of ACT segments (`partial`); a prefix-LM model
// (its prompt is attended bidirectionally) or adaptive ACT (the segment count is read at the prompt's
// last position) reuse only a whole, identical prompt, whose cache and first logits are then exact.
// The entries are the last `capacity` prompts prefilled (least recently used leaves first).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <list>
#include <optional>
#include <vector>

#include "hrm/infer/decoder.hpp"

namespace hrm::serve {

class PrefixCache {
 public:
  struct Entry {
    std::vector<int32_t> tokens;  // the prompt
    infer::PrefixState state;     // its cache
    torch::Tensor logits;         // [vocab]: the first reply token's logits
  };
  struct Hit {
    const Entry* entry = nullptr;
    int64_t used = 0;    // positions of the entry's cache the prompt continues
    bool whole = false;  // the prompt is the entry's whole prompt: nothing left to compute
  };

  PrefixCache(int64_t capacity, bool partial) : capacity_(capacity), partial_(partial) {}

  // The entry that saves the most positions of `prompt`, if any (it becomes the most recently used).
  // The pointer stays valid until the next add().
  std::optional<Hit> find(const std::vector<int32_t>& prompt);
  void add(std::vector<int32_t> tokens, infer::PrefixState state, torch::Tensor logits);

  bool enabled() const { return capacity_ > 0; }
  bool partial() const { return partial_; }

 private:
  int64_t capacity_;
  bool partial_;
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace hrm::serve
