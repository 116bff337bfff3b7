#include "hrm/model/quantized_blocks.hpp"

#include <ATen/Parallel.h>

#include "hrm/quant/quantize.hpp"
#include "hrm/util/error.hpp"

namespace hrm {

namespace {

uint16_t* fp16_data(const torch::Tensor& t) {
  return t.defined() ? reinterpret_cast<uint16_t*>(t.data_ptr<at::Half>()) : nullptr;
}

}  // namespace

QuantizedBlocks QuantizedBlocks::quantize(const torch::Tensor& weight, quant::QuantType type, int64_t group,
                                          const torch::Tensor& importance) {
  HRM_CHECK(weight.dim() == 2, "quantize: expected a 2-D weight, got " + c10::str(weight.sizes()));
  QuantizedBlocks b;
  b.type = type;
  b.group = group;
  b.rows = weight.size(0);
  b.cols = weight.size(1);
  quant::check_group(b.cols, group, "quantize");
  const auto x = weight.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  torch::Tensor imp;
  if (importance.defined()) {
    imp = importance.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    HRM_CHECK(imp.numel() == b.cols, "quantize: importance has " + std::to_string(imp.numel()) + " values for " +
                                         std::to_string(b.cols) + " columns");
  }
  const auto qtype = type == quant::QuantType::kQ8 ? torch::kInt8 : torch::kUInt8;
  b.q = torch::empty({b.rows, quant::row_bytes(type, b.cols)}, qtype);
  b.scales = torch::empty({b.rows, b.cols / group}, torch::kFloat16);
  if (type == quant::QuantType::kQ4) b.mins = torch::empty_like(b.scales);
  // Rows are independent: split them across threads (the q4 search is ~20 passes over each group).
  const int64_t groups = b.cols / group;
  at::parallel_for(0, b.rows, 8, [&](int64_t r0, int64_t r1) {
    quant::quantize_matrix(type, x.data_ptr<float>() + r0 * b.cols, imp.defined() ? imp.data_ptr<float>() : nullptr,
                           r1 - r0, b.cols, group, static_cast<uint8_t*>(b.q.data_ptr()) + r0 * b.q.size(1),
                           fp16_data(b.scales) + r0 * groups,
                           b.mins.defined() ? fp16_data(b.mins) + r0 * groups : nullptr);
  });
  return b;
}

quant::QuantMatrixView QuantizedBlocks::view() const {
  return {type, rows, cols, group, q.data_ptr(), fp16_data(scales), fp16_data(mins)};
}

torch::Tensor QuantizedBlocks::dequantize() const {
  auto y = torch::empty({rows, cols}, torch::kFloat32);
  quant::dequantize_matrix(view(), y.data_ptr<float>());
  return y;
}

int64_t QuantizedBlocks::bytes() const { return q.nbytes() + scales.nbytes() + (mins.defined() ? mins.nbytes() : 0); }

}  // namespace hrm
