#include "hrm/model/layers.hpp"

#include "hrm/model/activation_checkpoint.hpp"
#include "hrm/model/cpu_fused_ops.hpp"
#include "hrm/model/fake_quant.hpp"
#include "hrm/model/init.hpp"
#include "hrm/model/torch_compat.hpp"

namespace hrm {

namespace {
// The ATen compositions below are the reference: CUDA tensors, non-contiguous ones, other dtypes and
// CPUs without AVX2/FMA use them; contiguous fp32/bf16 CPU tensors take the fused one-pass loops of
// hrm::cpu_fused (src/model/cpu_fused_ops.cpp), tested against these in tests/model/cpu_fused_ops_test.cpp.
torch::Tensor rms_norm_reference(const torch::Tensor& x, double eps) {
  const auto xf = x.to(torch::kFloat32);
  return (xf * torch::rsqrt(xf.square().mean(-1, /*keepdim=*/true) + eps)).to(x.scalar_type());
}

// silu(gate) * up with gate, up = gate_up.chunk(2, -1): the reference for hrm::cpu_fused::swiglu.
torch::Tensor swiglu_reference(const torch::Tensor& gate_up) {
  const auto gu = gate_up.chunk(2, -1);
  return torch::silu(gu[0]) * gu[1];
}
}  // namespace

torch::Tensor rms_norm(const torch::Tensor& x, double eps) {
  if (cpu_fused::supported(x)) return cpu_fused::rms_norm(x, eps);
  return rms_norm_reference(x, eps);
}

torch::Tensor residual_rms_norm(const torch::Tensor& x, const torch::Tensor& y, double eps) {
  if (cpu_fused::supported(x) && cpu_fused::supported(y) && x.sizes() == y.sizes() &&
      x.scalar_type() == y.scalar_type()) {
    return cpu_fused::residual_rms_norm(x, y, eps);
  }
  return rms_norm_reference(x + y, eps);  // the reference
}

std::pair<torch::Tensor, torch::Tensor> rope_tables(int64_t seq_len, int64_t head_dim, double theta) {
  const auto inv_freq =
      1.0 / torch::pow(theta, torch::arange(0, head_dim, 2, torch::kFloat32) / static_cast<double>(head_dim));
  const auto freqs = torch::outer(torch::arange(seq_len, torch::kFloat32), inv_freq);
  const auto emb = torch::cat({freqs, freqs}, -1);
  return {emb.cos(), emb.sin()};
}

namespace {
torch::Tensor rotate_half(const torch::Tensor& x) {
  const auto half = x.size(-1) / 2;
  return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}
}  // namespace

torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  // The fp32 copy comes first (rotate_half on it) so that the backward, too, is computed in fp32 and rounded
  // once: the fused CUDA kernels (kernels/rope.cuh) are specified against exactly this. hrm_torch.py rotates
  // in bf16 and promotes inside the multiply: same forward values, a backward differing by bf16 rounding.
  const auto xf = x.to(torch::kFloat32);
  const auto c = cos.unsqueeze(-2), s = sin.unsqueeze(-2);  // [S, 1, D] broadcasts over heads
  return (xf * c + rotate_half(xf) * s).to(x.scalar_type());
}

CastedLinearImpl::CastedLinearImpl(int64_t in_features, int64_t out_features, bool with_bias) {
  weight = register_parameter("weight", torch::empty({out_features, in_features}));
  trunc_normal_(weight, 1.0 / std::sqrt(static_cast<double>(in_features)));
  if (with_bias) bias = register_parameter("bias", torch::zeros({out_features}));
}

void CastedLinearImpl::set_fake_quant(QuantizedBlocks blocks, bool int8_activations) {
  fake_quant_value_ = blocks.dequantize().to(weight.device());
  fake_quant_blocks_ = std::move(blocks);
  int8_activations_ = int8_activations;
}

torch::Tensor CastedLinearImpl::effective_weight() const {
  return fake_quant_value_.defined() ? straight_through(weight, fake_quant_value_) : weight;
}

torch::Tensor CastedLinearImpl::forward(const torch::Tensor& input) {
  if (override_) return override_(input);
  const auto x = int8_activations_ ? fake_quantize_activations(input) : input;
  const bool cached =
      cast_weight_.defined() && cast_weight_.scalar_type() == x.scalar_type() && !torch::GradMode::is_enabled();
  const auto w = cached ? cast_weight_ : effective_weight().to(x.scalar_type());
  if (kernel_ != nullptr && !bias.defined()) {
    auto y = kernel_(x, w);
    if (y.defined()) return y;
  }
  return bias.defined() ? torch::nn::functional::linear(x, w, bias.to(x.scalar_type()))
                        : torch::nn::functional::linear(x, w);
}

BlockImpl::BlockImpl(const ModelConfig& c)
    : heads_(c.num_heads), head_dim_(c.head_dim()), eps_(c.rms_norm_eps), norm_(c.norm) {
  qkv = register_module("qkv", CastedLinear(c.hidden_size, 3 * c.hidden_size, false));
  o = register_module("o", CastedLinear(c.hidden_size, c.hidden_size, false));
  gate_up = register_module("gate_up", CastedLinear(c.hidden_size, 2 * c.mlp_inner(), false));
  down = register_module("down", CastedLinear(c.mlp_inner(), c.hidden_size, false));
}

AttentionHeads BlockImpl::project_heads(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const auto b = x.size(0), s = x.size(1);
  const auto parts = qkv(x).view({b, s, 3, heads_, head_dim_}).unbind(2);
  if (cpu_fused::rope_supported(parts[0], cos, sin)) {
    return {cpu_fused::rope_heads(parts[0], cos, sin), cpu_fused::rope_heads(parts[1], cos, sin),
            parts[2].transpose(1, 2)};
  }
  return {apply_rope(parts[0], cos, sin).transpose(1, 2), apply_rope(parts[1], cos, sin).transpose(1, 2),
          parts[2].transpose(1, 2)};
}

torch::Tensor BlockImpl::merge_heads(const torch::Tensor& heads) {
  return o(heads.transpose(1, 2).reshape({heads.size(0), heads.size(2), -1}));
}

torch::Tensor BlockImpl::attention(const torch::Tensor& x, const AttentionContext& ctx) {
  const auto s = x.size(1);
  const auto h = project_heads(x, ctx.cos.narrow(0, 0, s), ctx.sin.narrow(0, 0, s));
  c10::optional<torch::Tensor> mask;
  if (ctx.mask.defined()) mask = ctx.mask;
  return merge_heads(compat::attention(h.q, h.k, h.v, mask, ctx.is_causal));
}

torch::Tensor BlockImpl::mlp(const torch::Tensor& x) {
  const auto gu = gate_up(x);
  if (cpu_fused::supported(gu) && gu.size(-1) % 2 == 0) return down(cpu_fused::swiglu(gu));
  return down(swiglu_reference(gu));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, const AttentionContext& ctx) {
  return forward_with(x, [&](const torch::Tensor& h) { return attention(h, ctx); });
}

torch::Tensor BlockImpl::forward_with(const torch::Tensor& x, const AttentionFn& attend) {
  if (norm_ == NormStyle::kPost) {
    const auto h = residual_rms_norm(x, attend(x), eps_);
    return residual_rms_norm(h, mlp(h), eps_);
  }
  const auto h = x + attend(rms_norm(x, eps_));
  return h + mlp(rms_norm(h, eps_));
}

ReasoningModuleImpl::ReasoningModuleImpl(const ModelConfig& c, int64_t num_layers)
    : eps_(c.rms_norm_eps), norm_(c.norm) {
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < num_layers; ++i) layers->push_back(Block(c));
}

torch::Tensor ReasoningModuleImpl::forward(const torch::Tensor& z, const torch::Tensor& injection,
                                           const AttentionContext& ctx, bool checkpoint) {
  if (checkpoint && torch::GradMode::is_enabled()) {
    // Per block, not per module: backward then holds one block's activations at a time, plus the
    // blocks' inputs ([B, S, hidden] each).
    auto h = z + injection;
    for (size_t i = 0; i < layers->size(); ++i) {
      auto block = layers->ptr<BlockImpl>(i);
      h = activation_checkpoint([block, ctx](const torch::Tensor& x) { return block->forward(x, ctx); }, h,
                                block->parameters());
    }
    return norm_ == NormStyle::kPre ? rms_norm(h, eps_) : h;
  }
  return forward_with(z, injection,
                      [&](int64_t, BlockImpl& block, const torch::Tensor& x) { return block.attention(x, ctx); });
}

torch::Tensor ReasoningModuleImpl::forward_with(const torch::Tensor& z, const torch::Tensor& injection,
                                                const LayerAttentionFn& attend) {
  auto h = z + injection;
  int64_t index = 0;
  for (const auto& layer : *layers) {
    auto& block = *layer->as<Block>();
    h = block.forward_with(h, [&](const torch::Tensor& x) { return attend(index, block, x); });
    ++index;
  }
  return norm_ == NormStyle::kPre ? rms_norm(h, eps_) : h;
}

}  // namespace hrm
