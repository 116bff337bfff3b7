// Times each fused CUDA kernel (hrm::fused, kernels/*.cu) against its ATen reference at the 27M Sudoku
// model's shape: batch 768, seq 82 (81 cells + the puzzle-embedding position), hidden 512, 8 heads of 64,
// SwiGLU inner 1536, vocabulary 11, bf16. Forward alone and forward + backward (autograd), median of
// --repeats timings of --iters calls each, after warm-up. Prints one JSON object (tools/gpu/check.sh).
//   hrm-bench-gpu-kernels [--batch 768] [--seq 82] [--iters 50] [--repeats 5] [--dtype bfloat16]
#include <CLI/CLI.hpp>
#include <cuda_runtime.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>

#include "hrm/model/fused_ops.hpp"
#include "hrm/model/layers.hpp"
#include "hrm/model/losses.hpp"
#include "hrm/model/torch_compat.hpp"

namespace {

// Median milliseconds per call of fn over `repeats` timings of `iters` calls (device-synchronised).
double time_ms(const std::function<void()>& fn, int iters, int repeats) {
  for (int i = 0; i < 5; ++i) fn();
  torch::cuda::synchronize();
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) fn();
    torch::cuda::synchronize();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / iters);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

std::string device_name() {
  cudaDeviceProp prop{};
  return cudaGetDeviceProperties(&prop, 0) == cudaSuccess ? std::string(prop.name) : "cuda:0";
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.detach().to(torch::kFloat64) - b.detach().to(torch::kFloat64)).abs().max().item<double>();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Fused CUDA kernels vs their ATen references at the 27M Sudoku HRM shape"};
  int64_t batch = 768, seq = 82, hidden = 512, heads = 8, inner = 1536, vocab = 11;
  int iters = 50, repeats = 5;
  std::string dtype_name = "bfloat16";
  app.add_option("--batch", batch);
  app.add_option("--seq", seq);
  app.add_option("--hidden", hidden);
  app.add_option("--heads", heads);
  app.add_option("--inner", inner);
  app.add_option("--vocab", vocab);
  app.add_option("--iters", iters);
  app.add_option("--repeats", repeats);
  app.add_option("--dtype", dtype_name)->check(CLI::IsMember({"float32", "bfloat16"}));
  CLI11_PARSE(app, argc, argv);
  if (!torch::cuda::is_available()) {
    std::cerr << "hrm-bench-gpu-kernels: no CUDA device visible (HINT: run on a GPU machine, tools/gpu/check.sh)\n";
    return 1;
  }
  try {
    const auto dtype = dtype_name == "bfloat16" ? torch::kBFloat16 : torch::kFloat32;
    const int64_t elem = dtype == torch::kBFloat16 ? 2 : 4;
    const auto opts = torch::TensorOptions().device(torch::kCUDA).dtype(dtype);
    const int64_t rows = batch * seq, head_dim = hidden / heads;
    torch::manual_seed(0);
    nlohmann::json results = nlohmann::json::array();
    auto record = [&](const std::string& op, const std::string& pass, double fused, double aten, double bytes,
                      double diff) {
      results.push_back({{"op", op},
                         {"pass", pass},
                         {"fused_ms", fused},
                         {"aten_ms", aten},
                         {"speedup", aten / fused},
                         {"min_bytes", bytes},
                         {"fused_GBps", bytes / fused / 1e6},
                         {"aten_GBps", bytes / aten / 1e6},
                         {"max_abs_diff", diff}});
    };

    // RoPE on q and k of the fused qkv projection [B, S, 3 * hidden].
    {
      auto [cos, sin] = hrm::rope_tables(seq, head_dim, 10000.0);
      cos = cos.cuda();
      sin = sin.cuda();
      const auto qkv = torch::randn({batch, seq, 3 * hidden}, opts);
      auto reference = [&](const torch::Tensor& t) {
        const auto parts = t.view({batch, seq, 3, heads, head_dim}).unbind(2);
        return std::make_pair(hrm::apply_rope(parts[0], cos, sin), hrm::apply_rope(parts[1], cos, sin));
      };
      const auto [q_ref, k_ref] = reference(qkv);
      const auto rotated = hrm::fused::rope_qk_(qkv.clone(), cos, sin, heads).view({batch, seq, 3, heads, head_dim});
      const double diff =
          std::max(max_abs_diff(rotated.select(2, 0), q_ref), max_abs_diff(rotated.select(2, 1), k_ref));
      const double bytes = 2.0 * rows * 2 * hidden * elem;  // q and k read and written once
      auto scratch = qkv.clone();
      record("rope_qk", "forward", time_ms([&] { hrm::fused::rope_qk_(scratch, cos, sin, heads); }, iters, repeats),
             time_ms([&] { reference(qkv); }, iters, repeats), bytes, diff);
      const auto leaf = qkv.clone().requires_grad_();
      const auto grad = torch::randn_like(qkv);
      const auto gq = grad.view({batch, seq, 3, heads, head_dim}).select(2, 0);
      const auto gk = grad.view({batch, seq, 3, heads, head_dim}).select(2, 1);
      auto fused_step = [&] { hrm::fused::rope_qk_(leaf * 1, cos, sin, heads).backward(grad); };
      auto aten_step = [&] {
        const auto [q, k] = reference(leaf * 1);
        torch::autograd::backward({q, k}, {gq, gk});
      };
      record("rope_qk", "forward+backward", time_ms(fused_step, iters, repeats), time_ms(aten_step, iters, repeats),
             2 * bytes, diff);
    }

    // SwiGLU from the gate_up projection [B, S, 2 * inner].
    {
      const auto gate_up = torch::randn({batch, seq, 2 * inner}, opts);
      auto reference = [](const torch::Tensor& t) {
        const auto gu = t.chunk(2, -1);
        return torch::silu(gu[0]) * gu[1];
      };
      const double diff = max_abs_diff(hrm::fused::swiglu(gate_up), reference(gate_up));
      const double bytes = rows * 3.0 * inner * elem;  // gate_up read, out written
      record("swiglu", "forward", time_ms([&] { hrm::fused::swiglu(gate_up); }, iters, repeats),
             time_ms([&] { reference(gate_up); }, iters, repeats), bytes, diff);
      const auto leaf = gate_up.clone().requires_grad_();
      const auto grad = torch::randn({batch, seq, inner}, opts);
      record("swiglu", "forward+backward", time_ms([&] { hrm::fused::swiglu(leaf).backward(grad); }, iters, repeats),
             time_ms([&] { reference(leaf).backward(grad); }, iters, repeats),
             bytes + rows * 5.0 * inner * elem /* backward: dy, gate_up in, d_gate_up out */, diff);
    }

    // Stablemax cross-entropy over the logits [B, S, vocab], float64 loss.
    {
      const auto logits = 3 * torch::randn({batch, seq, vocab}, opts);
      const auto labels =
          torch::randint(0, vocab, {batch, seq}, torch::TensorOptions().device(torch::kCUDA).dtype(torch::kLong));
      const double diff = max_abs_diff(hrm::fused::stablemax_cross_entropy(logits, labels),
                                       hrm::stablemax_cross_entropy(logits, labels));
      const double bytes = rows * (vocab * elem + 8.0 + 8.0);  // logits, labels, loss
      record("stablemax_ce", "forward",
             time_ms([&] { hrm::fused::stablemax_cross_entropy(logits, labels); }, iters, repeats),
             time_ms([&] { hrm::stablemax_cross_entropy(logits, labels); }, iters, repeats), bytes, diff);
      const auto leaf = logits.clone().requires_grad_();
      record("stablemax_ce", "forward+backward",
             time_ms([&] { hrm::fused::stablemax_cross_entropy(leaf, labels).sum().backward(); }, iters, repeats),
             time_ms([&] { hrm::stablemax_cross_entropy(leaf, labels).sum().backward(); }, iters, repeats),
             2 * bytes + rows * vocab * elem, diff);
    }

    std::cout << nlohmann::json{{"bench", "gpu_kernels"},
                                {"torch", hrm::compat::torch_version()},
                                {"device", device_name()},
                                {"dtype", dtype_name},
                                {"shape",
                                 {{"batch", batch},
                                  {"seq", seq},
                                  {"hidden", hidden},
                                  {"heads", heads},
                                  {"inner", inner},
                                  {"vocab", vocab}}},
                                {"iters", iters},
                                {"repeats", repeats},
                                {"results", results}}
                     .dump()
              << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "hrm-bench-gpu-kernels: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
