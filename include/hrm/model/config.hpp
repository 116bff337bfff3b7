// ModelConfig — every architectural choice of an HRM, read from YAML (configs/arch/*.yaml).
// Defaults reproduce the published HRM (sapientinc/HRM, hrm_act_v1); the HRM-Text causal-LM
// lessons are options, not forks of the code.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hrm/quant/formats.hpp"
#include "hrm/util/config_reader.hpp"

namespace hrm {

enum class AttentionMode { kBidirectional, kCausal, kPrefixLM };
enum class NormStyle { kPost, kPre };        // kPre: pre-norm blocks + weightless norm at module exit (HRM-Text)
enum class ZHInit { kLearned, kEmbedding };  // kEmbedding: z_H starts from the token embedding (HRM-Text)
enum class LossType { kStablemax, kSoftmax };
enum class PosEncoding { kRope, kLearned };
// The recurrence around the transformer blocks (docs/model.md "Architectures"): the published HRM, or
// one of the ablations its critiques compare it with.
enum class Architecture {
  kHRM,          // H and L modules: H_cycles x (L_cycles L calls + 1 H call) per segment
  kLOnly,        // the L module alone: L_cycles calls z_L <- L(z_L + x) per segment
  kTransformer,  // one pass through L_layers blocks, one segment (no recurrence, no ACT)
  kTRM,          // Tiny Recursive Model: the L module plays both roles, H_cycles (T) rounds of
                 // L_cycles (n) z updates and one y update; the last round carries gradient; one halt logit
};

// Which weights are stored in a block format (hrm/quant/formats.hpp), and in which: the options of
// `hrm quantize` and of quantization-aware training share it, so both quantize the same tensors.
struct WeightQuantization {
  quant::QuantType type = quant::QuantType::kQ4;                       // every linear weight of the H and L modules
  int64_t group_size = 32;                                             // values per scale
  std::optional<quant::QuantType> embed_type = quant::QuantType::kQ8;  // token embedding; nullopt keeps float
  std::optional<quant::QuantType> head_type = quant::QuantType::kQ8;   // LM head; nullopt keeps float
  // The type of the checkpoint tensor `name` ("H.layers.0.qkv.weight", "embed", ...); nullopt: stays float.
  std::optional<quant::QuantType> type_of(const std::string& name) const;
};

// model.quantization: quantization-aware training (docs/training.md). The training forward computes with
// the weights exactly as `hrm quantize` would store them (straight-through gradient), and optionally with
// int8 activations as the quantized kernels quantize them. A training setting, not architecture: diff()
// ignores it, so a QAT run starts from a float checkpoint and its checkpoints load anywhere.
struct QuantizationConfig {
  bool enabled = false;  // the block is present
  WeightQuantization weights;
  bool int8_activations = false;  // activations: int8 | none
};

struct ModelConfig {
  Architecture architecture = Architecture::kHRM;
  int64_t vocab_size = 0;  // required
  int64_t seq_len = 0;     // required: tokens per sequence (without puzzle-embedding slots)
  int64_t hidden_size = 512;
  int64_t num_heads = 8;
  double expansion = 4.0;  // SwiGLU inner size = round(expansion*hidden*2/3) rounded up to 256
  int64_t H_layers = 4;
  int64_t L_layers = 4;
  int64_t H_cycles = 2;
  int64_t L_cycles = 2;
  double rope_theta = 10000.0;
  double rms_norm_eps = 1e-5;
  PosEncoding pos_encodings = PosEncoding::kRope;
  AttentionMode attention = AttentionMode::kBidirectional;
  NormStyle norm = NormStyle::kPost;
  ZHInit z_H_init = ZHInit::kLearned;
  // Module calls (of H_cycles*(L_cycles+1) per segment) that carry gradient, counted from the end.
  // 2 = the published 1-step gradient (final L and final H update).
  int64_t bp_steps = 2;
  int64_t halt_max_steps = 16;
  double halt_exploration_prob = 0.1;
  int64_t puzzle_emb_ndim = 0;  // 0 disables the per-task embedding
  int64_t num_puzzle_identifiers = 1;
  LossType loss = LossType::kStablemax;
  std::string forward_dtype = "bfloat16";  // float32 | bfloat16; master weights stay fp32
  // Memory for compute: the transformer blocks of the gradient-carrying module calls keep only their
  // input for backward and are run again there (hrm/model/activation_checkpoint.hpp). Same loss and
  // gradients; not part of the architecture (diff() ignores it, checkpoints load either way).
  bool activation_checkpointing = false;
  QuantizationConfig quantization;

  // Derived quantities.
  int64_t head_dim() const { return hidden_size / num_heads; }
  int64_t mlp_inner() const;
  int64_t puzzle_emb_len() const { return (puzzle_emb_ndim + hidden_size - 1) / hidden_size; }
  int64_t total_seq_len() const { return seq_len + puzzle_emb_len(); }
  // Module calls per segment and the blocks of call `call` (the KV cache holds one slot per block call).
  int64_t module_calls() const;
  int64_t call_layers(int64_t call) const;
  // Whether the architecture reads `key` (unused keys are rejected when present and left out of to_yaml).
  bool uses_key(const std::string& key) const;
  // HRM's Q head has a continue logit trained toward a bootstrapped target; TRM halts on q_halt > 0 alone.
  bool has_q_continue() const { return architecture != Architecture::kTRM; }

  // Reads `r` (a mapping) into a config; rejects unknown keys and impossible values.
  static ModelConfig from_reader(ConfigReader& r);
  static ModelConfig from_file(const std::string& path);
  std::string to_yaml() const;
  // (key, value) of every key the architecture uses, in to_yaml order.
  std::vector<std::pair<std::string, std::string>> entries() const;
  // Names of keys whose values differ, e.g. "hidden_size (512 vs 256)"; empty when equal. Compares the
  // architecture: activation_checkpointing and quantization are left out.
  std::string diff(const ModelConfig& other) const;
};

const char* to_string(AttentionMode m);
const char* to_string(Architecture a);

}  // namespace hrm
