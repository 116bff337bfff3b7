#include "hrm/model/fake_quant.hpp"

#include "hrm/quant/formats.hpp"

namespace hrm {

torch::Tensor straight_through(const torch::Tensor& x, const torch::Tensor& value) {
  // x - x.detach() is exactly zero with x's gradient, and value + 0 is exactly value.
  if (!x.requires_grad() || !torch::GradMode::is_enabled()) return value.detach();
  return value.detach() + (x - x.detach());
}

torch::Tensor fake_quantize_activations(const torch::Tensor& x) {
  TORCH_CHECK(x.size(-1) % quant::kBlock == 0, "fake_quantize_activations: ", x.size(-1),
              " features are not a multiple of ", quant::kBlock);
  torch::Tensor value;
  {
    torch::NoGradGuard no_grad;
    const auto blocks = x.detach().to(torch::kFloat32).reshape({-1, quant::kBlock});
    const auto amax = blocks.abs().amax(-1, /*keepdim=*/true);
    const auto d = amax / 127.0f;
    const auto inverse = torch::where(amax > 0, 127.0f / amax, torch::zeros_like(amax));
    // torch::round rounds half to even, as std::nearbyint in the default rounding mode.
    const auto q = (blocks * inverse).round().clamp(-127, 127);
    value = (q * d).view(x.sizes()).to(x.scalar_type());
  }
  return straight_through(x, value);
}

}  // namespace hrm
