// Times one ACT training segment of the C++ HRM exactly as ../shared/baselines/hrm_torch.py times
// its PyTorch-eager step: random inputs/labels, inner segment + target-Q forward, softmax LM loss +
// Q losses, AdamW(lr 1e-4, wd 0.1, betas 0.9/0.95). Prints one JSON line like the baseline.
//   hrm-bench-train-step --hidden 128 --heads 4 --h-layers 2 --l-layers 2 --seq-len 128 --batch 8 --threads 1
// --qat-bits 4|8 times quantization-aware training (model.quantization with hrm quantize's defaults;
// --qat-int8-activations adds activations: int8); tools/bench/quant_qat_overhead.sh compares it with float.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>

#include "hrm/model/act.hpp"
#include "hrm/model/losses.hpp"
#include "hrm/model/runtime.hpp"
#include "hrm/model/torch_compat.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Time one HRM ACT training segment (C++), same settings as hrm_torch.py"};
  hrm::ModelConfig c;
  c.vocab_size = 512;
  c.seq_len = 256;
  c.halt_max_steps = 8;
  int64_t batch = 16, steps = 20, warmup = 3;
  int threads = 0;
  bool causal = false, qat_int8_activations = false;
  int64_t qat_bits = 0;
  std::string dtype = "float32", device_name = "cpu";
  app.add_option("--hidden", c.hidden_size);
  app.add_option("--heads", c.num_heads);
  app.add_option("--expansion", c.expansion);
  app.add_option("--h-layers", c.H_layers);
  app.add_option("--l-layers", c.L_layers);
  app.add_option("--h-cycles", c.H_cycles);
  app.add_option("--l-cycles", c.L_cycles);
  app.add_option("--vocab", c.vocab_size);
  app.add_option("--seq-len", c.seq_len);
  app.add_option("--batch", batch);
  app.add_option("--halt-max-steps", c.halt_max_steps);
  app.add_option("--steps", steps);
  app.add_option("--warmup", warmup);
  app.add_option("--threads", threads);
  app.add_option("--dtype", dtype)->check(CLI::IsMember({"float32", "bfloat16"}));
  app.add_option("--device", device_name);
  app.add_flag("--causal", causal);
  app.add_option("--qat-bits", qat_bits)->check(CLI::IsMember({0, 4, 8}));
  app.add_flag("--qat-int8-activations", qat_int8_activations);
  CLI11_PARSE(app, argc, argv);
  c.quantization.enabled = qat_bits != 0;
  c.quantization.weights.type = qat_bits == 8 ? hrm::quant::QuantType::kQ8 : hrm::quant::QuantType::kQ4;
  c.quantization.int8_activations = qat_int8_activations;
  c.forward_dtype = dtype;
  c.attention = causal ? hrm::AttentionMode::kCausal : hrm::AttentionMode::kBidirectional;
  c.halt_exploration_prob = 0.0;  // the baseline does not explore
  c.loss = hrm::LossType::kSoftmax;
  const int used_threads = hrm::configure_threads(threads);
  const bool allocator_tuned = hrm::configure_cpu_allocator();
  const torch::Device device(device_name);
  torch::manual_seed(0);
  hrm::HRM model(c, 0);
  model->to(device);
  model->train();
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-4).weight_decay(0.1).betas({0.9, 0.95}));
  const auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  auto make_batch = [&] {
    return hrm::Batch{torch::randint(0, c.vocab_size, {batch, c.seq_len}, long_opts),
                      torch::randint(0, c.vocab_size, {batch, c.seq_len}, long_opts),
                      torch::zeros({batch}, long_opts),
                      {}};
  };
  hrm::Carry carry = model->initial_carry(make_batch());
  double last_loss = 0;
  auto step = [&] {
    auto [next, out] = model->forward(carry, make_batch());
    auto loss = hrm::act_loss(next, out, c.loss);
    // zero_grad(set_to_none=True), as the baseline: backward then writes fresh gradients instead of
    // adding into zeroed ones (LibTorch 1.13's zero_grad() zeroes them in place: two extra passes).
    for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
    loss.loss.backward();
    opt.step();
    carry = std::move(next);
    last_loss = loss.metrics.lm_loss;
  };
  for (int64_t i = 0; i < warmup; ++i) step();
  if (device.is_cuda()) torch::cuda::synchronize();
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < steps; ++i) step();
  if (device.is_cuda()) torch::cuda::synchronize();
  const double dt =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / static_cast<double>(steps);
  std::cout << nlohmann::json{{"impl", "hrm-cpp"},
                              {"torch", hrm::compat::torch_version()},
                              {"device", device_name},
                              {"dtype", dtype},
                              {"threads", used_threads},
                              {"params", hrm::count_parameters(*model)},
                              {"batch", batch},
                              {"seq_len", c.seq_len},
                              {"causal", causal},
                              {"qat_bits", qat_bits},
                              {"qat_int8_activations", qat_int8_activations},
                              {"ms_per_step", std::round(dt * 1e6) / 1e3},
                              {"tokens_per_s", std::round(batch * c.seq_len / dt * 10) / 10},
                              {"final_lm_loss", last_loss},
                              {"allocator_tuned", allocator_tuned}}
                   .dump()
            << std::endl;
  return 0;
}
