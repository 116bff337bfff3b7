// Per-module gradient-norm clipping for the gspo stage (`optimizer.grad_clip_H/_L/_heads/_embed`): each
// of make_module_optimizer's parameter groups (model/module_optimizer.hpp: the H module, the L module,
// the heads, the rest) can have its own gradient-norm limit, applied before the global `grad_clip`, so a
// module whose gradients spike (typically the heads under a sharp reward) cannot take the others' step
// size down with it through the global norm.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "hrm/model/hrm.hpp"

namespace hrm::rl {

struct ModuleClip {
  double H = 0, L = 0, heads = 0, embed = 0;  // max gradient norm per module; 0: no per-module limit
  bool any() const { return H > 0 || L > 0 || heads > 0 || embed > 0; }
};

struct ModuleParams {
  std::vector<torch::Tensor> H, L, heads, embed;
};

// The parameters of `optimizer`'s groups (built by make_module_optimizer for `model`), by module. The
// groups are read back from the optimizer, not rebuilt, so the split is the optimizer's own; a group is
// named by the submodule owning its first parameter (H, L, lm_head/q_head; otherwise embed). Throws
// hrm::Error when two groups map to one module (the optimizer was not made by make_module_optimizer).
ModuleParams module_params(const torch::optim::Optimizer& optimizer, HRMInnerImpl& model);

// Scales each module's gradients so that their joint L2 norm is at most its limit (modules whose limit
// is 0, or whose norm is within it, are untouched).
void clip_module_grad_norms(const ModuleParams& params, const ModuleClip& clip);

}  // namespace hrm::rl
