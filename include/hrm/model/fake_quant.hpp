// Fake quantization for quantization-aware training (model.quantization, docs/training.md): the forward
// computes with quantized-then-dequantized values, the backward treats the rounding as the identity
// (the straight-through estimator), so the float master weights keep learning below the grid's step.
#pragma once
#include <torch/torch.h>

namespace hrm {

// `value` in the forward (bit for bit), and in the backward the gradient of `value` passed to `x`
// unchanged. x and value have the same shape.
torch::Tensor straight_through(const torch::Tensor& x, const torch::Tensor& value);

// x ([..., cols], cols a multiple of quant::kBlock) rounded per row and block of 32 to int8 exactly as the
// quantized kernels round their inputs (quant::quantize_activations: d = max|x| / 127, q = round(x / d)),
// dequantized in x's dtype, with the straight-through gradient.
torch::Tensor fake_quantize_activations(const torch::Tensor& x);

}  // namespace hrm
