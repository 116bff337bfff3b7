#include "hrm/model/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../scratch_dir.hpp"
#include "hrm/model/hrm.hpp"

namespace {

std::string write_tmp(const std::string& name, const std::string& text) {
  const auto path = (hrm::testing::scratch_dir("config_" + name) / name).string();
  std::ofstream(path) << text;
  return path;
}

std::string load_error(const std::string& yaml) {
  const auto path = write_tmp("hrm_config_test.yaml", yaml);
  try {
    hrm::ModelConfig::from_file(path);
  } catch (const hrm::Error& e) {
    return e.describe();
  }
  return "";
}

TEST(ModelConfig, PublishedModelHasTheReferenceParameterCount) {
  auto c = hrm::ModelConfig::from_file(std::string(HRM_SOURCE_DIR) + "/configs/arch/hrm_v1.yaml");
  EXPECT_EQ(c.mlp_inner(), 1536);
  c.vocab_size = 11;  // the reference's Sudoku vocabulary: 27,275,266 parameters
  hrm::HRMInner sudoku(c);
  EXPECT_EQ(hrm::count_parameters(*sudoku), 27275266);
  c.vocab_size = 512;
  hrm::HRMInner m(c);
  EXPECT_EQ(hrm::count_parameters(*m), 27788290);
}

TEST(ModelConfig, RejectsUnknownKeysWrongTypesAndImpossibleValues) {
  const std::string base = "vocab_size: 12\nseq_len: 16\n";
  EXPECT_NE(load_error(base + "hiden_size: 64\n").find("unknown key 'hiden_size'"), std::string::npos);
  EXPECT_NE(load_error(base + "hidden_size: big\n").find("'hidden_size' must be an integer"), std::string::npos);
  EXPECT_NE(load_error(base + "hidden_size: 30\nnum_heads: 4\n").find("multiple of num_heads"), std::string::npos);
  EXPECT_NE(load_error(base + "attention: sideways\n").find("use one of: bidirectional, causal, prefix_lm"),
            std::string::npos);
  EXPECT_NE(load_error(base + "bp_steps: 7\n").find("bp_steps"), std::string::npos);
  EXPECT_NE(load_error("seq_len: 16\n").find("missing required key 'vocab_size'"), std::string::npos);
  EXPECT_NE(load_error(base + "halt_exploration_prob: 1.5\n").find("hrm_config_test.yaml"), std::string::npos);
}

TEST(ModelConfig, YamlRoundTripAndDiff) {
  auto c = hrm::ModelConfig::from_file(std::string(HRM_SOURCE_DIR) + "/configs/arch/hrm_v1.yaml");
  const auto path = write_tmp("hrm_config_roundtrip.yaml", c.to_yaml());
  const auto back = hrm::ModelConfig::from_file(path);
  EXPECT_EQ(c.diff(back), "");
  back.to_yaml();
  auto other = back;
  other.hidden_size = 256;
  EXPECT_EQ(c.diff(other), "hidden_size (512 vs 256)");
}

}  // namespace
