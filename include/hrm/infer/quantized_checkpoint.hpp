// Quantized checkpoints: `hrm quantize` writes one, TextModel (hrm-generate, hrm-eval's hrm: backend)
// loads it. The directory is a checkpoint (checkpoint.hpp: model.safetensors, config.yaml,
// train_state.json, tokenizer.model) whose model.safetensors stores each quantized weight W as
// "W.q", "W.scales" (and "W.mins" for q4) in the block formats of hrm/quant/formats.hpp, next to the
// float tensors left as they were, and lists them in the safetensors metadata key "hrm_quantization":
//   {"version": 1, "tensors": {"H.layers.0.qkv.weight": {"type": "q4", "group": 32, "shape": [1536, 512]}, ...}}
// docs/inference.md documents the format.
#pragma once
#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>

#include "hrm/infer/quantized_linear.hpp"
#include "hrm/model/hrm.hpp"
#include "hrm/quant/formats.hpp"

namespace hrm::infer {

inline constexpr int kQuantizedFormatVersion = 1;
inline constexpr const char* kQuantizationMetadataKey = "hrm_quantization";

struct QuantizeOptions {
  quant::QuantType type = quant::QuantType::kQ4;  // every linear weight of the H and L modules
  int64_t group_size = 32;
  std::optional<quant::QuantType> embed_type = quant::QuantType::kQ8;  // token embedding; nullopt keeps float
  std::optional<quant::QuantType> head_type = quant::QuantType::kQ8;   // LM head; nullopt keeps float
  // Per weight name, [in] error weights (mean squared input activation per column, calibration.hpp).
  std::map<std::string, torch::Tensor> importance;
  int64_t calibration_prompts = 0;  // recorded in train_state.json
};

struct QuantizeSummary {
  int64_t quantized_tensors = 0, source_bytes = 0, output_bytes = 0;
  double max_relative_error = 0;  // over quantized tensors: ||W - deq(W)|| / ||W||
  std::string worst_tensor;
};

// The type a weight gets under `options` (nullopt: stays float).
std::optional<quant::QuantType> quantized_type(const std::string& name, const QuantizeOptions& options);

// Quantizes `model`'s weights as quantize_checkpoint does, in memory (summary: optional).
std::map<std::string, QuantizedWeight> quantize_weights(HRMInnerImpl& model, const QuantizeOptions& options,
                                                        QuantizeSummary* summary = nullptr);
// Writes the dequantized values of `weights` into `model` (what a quantized checkpoint loads as).
void load_dequantized(HRMInnerImpl& model, const std::map<std::string, QuantizedWeight>& weights);

// Reads the float checkpoint `source_dir` and writes the quantized one to `out_dir` (atomically, as
// save_checkpoint). Throws hrm::Error for a source that is already quantized or group sizes that do not fit.
QuantizeSummary quantize_checkpoint(const std::string& source_dir, const std::string& out_dir,
                                    const QuantizeOptions& options);

// Loads `dir`'s weights into `model` (built from the checkpoint's config): a float checkpoint as
// load_checkpoint does, a quantized one dequantized (the ATen path's weights). Returns the quantized
// weights by name, empty for a float checkpoint. Mismatched or corrupt files are errors naming the tensor.
std::map<std::string, QuantizedWeight> load_checkpoint_weights(const std::string& dir, HRMInnerImpl& model);

}  // namespace hrm::infer
