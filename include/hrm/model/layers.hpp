// The transformer pieces an HRM module is made of: casted linear, weightless RMSNorm, RoPE,
// attention (bidirectional / causal / prefix-LM), SwiGLU, the block and the reasoning module.
// Parameter names match ../shared/baselines/hrm_torch.py ("H.layers.0.qkv.weight", ...).
#pragma once
#include <torch/torch.h>

#include "hrm/model/config.hpp"

namespace hrm {

// Weightless RMSNorm computed in fp32, result cast back to x's dtype.
torch::Tensor rms_norm(const torch::Tensor& x, double eps);
// rms_norm(x + y): the post-norm residual (the fused CUDA kernel's reference).
torch::Tensor residual_rms_norm(const torch::Tensor& x, const torch::Tensor& y, double eps);

// Per-forward attention inputs shared by every block: RoPE tables and the mask.
struct AttentionContext {
  torch::Tensor cos, sin;   // [S, head_dim] fp32
  bool is_causal = false;   // plain causal mask (no explicit mask tensor)
  torch::Tensor mask;       // optional bool [B, 1, S, S], true = may attend (prefix-LM)
};

// Rotates q/k ([B, S, H, D]) by the RoPE tables in fp32, returns x's dtype.
torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);
// The [S, head_dim] cos/sin tables for positions 0..S-1.
std::pair<torch::Tensor, torch::Tensor> rope_tables(int64_t seq_len, int64_t head_dim, double theta);

// y = x W^T (+ b), with W cast to x's dtype (fp32 master weights, bf16 compute).
class CastedLinearImpl : public torch::nn::Module {
 public:
  CastedLinearImpl(int64_t in_features, int64_t out_features, bool bias);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
};
TORCH_MODULE(CastedLinear);

class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x, const AttentionContext& ctx);
  torch::Tensor attention(const torch::Tensor& x, const AttentionContext& ctx);
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
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& injection, const AttentionContext& ctx);
  torch::nn::ModuleList layers;

 private:
  double eps_;
  NormStyle norm_;
};
TORCH_MODULE(ReasoningModule);

}  // namespace hrm
