#include "hrm/model/activation_checkpoint.hpp"

#include "hrm/model/torch_compat.hpp"

namespace hrm {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The function to re-run in backward, kept in the autograd context (which holds only IValues).
struct Recompute : torch::CustomClassHolder {
  explicit Recompute(CheckpointedFn f) : fn(std::move(f)) {}
  CheckpointedFn fn;
};

// Inputs: x, then each parameter (a TensorList is one Function input per tensor), then fn.
struct CheckpointFunction : public torch::autograd::Function<CheckpointFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, torch::TensorList params,
                               const CheckpointedFn& fn) {
    torch::NoGradGuard no_grad;  // Function::apply already disables grad; nothing of fn is recorded
    variable_list saved{x};
    saved.insert(saved.end(), params.begin(), params.end());
    ctx->save_for_backward(saved);
    ctx->saved_data["recompute"] = compat::to_capsule(c10::make_intrusive<Recompute>(fn));
    return fn(x);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto holder = compat::from_capsule(ctx->saved_data["recompute"]);
    const auto& recompute = static_cast<const Recompute&>(*holder);
    // Differentiate with respect to a detached copy of x (so the recomputed graph stops here) and the
    // parameters themselves; the results are returned through this Function's inputs, so the engine
    // passes dL/dx on to x's graph and accumulates dL/dparams into .grad like any other node.
    auto x = saved[0].detach();
    x.requires_grad_(saved[0].requires_grad());
    std::vector<size_t> wrt_index;  // positions (in the Function's inputs) of the tensors in `wrt`
    variable_list wrt;
    if (x.requires_grad()) {
      wrt_index.push_back(0);
      wrt.push_back(x);
    }
    for (size_t i = 1; i < saved.size(); ++i) {
      if (saved[i].requires_grad()) {
        wrt_index.push_back(i);
        wrt.push_back(saved[i]);
      }
    }
    variable_list grads(saved.size() + 1);  // the last input, fn, gets no gradient
    if (wrt.empty()) return grads;
    torch::Tensor y;
    {
      torch::AutoGradMode enable_grad(true);
      y = recompute.fn(x);
    }
    const auto g = torch::autograd::grad({y}, wrt, {grad_outputs[0]}, /*retain_graph=*/false,
                                         /*create_graph=*/false, /*allow_unused=*/true);
    for (size_t i = 0; i < wrt.size(); ++i) grads[wrt_index[i]] = g[i];
    return grads;
  }
};

}  // namespace

torch::Tensor activation_checkpoint(const CheckpointedFn& fn, const torch::Tensor& x,
                                    const std::vector<torch::Tensor>& params) {
  if (!torch::GradMode::is_enabled()) return fn(x);
  return CheckpointFunction::apply(x, torch::TensorList(params), fn);
}

}  // namespace hrm
