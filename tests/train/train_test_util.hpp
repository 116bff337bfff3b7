// Helpers shared by the train tests: scratch directories, a tiny tokenizer, SFT shards built with the
// real `hrm-data build` code, tiny model/stage configs, and running binaries.
#pragma once
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "hrm/data/build.hpp"
#include "hrm/tokenizer/tokenizer.hpp"
#include "hrm/util/fs.hpp"
#include "../scratch_dir.hpp"

namespace hrm::train_test {

namespace fs = std::filesystem;

using hrm::testing::scratch_dir;

inline void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A 600-piece tokenizer trained once per test process on data/tokenizer-fixtures.
inline const fs::path& tokenizer_path() {
  static const fs::path path = [] {
    auto p = scratch_dir("tok") / "tok.model";
    TokenizerTrainOptions o;
    o.vocab_size = 600;
    o.character_coverage = 1.0;
    train_tokenizer({fs::path(HRM_SOURCE_DIR) / "data" / "tokenizer-fixtures"}, o, p);
    return p;
  }();
  return path;
}

// SFT rows "reverse: abc" -> "cba" built into <dir>/{train,validation,tokenizer.model,stats.json}
// by hrm::run_build (mode sft, no packing, seq_len 32).
inline fs::path build_sft_shards(const fs::path& dir, int rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string jsonl;
  for (int i = 0; i < rows; ++i) {
    std::string w;
    for (int k = 0; k < 3; ++k) w += static_cast<char>('a' + rng() % 6);
    jsonl += nlohmann::json{{"prompt", "reverse: " + w}, {"response", std::string(w.rbegin(), w.rend())}}.dump() + "\n";
  }
  write(dir / "sft.jsonl", jsonl);
  const auto config = BuildConfig::from_yaml(
      "tokenizer: " + tokenizer_path().string() + "\nout: " + (dir / "shards").string() + "\nmode: sft\ninputs: [" +
          (dir / "sft.jsonl").string() + "]\nseq_len: 32\npacking: false\nvalidation_fraction: 0.2\nseed: 1\n",
      (dir / "sft.yaml").string());
  run_build(config);
  return dir / "shards";
}

// A tiny prefix-LM HRM over the 600-piece vocabulary.
inline std::string tiny_text_model(const std::string& extra = "") {
  return "model:\n  vocab_size: 600\n  seq_len: 32\n  hidden_size: 32\n  num_heads: 2\n  H_layers: 1\n  L_layers: 1\n"
         "  H_cycles: 1\n  L_cycles: 1\n  halt_max_steps: 2\n  attention: prefix_lm\n  forward_dtype: float32\n" +
         extra;
}

inline std::string sft_stage(const fs::path& shards, const std::string& name, int steps,
                             const std::string& extra = "") {
  return "  - name: " + name + "\n    kind: sft\n    steps: " + std::to_string(steps) +
         "\n    global_batch_size: 8\n    data:\n      train: [{path: " + (shards / "train").string() +
         "}]\n      validation: [" + (shards / "validation").string() +
         "]\n    optimizer: {lr: 3.0e-3, warmup_steps: 2, lr_min_ratio: 0.1}\n    eval: {interval: 1000, batch_size: "
         "16}\n" +
         extra;
}

inline std::string run_command(const std::string& cmd, int& status) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((cmd + " 2>&1").c_str(), "r"), pclose);
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), buf.size(), pipe.get()) != nullptr) out += buf.data();
  status = pclose(pipe.release());
  return out;
}

inline std::string bin(const std::string& name) { return std::string(HRM_BINARY_DIR) + "/bin/" + name; }

}  // namespace hrm::train_test
