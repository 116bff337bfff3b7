#include "hrm/infer/quantized_linear.hpp"

#include <ATen/Parallel.h>

#include "hrm/quant/kernels.hpp"
#include "hrm/util/error.hpp"

namespace hrm::infer {

namespace {

// Output rows per parallel task: a few KiB of weights each.
constexpr int64_t kRowsPerTask = 16;

// From this many input rows on (a prefill), the layer is dequantized to fp32 for one GEMM instead: the
// integer kernels do the same ~15-25 G multiply-adds/s at any row count, a BLAS GEMM several times that
// once the rows amortize the dequantization (~1 ms for a 1536 x 512 q4 layer). docs/benchmarks.md,
// "Quantization", the ninth session's "Prefill".
constexpr int64_t kGemmRows = 64;

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
  QuantizedWeight w;
  w.blocks_ = QuantizedBlocks::quantize(weight, type, group, importance);
  return w;
}

QuantizedWeight QuantizedWeight::from_tensors(const TensorMap& tensors, const std::string& name, quant::QuantType type,
                                              int64_t group, int64_t rows, int64_t cols, const std::string& source) {
  quant::check_group(cols, group, source + ": " + name);
  QuantizedWeight w;
  auto& b = w.blocks_;
  b.type = type;
  b.group = group;
  b.rows = rows;
  b.cols = cols;
  const bool q8 = type == quant::QuantType::kQ8;
  b.q = stored(tensors, name + ".q", q8 ? torch::kInt8 : torch::kUInt8, {rows, quant::row_bytes(type, cols)}, source);
  b.scales = stored(tensors, name + ".scales", torch::kFloat16, {rows, cols / group}, source);
  if (!q8) b.mins = stored(tensors, name + ".mins", torch::kFloat16, {rows, cols / group}, source);
  for (const auto& t : {b.scales, b.mins}) {
    if (!t.defined()) continue;
    const auto f = t.to(torch::kFloat32);
    HRM_CHECK(torch::isfinite(f).all().item<bool>() && (f >= 0).all().item<bool>(),
              source + ": '" + name + "' has negative or non-finite scales (a corrupt file)",
              "quantize the checkpoint again");
  }
  return w;
}

TensorMap QuantizedWeight::tensors(const std::string& name) const {
  TensorMap out{{name + ".q", blocks_.q}, {name + ".scales", blocks_.scales}};
  if (blocks_.mins.defined()) out[name + ".mins"] = blocks_.mins;
  return out;
}

quant::QuantMatrixView QuantizedWeight::view() const { return blocks_.view(); }

torch::Tensor QuantizedWeight::dequantize() const { return blocks_.dequantize(); }

torch::Tensor QuantizedWeight::forward(const torch::Tensor& x) const {
  const int64_t in = blocks_.cols, out_features = blocks_.rows;
  HRM_CHECK(x.device().is_cpu() && x.size(-1) == in, "quantized linear: expected a CPU input with " +
                                                         std::to_string(in) + " features, got " + c10::str(x.sizes()) +
                                                         " on " + c10::str(x.device()));
  const int64_t rows = x.numel() / in;
  const auto xf = x.reshape({rows, in}).to(torch::kFloat32).contiguous();
  auto shape = x.sizes().vec();
  shape.back() = out_features;
  if (rows >= kGemmRows) return torch::nn::functional::linear(xf, dequantize()).view(shape).to(x.scalar_type());
  thread_local quant::QuantizedActivations activations;
  quant::quantize_activations(xf.data_ptr<float>(), rows, in, activations);
  auto y = torch::empty({rows, out_features}, torch::kFloat32);
  const auto w = view();
  float* out = y.data_ptr<float>();
  const auto& a = activations;  // the calling thread's buffer, read by every worker
  at::parallel_for(0, out_features, kRowsPerTask,
                   [&](int64_t o0, int64_t o1) { quant::quantized_matmul(w, a, o0, o1, out); });
  return y.view(shape).to(x.scalar_type());
}

}  // namespace hrm::infer
