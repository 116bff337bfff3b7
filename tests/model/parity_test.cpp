// Numbers checked against the original: the PyTorch-eager baseline (../shared/baselines/hrm_torch.py,
// the reference HRM's computation) writes its weights and one segment's outputs; the C++ model loads
// those weights and must reproduce logits, Q values and the new carry.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>

#include "hrm/model/hrm.hpp"
#include "hrm/model/safetensors.hpp"
#include "hrm/util/fs.hpp"

namespace fs = std::filesystem;

namespace {

torch::Tensor from_json(const nlohmann::json& j) {
  // Nested lists of numbers -> float64 tensor of the same shape.
  std::vector<int64_t> shape;
  const nlohmann::json* cur = &j;
  while (cur->is_array()) {
    shape.push_back(static_cast<int64_t>(cur->size()));
    cur = &(*cur)[0];
  }
  std::vector<double> flat;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& x) {
    if (x.is_array()) {
      for (const auto& e : x) walk(e);
    } else {
      flat.push_back(x.get<double>());
    }
  };
  walk(j);
  return torch::tensor(flat, torch::kFloat64).view(shape);
}

void check_parity(bool causal) {
  const fs::path script = fs::path(HRM_SOURCE_DIR) / ".." / "shared" / "baselines" / "hrm_torch.py";
  if (!fs::exists(script)) GTEST_SKIP() << "baseline not found at " << script;
  if (std::system("/usr/bin/python3 -c 'import torch' 2>/dev/null") != 0) GTEST_SKIP() << "python3-torch not installed";
  const auto dir = fs::temp_directory_path() / (causal ? "hrm_parity_causal" : "hrm_parity_bidir");
  fs::create_directories(dir);
  const auto weights = (dir / "w.safetensors").string(), io = (dir / "io.json").string();
  const std::string cmd =
      "/usr/bin/python3 " + script.string() +
      " --hidden 64 --heads 4 --h-layers 2 --l-layers 2 --seq-len 16 --batch 2 --vocab 32 --seed 3" +
      (causal ? " --causal" : "") + " --save-weights " + weights + " --reference-io " + io;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

  hrm::ModelConfig c;
  c.vocab_size = 32;
  c.seq_len = 16;
  c.hidden_size = 64;
  c.num_heads = 4;
  c.H_layers = 2;
  c.L_layers = 2;
  c.attention = causal ? hrm::AttentionMode::kCausal : hrm::AttentionMode::kBidirectional;
  c.forward_dtype = "float32";
  hrm::HRMInner m(c);
  hrm::load_into_module(*m, hrm::load_safetensors(weights), weights, hrm::HRMInnerImpl::is_derived_buffer);

  const auto ref = nlohmann::json::parse(hrm::read_file(io));
  hrm::Batch b;
  b.inputs = from_json(ref["inputs"]).to(torch::kLong);
  b.labels = b.inputs;
  b.puzzle_ids = torch::zeros({2}, torch::kLong);
  torch::NoGradGuard no_grad;
  const auto carry = m->reset_carry(torch::ones({2}, torch::kBool), m->empty_carry(2), b);
  const auto out = m->forward(carry, b);
  const auto close = [](const torch::Tensor& a, const nlohmann::json& j, const char* what) {
    const auto r = from_json(j).to(torch::kFloat32);
    const double err = (a.to(torch::kFloat32) - r).abs().max().item<double>();
    EXPECT_LT(err, 2e-4) << what << " max abs error " << err;
  };
  close(out.logits, ref["logits"], "logits");
  close(out.q_halt, ref["q_halt"], "q_halt");
  close(out.q_continue, ref["q_continue"], "q_continue");
  close(out.carry.z_H, ref["z_H"], "z_H");
  close(out.carry.z_L, ref["z_L"], "z_L");
}

TEST(Parity, BidirectionalSegmentMatchesPyTorchBaseline) { check_parity(false); }
TEST(Parity, CausalSegmentMatchesPyTorchBaseline) { check_parity(true); }

}  // namespace
