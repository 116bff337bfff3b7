// Decode throughput of hrm::infer::Decoder (docs/inference.md, results in docs/benchmarks.md):
// tokens/s at batch 1 and 16 for the tiny (hidden 128, 2+2 layers) and the 27M (configs/arch/hrm_v1.yaml,
// made causal) configs, fp32 and bf16, against
//   (a) recomputing the whole sequence for every new token (HRMInner::forward, same segments), and
//   (b) the memory-bandwidth bound: weight bytes read per token / measured read bandwidth (every
//       decode step reads each module's weights once per module call per segment; batch b shares them).
// Random-init weights and prompts; greedy argmax; each measurement runs about --seconds.
//   hrm-bench-decode --config all --dtype all --batch 1,16 --segments 1 --threads 1 --seconds 2
// --quantize q8,q4 adds the same model with every H/L linear quantized in memory (group 32, the kernels of
// hrm/quant/kernels.hpp; activations in --quant-dtype), and --rounds N measures every variant N times in
// turn, so the float and quantized rates of one round come from the same minute of a noisy machine.
// --kernel times the few-row GEMV (hrm/infer/gemv.hpp) alone at the config's linear shapes instead, in
// weight GB/s against torch::nn::functional::linear (its reference, tests/infer/gemv_test.cpp).
// --attention times the one-query decode attention (hrm/infer/decode_attention.hpp) alone at the config's
// heads and head size, over as many caches as a decode step reads, against compat::attention with the
// row-length mask (its reference, tests/infer/decode_attention_test.cpp).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <memory>

#include "hrm/infer/decode_attention.hpp"
#include "hrm/infer/decoder.hpp"
#include "hrm/infer/gemv.hpp"
#include "hrm/infer/quantized_linear.hpp"
#include "hrm/model/runtime.hpp"
#include "hrm/model/torch_compat.hpp"
#include "hrm/util/error.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

hrm::ModelConfig tiny_config() {
  hrm::ModelConfig c;
  c.vocab_size = 2048;
  c.seq_len = 1024;
  c.hidden_size = 128;
  c.num_heads = 4;
  c.H_layers = 2;
  c.L_layers = 2;
  c.attention = hrm::AttentionMode::kCausal;
  return c;
}

hrm::ModelConfig hrm_v1_causal(const std::string& source_dir) {
  auto c = hrm::ModelConfig::from_file(source_dir + "/configs/arch/hrm_v1.yaml");
  c.attention = hrm::AttentionMode::kCausal;
  c.seq_len = 1024;  // room to decode (the Sudoku config has 81 positions)
  return c;
}

// Best of a few passes of sum() over a buffer much larger than the caches.
double read_bandwidth_bytes_per_s() {
  const auto buffer = torch::ones({int64_t{128} << 20}, torch::kFloat32);  // 512 MiB
  double best = 0;
  for (int i = 0; i < 5; ++i) {
    const auto t = Clock::now();
    const auto s = buffer.sum().item<double>();
    const double secs = since(t);
    if (s > 0) best = std::max(best, static_cast<double>(buffer.numel() * 4) / secs);
  }
  return best;
}

// Weight bytes one decode step reads: every module call reads its module's layers, every segment.
// `quantized`: the layers the decoder runs quantized (their float parameters are empty).
int64_t weight_bytes_per_step(hrm::HRMInnerImpl& m, int64_t segments,
                              const std::map<std::string, hrm::infer::QuantizedWeight>& quantized = {}) {
  const auto bytes = [](torch::nn::Module& module) {
    int64_t n = 0;
    for (const auto& p : module.parameters()) n += p.numel() * static_cast<int64_t>(p.element_size());
    return n;
  };
  const auto& c = m.config();
  int64_t module_bytes = bytes(*m.L);
  for (const auto& [name, weight] : quantized) module_bytes += name.rfind("L.", 0) == 0 ? weight.bytes() : 0;
  const int64_t layer_bytes = module_bytes / c.L_layers;  // every block has the same shapes
  int64_t per_segment = 0;
  for (int64_t call = 0; call < c.module_calls(); ++call) per_segment += c.call_layers(call) * layer_bytes;
  return segments * per_segment + bytes(*m.lm_head);
}

// Every H/L linear weight of the model, quantized as `hrm quantize --type <type> --embed-type float
// --head-type float` would (group 32).
std::map<std::string, hrm::infer::QuantizedWeight> quantized_linears(hrm::HRMInnerImpl& m, hrm::quant::QuantType type) {
  hrm::WeightQuantization rule;
  rule.type = type;
  std::map<std::string, hrm::infer::QuantizedWeight> out;
  for (const auto& p : m.named_parameters()) {
    const auto t = rule.type_of(p.key());
    if (!t || p.key() == "embed" || p.key() == "lm_head.weight" || p.value().dim() != 2) continue;
    out.emplace(p.key(), hrm::infer::QuantizedWeight::quantize(p.value(), *t, hrm::quant::kBlock));
  }
  return out;
}

// Weight GB/s of y = x W^T over ~`seconds`: W cycles through enough copies (>= 256 MiB) that every
// call reads it from memory, as a decode step does.
double linear_gb_per_s(const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& linear,
                       const torch::Tensor& x, const std::vector<torch::Tensor>& weights, double seconds) {
  c10::InferenceMode inference;
  const auto bytes = static_cast<double>(weights[0].numel() * static_cast<int64_t>(weights[0].element_size()));
  for (const auto& w : weights) linear(x, w);
  int64_t calls = 0;
  const auto t = Clock::now();
  while (since(t) < seconds) {
    for (const auto& w : weights) linear(x, w);
    calls += static_cast<int64_t>(weights.size());
  }
  return bytes * static_cast<double>(calls) / since(t) / 1e9;
}

void kernel_table(const hrm::ModelConfig& c, const std::string& name, const std::string& dtypes, double seconds) {
  const int64_t h = c.hidden_size, m = c.mlp_inner();
  const std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> shapes = {
      {"qkv", {h, 3 * h}}, {"o", {h, h}}, {"gate_up", {h, 2 * m}}, {"down", {m, h}}};
  for (const auto dtype : {torch::kFloat32, torch::kBFloat16}) {
    const std::string dname = dtype == torch::kFloat32 ? "float32" : "bfloat16";
    if (dtypes != "all" && dtypes != dname) continue;
    for (const auto& [layer, io] : shapes) {
      const auto [in, out] = io;
      const auto one = torch::randn({out, in}).to(dtype);
      const auto copies = std::max<int64_t>(1, (int64_t{256} << 20) / (one.numel() * one.element_size()));
      std::vector<torch::Tensor> weights;
      for (int64_t i = 0; i < copies; ++i) weights.push_back(one.clone());
      for (const int64_t rows : {int64_t{1}, int64_t{4}, int64_t{8}, int64_t{16}}) {
        const auto x = torch::randn({rows, 1, in}).to(dtype);
        const double kernel = linear_gb_per_s(hrm::infer::few_row_linear, x, weights, seconds);
        const double torch_linear = linear_gb_per_s(
            [](const torch::Tensor& a, const torch::Tensor& w) { return torch::nn::functional::linear(a, w); }, x,
            weights, seconds);
        std::printf("| %s | %s | %s %lldx%lld | %lld | %.2f | %.2f |\n", name.c_str(), dname.c_str(), layer.c_str(),
                    static_cast<long long>(out), static_cast<long long>(in), static_cast<long long>(rows), kernel,
                    torch_linear);
        std::fflush(stdout);
      }
    }
  }
}

// One decode step's attention calls at `rows` rows of `length` cached positions: the config's heads and
// head size, one cache per call of a step (segments x module-call layers), so the keys and values come
// from wherever a real step finds them. Prints microseconds per call and K/V GB/s, kernel and reference.
void attention_table(const hrm::ModelConfig& c, const std::string& name, int64_t segments,
                     const std::vector<int64_t>& batches, int64_t length, double seconds) {
  c10::InferenceMode inference;
  const int64_t heads = c.num_heads, d = c.hidden_size / c.num_heads;
  int64_t calls_per_step = 0;
  for (int64_t call = 0; call < c.module_calls(); ++call) calls_per_step += segments * c.call_layers(call);
  for (const auto rows : batches) {
    std::vector<std::pair<torch::Tensor, torch::Tensor>> caches;
    for (int64_t i = 0; i < calls_per_step; ++i) {
      caches.emplace_back(torch::randn({rows, heads, c.seq_len, d}).narrow(2, 0, length),
                          torch::randn({rows, heads, c.seq_len, d}).narrow(2, 0, length));
    }
    const auto q = torch::randn({rows, heads, 1, d});
    const std::vector<int64_t> lengths(static_cast<size_t>(rows), length);
    const auto mask = torch::ones({rows, 1, 1, length}, torch::kBool);
    const auto time_calls = [&](const std::function<void(const torch::Tensor&, const torch::Tensor&)>& attend) {
      for (const auto& [k, v] : caches) attend(k, v);
      int64_t calls = 0;
      const auto t = Clock::now();
      while (since(t) < seconds) {
        for (const auto& [k, v] : caches) attend(k, v);
        calls += calls_per_step;
      }
      return since(t) / static_cast<double>(calls);
    };
    const double kernel = time_calls(
        [&](const torch::Tensor& k, const torch::Tensor& v) { hrm::infer::decode_attention(q, k, v, lengths); });
    const double reference = time_calls(
        [&](const torch::Tensor& k, const torch::Tensor& v) { hrm::compat::attention(q, k, v, mask, false); });
    const double bytes = static_cast<double>(2 * rows * heads * length * d * 4);
    std::printf("| %s | %lld x %lld | %lld | %lld | %lld | %.1f | %.2f | %.1f | %.2f |\n", name.c_str(),
                static_cast<long long>(heads), static_cast<long long>(d), static_cast<long long>(rows),
                static_cast<long long>(length), static_cast<long long>(calls_per_step), kernel * 1e6,
                bytes / kernel / 1e9, reference * 1e6, bytes / reference / 1e9);
    std::fflush(stdout);
  }
}

// --model-config's architecture, or the built-in tiny and/or 27M ones.
std::vector<std::pair<std::string, hrm::ModelConfig>> selected_configs(const std::string& which,
                                                                       const std::string& model_config) {
  std::vector<std::pair<std::string, hrm::ModelConfig>> configs;
  if (!model_config.empty()) {
    configs.emplace_back(model_config, hrm::ModelConfig::from_file(model_config));
  } else {
    if (which != "27m") configs.emplace_back("tiny", tiny_config());
    if (which != "tiny") configs.emplace_back("27M", hrm_v1_causal(HRM_SOURCE_DIR));
  }
  return configs;
}

std::vector<int32_t> argmax_rows(const torch::Tensor& logits) {
  const auto ids = logits.argmax(-1);
  std::vector<int32_t> out;
  for (int64_t i = 0; i < ids.size(0); ++i) out.push_back(static_cast<int32_t>(ids[i].item<int64_t>()));
  return out;
}

struct Rates {
  double cached = 0, recompute = 0;
  int64_t cached_tokens = 0, recompute_tokens = 0;
};

Rates measure(hrm::infer::Decoder& decoder, int64_t batch, int64_t prompt_len, int64_t new_tokens, int64_t segments,
              double seconds, bool recompute) {
  const auto& c = decoder.config();
  const auto prompt_tensor = torch::randint(0, c.vocab_size, {batch, prompt_len}, torch::kLong);
  std::vector<std::vector<int32_t>> prompts(static_cast<size_t>(batch));
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < prompt_len; ++t)
      prompts[static_cast<size_t>(b)].push_back(static_cast<int32_t>(prompt_tensor[b][t].item<int64_t>()));
  }
  Rates r;
  // Cached: warm up a few steps, then time steps until `seconds` or the context is full.
  const hrm::infer::ActOptions act{false, segments};
  auto next =
      argmax_rows(decoder.prefill(prompts, std::vector<int64_t>(static_cast<size_t>(batch), 1), act, c.seq_len));
  for (int i = 0; i < 3; ++i) next = argmax_rows(decoder.step(next));
  // With new_tokens, a reply ends after that many tokens and the next one starts from a new prefill (not
  // timed), so the rate is that of replies of that length rather than of an ever longer context.
  const int64_t end = new_tokens > 0 ? std::min(c.seq_len - 1, prompt_len + new_tokens) : c.seq_len - 1;
  double timed = 0;
  int64_t steps = 0;
  while (timed < seconds) {
    if (decoder.positions()[0] >= end) {
      if (new_tokens == 0) break;
      next = argmax_rows(decoder.prefill(prompts, std::vector<int64_t>(static_cast<size_t>(batch), 1), act, c.seq_len));
    }
    const auto t = Clock::now();
    next = argmax_rows(decoder.step(next));
    timed += since(t);
    ++steps;
  }
  r.cached = static_cast<double>(steps * batch) / timed;
  r.cached_tokens = steps;
  if (!recompute) return r;

  // Recompute: every new token runs HRMInner's segment (the module calls of forward()) over the whole
  // sequence so far, `segments` times with the carry kept: the work of a decoder without a cache.
  c10::InferenceMode inference;
  auto& m = decoder.model();
  auto seq = prompt_tensor.clone();
  const auto t1 = Clock::now();
  int64_t tokens = 0;
  while (since(t1) < seconds || tokens == 0) {
    hrm::Batch b{seq, torch::zeros_like(seq), torch::zeros({batch}, torch::kLong), {}};
    const auto ctx = m.attention_context(b);
    const auto x = m.input_embeddings(b);
    auto z = m.start_state(x);
    for (int64_t s = 0; s < segments; ++s) {
      z = m.run_schedule(z, x,
                         [&](int64_t, hrm::ReasoningModuleImpl& module, const torch::Tensor& state,
                             const torch::Tensor& injection) { return module.forward(state, injection, ctx); });
    }
    const auto ids = m.lm_head(z.z_H.select(1, seq.size(1) - 1)).argmax(-1, true);
    seq = torch::cat({seq, ids.to(torch::kLong)}, 1);
    ++tokens;
  }
  r.recompute = static_cast<double>(tokens * batch) / since(t1);
  r.recompute_tokens = tokens;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Decode tokens/s of the cached HRM decoder vs full recompute and the memory-bandwidth bound"};
  std::string which = "all", dtypes = "all";
  std::vector<int64_t> batches = {1, 16};
  int64_t segments = 1, prompt_len = 32;
  double seconds = 2.0;
  int threads = 1;
  bool no_recompute = false, kernel = false;
  std::string model_config;
  app.add_option("--config", which, "tiny, 27m or all")
      ->check(CLI::IsMember({"tiny", "27m", "all"}))
      ->capture_default_str();
  app.add_option("--dtype", dtypes, "float32, bfloat16, all, or none (only the --quantize variants)")
      ->check(CLI::IsMember({"float32", "bfloat16", "all", "none"}))
      ->capture_default_str();
  app.add_option("--batch", batches, "Batch sizes")->delimiter(',')->capture_default_str();
  app.add_option("--segments", segments, "ACT segments per token")->capture_default_str();
  app.add_option("--prompt", prompt_len, "Prompt tokens")->capture_default_str();
  int64_t new_tokens = 0;
  app.add_option("--new-tokens", new_tokens,
                 "Replies of this many tokens, each from a new prefill (0: one reply until --seconds or seq_len)")
      ->capture_default_str();
  app.add_option("--seconds", seconds, "Per measurement")->capture_default_str();
  app.add_option("--threads", threads, "LibTorch threads (0 = all cores)")->capture_default_str();
  app.add_option("--model-config", model_config,
                 "a model config YAML (any architecture, causal or prefix_lm) instead of --config");
  app.add_flag("--no-recompute", no_recompute, "Skip the full-recompute baseline");
  app.add_flag("--kernel", kernel, "Time the few-row GEMV alone (weight GB/s) instead of decoding");
  std::vector<std::string> quantize;
  app.add_option("--quantize", quantize, "Also decode with the H/L linears quantized: q8 and/or q4")
      ->delimiter(',')
      ->check(CLI::IsMember({"q8", "q4"}));
  std::string quant_dtype = "float32";
  app.add_option("--quant-dtype", quant_dtype, "Activation dtype of the quantized variants")
      ->check(CLI::IsMember({"float32", "bfloat16"}))
      ->capture_default_str();
  int64_t rounds = 1;
  app.add_option("--rounds", rounds, "Measure every variant this many times in turn")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  int64_t attention_length = 0;
  app.add_option("--attention", attention_length,
                 "Time the decode attention alone over this many cached positions instead of decoding");
  CLI11_PARSE(app, argc, argv);
  const int used = hrm::configure_threads(threads);
  const double bandwidth = read_bandwidth_bytes_per_s();
  std::printf("threads %d, read bandwidth %.2f GB/s (sum over 512 MiB), segments %lld, prompt %lld tokens, %s\n\n",
              used, bandwidth / 1e9, static_cast<long long>(segments), static_cast<long long>(prompt_len),
              new_tokens > 0 ? ("replies of " + std::to_string(new_tokens) + " tokens").c_str() : "one long reply");
  if (kernel) {
    if (!hrm::infer::few_row_linear_supported()) {
      std::fprintf(stderr, "hrm-bench-decode: --kernel: this CPU has no AVX2/FMA, the few-row GEMV does not run\n");
      return 1;
    }
    std::printf("| config | dtype | linear (out x in) | rows | few_row_linear GB/s | torch linear GB/s |\n");
    std::printf("| --- | --- | --- | --- | --- | --- |\n");
    if (which != "27m") kernel_table(tiny_config(), "tiny", dtypes, seconds);
    if (which != "tiny") kernel_table(hrm_v1_causal(HRM_SOURCE_DIR), "27M", dtypes, seconds);
    return 0;
  }
  if (attention_length > 0) {
    std::printf(
        "| config | heads x head dim | rows | positions | calls per step | kernel us/call | kernel K/V GB/s | "
        "reference us/call | reference K/V GB/s |\n");
    std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (const auto& [name, config] : selected_configs(which, model_config)) {
      HRM_CHECK(attention_length <= config.seq_len,
                "--attention " + std::to_string(attention_length) + " is longer than " + name + "'s seq_len");
      attention_table(config, name, segments, batches, attention_length, seconds);
    }
    return 0;
  }
  std::printf(
      "| config | weights | batch | cached tok/s | recompute tok/s | speedup | weight MB/token | bound tok/s | cached "
      "/ "
      "bound | round |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  struct Variant {
    std::string name;
    std::unique_ptr<hrm::infer::Decoder> decoder;
    int64_t step_bytes;
  };
  const auto dtype_of = [](const std::string& name) { return name == "float32" ? torch::kFloat32 : torch::kBFloat16; };
  for (auto& [name, config] : selected_configs(which, model_config)) {
    torch::manual_seed(0);
    hrm::HRMInner model(config);
    std::vector<Variant> variants;
    for (const std::string dtype : {"float32", "bfloat16"}) {
      if (dtypes != "all" && dtypes != dtype) continue;
      auto decoder = std::make_unique<hrm::infer::Decoder>(*model, dtype_of(dtype));
      const auto bytes = weight_bytes_per_step(decoder->model(), segments);
      variants.push_back({dtype, std::move(decoder), bytes});
    }
    for (const auto& type : quantize) {
      auto decoder = std::make_unique<hrm::infer::Decoder>(*model, dtype_of(quant_dtype));
      const auto weights = quantized_linears(*model, hrm::quant::parse_type(type, "--quantize"));
      decoder->use_quantized(weights);
      const auto bytes = weight_bytes_per_step(decoder->model(), segments, weights);
      variants.push_back({type + " (" + quant_dtype + " activations)", std::move(decoder), bytes});
    }
    for (int64_t round = 1; round <= rounds; ++round) {
      for (auto& v : variants) {
        for (const auto batch : batches) {
          const auto r =
              measure(*v.decoder, batch, prompt_len, new_tokens, segments, seconds, !no_recompute && round == 1);
          const bool shown = !no_recompute && round == 1;
          const double bytes_per_token = static_cast<double>(v.step_bytes) / static_cast<double>(batch);
          const double bound = bandwidth / bytes_per_token;
          std::printf("| %s | %s | %lld | %.1f | %s | %s | %.2f | %.1f | %.2f | %lld |\n", name.c_str(), v.name.c_str(),
                      static_cast<long long>(batch), r.cached,
                      shown ? std::to_string(r.recompute).substr(0, 8).c_str() : "-",
                      shown ? (std::to_string(r.cached / r.recompute).substr(0, 6) + "x").c_str() : "-",
                      bytes_per_token / 1e6, bound, r.cached / bound, static_cast<long long>(round));
          std::fflush(stdout);
        }
      }
    }
  }
  return 0;
}
