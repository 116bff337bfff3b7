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
#include "hrm/util/progress.hpp"

namespace hrm::infer {

inline constexpr int kQuantizedFormatVersion = 1;
inline constexpr const char* kQuantizationMetadataKey = "hrm_quantization";

// Which tensors and to what (WeightQuantization: q4 layers, q8 embedding and head by default), and how.
struct QuantizeOptions : WeightQuantization {
  // Per weight name, [in] error weights (mean squared input activation per column, calibration.hpp).
  std::map<std::string, torch::Tensor> importance;
  int64_t calibration_prompts = 0;                // recorded in train_state.json
  ProgressMode progress = ProgressMode::kSilent;  // hrm quantize: kAuto (the k-quant search takes a while)
};

struct QuantizeSummary {
  int64_t quantized_tensors = 0, source_bytes = 0, output_bytes = 0;
  double max_relative_error = 0;  // over quantized tensors: ||W - deq(W)|| / ||W||
  std::string worst_tensor;
};

// The defaults for quantizing `checkpoint_dir`: its model.quantization block when it was trained with
// quantization-aware training (so the export writes the integers its training forward computed with),
// else WeightQuantization's defaults.
QuantizeOptions default_quantize_options(const std::string& checkpoint_dir);

// Quantizes `model`'s weights as quantize_checkpoint does, in memory (summary: optional).
std::map<std::string, QuantizedWeight> quantize_weights(HRMInnerImpl& model, const QuantizeOptions& options,
                                                        QuantizeSummary* summary = nullptr);
// Writes the dequantized values of `weights` into `model` (what a quantized checkpoint loads as).
void load_dequantized(HRMInnerImpl& model, const std::map<std::string, QuantizedWeight>& weights);

// Reads the float checkpoint `source_dir` and writes the quantized one to `out_dir` (atomically, as
// save_checkpoint). Throws hrm::Error for a source that is already quantized or group sizes that do not fit.
QuantizeSummary quantize_checkpoint(const std::string& source_dir, const std::string& out_dir,
                                    const QuantizeOptions& options);

// What load_checkpoint_weights does with the quantized weights of linear layers: writes their dequantized
// values into the model (the ATen path, any device), or frees the model's float tensor (size 0) for a
// caller that runs the blocks through the CPU kernels (TextModel: Decoder copies a freed layer as freed),
// so that loading never holds a float copy of those layers next to the model.
enum class QuantizedLinears { kDequantize, kFree };

// Loads `dir`'s weights into `model` (built from the checkpoint's config): a float checkpoint as
// load_checkpoint does, a quantized one as `linears` says (the embedding is always dequantized: a lookup
// reads float rows). Returns the quantized weights by name, empty for a float checkpoint. Mismatched or
// corrupt files are errors naming the tensor.
std::map<std::string, QuantizedWeight> load_checkpoint_weights(
    const std::string& dir, HRMInnerImpl& model, QuantizedLinears linears = QuantizedLinears::kDequantize);

}  // namespace hrm::infer
