#include "hrm/model/checkpoint.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../scratch_dir.hpp"
#include "test_helpers.hpp"
#include "../error_of.hpp"

namespace fs = std::filesystem;

namespace {

using hrm::testing::error_of;

// A path for a checkpoint directory that does not exist yet (save_checkpoint creates it).
std::string tmp_dir(const std::string& name) { return (hrm::testing::scratch_dir("ckpt_" + name) / "ckpt").string(); }

TEST(Checkpoint, SaveLoadRoundTripIsBitExact) {
  const auto cfg = hrm::testing::tiny_config();
  torch::manual_seed(1);
  hrm::HRMInner a(cfg);
  torch::manual_seed(2);
  hrm::HRMInner b(cfg);
  const auto dir = tmp_dir("roundtrip");
  hrm::save_checkpoint(dir, *a, {{"step", 7}});
  const auto c = hrm::load_checkpoint(dir, *b);
  EXPECT_EQ(c.train_state["step"], 7);
  const auto pa = a->named_parameters(), pb = b->named_parameters();
  for (const auto& p : pa) EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
  EXPECT_TRUE(torch::equal(a->H_init, b->H_init));
  const auto batch = hrm::testing::random_batch(cfg, 2, 1);
  auto carry = a->reset_carry(torch::ones({2}, torch::kBool), a->empty_carry(2), batch);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(a->forward(carry, batch).logits, b->forward(carry, batch).logits));
}

TEST(Checkpoint, SafetensorsRoundTripKeepsDtypesAndMetadata) {
  const auto dir = tmp_dir("st");
  fs::create_directories(dir);
  const auto path = dir + "/t.safetensors";
  hrm::TensorMap in = {{"a", torch::randn({2, 3})},
                       {"b", torch::arange(5, torch::kLong)},
                       {"c", torch::randn({4}).to(torch::kBFloat16)},
                       {"d", torch::tensor({true, false})}};
  hrm::save_safetensors(path, in, {{"k", "v"}});
  std::map<std::string, std::string> meta;
  const auto out = hrm::load_safetensors(path, &meta);
  EXPECT_EQ(meta.at("k"), "v");
  for (const auto& [k, t] : in) EXPECT_TRUE(torch::equal(t, out.at(k))) << k;
}

TEST(Checkpoint, MismatchedConfigIsAClearError) {
  auto cfg = hrm::testing::tiny_config();
  hrm::HRMInner a(cfg);
  const auto dir = tmp_dir("mismatch");
  hrm::save_checkpoint(dir, *a, {});
  cfg.hidden_size = 64;
  hrm::HRMInner b(cfg);
  const auto msg = error_of([&] { hrm::load_checkpoint(dir, *b); });
  EXPECT_NE(msg.find("hidden_size (64 vs 32)"), std::string::npos) << msg;
}

TEST(Checkpoint, TruncatedOrCorruptWeightsAreClearErrors) {
  const auto cfg = hrm::testing::tiny_config();
  hrm::HRMInner a(cfg);
  const auto dir = tmp_dir("corrupt");
  hrm::save_checkpoint(dir, *a, {});
  const auto weights = dir + "/model.safetensors";
  const auto size = fs::file_size(weights);
  fs::resize_file(weights, size - 100);
  auto msg = error_of([&] { hrm::load_checkpoint(dir, *a); });
  EXPECT_NE(msg.find("model.safetensors"), std::string::npos) << msg;
  EXPECT_NE(msg.find("out of range"), std::string::npos) << msg;
  std::string bad("\x10\0\0\0\0\0\0\0", 8);  // header length 16, then 16 bytes that are not JSON
  std::ofstream(weights, std::ios::binary) << bad << "{not json at all}";
  msg = error_of([&] { hrm::load_checkpoint(dir, *a); });
  EXPECT_NE(msg.find("header is not JSON"), std::string::npos) << msg;
  fs::remove(dir + "/config.yaml");
  msg = error_of([&] { hrm::load_checkpoint(dir, *a); });
  EXPECT_NE(msg.find("config.yaml"), std::string::npos) << msg;
}

}  // namespace
