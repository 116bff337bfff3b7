// KVCache — the keys and values of every attention call of cached HRM decoding, preallocated.
//
// One slot per (ACT segment, module call, layer): a token passes through every segment, every module
// call of the segment's schedule (L^L_cycles H, H_cycles times) and every layer of that module, and
// each of those attentions keeps its own K and V ([rows, heads, capacity, head_dim] each), because the
// same layer weights see a different input at every call. Position p of a row lives at index p, so
// a row's cache holds exactly the prefix that row has seen. Segments are added one at a time (adaptive
// ACT decides after the prompt how many it needs); capacity never grows, so memory is bounded by
// bytes_per_token() * rows * capacity, rows being the most the cache has held (rows that leave keep
// their memory for the rows that join next; a continuous batch then never copies its running rows).
#pragma once
#include <torch/torch.h>

#include <vector>

#include "hrm/model/config.hpp"

namespace hrm::infer {

class KVCache {
 public:
  KVCache() = default;
  // An empty cache (no segments yet) for `rows` sequences of at most `capacity` positions.
  KVCache(const ModelConfig& config, int64_t rows, int64_t capacity, torch::ScalarType dtype, torch::Device device);

  // Allocates (zeroed) the slots of one more segment.
  void add_segment();
  int64_t segments() const { return static_cast<int64_t>(keys_.size()); }
  int64_t rows() const { return rows_; }
  int64_t capacity() const { return capacity_; }
  // Attention calls per segment: the sum of ModelConfig::call_layers over the module calls.
  int64_t slots_per_segment() const { return slots_per_segment_; }
  // Slot of `layer` within module call `call` of a segment.
  int64_t slot(int64_t call, int64_t layer) const { return call_offset_.at(static_cast<size_t>(call)) + layer; }

  // Writes k/v [R, heads, S, head_dim] into rows [row0, row0 + R), positions [0, S).
  void write_prefix(int64_t segment, int64_t slot, int64_t row0, const torch::Tensor& k, const torch::Tensor& v);
  // Writes k/v [rows, heads, k, head_dim] of every row at its own positions (`index`: positions
  // expanded to [rows, heads, k, head_dim], see position_index()).
  void write_at(int64_t segment, int64_t slot, const torch::Tensor& index, const torch::Tensor& k,
                const torch::Tensor& v);
  // positions [rows] or [rows, k] as write_at's index.
  torch::Tensor position_index(const torch::Tensor& positions) const;
  // Views of positions [0, length) of every row: {k, v}, [rows, heads, length, head_dim].
  std::pair<torch::Tensor, torch::Tensor> read(int64_t segment, int64_t slot, int64_t length) const;

  // Keeps rows `rows` (int64 indices, any order, repeats allowed) in every slot: drops finished
  // sequences, or replicates one prefilled prompt into its n samples. Distinct indices with rows[i] >= i
  // (finished rows leaving, and later rows moved into their places) are done in place, copying only the
  // rows that move and only their positions [0, length): the caller's promise that no kept row reads
  // further.
  void select_rows(const torch::Tensor& rows, int64_t length = -1);
  // Appends `other`'s rows after these (same capacity, heads and dtype): a sequence prefilled on its
  // own joins a running batch. The one with fewer segments gets zeroed slots for the rest, which its
  // rows never read (a row's logits come from its own segment count).
  void append_rows(const KVCache& other);
  // A one-row copy of row `row` with `capacity` positions, of which [0, length) are copied (every
  // allocated segment): a prompt's cache kept to be continued later (Decoder::save_prefix).
  KVCache copy_row(int64_t row, int64_t length, int64_t capacity) const;

  // Bytes one position of one row takes over all allocated segments (K and V).
  int64_t bytes_per_token() const;
  // Bytes per position per row for a given number of segments.
  int64_t bytes_per_token(int64_t segments) const;
  int64_t allocated_bytes() const;

 private:
  torch::Tensor live(const torch::Tensor& t) const;  // the rows in use of one slot's K or V
  void grow_rows(int64_t row_capacity);

  int64_t rows_ = 0, row_capacity_ = 0, capacity_ = 0, heads_ = 0, head_dim_ = 0, slots_per_segment_ = 0;
  torch::ScalarType dtype_ = torch::kFloat32;
  torch::Device device_ = torch::kCPU;
  std::vector<int64_t> call_offset_;
  std::vector<std::vector<torch::Tensor>> keys_, values_;  // [segment][slot]
};

}  // namespace hrm::infer
