// HRMInner — one ACT segment of the Hierarchical Reasoning Model: the H/L recurrence with input
// injection, gradient only through the last `bp_steps` module calls, LM logits from z_H and the
// Q (halt/continue) head. Mirrors HierarchicalReasoningModel_ACTV1_Inner of the reference.
#pragma once
#include <torch/torch.h>

#include <functional>

#include "hrm/model/config.hpp"
#include "hrm/model/layers.hpp"

namespace hrm {

inline constexpr int64_t kIgnoreLabel = -100;

// One batch of examples. inputs/labels: [B, S] int64 (labels kIgnoreLabel where no loss);
// puzzle_ids: [B] int64 (task ids for the per-task embedding; zeros when unused);
// prefix_lens: [B] int64 prompt lengths (prefix-LM attention; in causal mode the Q head reads the last
// prompt token when it is > 0); undefined for puzzles.
struct Batch {
  torch::Tensor inputs, labels, puzzle_ids, prefix_lens;
  int64_t size() const { return inputs.size(0); }
};

struct InnerCarry {
  torch::Tensor z_H, z_L;  // [B, S_total, hidden] in the forward dtype, no grad
};

// Where HRMInner::forward computes LM logits. The LM head is the widest matmul of a small-hidden model
// (vocab x hidden per position), yet the loss reads only labelled positions (SFT: the response) and
// the bootstrapped target-Q forward reads none.
enum class LogitPositions {
  kAll,       // [B, S, vocab]
  kLabelled,  // [N, vocab]: the N positions with labels != kIgnoreLabel, row-major; see InnerOutput
  kNone,      // no logits (only the carry and the Q head)
};

struct InnerOutput {
  InnerCarry carry;                  // detached new state
  torch::Tensor logits;              // per LogitPositions (puzzle-embedding slots removed)
  torch::Tensor logit_index;         // kLabelled: [N] int64 flat position b * S + s of each logits row
  torch::Tensor q_halt, q_continue;  // [B] fp32
};

class HRMInnerImpl : public torch::nn::Module {
 public:
  explicit HRMInnerImpl(const ModelConfig& config);

  InnerOutput forward(const InnerCarry& carry, const Batch& batch, LogitPositions logits = LogitPositions::kAll);
  // Scaled token (+ puzzle, + learned position) embeddings in the forward dtype: [B, S_total, hidden].
  torch::Tensor input_embeddings(const Batch& batch);
  AttentionContext attention_context(const Batch& batch);
  // Scaled embeddings of `tokens` [B, S] at absolute positions `positions` [B, S] (models without a
  // task embedding; the same formula as input_embeddings), for cached decoding.
  torch::Tensor token_embeddings(const torch::Tensor& tokens, const torch::Tensor& positions);
  // The state a segment-1 position starts from, given its input embeddings x: z_H = H_init (or x),
  // z_L = L_init, broadcast to x's shape. reset_carry uses it.
  InnerCarry start_state(const torch::Tensor& x);
  // One segment's schedule L^L_cycles H (repeated H_cycles times) with input injection; each module
  // call is made by `call(index, module, z, injection)`. forward() and cached decoding share it.
  using ModuleCallFn = std::function<torch::Tensor(int64_t call, ReasoningModuleImpl& module, const torch::Tensor& z,
                                                   const torch::Tensor& injection)>;
  InnerCarry run_schedule(const InnerCarry& carry, const torch::Tensor& x, const ModuleCallFn& call);
  // (q_halt, q_continue) in fp32 from the Q-head input rows z [..., hidden]; q_continue is a constant 0
  // for architectures with one halting logit (ModelConfig::has_q_continue), so halting is q_halt > q_continue.
  std::pair<torch::Tensor, torch::Tensor> q_values(const torch::Tensor& z);
  // Uninitialised carry of the right shape (every slot is reset on first use).
  InnerCarry empty_carry(int64_t batch_size);
  // Slots where `reset` is true start again from H_init/L_init (or the token embedding for z_H).
  InnerCarry reset_carry(const torch::Tensor& reset, const InnerCarry& carry, const Batch& batch);
  // Position of z_H that the Q head reads, per sequence: [B] int64 (bidirectional: 0; prefix-LM, and causal
  // with prompts: the last prompt token; causal without prompts: the last position).
  torch::Tensor q_positions(const Batch& batch) const;

  const ModelConfig& config() const { return config_; }
  // For bp_steps warmup schedules; must stay in [1, module_calls()].
  void set_bp_steps(int64_t bp_steps);
  torch::ScalarType dtype() const { return dtype_; }
  // Quantization-aware training (config().quantization): quantizes the current weights of every quantized
  // linear layer into its fake quantizer (CastedLinearImpl::set_fake_quant); forward() calls it first.
  void refresh_fake_quant();
  // The token embedding forward() read last, as quantized blocks; null unless the embedding is fake-quantized.
  const QuantizedBlocks* embed_fake_quant() const {
    return embed_fake_quant_.q.defined() ? &embed_fake_quant_ : nullptr;
  }
  // Names of buffers that are derived (RoPE tables), not part of a checkpoint.
  static bool is_derived_buffer(const std::string& name) { return name == "rope_cos" || name == "rope_sin"; }

  torch::Tensor embed, embed_pos, puzzle_emb, H_init, L_init, rope_cos, rope_sin;
  CastedLinear lm_head{nullptr}, q_head{nullptr};
  ReasoningModule H{nullptr}, L{nullptr};  // H: only for Architecture::kHRM

 private:
  torch::Tensor scale_embeddings(torch::Tensor emb, const torch::Tensor& position_emb);
  // `embed` in the forward dtype, fake-quantized under quantization-aware training.
  torch::Tensor embedding_table();

  ModelConfig config_;
  torch::ScalarType dtype_;
  double embed_scale_;
  QuantizedBlocks embed_fake_quant_;
};
TORCH_MODULE(HRMInner);

// Parameter count (trainable parameters only, as the reference reports).
int64_t count_parameters(torch::nn::Module& module);

}  // namespace hrm
