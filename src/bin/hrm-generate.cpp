// hrm-generate: generate text from a text checkpoint (docs/inference.md).
//   hrm-generate --ckpt runs/sft/checkpoint --prompt "Write fizzbuzz in Python" --stream
//   hrm-generate --ckpt runs/sft/checkpoint --file prompts.jsonl --n 4 --temperature 0.8 --out out.jsonl
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>

#include "hrm/infer/prompt_file.hpp"
#include "hrm/infer/text_model.hpp"
#include "hrm/model/runtime.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/run_main.hpp"

namespace {

std::string json_line(const nlohmann::json& j) {
  // Generated text may hold invalid UTF-8 (byte pieces); JSON gets U+FFFD there.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

int run(int argc, char** argv) {
  CLI::App app{"hrm-generate: generate text with an HRM text checkpoint"};
  std::string ckpt, prompt, file, system, out_path, act = "fixed", dtype;
  bool stream = false;
  int threads = 0;
  int64_t batch = 16;
  hrm::infer::GenerateOptions options;
  app.add_option("--ckpt", ckpt, "Checkpoint directory (model.safetensors, config.yaml, tokenizer.model)")->required();
  auto* prompt_opt = app.add_option("--prompt", prompt, "One user message");
  auto* file_opt = app.add_option("--file", file, "Prompts, one JSON object per line (docs/inference.md)");
  prompt_opt->excludes(file_opt);
  app.add_option("--system", system, "System message (with --prompt)");
  app.add_flag("--stream", stream, "Print text as it is generated (--file: JSON lines {index, sample, delta})");
  app.add_option("--out", out_path, "Write results here instead of stdout");
  app.add_option("--n", options.samples, "Samples per prompt (they share the prompt's prefill)")->capture_default_str();
  app.add_option("--temperature", options.sampling.temperature, "0 = greedy")->capture_default_str();
  app.add_option("--top-k", options.sampling.top_k, "Keep the k most likely tokens (0 = all)")->capture_default_str();
  app.add_option("--top-p", options.sampling.top_p, "Nucleus sampling mass")->capture_default_str();
  app.add_option("--seed", options.sampling.seed, "Sample i of a prompt uses seed + i")->capture_default_str();
  app.add_option("--stop", options.stop_sequences, "Stop sequence (repeatable); <|end|> and </s> always stop");
  app.add_option("--max-new-tokens", options.sampling.max_new_tokens)->capture_default_str();
  app.add_option("--act", act,
                 "ACT segments: fixed (--segments for every token) or adaptive (the Q head picks up to --segments)")
      ->check(CLI::IsMember({"fixed", "adaptive"}))
      ->capture_default_str();
  app.add_option("--segments", options.act.segments, "Segments (fixed) or the maximum (adaptive); 0 = halt_max_steps")
      ->capture_default_str();
  app.add_option("--dtype", dtype, "Compute dtype (default: the checkpoint's forward_dtype)")
      ->check(CLI::IsMember({"float32", "bfloat16"}));
  app.add_option("--batch", batch, "Prompts generated together (--file)")->capture_default_str();
  app.add_option("--threads", threads, "LibTorch threads (0 = all cores)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_default_logger(spdlog::stderr_color_mt("hrm-generate"));  // stdout carries the generated text
  HRM_CHECK(!prompt.empty() || !file.empty(), "nothing to do", "give --prompt <text> or --file <prompts.jsonl>");
  HRM_CHECK(batch >= 1, "--batch must be >= 1");
  options.act.adaptive = act == "adaptive";
  hrm::configure_threads(threads);
  hrm::infer::TextModelOptions model_options;
  if (!dtype.empty()) model_options.dtype = dtype == "float32" ? torch::kFloat32 : torch::kBFloat16;
  auto model = hrm::infer::TextModel::load(ckpt, model_options);

  std::ofstream out_file;
  if (!out_path.empty()) {
    out_file.open(out_path);
    HRM_CHECK(out_file.good(), "cannot write '" + out_path + "'");
  }
  std::ostream& out = out_path.empty() ? std::cout : out_file;

  if (!file.empty()) {
    const auto rows = hrm::infer::read_prompt_file(file);
    for (size_t first = 0; first < rows.size(); first += static_cast<size_t>(batch)) {
      const size_t count = std::min(rows.size() - first, static_cast<size_t>(batch));
      std::vector<std::vector<hrm::ChatMessage>> conversations;
      for (size_t i = 0; i < count; ++i) conversations.push_back(rows[first + i].messages);
      hrm::infer::StreamFn on_text;
      if (stream) {
        on_text = [&](const hrm::infer::StreamEvent& e) {
          if (e.text.empty()) return;
          const auto samples = static_cast<size_t>(options.samples);
          out << json_line(
                     {{"index", first + e.sequence / samples}, {"sample", e.sequence % samples}, {"delta", e.text}})
              << std::flush;
        };
      }
      const auto result = model.generate_chat(conversations, options, on_text);
      for (size_t i = 0; i < count; ++i) {
        const auto begin =
            result.completions.begin() + static_cast<std::ptrdiff_t>(i * static_cast<size_t>(options.samples));
        out << json_line(hrm::infer::result_row(first + i, rows[first + i],
                                                {begin, begin + static_cast<std::ptrdiff_t>(options.samples)}));
      }
      spdlog::info("prompts {}..{}: {}", first, first + count - 1, hrm::infer::format_stats(result.stats));
    }
    return 0;
  }

  std::vector<hrm::ChatMessage> conversation;
  if (!system.empty()) conversation.push_back({"system", system});
  conversation.push_back({"user", prompt});
  hrm::infer::StreamFn on_text;
  if (stream) {
    HRM_CHECK(options.samples == 1, "--stream with --prompt prints one sample",
              "drop --n, or use --file for JSON output");
    on_text = [&](const hrm::infer::StreamEvent& e) { out << e.text << std::flush; };
  }
  const auto result = model.generate_chat({conversation}, options, on_text);
  for (size_t i = 0; i < result.completions.size(); ++i) {
    if (result.completions.size() > 1) out << "--- sample " << i << " ---\n";
    if (!stream) out << result.completions[i].text;
    out << "\n";
  }
  spdlog::info("{}", hrm::infer::format_stats(result.stats));
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return hrm::run_main(argc, argv, run); }
