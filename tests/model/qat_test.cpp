// Quantization-aware training (model.quantization): the config block, the straight-through estimator,
// int8 activation rounding against the kernels' own, and the HRM forward against a float model that holds
// the dequantized weights (bit for bit), with and without activation checkpointing.
#include <gtest/gtest.h>

#include "hrm/model/fake_quant.hpp"
#include "hrm/model/hrm.hpp"
#include "hrm/quant/kernels.hpp"
#include "hrm/util/error.hpp"
#include "test_helpers.hpp"

namespace hrm {
namespace {

using quant::QuantType;

ModelConfig read_config(const std::string& extra) {
  ConfigReader r(YAML::Load("vocab_size: 40\nseq_len: 8\nhidden_size: 64\nnum_heads: 2\n" + extra), "qat.yaml");
  return ModelConfig::from_reader(r);
}

std::string config_error(const std::string& extra) {
  try {
    read_config(extra);
  } catch (const Error& e) {
    return e.describe();
  }
  return "(no error)";
}

TEST(QatConfig, ReadsTheBlockRoundTripsAndIsNotArchitecture) {
  const auto plain = read_config("");
  EXPECT_FALSE(plain.quantization.enabled);
  const auto c = read_config("quantization: {bits: 8, group_size: 64, embed: float, lm_head: q4, activations: int8}\n");
  const auto& q = c.quantization;
  ASSERT_TRUE(q.enabled);
  EXPECT_EQ(q.weights.type, QuantType::kQ8);
  EXPECT_EQ(q.weights.group_size, 64);
  EXPECT_FALSE(q.weights.embed_type.has_value());
  EXPECT_EQ(q.weights.head_type, QuantType::kQ4);
  EXPECT_TRUE(q.int8_activations);
  // Defaults: `hrm quantize`'s (q8 embedding and head, groups of 32, float activations).
  const auto d = read_config("quantization:\n  bits: 4\n").quantization;
  EXPECT_EQ(d.weights.type, QuantType::kQ4);
  EXPECT_EQ(d.weights.group_size, 32);
  EXPECT_EQ(d.weights.embed_type, QuantType::kQ8);
  EXPECT_EQ(d.weights.head_type, QuantType::kQ8);
  EXPECT_FALSE(d.int8_activations);
  // config.yaml keeps the block; loading a float checkpoint into a QAT model (and back) is no mismatch.
  ConfigReader back(YAML::Load(c.to_yaml()), "config.yaml");
  EXPECT_EQ(ModelConfig::from_reader(back).to_yaml(), c.to_yaml());
  EXPECT_EQ(plain.to_yaml().find("quantization"), std::string::npos);
  EXPECT_EQ(c.diff(plain), "");
}

TEST(QatConfig, RejectsBadBlocksNamingTheKey) {
  EXPECT_NE(config_error("quantization: {bits: 3}\n").find("'quantization.bits': must be 8 or 4"), std::string::npos);
  EXPECT_NE(config_error("quantization: {group_size: 32}\n").find("missing required key 'quantization.bits'"),
            std::string::npos);
  EXPECT_NE(config_error("quantization: {bits: 4, grup_size: 32}\n").find("unknown key 'quantization.grup_size'"),
            std::string::npos);
  EXPECT_NE(config_error("quantization: {bits: 4, group_size: 48}\n").find("'quantization.group_size'"),
            std::string::npos);
  // 128 is a multiple of 32 but does not divide hidden_size 64.
  EXPECT_NE(config_error("quantization: {bits: 4, group_size: 128}\n").find("dividing hidden_size (64)"),
            std::string::npos);
  EXPECT_NE(config_error("quantization: {bits: 4, embed: q2}\n").find("q8, q4, float"), std::string::npos);
  EXPECT_NE(config_error("quantization: {bits: 4, activations: fp8}\n").find("int8, none"), std::string::npos);
  EXPECT_NE(config_error("quantization: 4\n").find("must be a mapping"), std::string::npos);
}

TEST(FakeQuant, StraightThroughForwardsTheValueAndPassesTheGradientUnchanged) {
  torch::manual_seed(0);
  const auto x = torch::randn({6, 64}).requires_grad_(true);
  const auto value = torch::randn({6, 64});
  const auto upstream = torch::randn({6, 64});
  const auto y = straight_through(x, value);
  EXPECT_TRUE(torch::equal(y, value));
  (y * upstream).sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), upstream));
}

TEST(FakeQuant, ActivationsRoundAsTheQuantizedKernelsDo) {
  torch::manual_seed(1);
  auto x = torch::randn({5, 96}) * 3;
  x[2].zero_();  // an all-zero block has d = 0
  quant::QuantizedActivations a;
  quant::quantize_activations(x.data_ptr<float>(), 5, 96, a);
  auto expected = torch::empty({5, 96});
  for (int64_t i = 0; i < 5 * 96; ++i) {
    expected.data_ptr<float>()[i] = a.d[static_cast<size_t>(i / quant::kBlock)] * a.q[static_cast<size_t>(i)];
  }
  EXPECT_TRUE(torch::equal(fake_quantize_activations(x), expected));
  // Gradient: straight through.
  const auto leaf = x.clone().requires_grad_(true);
  fake_quantize_activations(leaf).sum().backward();
  EXPECT_TRUE(torch::equal(leaf.grad(), torch::ones_like(x)));
}

TEST(FakeQuant, LinearComputesWithTheBlocksAndItsWeightGetsTheirGradient) {
  torch::manual_seed(2);
  for (const auto type : {QuantType::kQ8, QuantType::kQ4}) {
    for (const bool int8_activations : {false, true}) {
      CastedLinear layer(64, 48, false);
      auto blocks = QuantizedBlocks::quantize(layer->weight, type, 32);
      const auto dequantized = blocks.dequantize().requires_grad_(true);
      layer->set_fake_quant(std::move(blocks), int8_activations);
      const auto x = torch::randn({3, 7, 64});
      const auto upstream = torch::randn({3, 7, 48});
      const auto y = layer(x);
      const auto reference =
          torch::nn::functional::linear(int8_activations ? fake_quantize_activations(x) : x, dequantized);
      EXPECT_TRUE(torch::equal(y, reference)) << quant::type_name(type);
      (y * upstream).sum().backward();
      (reference * upstream).sum().backward();
      // The STE: dL/dW is dL/d(dequantized W), exactly.
      EXPECT_TRUE(torch::equal(layer->weight.grad(), dequantized.grad())) << quant::type_name(type);
    }
  }
}

// A QAT model and a float model holding the QAT model's dequantized weights, same forward.
struct Pair {
  HRMInner qat{nullptr}, dequantized{nullptr};
};
Pair make_pair(const std::string& dtype, bool int8_activations = false) {
  auto c = testing::tiny_config(AttentionMode::kPrefixLM);
  c.vocab_size = 40;
  c.forward_dtype = dtype;
  c.quantization.enabled = true;
  c.quantization.weights.type = QuantType::kQ4;
  c.quantization.int8_activations = int8_activations;
  torch::manual_seed(3);
  Pair p{HRMInner(c), nullptr};
  auto plain = c;
  plain.quantization = {};
  p.dequantized = HRMInner(plain);
  torch::NoGradGuard no_grad;
  const auto params = p.qat->named_parameters();
  for (auto& item : p.dequantized->named_parameters()) {
    const auto type = c.quantization.weights.type_of(item.key());
    const auto& source = params[item.key()];
    item.value().copy_(type ? QuantizedBlocks::quantize(source, *type, 32).dequantize() : source);
  }
  for (auto& item : p.dequantized->named_buffers()) item.value().copy_(p.qat->named_buffers()[item.key()]);
  return p;
}

InnerOutput run(HRMInner& model, const Batch& batch) { return model->forward(model->empty_carry(batch.size()), batch); }

TEST(QatForward, EqualsTheFloatModelOfTheDequantizedWeightsBitForBit) {
  for (const std::string dtype : {"float32", "bfloat16"}) {
    auto p = make_pair(dtype);
    const auto batch = testing::random_batch(p.qat->config(), 3, 4);
    const auto carry = p.qat->reset_carry(torch::ones({3}, torch::kBool), p.qat->empty_carry(3), batch);
    const auto a = p.qat->forward(carry, batch), b = p.dequantized->forward(carry, batch);
    EXPECT_TRUE(torch::equal(a.logits, b.logits)) << dtype;
    EXPECT_TRUE(torch::equal(a.q_halt, b.q_halt)) << dtype;
    EXPECT_TRUE(torch::equal(a.carry.z_H, b.carry.z_H)) << dtype;
    // Every H/L linear, the LM head and the embedding were quantized, the Q head was not.
    EXPECT_EQ(p.qat->lm_head->fake_quant()->type, QuantType::kQ8);
    EXPECT_EQ(p.qat->H->layers->ptr<BlockImpl>(0)->down->fake_quant()->type, QuantType::kQ4);
    EXPECT_EQ(p.qat->q_head->fake_quant(), nullptr);
    ASSERT_NE(p.qat->embed_fake_quant(), nullptr);
    EXPECT_EQ(p.qat->embed_fake_quant()->type, QuantType::kQ8);
  }
}

TEST(QatForward, Int8ActivationsMatchTheRoundedFloatModel) {
  auto p = make_pair("float32", /*int8_activations=*/true);
  const auto batch = testing::random_batch(p.qat->config(), 2, 5);
  const auto a = run(p.qat, batch);
  // The float model without activation rounding differs, but only by the int8 rounding.
  const auto b = run(p.dequantized, batch);
  EXPECT_FALSE(torch::equal(a.logits, b.logits));
  EXPECT_LT(((a.logits - b.logits).norm() / b.logits.norm()).item<double>(), 0.05);
}

TEST(QatForward, EveryForwardQuantizesTheCurrentWeights) {
  auto p = make_pair("float32");
  const auto batch = testing::random_batch(p.qat->config(), 2, 6);
  run(p.qat, batch);
  auto& qkv = *p.qat->L->layers->ptr<BlockImpl>(0)->qkv;
  {
    torch::NoGradGuard no_grad;
    qkv.weight.add_(0.05);  // what an optimizer step does
  }
  run(p.qat, batch);
  const auto expected = QuantizedBlocks::quantize(qkv.weight, QuantType::kQ4, 32);
  EXPECT_TRUE(torch::equal(qkv.fake_quant()->q, expected.q));
  EXPECT_TRUE(torch::equal(qkv.fake_quant()->scales, expected.scales));
  EXPECT_TRUE(torch::equal(qkv.fake_quant()->mins, expected.mins));
}

TEST(QatForward, ActivationCheckpointingGivesTheSameGradients) {
  std::vector<std::vector<torch::Tensor>> grads;
  for (const bool checkpointing : {false, true}) {
    auto p = make_pair("float32");
    auto c = p.qat->config();
    c.activation_checkpointing = checkpointing;
    c.bp_steps = 4;
    HRMInner model(c);
    torch::NoGradGuard no_grad;
    for (auto& item : model->named_parameters()) item.value().copy_(p.qat->named_parameters()[item.key()]);
    for (auto& item : model->named_buffers()) item.value().copy_(p.qat->named_buffers()[item.key()]);
    torch::AutoGradMode grad_mode(true);
    const auto batch = testing::random_batch(c, 2, 7);
    const auto carry = model->reset_carry(torch::ones({2}, torch::kBool), model->empty_carry(2), batch);
    model->forward(carry, batch).logits.square().mean().backward();
    grads.emplace_back();
    for (const auto& param : model->parameters()) grads.back().push_back(param.grad());
  }
  ASSERT_EQ(grads[0].size(), grads[1].size());
  for (size_t i = 0; i < grads[0].size(); ++i) {
    ASSERT_EQ(grads[0][i].defined(), grads[1][i].defined()) << i;
    if (grads[0][i].defined()) {
      EXPECT_TRUE(torch::allclose(grads[0][i], grads[1][i], 1e-5, 1e-6)) << i;
    }
  }
}

}  // namespace
}  // namespace hrm
