// hrm-bench-quant: the quantized kernels and models against fp32/bf16 (docs/benchmarks.md, quant_table.sh).
//   --kernels                 µs per y = x W^T at the 27M config's linear shapes, 1 and 16 rows: bf16/fp32
//                             (few_row_linear up to 4 rows, torch linear) vs q8/q4 on every kernel path.
//   --write-checkpoint DIR    a random-init causal text checkpoint (--config tiny|27m|100m, --vocab, --seq-len).
//   --compare FLOAT --quantized Q [--quantized Q2 ...]
//                             teacher-forced logits (2 ACT segments) of 16 fixed random sequences: mean
//                             KL(float || quantized) per token and the share of positions with the same top
//                             token; and the relative error of every module call's output (z_L, z_H) per
//                             cycle over the first 4 ACT segments (the carry kept, whole sequences).
//                             --chats FILE: the KL and top-token rate on the replies of real conversations
//                             (hrm-generate --file rows ending with the assistant's reply) instead.
//   --speculative CKPT        prompt-lookup speculative vs plain greedy decoding (forward passes, wall time)
//                             on edit prompts (the reply should copy a code block) and fresh prompts.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "hrm/infer/decoder.hpp"
#include "hrm/infer/gemv.hpp"
#include "hrm/infer/prompt_file.hpp"
#include "hrm/infer/quantized_checkpoint.hpp"
#include "hrm/infer/speculative.hpp"
#include "hrm/infer/text_model.hpp"
#include "hrm/tokenizer/chat_template.hpp"
#include "hrm/tokenizer/tokenizer.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/model/runtime.hpp"
#include "hrm/quant/kernels.hpp"
#include "hrm/util/error.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Mean seconds per call of fn, run for about `seconds`.
template <typename Fn>
double time_per_call(Fn&& fn, double seconds) {
  fn();
  int64_t calls = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds || calls < 3) {
    fn();
    ++calls;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return elapsed / static_cast<double>(calls);
}

void kernel_table(double seconds) {
  using hrm::quant::KernelPath;
  const std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> shapes = {
      {"qkv", {1536, 512}}, {"o", {512, 512}}, {"gate_up", {3072, 512}}, {"down", {512, 1536}}};
  std::printf("| linear (out x in) | rows | kernel | us/call | x bf16 |\n| --- | --- | --- | --- | --- |\n");
  for (const auto& [name, shape] : shapes) {
    const auto [out, in] = shape;
    torch::manual_seed(1);
    const auto w = torch::randn({out, in}) * 0.02;
    for (const int64_t rows : {1, 16}) {
      const auto x = torch::randn({rows, in});
      const auto x16 = x.to(torch::kBFloat16), w16 = w.to(torch::kBFloat16);
      const auto linear = [&](const torch::Tensor& xx, const torch::Tensor& ww) {
        auto y = hrm::infer::few_row_linear(xx, ww);
        return y.defined() ? y : torch::nn::functional::linear(xx, ww);
      };
      const double bf16 = time_per_call([&] { linear(x16, w16); }, seconds);
      const auto row = [&](const std::string& kernel, double t) {
        std::printf("| %s %lldx%lld | %lld | %s | %.1f | %.2fx |\n", name.c_str(), static_cast<long long>(out),
                    static_cast<long long>(in), static_cast<long long>(rows), kernel.c_str(), t * 1e6, bf16 / t);
      };
      row("bf16", bf16);
      row("fp32", time_per_call([&] { linear(x, w); }, seconds));
      for (const auto type : {hrm::quant::QuantType::kQ8, hrm::quant::QuantType::kQ4}) {
        const auto q = hrm::infer::QuantizedWeight::quantize(w, type, 32);
        std::vector<float> y(static_cast<size_t>(rows * out));
        hrm::quant::QuantizedActivations a;
        for (const auto path : {KernelPath::kScalar, KernelPath::kAvx2, KernelPath::kAvx512Vnni}) {
          if (!hrm::quant::path_supported(path)) continue;
          const double t = time_per_call(
              [&] {
                hrm::quant::quantize_activations(x.data_ptr<float>(), rows, in, a);
                hrm::quant::quantized_matmul(q.view(), a, 0, out, y.data(), path);
              },
              seconds);
          row(std::string(hrm::quant::type_name(type)) + " " + hrm::quant::path_name(path), t);
        }
      }
    }
  }
}

hrm::ModelConfig bench_config(const std::string& which, int64_t vocab, int64_t seq_len) {
  hrm::ModelConfig c;
  if (which == "tiny") {
    c.hidden_size = 128;
    c.num_heads = 4;
    c.H_layers = c.L_layers = 2;
    c.H_cycles = c.L_cycles = 2;
    c.halt_max_steps = 2;
  } else {
    const auto file = which == "27m" ? "/configs/arch/hrm_v1.yaml" : "/configs/arch/hrm_code_100m.yaml";
    c = hrm::ModelConfig::from_file(std::string(HRM_SOURCE_DIR) + file);
  }
  c.attention = hrm::AttentionMode::kCausal;
  c.vocab_size = vocab;
  c.seq_len = seq_len;
  c.puzzle_emb_ndim = 0;
  return c;
}

std::unique_ptr<hrm::infer::Decoder> load_decoder(const std::string& dir) {
  const auto meta = hrm::read_checkpoint_meta(dir);
  hrm::HRMInner model(meta.config);
  const auto quantized = hrm::infer::load_checkpoint_weights(dir, *model);
  auto decoder = std::make_unique<hrm::infer::Decoder>(*model);
  decoder->use_quantized(quantized);
  return decoder;
}

// Teacher-forced logits [rows, positions, vocab] of `tokens` after a prompt of `prompt` tokens.
torch::Tensor teacher_forced(hrm::infer::Decoder& d, const torch::Tensor& tokens, int64_t prompt) {
  const auto rows = tokens.size(0), length = tokens.size(1);
  std::vector<std::vector<int32_t>> prompts(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t t = 0; t < prompt; ++t) prompts[r].push_back(static_cast<int32_t>(tokens[r][t].item<int64_t>()));
  // Two ACT segments per token (the published config's 16 would make this 8x slower and tell the same).
  const hrm::infer::ActOptions act{false, 2};
  std::vector<torch::Tensor> logits = {d.prefill(prompts, std::vector<int64_t>(rows, 1), act, length + 1)};
  for (int64_t t = prompt; t < length; ++t) {
    std::vector<int32_t> next;
    for (int64_t r = 0; r < rows; ++r) next.push_back(static_cast<int32_t>(tokens[r][t].item<int64_t>()));
    logits.push_back(d.step(next));
  }
  return torch::stack(logits, 1);
}

// Every module call's output over whole sequences, per segment: [segment][call].
std::vector<std::vector<torch::Tensor>> module_outputs(hrm::infer::Decoder& d, const torch::Tensor& tokens,
                                                       int64_t segments, std::vector<std::string>* names) {
  c10::InferenceMode guard;
  auto& m = d.model();
  const auto s = tokens.size(1);
  const auto pos = torch::arange(s, torch::kLong).expand({tokens.size(0), s});
  const auto x = m.token_embeddings(tokens, pos);
  hrm::AttentionContext ctx{m.rope_cos.narrow(0, 0, s), m.rope_sin.narrow(0, 0, s), true, {}};
  std::vector<std::vector<torch::Tensor>> out;
  auto z = m.start_state(x);
  for (int64_t seg = 0; seg < segments; ++seg) {
    out.emplace_back();
    z = m.run_schedule(
        z, x,
        [&](int64_t, hrm::ReasoningModuleImpl& module, const torch::Tensor& state, const torch::Tensor& injection) {
          auto y = module.forward(state, injection, ctx, false);
          out.back().push_back(y.to(torch::kFloat32));
          if (names != nullptr && seg == 0) names->push_back(&module == m.H.get() ? "z_H" : "z_L");
          return y;
        });
  }
  return out;
}

// Teacher-forced sequences with the length of their prompt (no logits are compared before it).
struct ForcedSet {
  torch::Tensor tokens;  // [rows, length]
  int64_t prompt;
};

// The first `rows` conversations of `path` (hrm-generate --file rows whose last message is the
// assistant's reply), encoded with `checkpoint`'s tokenizer and chat template and cut to seq_len - 1
// tokens; each is its own set, its prompt everything before the reply.
std::vector<ForcedSet> chat_sets(const std::string& path, const std::string& checkpoint, int64_t rows,
                                 int64_t seq_len) {
  const auto tokenizer = hrm::Tokenizer::load(checkpoint + "/tokenizer.model");
  std::vector<ForcedSet> sets;
  for (const auto& row : hrm::infer::read_prompt_file(path)) {
    if (static_cast<int64_t>(sets.size()) == rows) break;
    const auto chat = hrm::encode_chat(tokenizer, row.messages);
    const auto length = std::min<int64_t>(static_cast<int64_t>(chat.ids.size()), seq_len - 1);
    const auto prompt = static_cast<int64_t>(chat.prompt_length);
    HRM_CHECK(prompt >= 1 && prompt < length,
              path + ":" + std::to_string(row.line) + ": needs a prompt and an assistant reply within seq_len " +
                  std::to_string(seq_len),
              "give conversations that end with the assistant's reply");
    const std::vector<int64_t> ids(chat.ids.begin(), chat.ids.begin() + length);
    sets.push_back({torch::tensor(ids, torch::kLong).view({1, length}), prompt});
  }
  return sets;
}

void compare(const std::string& float_dir, const std::vector<std::string>& quantized_dirs, const std::string& chats,
             int64_t chat_rows) {
  auto reference = load_decoder(float_dir);
  const auto& c = reference->config();
  torch::manual_seed(1234);  // the fixed random set (and the module-output errors below)
  const auto tokens = torch::randint(0, c.vocab_size, {16, std::min<int64_t>(48, c.seq_len - 1)}, torch::kLong);
  const auto sets =
      chats.empty() ? std::vector<ForcedSet>{{tokens, 8}} : chat_sets(chats, float_dir, chat_rows, c.seq_len);
  // Logits of every set as rows of one [positions, vocab] tensor.
  const auto forced = [&](hrm::infer::Decoder& d) {
    std::vector<torch::Tensor> all;
    for (const auto& set : sets) all.push_back(teacher_forced(d, set.tokens, set.prompt).flatten(0, 1));
    return torch::cat(all);
  };
  const auto base = forced(*reference);
  std::printf(
      "teacher-forced on %s: %lld positions\n",
      chats.empty() ? "16 fixed random sequences" : (std::to_string(sets.size()) + " chats of " + chats).c_str(),
      static_cast<long long>(base.size(0)));
  std::vector<std::string> names;
  const int64_t segments = std::min<int64_t>(c.halt_max_steps, 4);
  const auto base_z = module_outputs(*reference, tokens, segments, &names);
  for (const auto& dir : quantized_dirs) {
    auto q = load_decoder(dir);
    const auto logits = forced(*q);
    const auto kl = (base.softmax(-1) * (base.log_softmax(-1) - logits.log_softmax(-1))).sum(-1);
    const auto same = (base.argmax(-1) == logits.argmax(-1)).to(torch::kFloat64).mean().item<double>();
    std::printf("%s: mean KL %.5f, max KL %.4f, same top token %.1f%% (%lld positions)\n", dir.c_str(),
                kl.mean().item<double>(), kl.max().item<double>(), 100 * same, static_cast<long long>(kl.numel()));
    const auto z = module_outputs(*q, tokens, segments, nullptr);
    std::printf("relative error of each module call's output (segment: calls in order):\n");
    for (int64_t s = 0; s < segments; ++s) {
      std::printf("  segment %lld:", static_cast<long long>(s + 1));
      for (size_t i = 0; i < names.size(); ++i) {
        const double e = ((z[s][i] - base_z[s][i]).norm() / base_z[s][i].norm()).item<double>();
        std::printf(" %s %.4f", names[i].c_str(), e);
      }
      std::printf("\n");
    }
  }
}

const char* kEditFile =
    "def parse_config(path):\n    with open(path) as f:\n        lines = f.read().splitlines()\n    out = {}\n"
    "    for line in lines:\n        if not line or line.startswith('#'):\n            continue\n"
    "        key, value = line.split('=', 1)\n        out[key.strip()] = value.strip()\n    return out\n";

void speculative_table(const std::string& dir, int64_t new_tokens) {
  auto model = hrm::infer::TextModel::load(dir);
  const std::vector<std::pair<std::string, std::string>> prompts = {
      {"edit", std::string("Rename `out` to `config` and reply with the whole file.\n") + kEditFile},
      {"edit", std::string("Add a docstring to parse_config and reply with the whole file.\n") + kEditFile},
      {"fresh", "Write a Python function that checks whether a string is a palindrome."},
      {"fresh", "Explain what a hash map is in two sentences."}};
  std::printf(
      "| prompt | tokens | plain passes | speculative passes | accepted/drafted | plain s | speculative s | speed-up "
      "|\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const auto& [kind, text] : prompts) {
    const auto prompt = model.encode({{"user", text}});
    auto& d = model.decoder();
    auto start = Clock::now();
    std::vector<int32_t> plain;
    auto logits = d.prefill({prompt}, {1}, {}, d.config().seq_len);
    for (int64_t i = 0; i < new_tokens; ++i) {
      plain.push_back(static_cast<int32_t>(logits[0].argmax().item<int64_t>()));
      if (i + 1 < new_tokens) logits = d.step({plain.back()});
    }
    const double plain_s = std::chrono::duration<double>(Clock::now() - start).count();
    hrm::infer::SpeculativeOptions o;
    o.max_new_tokens = new_tokens;
    start = Clock::now();
    const auto r = hrm::infer::generate_speculative(d, prompt, o);
    const double spec_s = std::chrono::duration<double>(Clock::now() - start).count();
    HRM_CHECK(r.tokens == plain, "speculative output differs from plain greedy decoding");
    std::printf("| %s | %lld | %lld | %lld | %lld/%lld | %.3f | %.3f | %.2fx |\n", kind.c_str(),
                static_cast<long long>(new_tokens), static_cast<long long>(new_tokens),
                static_cast<long long>(r.forward_passes), static_cast<long long>(r.accepted),
                static_cast<long long>(r.drafted), plain_s, spec_s, plain_s / spec_s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hrm-bench-quant: quantized kernels and models vs fp32/bf16"};
  bool kernels = false;
  std::string write_dir, which = "27m", float_dir;
  std::vector<std::string> quantized;
  int64_t vocab = 600, seq_len = 1024;
  double seconds = 0.3;
  int threads = 1;
  std::string speculative_dir;
  int64_t new_tokens = 128;
  app.add_option("--speculative", speculative_dir, "Text checkpoint: speculative vs plain greedy decoding");
  app.add_option("--new-tokens", new_tokens, "Tokens generated per prompt (--speculative)");
  app.add_flag("--kernels", kernels, "Time the kernels at the 27M linear shapes");
  app.add_option("--seconds", seconds, "Seconds per timed kernel");
  app.add_option("--write-checkpoint", write_dir, "Write a random-init causal checkpoint here");
  app.add_option("--config", which, "tiny, 27m or 100m (for --write-checkpoint)");
  app.add_option("--vocab", vocab, "Vocabulary size (for --write-checkpoint)");
  app.add_option("--seq-len", seq_len, "seq_len (for --write-checkpoint)");
  app.add_option("--compare", float_dir, "Float checkpoint to compare --quantized ones against");
  app.add_option("--quantized", quantized, "Quantized checkpoint (repeatable)");
  std::string chats;
  int64_t chat_rows = 32;
  app.add_option("--chats", chats,
                 "--compare on these conversations' replies (hrm-generate --file rows ending with the reply) "
                 "instead of random sequences");
  app.add_option("--chat-rows", chat_rows, "Conversations read from --chats")->capture_default_str();
  app.add_option("--threads", threads, "Intra-op threads");
  CLI11_PARSE(app, argc, argv);
  try {
    hrm::configure_threads(threads);
    if (kernels) kernel_table(seconds);
    if (!write_dir.empty()) {
      torch::manual_seed(0);
      hrm::HRMInner model(bench_config(which, vocab, seq_len));
      hrm::save_checkpoint(write_dir, *model, {{"step", 0}, {"note", "random init (hrm-bench-quant)"}});
      std::printf("wrote %s (%s, random init)\n", write_dir.c_str(), which.c_str());
    }
    if (!float_dir.empty()) compare(float_dir, quantized, chats, chat_rows);
    if (!speculative_dir.empty()) speculative_table(speculative_dir, new_tokens);
  } catch (const hrm::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.describe().c_str());
    return 1;
  }
  return 0;
}
