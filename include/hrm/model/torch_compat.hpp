// The one place where LibTorch version differences are handled. hrm builds against Debian's
// LibTorch 1.13.1 (CPU) and against CUDA LibTorch 2.x; everything else includes this header.
#pragma once
#include <torch/torch.h>
#include <torch/version.h>

#define HRM_TORCH_VERSION_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace hrm::compat {

// scaled_dot_product_attention exists from 2.0; 1.13 gets the exact matmul+softmax formula.
// `mask` (optional, bool, true = attend) broadcasts to [B, H, Sq, Sk]; q/k/v are [B, H, S, D].
inline torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const c10::optional<torch::Tensor>& mask, bool is_causal) {
#if HRM_TORCH_VERSION_AT_LEAST(2, 0)
  return at::scaled_dot_product_attention(q, k, v, mask, 0.0, is_causal && !mask.has_value());
#else
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  // q scaled before the product: [Sq, D] multiplies instead of [Sq, Sk] (same value to rounding).
  auto scores = torch::matmul(q * scale, k.transpose(-2, -1));
  if (mask.has_value()) {
    scores = scores.masked_fill(mask->logical_not(), -std::numeric_limits<float>::infinity());
  } else if (is_causal) {
    const auto causal = torch::ones({q.size(-2), k.size(-2)}, q.options().dtype(torch::kBool)).triu(1);
    scores = scores.masked_fill(causal, -std::numeric_limits<float>::infinity());
  }
  return torch::matmul(torch::softmax(scores, -1), v);
#endif
}

inline const char* torch_version() { return TORCH_VERSION; }

}  // namespace hrm::compat

#include <sstream>
#include <type_traits>

namespace hrm::compat {

// torch::optim keys per-parameter state by a string of the TensorImpl address in 1.x and by the
// address itself in 2.x; derive the key from the map's own key type.
template <typename StateMap>
typename StateMap::key_type optimizer_state_key(const StateMap&, const torch::Tensor& p) {
  if constexpr (std::is_same_v<typename StateMap::key_type, std::string>) {
    std::ostringstream s;
    s << p.unsafeGetTensorImpl();
    return s.str();
  } else {
    return p.unsafeGetTensorImpl();
  }
}

}  // namespace hrm::compat

// c10d (data-parallel training, src/train/distributed.cpp): in 1.13 the Gloo and NCCL process groups
// derive from c10d::ProcessGroup; 2.x moved the transports under c10d::Backend (ProcessGroup became the
// dispatcher in front of them). Code that holds a Gloo/NCCL group by its base uses DistBackend.
namespace c10d {
class ProcessGroup;
class Backend;
}  // namespace c10d

namespace hrm::compat {
#if HRM_TORCH_VERSION_AT_LEAST(2, 0)
using DistBackend = c10d::Backend;
#else
using DistBackend = c10d::ProcessGroup;
#endif
}  // namespace hrm::compat

// A C++ object kept in an autograd context's saved_data (activation checkpointing keeps the function
// to re-run there): an IValue capsule, in 1.13 and 2.x alike; the one place to adapt if that changes.
namespace hrm::compat {

inline c10::IValue to_capsule(c10::intrusive_ptr<torch::CustomClassHolder> object) {
  return c10::IValue::make_capsule(std::move(object));
}

inline c10::intrusive_ptr<torch::CustomClassHolder> from_capsule(const c10::IValue& value) { return value.toCapsule(); }

}  // namespace hrm::compat
