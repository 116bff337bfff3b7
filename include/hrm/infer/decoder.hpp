// Decoder — exact incremental decoding of a causal or prefix-LM HRM with a key/value cache per
// (ACT segment, module call, layer) (kv_cache.hpp).
//
// Why it is exact: every module call is a stack of causal transformer layers over (z + injection), and
// the carry between module calls and between segments is per position, so position t's state after
// every (segment, call, layer) depends only on positions <= t. Decoding token t therefore runs position
// t alone through all segments x calls x layers, each attention appending its K/V to its own cache and
// attending over it; the logits equal HRMInner::forward on the whole sequence run for the same number
// of segments with the carry kept between segments (tests/infer/decoder_test.cpp). In prefix-LM mode
// the prompt is prefilled in one pass, bidirectionally within itself; generated positions are causal.
//
// ACT at inference (ActOptions): every token gets a fixed number of segments, or (adaptive) the prompt
// is prefilled segment by segment and the Q head, read at the last prompt position (HRMInner's
// q_positions for prefix-LM; for causal models the last prompt position too), halts the sequence when
// q_halt > q_continue or at the maximum; every generated token of that sequence then gets as many
// segments.
//
// Rows: prefill() takes distinct prompts and a number of copies of each (n samples share one prefill);
// step() feeds one token per active row; keep_rows() drops finished rows; add_rows() prefills more
// prompts into a running batch. Not thread-safe.
#pragma once
#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hrm/infer/kv_cache.hpp"
#include "hrm/infer/quantized_linear.hpp"
#include "hrm/model/hrm.hpp"

namespace hrm::infer {

struct ActOptions {
  bool adaptive = false;  // false: every token gets `segments`; true: the Q head picks 1..segments
  int64_t segments = 0;   // segments (fixed) or the maximum (adaptive); 0 = the config's halt_max_steps
};

// The cache of a row's first `length` positions, kept so that a later prompt starting with the same
// tokens skips their prefill (prefix reuse in hrm/serve).
struct PrefixState {
  KVCache cache;  // one row of `length` positions
  int64_t length = 0;
  int64_t segments = 0;  // the row's ACT segments
};

class Decoder {
 public:
  // Copies `model`'s weights, cast once to `dtype` (default: the config's forward_dtype). Throws
  // hrm::Error for bidirectional models and models with a task embedding.
  explicit Decoder(HRMInnerImpl& model, std::optional<torch::ScalarType> dtype = std::nullopt);

  const ModelConfig& config() const { return model_->config(); }
  torch::ScalarType dtype() const { return model_->dtype(); }
  // The inference copy (weights in the compute dtype).
  HRMInnerImpl& model() { return *model_; }
  // Runs the named linear layers ("H.layers.0.qkv.weight", "lm_head.weight", ...) through their quantized
  // weights with the CPU kernels and frees the float copies; on other devices the layers keep the
  // dequantized weights they were loaded with (the ATen path). Names of non-linear tensors (the
  // embedding) are skipped. Returns the number of layers switched.
  int64_t use_quantized(const std::map<std::string, QuantizedWeight>& weights);

  // Prefills each prompt once and replicates it copies[p] times (rows are prompt-major: prompt p's
  // copies follow each other). `capacity` bounds prompt + generated tokens of every row (at most
  // seq_len). Returns the logits of each row's first new token, [rows, vocab] fp32.
  torch::Tensor prefill(const std::vector<std::vector<int32_t>>& prompts, const std::vector<int64_t>& copies,
                        const ActOptions& act, int64_t capacity);
  // Feeds one token per active row at that row's next position; returns the next logits [rows, vocab] fp32.
  torch::Tensor step(const std::vector<int32_t>& tokens);
  // Feeds the same number k of tokens to every active row in one chunked forward (causal within the
  // chunk, over each row's cache); returns logits [rows, k, vocab] fp32, entry j predicting the token
  // after chunk token j. Speculative decoding verifies drafts with it (speculative.hpp).
  torch::Tensor extend(const std::vector<std::vector<int32_t>>& chunks);
  // Moves rows back to earlier positions (rejected draft tokens): later cache entries are never read
  // (keys past a row's position are masked) and are overwritten by the next tokens fed.
  void rewind(const std::vector<int64_t>& positions);
  // Keeps only these active rows (indices into the current rows, in the new order). Cheapest when row i
  // comes from rows[i] >= i (see KVCache::select_rows): leaving rows filled by the last ones.
  void keep_rows(const std::vector<int64_t>& rows);
  // Continuous batching: prefills `prompts` as prefill() does and appends their rows after the active
  // rows, whose caches and positions are kept, so a sequence joins a running batch between two steps
  // (and leaves it with keep_rows). `capacity` must equal the running batch's; without active rows this
  // is prefill(). On an error the active rows are left as they were. Returns the new rows' first logits.
  torch::Tensor add_rows(const std::vector<std::vector<int32_t>>& prompts, const std::vector<int64_t>& copies,
                         const ActOptions& act, int64_t capacity);

  // Positions [0, length) of active row `row` (its prompt, prefilled), kept apart from the batch.
  PrefixState save_prefix(int64_t row, int64_t length) const;
  // Appends `copies` rows that continue positions [0, used) of `prefix` with `rest`, fed in one causal
  // chunk as extend() does; returns the logits of the token after `rest` [copies, vocab], or an
  // undefined tensor when `rest` is empty (the caller kept the prompt's logits). Exact (up to rounding)
  // where positions [0, used) do not depend on later tokens: causal models with a fixed number of ACT
  // segments; for prefix-LM or adaptive ACT only `used` = the whole prompt the prefix was saved from,
  // with `rest` empty. `capacity` as add_rows; on an error the active rows are left as they were.
  torch::Tensor add_rows_from_prefix(const PrefixState& prefix, int64_t used, const std::vector<int32_t>& rest,
                                     int64_t copies, int64_t capacity);

  int64_t rows() const { return static_cast<int64_t>(positions_.size()); }
  // Per row: tokens seen so far (= the position the next fed token takes) and ACT segments.
  const std::vector<int64_t>& positions() const { return positions_; }
  const std::vector<int64_t>& segments() const { return segments_; }
  const KVCache& cache() const { return cache_; }

 private:
  void prefill_group(const std::vector<std::vector<int32_t>>& prompts, size_t first, size_t count,
                     const ActOptions& act, int64_t max_segments, std::vector<int64_t>& segments,
                     std::vector<torch::Tensor>& logits);
  // Runs tokens x [rows, k, hidden] at positions pos [rows, k] through every segment over the cache;
  // z_H after each row's own number of segments.
  void check_tokens(const std::vector<int32_t>& tokens, int64_t per_row, const char* what) const;
  torch::Tensor run_cached(const torch::Tensor& x, const torch::Tensor& pos, const torch::Tensor& mask);
  torch::Tensor attend_cached(BlockImpl& block, const torch::Tensor& x, int64_t segment, int64_t slot,
                              const torch::Tensor& cos, const torch::Tensor& sin, const torch::Tensor& write_index,
                              int64_t length, const torch::Tensor& mask, const std::vector<int64_t>& row_lengths);

  HRMInner model_{nullptr};
  torch::Tensor rope_cos_, rope_sin_;  // [total_seq_len, head_dim] fp32 (identity for learned positions)
  KVCache cache_;
  std::vector<int64_t> positions_, segments_;
};

}  // namespace hrm::infer
