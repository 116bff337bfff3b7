// Quantized checkpoints end to end on a tiny causal model: QuantizedWeight against dequantize-then-linear,
// quantize_checkpoint -> load_checkpoint_weights -> Decoder::use_quantized against the float decoder
// (logits, KL), calibration statistics, and the errors for corrupt or mismatched files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hrm/infer/calibration.hpp"
#include "hrm/infer/decoder.hpp"
#include "hrm/infer/quantized_checkpoint.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "../scratch_dir.hpp"
#include "infer_test_util.hpp"

namespace fs = std::filesystem;

namespace hrm::infer {
namespace {

using quant::QuantType;

const fs::path& scratch() {
  static const fs::path dir = hrm::testing::scratch_dir("quantized");
  return dir;
}

const std::string& float_checkpoint() {
  static const std::string dir = [] {
    torch::manual_seed(3);
    HRMInner model(testing::tiny_lm_config(AttentionMode::kCausal));
    const auto path = (scratch() / "float").string();
    save_checkpoint(path, *model, {{"step", 7}});
    return path;
  }();
  return dir;
}

std::string quantized_checkpoint(QuantType type) {
  const auto out = (scratch() / quant::type_name(type)).string();
  if (!fs::exists(out)) {
    QuantizeOptions o;
    o.type = type;
    quantize_checkpoint(float_checkpoint(), out, o);
  }
  return out;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.describe();
  }
  return "(no error)";
}

TEST(QuantizedWeight, ForwardMatchesDequantizeThenLinear) {
  torch::manual_seed(1);
  const auto w = torch::randn({96, 256}) * 0.05;
  const auto x = torch::randn({3, 5, 256});
  for (const auto type : {QuantType::kQ8, QuantType::kQ4}) {
    const auto q = QuantizedWeight::quantize(w, type, 64);
    const auto reference = torch::nn::functional::linear(x, q.dequantize());
    const auto y = q.forward(x);
    ASSERT_EQ(y.sizes(), reference.sizes());
    // Only the int8 activations differ from the reference.
    EXPECT_LT(((y - reference).norm() / reference.norm()).item<double>(), 0.01) << quant::type_name(type);
    const auto y16 = q.forward(x.to(torch::kBFloat16));
    EXPECT_EQ(y16.scalar_type(), torch::kBFloat16);
    EXPECT_LT(((y16.to(torch::kFloat32) - reference).norm() / reference.norm()).item<double>(), 0.02);
  }
}

// A prefill's many rows take one fp32 GEMM over the dequantized weights: exactly the reference.
TEST(QuantizedWeight, ManyRowsAreOneGemmOverTheDequantizedWeights) {
  torch::manual_seed(2);
  const auto w = torch::randn({40, 128}) * 0.05;
  const auto x = torch::randn({2, 40, 128});  // 80 rows
  for (const auto type : {QuantType::kQ8, QuantType::kQ4}) {
    const auto q = QuantizedWeight::quantize(w, type, 32);
    EXPECT_TRUE(torch::equal(q.forward(x),
                             torch::nn::functional::linear(x.reshape({80, 128}), q.dequantize()).view({2, 40, 40})))
        << quant::type_name(type);
    // A few rows go through the integer kernels (int8 activations): close, not equal.
    const auto few = x.narrow(1, 0, 3);
    const auto reference = torch::nn::functional::linear(few, q.dequantize());
    EXPECT_FALSE(torch::equal(q.forward(few), reference));
    EXPECT_LT(((q.forward(few) - reference).norm() / reference.norm()).item<double>(), 0.01);
  }
}

// Float decoder vs the quantized one on the same prompts: first-token logits.
struct Compared {
  double max_kl = 0;
  bool same_top = true;
  int64_t switched = 0;
};
Compared compare_with_float(const std::string& quantized_dir) {
  const auto meta = read_checkpoint_meta(float_checkpoint());
  HRMInner reference(meta.config), quantized(meta.config);
  load_checkpoint(float_checkpoint(), *reference);
  const auto weights = load_checkpoint_weights(quantized_dir, *quantized);
  Decoder float_decoder(*reference), quant_decoder(*quantized);
  Compared c;
  c.switched = quant_decoder.use_quantized(weights);
  const auto tokens = testing::random_tokens(meta.config, 3, 5);
  std::vector<std::vector<int32_t>> prompts;
  for (int64_t r = 0; r < 3; ++r) prompts.push_back(testing::row_prefix(tokens, r, 6 + 3 * r));
  const auto a = float_decoder.prefill(prompts, {1, 1, 1}, {}, 20);
  const auto b = quant_decoder.prefill(prompts, {1, 1, 1}, {}, 20);
  const auto kl = (a.softmax(-1) * (a.log_softmax(-1) - b.log_softmax(-1))).sum(-1);
  c.max_kl = kl.max().item<double>();
  c.same_top = torch::equal(a.argmax(-1), b.argmax(-1));
  // Decoding steps run the kernels with one row per sequence.
  const auto sa = float_decoder.step({1, 2, 3}), sb = quant_decoder.step({1, 2, 3});
  c.max_kl =
      std::max(c.max_kl, (sa.softmax(-1) * (sa.log_softmax(-1) - sb.log_softmax(-1))).sum(-1).max().item<double>());
  return c;
}

TEST(QuantizedCheckpoint, DecodesCloseToTheFloatModel) {
  const auto layers = testing::tiny_lm_config(AttentionMode::kCausal);
  const int64_t linears = 4 * (layers.H_layers + layers.L_layers) + 1;  // qkv, o, gate_up, down; the LM head
  const auto q8 = compare_with_float(quantized_checkpoint(QuantType::kQ8));
  EXPECT_EQ(q8.switched, linears);
  // Weight and int8 activation errors grow through 3 segments x 6 module calls of a random model
  // (measured: q8 0.025, q4 0.28; tools/bench/quant_bench.cpp reports the growth per call).
  EXPECT_LT(q8.max_kl, 0.05);
  EXPECT_TRUE(q8.same_top);
  const auto q4 = compare_with_float(quantized_checkpoint(QuantType::kQ4));
  EXPECT_EQ(q4.switched, linears);
  EXPECT_LT(q4.max_kl, 0.5);
}

// TextModel's loading: the linear layers' float tensors freed as they load, decoding unchanged.
TEST(QuantizedCheckpoint, FreedLinearsDecodeExactlyAsDequantizedOnes) {
  const auto dir = quantized_checkpoint(QuantType::kQ4);
  const auto config = read_checkpoint_meta(dir).config;
  HRMInner dequantized(config), freed(config);
  const auto a = load_checkpoint_weights(dir, *dequantized);
  const auto b = load_checkpoint_weights(dir, *freed, QuantizedLinears::kFree);
  EXPECT_EQ(a.size(), b.size());
  EXPECT_EQ(freed->H->layers->ptr<BlockImpl>(0)->qkv->weight.numel(), 0);
  EXPECT_EQ(freed->lm_head->weight.numel(), 0);
  EXPECT_TRUE(torch::equal(freed->embed, dequantized->embed));  // a lookup reads float rows
  EXPECT_TRUE(torch::equal(freed->q_head->weight, dequantized->q_head->weight));
  Decoder da(*dequantized), db(*freed);
  EXPECT_EQ(db.model().L->layers->ptr<BlockImpl>(0)->down->weight.numel(), 0);
  EXPECT_EQ(da.use_quantized(a), db.use_quantized(b));
  const auto tokens = testing::random_tokens(config, 2, 11);
  const std::vector<std::vector<int32_t>> prompts{testing::row_prefix(tokens, 0, 5), testing::row_prefix(tokens, 1, 8)};
  EXPECT_TRUE(torch::equal(da.prefill(prompts, {1, 1}, {}, 20), db.prefill(prompts, {1, 1}, {}, 20)));
  EXPECT_TRUE(torch::equal(da.step({4, 5}), db.step({4, 5})));
}

TEST(QuantizedCheckpoint, FilesShrinkAndRecordTheirFormat) {
  const auto bytes = [](const std::string& dir) { return fs::file_size(fs::path(dir) / "model.safetensors"); };
  const auto f = bytes(float_checkpoint()), q8 = bytes(quantized_checkpoint(QuantType::kQ8)),
             q4 = bytes(quantized_checkpoint(QuantType::kQ4));
  EXPECT_LT(q8, f / 3);  // fp32 -> 8.5 bits
  EXPECT_LT(q4, q8);
  const auto state =
      nlohmann::json::parse(read_file(fs::path(quantized_checkpoint(QuantType::kQ4)) / "train_state.json"));
  EXPECT_EQ(state["step"], 7);
  EXPECT_EQ(state["quantization"]["type"], "q4");
  EXPECT_EQ(state["quantization"]["embed"], "q8");
  std::map<std::string, std::string> metadata;
  const auto tensors =
      load_safetensors((fs::path(quantized_checkpoint(QuantType::kQ4)) / "model.safetensors").string(), &metadata);
  const auto table = nlohmann::json::parse(metadata.at(kQuantizationMetadataKey));
  EXPECT_EQ(table["tensors"]["H.layers.0.qkv.weight"]["type"], "q4");
  EXPECT_EQ(table["tensors"]["lm_head.weight"]["type"], "q8");
  EXPECT_EQ(table["tensors"]["embed"]["type"], "q8");
  EXPECT_EQ(tensors.at("L.layers.1.down.weight.q").scalar_type(), torch::kUInt8);
  EXPECT_EQ(tensors.count("q_head.weight"), 1u);  // 2 outputs: left in float
}

TEST(QuantizedCheckpoint, FloatEmbeddingAndHeadWhenAsked) {
  QuantizeOptions o;
  o.type = QuantType::kQ4;
  o.embed_type.reset();
  o.head_type.reset();
  const auto out = (scratch() / "q4-float-ends").string();
  const auto summary = quantize_checkpoint(float_checkpoint(), out, o);
  EXPECT_EQ(summary.quantized_tensors, 4 * 3);
  HRMInner model(testing::tiny_lm_config(AttentionMode::kCausal));
  const auto weights = load_checkpoint_weights(out, *model);
  EXPECT_EQ(weights.count("embed"), 0u);
  EXPECT_EQ(weights.count("lm_head.weight"), 0u);
}

TEST(Calibration, ImportanceCoversEveryLinearAndChangesTheIntegers) {
  const auto meta = read_checkpoint_meta(float_checkpoint());
  HRMInner model(meta.config);
  load_checkpoint(float_checkpoint(), *model);
  Decoder decoder(*model);
  const auto tokens = testing::random_tokens(meta.config, 2, 9);
  auto longer = testing::row_prefix(tokens, 1, meta.config.seq_len);  // cut to seq_len - 1 tokens
  longer.insert(longer.end(), longer.begin(), longer.end());
  const auto importance = calibration_importance(decoder, {testing::row_prefix(tokens, 0, 10), longer});
  EXPECT_EQ(importance.size(), 13u);
  EXPECT_EQ(importance.at("H.layers.0.down.weight").numel(), meta.config.mlp_inner());
  EXPECT_TRUE((importance.at("L.layers.0.qkv.weight") > 0).all().item<bool>());
  for (const auto& item : decoder.model().named_modules()) {
    if (auto* l = dynamic_cast<CastedLinearImpl*>(item.value().get())) {
      EXPECT_FALSE(l->has_override()) << item.key();
    }
  }
  QuantizeOptions o;
  o.importance = importance;
  const auto out = (scratch() / "q4-calibrated").string();
  quantize_checkpoint(float_checkpoint(), out, o);
  const auto a = load_safetensors((fs::path(out) / "model.safetensors").string());
  const auto b = load_safetensors((fs::path(quantized_checkpoint(QuantType::kQ4)) / "model.safetensors").string());
  EXPECT_FALSE(torch::equal(a.at("H.layers.0.qkv.weight.q"), b.at("H.layers.0.qkv.weight.q")));
}

// A copy of the q4 checkpoint with model.safetensors rewritten by `edit`.
std::string tampered(const std::string& name, const std::function<void(TensorMap&, nlohmann::json&)>& edit) {
  const auto dir = scratch() / name;
  fs::copy(quantized_checkpoint(QuantType::kQ4), dir, fs::copy_options::recursive);
  const auto path = (dir / "model.safetensors").string();
  std::map<std::string, std::string> metadata;
  auto tensors = load_safetensors(path, &metadata);
  auto table = nlohmann::json::parse(metadata.at(kQuantizationMetadataKey));
  edit(tensors, table);
  metadata[kQuantizationMetadataKey] = table.dump();
  save_safetensors(path, tensors, metadata);
  return dir.string();
}

TEST(QuantizedCheckpoint, CorruptOrMismatchedFilesAreClearErrors) {
  HRMInner model(testing::tiny_lm_config(AttentionMode::kCausal));
  const auto load = [&](const std::string& dir) { return error_of([&] { load_checkpoint_weights(dir, *model); }); };

  auto e =
      load(tampered("missing-scales", [](TensorMap& t, nlohmann::json&) { t.erase("H.layers.0.o.weight.scales"); }));
  EXPECT_NE(e.find("quantized tensor 'H.layers.0.o.weight.scales' is missing"), std::string::npos) << e;
  e = load(tampered("wrong-shape", [](TensorMap&, nlohmann::json& table) {
    table["tensors"]["L.layers.0.qkv.weight"]["shape"] = {48, 32};
  }));
  EXPECT_NE(e.find("'L.layers.0.qkv.weight' is recorded as [48,32] but the model has [96, 32]"), std::string::npos)
      << e;
  e = load(tampered("nan-scale", [](TensorMap& t, nlohmann::json&) {
    t["lm_head.weight.scales"] = t["lm_head.weight.scales"].clone().fill_(NAN);
  }));
  EXPECT_NE(e.find("'lm_head.weight' has negative or non-finite scales"), std::string::npos) << e;
  e = load(tampered("bad-type", [](TensorMap&, nlohmann::json& table) { table["tensors"]["embed"]["type"] = "q3"; }));
  EXPECT_NE(e.find("unknown quantization type 'q3'"), std::string::npos) << e;
  e = load(tampered("bad-version", [](TensorMap&, nlohmann::json& table) { table["version"] = 9; }));
  EXPECT_NE(e.find("quantization format version 9 is not supported"), std::string::npos) << e;

  // A truncated file, and a config.yaml that does not match the weights.
  const auto truncated = scratch() / "truncated";
  fs::copy(quantized_checkpoint(QuantType::kQ4), truncated, fs::copy_options::recursive);
  fs::resize_file(truncated / "model.safetensors", fs::file_size(truncated / "model.safetensors") - 100);
  e = load(truncated.string());
  EXPECT_NE(e.find("model.safetensors"), std::string::npos) << e;
  auto other = testing::tiny_lm_config(AttentionMode::kCausal);
  other.hidden_size = 64;
  HRMInner wider(other);
  e = error_of([&] { load_checkpoint_weights(quantized_checkpoint(QuantType::kQ4), *wider); });
  EXPECT_NE(e.find("another model configuration"), std::string::npos) << e;

  // Quantizing twice, and a group size that does not divide the hidden size.
  e = error_of([&] { quantize_checkpoint(quantized_checkpoint(QuantType::kQ8), (scratch() / "twice").string(), {}); });
  EXPECT_NE(e.find("already quantized"), std::string::npos) << e;
  QuantizeOptions o;
  o.group_size = 64;
  e = error_of([&] { quantize_checkpoint(float_checkpoint(), (scratch() / "g64").string(), o); });
  EXPECT_NE(e.find("32 columns are not a multiple of the group size 64"), std::string::npos) << e;
  EXPECT_FALSE(fs::exists(scratch() / "g64"));
}

}  // namespace
}  // namespace hrm::infer
