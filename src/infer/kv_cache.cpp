#include "hrm/infer/kv_cache.hpp"

#include "hrm/util/error.hpp"

namespace hrm::infer {

KVCache::KVCache(const ModelConfig& c, int64_t rows, int64_t capacity, torch::ScalarType dtype, torch::Device device)
    : rows_(rows),
      row_capacity_(rows),
      capacity_(capacity),
      heads_(c.num_heads),
      head_dim_(c.head_dim()),
      dtype_(dtype),
      device_(device) {
  for (int64_t call = 0; call < c.module_calls(); ++call) {
    call_offset_.push_back(slots_per_segment_);
    slots_per_segment_ += c.call_layers(call);
  }
}

void KVCache::add_segment() {
  const auto opts = torch::TensorOptions().dtype(dtype_).device(device_);
  std::vector<torch::Tensor> k, v;
  for (int64_t s = 0; s < slots_per_segment_; ++s) {
    k.push_back(torch::zeros({row_capacity_, heads_, capacity_, head_dim_}, opts));
    v.push_back(torch::zeros({row_capacity_, heads_, capacity_, head_dim_}, opts));
  }
  keys_.push_back(std::move(k));
  values_.push_back(std::move(v));
}

void KVCache::write_prefix(int64_t segment, int64_t slot, int64_t row0, const torch::Tensor& k,
                           const torch::Tensor& v) {
  const auto rows = k.size(0), length = k.size(2);
  keys_[static_cast<size_t>(segment)][static_cast<size_t>(slot)].narrow(0, row0, rows).narrow(2, 0, length).copy_(k);
  values_[static_cast<size_t>(segment)][static_cast<size_t>(slot)].narrow(0, row0, rows).narrow(2, 0, length).copy_(v);
}

torch::Tensor KVCache::position_index(const torch::Tensor& positions) const {
  const auto p = positions.dim() == 1 ? positions.unsqueeze(1) : positions;  // [rows, k]
  return p.view({p.size(0), 1, p.size(1), 1}).expand({p.size(0), heads_, p.size(1), head_dim_});
}

void KVCache::write_at(int64_t segment, int64_t slot, const torch::Tensor& index, const torch::Tensor& k,
                       const torch::Tensor& v) {
  live(keys_[static_cast<size_t>(segment)][static_cast<size_t>(slot)]).scatter_(2, index, k);
  live(values_[static_cast<size_t>(segment)][static_cast<size_t>(slot)]).scatter_(2, index, v);
}

std::pair<torch::Tensor, torch::Tensor> KVCache::read(int64_t segment, int64_t slot, int64_t length) const {
  return {live(keys_[static_cast<size_t>(segment)][static_cast<size_t>(slot)]).narrow(2, 0, length),
          live(values_[static_cast<size_t>(segment)][static_cast<size_t>(slot)]).narrow(2, 0, length)};
}

torch::Tensor KVCache::live(const torch::Tensor& t) const { return t.narrow(0, 0, rows_); }

void KVCache::select_rows(const torch::Tensor& rows, int64_t length) {
  const auto wanted = rows.to(torch::kCPU).contiguous();
  const int64_t* index = wanted.data_ptr<int64_t>();
  const int64_t kept = wanted.size(0);
  if (length < 0) length = capacity_;
  HRM_CHECK(length <= capacity_, "KVCache::select_rows: length " + std::to_string(length) + " exceeds the capacity " +
                                     std::to_string(capacity_));
  // In place when row i comes from index[i] >= i and no row is taken twice: going up from row 0, a row
  // is overwritten only after it has been read.
  std::vector<bool> taken(static_cast<size_t>(rows_), false);
  bool in_place = true;
  for (int64_t i = 0; i < kept && in_place; ++i) {
    in_place = index[i] >= i && index[i] < rows_ && !taken[static_cast<size_t>(index[i])];
    if (in_place) taken[static_cast<size_t>(index[i])] = true;
  }
  for (auto* tensors : {&keys_, &values_}) {
    for (auto& segment : *tensors) {
      for (auto& t : segment) {
        if (!in_place) {  // reordered backwards or repeated rows: a new, tight buffer
          t = live(t).index_select(0, rows);
          continue;
        }
        for (int64_t i = 0; i < kept; ++i) {
          if (index[i] != i) t[i].narrow(1, 0, length).copy_(t[index[i]].narrow(1, 0, length));
        }
      }
    }
  }
  rows_ = kept;
  if (!in_place) row_capacity_ = kept;
}

void KVCache::append_rows(const KVCache& other) {
  HRM_CHECK(other.capacity_ == capacity_ && other.heads_ == heads_ && other.head_dim_ == head_dim_ &&
                other.slots_per_segment_ == slots_per_segment_ && other.dtype_ == dtype_,
            "KVCache::append_rows: the caches differ in shape or dtype (capacity " + std::to_string(capacity_) +
                " vs " + std::to_string(other.capacity_) + ")");
  const int64_t total = rows_ + other.rows_;
  if (total > row_capacity_) grow_rows(total);
  while (segments() < other.segments()) add_segment();
  for (size_t s = 0; s < keys_.size(); ++s) {
    for (size_t slot = 0; slot < keys_[s].size(); ++slot) {
      auto k = keys_[s][slot].narrow(0, rows_, other.rows_), v = values_[s][slot].narrow(0, rows_, other.rows_);
      if (s < other.keys_.size()) {
        k.copy_(other.live(other.keys_[s][slot]));
        v.copy_(other.live(other.values_[s][slot]));
      } else {
        k.zero_();
        v.zero_();
      }
    }
  }
  rows_ = total;
}

// Rows are allocated for the most the batch has held and kept when rows leave, so a batch that stays
// about as large takes new rows without copying the others.
void KVCache::grow_rows(int64_t row_capacity) {
  const auto opts = torch::TensorOptions().dtype(dtype_).device(device_);
  for (auto* tensors : {&keys_, &values_}) {
    for (auto& segment : *tensors) {
      for (auto& t : segment) {
        auto bigger = torch::zeros({row_capacity, heads_, capacity_, head_dim_}, opts);
        bigger.narrow(0, 0, rows_).copy_(live(t));
        t = bigger;
      }
    }
  }
  row_capacity_ = row_capacity;
}

KVCache KVCache::copy_row(int64_t row, int64_t length, int64_t capacity) const {
  HRM_CHECK(row >= 0 && row < rows_ && length >= 0 && length <= std::min(capacity, capacity_),
            "KVCache::copy_row: row " + std::to_string(row) + ", " + std::to_string(length) + " positions into " +
                std::to_string(capacity) + " do not fit a cache of " + std::to_string(rows_) + " rows x " +
                std::to_string(capacity_) + " positions");
  KVCache out = *this;
  out.rows_ = 1;
  out.row_capacity_ = 1;
  out.capacity_ = capacity;
  const auto opts = torch::TensorOptions().dtype(dtype_).device(device_);
  for (auto* tensors : {&out.keys_, &out.values_}) {
    for (auto& segment : *tensors) {
      for (auto& t : segment) {
        auto copy = torch::zeros({1, heads_, capacity, head_dim_}, opts);
        copy.narrow(2, 0, length).copy_(t.narrow(0, row, 1).narrow(2, 0, length));
        t = copy;
      }
    }
  }
  return out;
}

int64_t KVCache::bytes_per_token(int64_t segments) const {
  return 2 * segments * slots_per_segment_ * heads_ * head_dim_ * static_cast<int64_t>(c10::elementSize(dtype_));
}

int64_t KVCache::bytes_per_token() const { return bytes_per_token(segments()); }

int64_t KVCache::allocated_bytes() const { return bytes_per_token() * row_capacity_ * capacity_; }

}  // namespace hrm::infer
