#include "hrm/infer/quantized_linear.hpp"

#include <ATen/Parallel.h>

#include "hrm/quant/kernels.hpp"
#include "hrm/quant/quantize.hpp"
#include "hrm/util/error.hpp"

namespace hrm::infer {

namespace {

const uint16_t* fp16_data(const torch::Tensor& t) {
  return t.defined() ? reinterpret_cast<const uint16_t*>(t.data_ptr<at::Half>()) : nullptr;
}

// Output rows per parallel task: a few KiB of weights each.
constexpr int64_t kRowsPerTask = 16;

torch::Tensor stored(const TensorMap& tensors, const std::string& key, torch::ScalarType dtype,
                     std::vector<int64_t> shape, const std::string& source) {
  const auto it = tensors.find(key);
  HRM_CHECK(it != tensors.end(), source + ": quantized tensor '" + key + "' is missing",
            "the file is incomplete or was not written by `hrm quantize`; quantize the checkpoint again");
  const auto& t = it->second;
  HRM_CHECK(t.scalar_type() == dtype && t.sizes().vec() == shape,
            source + ": '" + key + "' is " + std::string(c10::toString(t.scalar_type())) + " " + c10::str(t.sizes()) +
                ", expected " + c10::toString(dtype) + " " + c10::str(c10::IntArrayRef(shape)),
            "the quantized file does not match config.yaml; quantize the checkpoint again");
  return t.contiguous();
}

}  // namespace

QuantizedWeight QuantizedWeight::quantize(const torch::Tensor& weight, quant::QuantType type, int64_t group,
                                          const torch::Tensor& importance) {
  HRM_CHECK(weight.dim() == 2, "quantize: expected a 2-D weight, got " + c10::str(weight.sizes()));
  QuantizedWeight w;
  w.type_ = type;
  w.group_ = group;
  w.rows_ = weight.size(0);
  w.cols_ = weight.size(1);
  quant::check_group(w.cols_, group, "quantize");
  const auto x = weight.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  torch::Tensor imp;
  if (importance.defined()) {
    imp = importance.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    HRM_CHECK(imp.numel() == w.cols_, "quantize: importance has " + std::to_string(imp.numel()) + " values for " +
                                          std::to_string(w.cols_) + " columns");
  }
  const auto qtype = type == quant::QuantType::kQ8 ? torch::kInt8 : torch::kUInt8;
  w.q_ = torch::empty({w.rows_, quant::row_bytes(type, w.cols_)}, qtype);
  w.scales_ = torch::empty({w.rows_, w.cols_ / group}, torch::kFloat16);
  if (type == quant::QuantType::kQ4) w.mins_ = torch::empty_like(w.scales_);
  // Rows are independent: split them across threads (the q4 search is ~20 passes over each group).
  at::parallel_for(0, w.rows_, 8, [&](int64_t r0, int64_t r1) {
    const int64_t groups = w.cols_ / group;
    quant::quantize_matrix(type, x.data_ptr<float>() + r0 * w.cols_, imp.defined() ? imp.data_ptr<float>() : nullptr,
                           r1 - r0, w.cols_, group, static_cast<uint8_t*>(w.q_.data_ptr()) + r0 * w.q_.size(1),
                           const_cast<uint16_t*>(fp16_data(w.scales_)) + r0 * groups,
                           w.mins_.defined() ? const_cast<uint16_t*>(fp16_data(w.mins_)) + r0 * groups : nullptr);
  });
  return w;
}

QuantizedWeight QuantizedWeight::from_tensors(const TensorMap& tensors, const std::string& name, quant::QuantType type,
                                              int64_t group, int64_t rows, int64_t cols, const std::string& source) {
  quant::check_group(cols, group, source + ": " + name);
  QuantizedWeight w;
  w.type_ = type;
  w.group_ = group;
  w.rows_ = rows;
  w.cols_ = cols;
  const bool q8 = type == quant::QuantType::kQ8;
  w.q_ = stored(tensors, name + ".q", q8 ? torch::kInt8 : torch::kUInt8, {rows, quant::row_bytes(type, cols)}, source);
  w.scales_ = stored(tensors, name + ".scales", torch::kFloat16, {rows, cols / group}, source);
  if (!q8) w.mins_ = stored(tensors, name + ".mins", torch::kFloat16, {rows, cols / group}, source);
  for (const auto& t : {w.scales_, w.mins_}) {
    if (!t.defined()) continue;
    const auto f = t.to(torch::kFloat32);
    HRM_CHECK(torch::isfinite(f).all().item<bool>() && (f >= 0).all().item<bool>(),
              source + ": '" + name + "' has negative or non-finite scales (a corrupt file)",
              "quantize the checkpoint again");
  }
  return w;
}

TensorMap QuantizedWeight::tensors(const std::string& name) const {
  TensorMap out{{name + ".q", q_}, {name + ".scales", scales_}};
  if (mins_.defined()) out[name + ".mins"] = mins_;
  return out;
}

quant::QuantMatrixView QuantizedWeight::view() const {
  return {type_, rows_, cols_, group_, q_.data_ptr(), fp16_data(scales_), fp16_data(mins_)};
}

torch::Tensor QuantizedWeight::dequantize() const {
  auto y = torch::empty({rows_, cols_}, torch::kFloat32);
  quant::dequantize_matrix(view(), y.data_ptr<float>());
  return y;
}

int64_t QuantizedWeight::bytes() const {
  return q_.nbytes() + scales_.nbytes() + (mins_.defined() ? mins_.nbytes() : 0);
}

torch::Tensor QuantizedWeight::forward(const torch::Tensor& x) const {
  HRM_CHECK(x.device().is_cpu() && x.size(-1) == cols_, "quantized linear: expected a CPU input with " +
                                                            std::to_string(cols_) + " features, got " +
                                                            c10::str(x.sizes()) + " on " + c10::str(x.device()));
  const int64_t rows = x.numel() / cols_;
  const auto xf = x.reshape({rows, cols_}).to(torch::kFloat32).contiguous();
  thread_local quant::QuantizedActivations activations;
  quant::quantize_activations(xf.data_ptr<float>(), rows, cols_, activations);
  auto y = torch::empty({rows, rows_}, torch::kFloat32);
  const auto w = view();
  float* out = y.data_ptr<float>();
  const auto& a = activations;  // the calling thread's buffer, read by every worker
  at::parallel_for(0, rows_, kRowsPerTask, [&](int64_t o0, int64_t o1) { quant::quantized_matmul(w, a, o0, o1, out); });
  auto shape = x.sizes().vec();
  shape.back() = rows_;
  return y.view(shape).to(x.scalar_type());
}

}  // namespace hrm::infer
