// QuantizedWeight — one linear layer's weight in a block format (hrm/quant/formats.hpp) held as CPU
// tensors, with y = x W^T through the quantized CPU kernels (hrm/quant/kernels.hpp: activations quantized
// per row of 32 to int8, the fastest path this CPU has) and a dequantized fp32 copy for the ATen path
// (other devices). Decoder::use_quantized installs forward() on the inference copy's layers.
#pragma once
#include <torch/torch.h>

#include <string>

#include "hrm/model/quantized_blocks.hpp"
#include "hrm/model/safetensors.hpp"
#include "hrm/quant/formats.hpp"

namespace hrm::infer {

class QuantizedWeight {
 public:
  QuantizedWeight() = default;
  // weight: [rows, cols] (any float dtype, read as fp32). importance: [cols] fp32 per-input-column error
  // weights (q4 only; undefined = none). Throws hrm::Error when group does not fit cols.
  static QuantizedWeight quantize(const torch::Tensor& weight, quant::QuantType type, int64_t group,
                                  const torch::Tensor& importance = {});
  // From the stored tensors of `name` (tensor_names()): dtypes, shapes against [rows, cols] and finite
  // scales are checked, errors name `source` and the tensor.
  static QuantizedWeight from_tensors(const TensorMap& tensors, const std::string& name, quant::QuantType type,
                                      int64_t group, int64_t rows, int64_t cols, const std::string& source);

  // "<name>.q" (int8 [rows, cols] or uint8 [rows, cols/2]), "<name>.scales" and, q4, "<name>.mins" (fp16).
  TensorMap tensors(const std::string& name) const;
  quant::QuantMatrixView view() const;
  torch::Tensor dequantize() const;  // fp32 [rows, cols]
  // x: [..., cols] fp32 or bf16 on the CPU; returns [..., rows] in x's dtype.
  torch::Tensor forward(const torch::Tensor& x) const;

  quant::QuantType type() const { return blocks_.type; }
  int64_t group() const { return blocks_.group; }
  int64_t rows() const { return blocks_.rows; }
  int64_t cols() const { return blocks_.cols; }
  int64_t bytes() const { return blocks_.bytes(); }  // of the stored arrays
  const QuantizedBlocks& blocks() const { return blocks_; }

 private:
  QuantizedBlocks blocks_;
};

}  // namespace hrm::infer
