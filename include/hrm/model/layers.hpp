// The transformer pieces an HRM module is made of: casted linear, weightless RMSNorm, RoPE,
// attention (bidirectional / causal / prefix-LM), SwiGLU, the block and the reasoning module.
// Parameter names match ../shared/baselines/hrm_torch.py ("H.layers.0.qkv.weight", ...).
#pragma once
#include <torch/torch.h>

#include <functional>

#include "hrm/model/config.hpp"
#include "hrm/model/quantized_blocks.hpp"

namespace hrm {

// Weightless RMSNorm computed in fp32, result cast back to x's dtype.
torch::Tensor rms_norm(const torch::Tensor& x, double eps);
// rms_norm(x + y): the post-norm residual (the fused CUDA kernel's reference).
torch::Tensor residual_rms_norm(const torch::Tensor& x, const torch::Tensor& y, double eps);

// Per-forward attention inputs shared by every block: RoPE tables and the mask.
struct AttentionContext {
  torch::Tensor cos, sin;  // [S, head_dim] fp32
  bool is_causal = false;  // plain causal mask (no explicit mask tensor)
  torch::Tensor mask;      // optional bool [B, 1, S, S], true = may attend (prefix-LM)
};

// Rotates q/k ([B, S, H, D]) by the RoPE tables in fp32, returns x's dtype.
torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);
// The [S, head_dim] cos/sin tables for positions 0..S-1.
std::pair<torch::Tensor, torch::Tensor> rope_tables(int64_t seq_len, int64_t head_dim, double theta);

// A replacement for the matmul of CastedLinear::forward (layers without bias): x W^T, or an undefined
// tensor to fall back to linear(). Inference copies of a model install a few-row GEMV kernel
// (hrm/infer/gemv.hpp); training never sets one.
using LinearKernel = torch::Tensor (*)(const torch::Tensor& x, const torch::Tensor& weight);
// The whole forward of one layer, replacing x W^T when set: quantized inference copies run their block-format
// weights through it (hrm/infer/quantized_linear.hpp), and calibration records input statistics with it.
using LinearOverride = std::function<torch::Tensor(const torch::Tensor& x)>;

// y = x W^T (+ b), with W cast to x's dtype (fp32 master weights, bf16 compute).
class CastedLinearImpl : public torch::nn::Module {
 public:
  CastedLinearImpl(int64_t in_features, int64_t out_features, bool bias);
  torch::Tensor forward(const torch::Tensor& x);
  void set_kernel(LinearKernel kernel) { kernel_ = kernel; }
  // forward(x) = fn(x) (no bias added, `weight` not read) until cleared with nullptr.
  void set_override(LinearOverride fn) { override_ = std::move(fn); }
  bool has_override() const { return static_cast<bool>(override_); }
  // A copy of `weight` already cast to a compute dtype (no autograd history), used by forward() instead of
  // casting again when grad mode is off and x has that dtype; an undefined tensor clears it. The caller owns
  // its lifetime: HRMInner::forward sets it for one forward's no-grad module calls and clears it after, so
  // a cached copy never outlives an optimizer step. Grad-mode calls always cast `weight` (gradients unchanged).
  void set_cast_weight(torch::Tensor cast_weight) { cast_weight_ = std::move(cast_weight); }
  // Quantization-aware training: forward() computes with `blocks` dequantized in place of `weight` (the
  // gradient passes straight through to `weight`), and with int8_activations rounds its input as the
  // quantized kernels do. HRMInner::forward sets it from the current weights before every forward; it is
  // kept until the next one because activation checkpointing runs the blocks again during backward.
  void set_fake_quant(QuantizedBlocks blocks, bool int8_activations);
  const QuantizedBlocks* fake_quant() const { return fake_quant_value_.defined() ? &fake_quant_blocks_ : nullptr; }
  // The weight forward() multiplies with (fp32): `weight`, or its fake-quantized values.
  torch::Tensor effective_weight() const;
  torch::Tensor weight, bias;

 private:
  LinearKernel kernel_ = nullptr;
  LinearOverride override_;
  torch::Tensor cast_weight_;
  QuantizedBlocks fake_quant_blocks_;
  torch::Tensor fake_quant_value_;  // fake_quant_blocks_ dequantized, on weight's device
  bool int8_activations_ = false;
};
TORCH_MODULE(CastedLinear);

// The attention sub-layer as a function of the block's (normed) input: forward() uses attention(),
// cached decoding (hrm/infer) attends over its key/value cache instead.
using AttentionFn = std::function<torch::Tensor(const torch::Tensor& x)>;

// q, k, v of one attention call, [B, heads, S, head_dim], q and k rotated by RoPE.
struct AttentionHeads {
  torch::Tensor q, k, v;
};

class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x, const AttentionContext& ctx);
  // The residuals and norms of forward() around a caller-supplied attention.
  torch::Tensor forward_with(const torch::Tensor& x, const AttentionFn& attend);
  torch::Tensor attention(const torch::Tensor& x, const AttentionContext& ctx);
  // The pieces of attention(): projection + RoPE (cos/sin [S, D], or [B, S, D] for per-row
  // positions), and the output projection of the attended heads [B, heads, S, head_dim].
  AttentionHeads project_heads(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);
  torch::Tensor merge_heads(const torch::Tensor& heads);
  torch::Tensor mlp(const torch::Tensor& x);

  CastedLinear qkv{nullptr}, o{nullptr}, gate_up{nullptr}, down{nullptr};

 private:
  int64_t heads_, head_dim_;
  double eps_;
  NormStyle norm_;
};
TORCH_MODULE(Block);

// z <- layers(z + injection); pre-norm modules end with a weightless norm (HRM-Text's MagicNorm).
class ReasoningModuleImpl : public torch::nn::Module {
 public:
  ReasoningModuleImpl(const ModelConfig& config, int64_t num_layers);
  // With `checkpoint` (and grad mode on) each block keeps only its input for backward and is run
  // again there (activation checkpointing); the result and the gradients are the same.
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& injection, const AttentionContext& ctx,
                        bool checkpoint = false);
  // forward() with each layer's attention supplied by `attend(layer_index, block, x)`.
  using LayerAttentionFn = std::function<torch::Tensor(int64_t layer, BlockImpl& block, const torch::Tensor& x)>;
  torch::Tensor forward_with(const torch::Tensor& z, const torch::Tensor& injection, const LayerAttentionFn& attend);
  torch::nn::ModuleList layers;

 private:
  double eps_;
  NormStyle norm_;
};
TORCH_MODULE(ReasoningModule);

}  // namespace hrm
