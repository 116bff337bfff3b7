#include "hrm/infer/kv_cache.hpp"

#include "hrm/util/error.hpp"

namespace hrm::infer {

KVCache::KVCache(const ModelConfig& c, int64_t rows, int64_t capacity, torch::ScalarType dtype, torch::Device device)
    : rows_(rows), capacity_(capacity), heads_(c.num_heads), head_dim_(c.head_dim()), dtype_(dtype), device_(device) {
  for (int64_t call = 0; call < c.module_calls(); ++call) {
    call_offset_.push_back(slots_per_segment_);
    slots_per_segment_ += c.call_layers(call);
  }
}

void KVCache::add_segment() {
  const auto opts = torch::TensorOptions().dtype(dtype_).device(device_);
  std::vector<torch::Tensor> k, v;
  for (int64_t s = 0; s < slots_per_segment_; ++s) {
    k.push_back(torch::zeros({rows_, heads_, capacity_, head_dim_}, opts));
    v.push_back(torch::zeros({rows_, heads_, capacity_, head_dim_}, opts));
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
  keys_[static_cast<size_t>(segment)][static_cast<size_t>(slot)].scatter_(2, index, k);
  values_[static_cast<size_t>(segment)][static_cast<size_t>(slot)].scatter_(2, index, v);
}

std::pair<torch::Tensor, torch::Tensor> KVCache::read(int64_t segment, int64_t slot, int64_t length) const {
  return {keys_[static_cast<size_t>(segment)][static_cast<size_t>(slot)].narrow(2, 0, length),
          values_[static_cast<size_t>(segment)][static_cast<size_t>(slot)].narrow(2, 0, length)};
}

void KVCache::select_rows(const torch::Tensor& rows) {
  for (auto* tensors : {&keys_, &values_}) {
    for (auto& segment : *tensors) {
      for (auto& t : segment) t = t.index_select(0, rows);
    }
  }
  rows_ = rows.size(0);
}

void KVCache::append_rows(const KVCache& other) {
  HRM_CHECK(other.capacity_ == capacity_ && other.heads_ == heads_ && other.head_dim_ == head_dim_ &&
                other.slots_per_segment_ == slots_per_segment_ && other.dtype_ == dtype_,
            "KVCache::append_rows: the caches differ in shape or dtype (capacity " + std::to_string(capacity_) +
                " vs " + std::to_string(other.capacity_) + ")");
  while (segments() < other.segments()) add_segment();
  const auto opts = torch::TensorOptions().dtype(dtype_).device(device_);
  for (size_t s = 0; s < keys_.size(); ++s) {
    for (size_t slot = 0; slot < keys_[s].size(); ++slot) {
      const bool has = s < other.keys_.size();
      const auto zeros = [&] { return torch::zeros({other.rows_, heads_, capacity_, head_dim_}, opts); };
      keys_[s][slot] = torch::cat({keys_[s][slot], has ? other.keys_[s][slot] : zeros()});
      values_[s][slot] = torch::cat({values_[s][slot], has ? other.values_[s][slot] : zeros()});
    }
  }
  rows_ += other.rows_;
}

KVCache KVCache::copy_row(int64_t row, int64_t length, int64_t capacity) const {
  HRM_CHECK(row >= 0 && row < rows_ && length >= 0 && length <= std::min(capacity, capacity_),
            "KVCache::copy_row: row " + std::to_string(row) + ", " + std::to_string(length) + " positions into " +
                std::to_string(capacity) + " do not fit a cache of " + std::to_string(rows_) + " rows x " +
                std::to_string(capacity_) + " positions");
  KVCache out = *this;
  out.rows_ = 1;
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

int64_t KVCache::allocated_bytes() const { return bytes_per_token() * rows_ * capacity_; }

}  // namespace hrm::infer
