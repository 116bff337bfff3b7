// Activation checkpointing: run a function without keeping its activations for backward and
// recompute them in backward (LibTorch C++ has no torch.utils.checkpoint). ReasoningModule uses it per
// transformer block when ModelConfig::activation_checkpointing is on.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <vector>

namespace hrm {

using CheckpointedFn = std::function<torch::Tensor(const torch::Tensor& x)>;

// y = fn(x), where fn may read the leaf tensors `params` (a block's parameters). The forward runs fn
// under no-grad and keeps only x (and references to params); the backward runs fn again with grad
// enabled and returns dL/dx and dL/dparams through the autograd graph, so params' .grad accumulate
// exactly as without checkpointing. fn must compute the same thing twice: hrm's blocks draw no random
// numbers (no dropout; a function that did would need its RNG state saved and restored) and must not
// be changed in place between forward and backward (the saved-tensor version check catches params).
// With grad mode off this is just fn(x).
torch::Tensor activation_checkpoint(const CheckpointedFn& fn, const torch::Tensor& x,
                                    const std::vector<torch::Tensor>& params);

}  // namespace hrm
