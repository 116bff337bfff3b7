// QuantizedBlocks — one [rows, cols] weight in a block format (hrm/quant/formats.hpp) held as CPU tensors,
// made by the quant module's reference quantizers (hrm/quant/quantize.hpp). `hrm quantize` stores these
// tensors (hrm/infer/quantized_checkpoint.hpp) and quantization-aware training computes with their
// dequantized values (CastedLinearImpl::set_fake_quant): one function makes both, so a QAT forward sees
// exactly the integers and scales the export writes.
#pragma once
#include <torch/torch.h>

#include "hrm/quant/formats.hpp"

namespace hrm {

struct QuantizedBlocks {
  quant::QuantType type = quant::QuantType::kQ8;
  int64_t group = quant::kBlock, rows = 0, cols = 0;
  torch::Tensor q;       // int8 [rows, cols] (q8) or uint8 nibbles [rows, cols / 2] (q4)
  torch::Tensor scales;  // fp16 [rows, cols / group]
  torch::Tensor mins;    // fp16 [rows, cols / group]; q4 only

  // weight: [rows, cols] on any device, any float dtype (read as fp32). importance: [cols] per-column
  // error weights for the q4 search, or undefined. Rows are split across LibTorch's threads (each row
  // is quantized on its own, so the result does not depend on the split). Throws hrm::Error when
  // `group` does not fit cols.
  static QuantizedBlocks quantize(const torch::Tensor& weight, quant::QuantType type, int64_t group,
                                  const torch::Tensor& importance = {});
  quant::QuantMatrixView view() const;
  torch::Tensor dequantize() const;  // fp32 [rows, cols] on the CPU
  int64_t bytes() const;             // of q, scales and mins
};

}  // namespace hrm
