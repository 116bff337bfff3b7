#include "hrm/infer/prompt_attention.hpp"

#include <algorithm>
#include <vector>

#include "hrm/model/torch_compat.hpp"

namespace hrm::infer {

torch::Tensor prompt_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask, bool is_causal, int64_t chunk_bytes) {
  const int64_t p = q.size(2), keys = k.size(2);
  const int64_t per_query_row = q.size(0) * q.size(1) * keys * static_cast<int64_t>(sizeof(float));
  const int64_t chunk = std::max<int64_t>(1, chunk_bytes / per_query_row);
  const auto whole_mask = mask.defined() ? c10::optional<torch::Tensor>(mask) : c10::nullopt;
  if (chunk >= p || !q.device().is_cpu()) return compat::attention(q, k, v, whole_mask, is_causal);
  const auto positions = torch::arange(keys, torch::TensorOptions().dtype(torch::kLong).device(q.device()));
  std::vector<torch::Tensor> parts;
  for (int64_t s0 = 0; s0 < p; s0 += chunk) {
    const int64_t n = std::min(chunk, p - s0);
    const auto qc = q.narrow(2, s0, n);
    if (mask.defined()) {
      // A mask with one query row broadcasts; a [.., P, P] one gives the chunk's rows.
      const auto mc = mask.size(-2) == 1 ? mask : mask.narrow(-2, s0, n);
      parts.push_back(compat::attention(qc, k, v, mc, false));
    } else if (is_causal) {
      // The chunk's queries see keys [0, s0 + n) at most: the rest are not read.
      const int64_t seen = s0 + n;
      const auto causal = positions.narrow(0, 0, seen).view({1, seen}) <= positions.narrow(0, s0, n).view({n, 1});
      parts.push_back(compat::attention(qc, k.narrow(2, 0, seen), v.narrow(2, 0, seen), causal, false));
    } else {
      parts.push_back(compat::attention(qc, k, v, c10::nullopt, false));
    }
  }
  return torch::cat(parts, 2);
}

}  // namespace hrm::infer
