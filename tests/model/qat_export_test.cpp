// Quantization-aware training end to end through the real binaries: hrm-data builds SFT shards, hrm-train
// trains a float checkpoint and fine-tunes it with model.quantization, `hrm quantize` exports the result
// with the defaults it reads from the checkpoint, and every exported integer and scale is exactly what
// the training forward computes with on the checkpoint's weights.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../scratch_dir.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/util/fs.hpp"

namespace hrm {
namespace {

namespace fs = std::filesystem;

std::string bin(const std::string& name) { return std::string(HRM_BINARY_DIR) + "/bin/" + name; }

void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

// Runs `cmd` with its output in `log`; a failure shows the output.
void run_ok(const std::string& cmd, const fs::path& log) {
  const int status = std::system((cmd + " >" + log.string() + " 2>&1").c_str());
  ASSERT_EQ(status, 0) << cmd << "\n" << read_file(log);
}

// "reverse: abc" -> "cba" rows, tokenized into <dir>/shards by `hrm-data build` (sft, seq_len 32).
fs::path build_shards(const fs::path& dir) {
  std::string rows;
  for (int i = 0; i < 60; ++i) {
    const std::string w{static_cast<char>('a' + i % 6), static_cast<char>('a' + i / 6 % 5),
                        static_cast<char>('b' + i % 4)};
    rows += nlohmann::json{{"prompt", "reverse: " + w}, {"response", std::string(w.rbegin(), w.rend())}}.dump() + "\n";
  }
  write(dir / "sft.jsonl", rows);
  EXPECT_NO_FATAL_FAILURE(run_ok(bin("hrm-data") + " tokenizer train --input " + HRM_SOURCE_DIR +
                                     "/data/tokenizer-fixtures --vocab-size 600 --out " + (dir / "tok.model").string(),
                                 dir / "tok.log"));
  write(dir / "build.yaml", "tokenizer: " + (dir / "tok.model").string() + "\nout: " + (dir / "shards").string() +
                                "\nmode: sft\ninputs: [" + (dir / "sft.jsonl").string() +
                                "]\nseq_len: 32\npacking: false\nvalidation_fraction: 0.2\nseed: 1\n");
  EXPECT_NO_FATAL_FAILURE(
      run_ok(bin("hrm-data") + " build --config " + (dir / "build.yaml").string(), dir / "build.log"));
  return dir / "shards";
}

// A tiny prefix-LM run config: `model_extra` goes into the model mapping, `top_extra` at the top level.
std::string run_config(const fs::path& shards, const std::string& model_extra, const std::string& top_extra,
                       int steps) {
  return "model:\n  vocab_size: 600\n  seq_len: 32\n  hidden_size: 32\n  num_heads: 2\n  H_layers: 1\n  L_layers: 1\n"
         "  H_cycles: 2\n  L_cycles: 1\n  halt_max_steps: 2\n  attention: prefix_lm\n  forward_dtype: float32\n" +
         model_extra + "seed: 2\nthreads: 1\nlog_interval: 1000\n" + top_extra +
         "stages:\n  - name: sft\n    kind: sft\n" + "    steps: " + std::to_string(steps) +
         "\n    global_batch_size: 8\n    data:\n      train: [{path: " + (shards / "train").string() +
         "}]\n      validation: [" + (shards / "validation").string() +
         "]\n    optimizer: {lr: 3.0e-3, warmup_steps: 1}\n    eval: {interval: 1000, batch_size: 16}\n";
}

Batch prompt_batch(const ModelConfig& c) {
  auto g = at::make_generator<at::CPUGeneratorImpl>(5);
  Batch batch;
  batch.inputs = torch::randint(0, c.vocab_size, {3, c.seq_len}, g, torch::kLong);
  batch.labels = torch::randint(0, c.vocab_size, {3, c.seq_len}, g, torch::kLong);
  batch.puzzle_ids = torch::zeros({3}, torch::kLong);
  batch.prefix_lens = torch::tensor({4, 9, 15}, torch::kLong);
  return batch;
}

void expect_same_blocks(const QuantizedBlocks* seen, const TensorMap& exported, const std::string& name) {
  ASSERT_NE(seen, nullptr) << name << " was not fake-quantized";
  EXPECT_TRUE(torch::equal(seen->q, exported.at(name + ".q"))) << name;
  EXPECT_TRUE(torch::equal(seen->scales, exported.at(name + ".scales"))) << name;
  if (seen->mins.defined()) {
    EXPECT_TRUE(torch::equal(seen->mins, exported.at(name + ".mins"))) << name;
  }
}

TEST(QatExport, AShortFineTuneExportsExactlyTheIntegersItsTrainingForwardSaw) {
  const auto root = testing::scratch_dir("qat_export");
  const auto shards = build_shards(root);
  write(root / "float.yaml", run_config(shards, "", "", 3));
  run_ok(bin("hrm-train") + " --config " + (root / "float.yaml").string() + " --out " + (root / "float").string(),
         root / "float.log");
  write(root / "qat.yaml", run_config(shards, "  quantization: {bits: 4, group_size: 32, activations: int8}\n",
                                      "init: " + (root / "float" / "final").string() + "\n", 4));
  run_ok(bin("hrm-train") + " --config " + (root / "qat.yaml").string() + " --out " + (root / "qat").string(),
         root / "qat.log");
  const auto trained = (root / "qat" / "final").string();
  run_ok(bin("hrm") + " quantize --ckpt " + trained + " --out " + (root / "q4").string(), root / "quantize.log");

  // The training forward on the fine-tuned weights (QAT changed them: they differ from the float run's).
  const auto meta = read_checkpoint_meta(trained);
  ASSERT_TRUE(meta.config.quantization.enabled);
  HRMInner model(meta.config), start(meta.config);
  load_checkpoint(trained, *model);
  load_checkpoint((root / "float" / "final").string(), *start);
  EXPECT_FALSE(
      torch::equal(model->L->layers->ptr<BlockImpl>(0)->qkv->weight, start->L->layers->ptr<BlockImpl>(0)->qkv->weight));
  model->train();
  const auto batch = prompt_batch(meta.config);
  const auto carry = model->reset_carry(torch::ones({3}, torch::kBool), model->empty_carry(3), batch);
  model->forward(carry, batch).logits.sum().backward();

  std::map<std::string, std::string> metadata;
  const auto exported = load_safetensors((root / "q4" / "model.safetensors").string(), &metadata);
  const auto table = nlohmann::json::parse(metadata.at("hrm_quantization")).at("tensors");
  int64_t linears = 0;
  for (const auto& item : model->named_modules()) {
    const auto* linear = dynamic_cast<const CastedLinearImpl*>(item.value().get());
    const auto name = item.key() + ".weight";
    if (linear == nullptr || !table.contains(name)) continue;
    expect_same_blocks(linear->fake_quant(), exported, name);
    ++linears;
  }
  expect_same_blocks(model->embed_fake_quant(), exported, "embed");
  EXPECT_EQ(linears, 4 * 2 + 1);  // qkv, o, gate_up, down of the H and L blocks; the LM head
  EXPECT_EQ(static_cast<int64_t>(table.size()), linears + 1);
  EXPECT_EQ(table.at("H.layers.0.qkv.weight").at("type"), "q4");
  EXPECT_EQ(table.at("lm_head.weight").at("type"), "q8");
  const auto record = read_checkpoint_meta((root / "q4").string()).train_state.at("quantization");
  EXPECT_EQ(record.at("type"), "q4");
  EXPECT_EQ(record.at("group_size"), 32);
}

}  // namespace
}  // namespace hrm
