// model.architecture: each ablation parses with its own defaults, rejects the knobs it does not use,
// round-trips through YAML (the checkpoint's config.yaml) and names the architecture in diff().
#include <gtest/gtest.h>

#include <fstream>

#include "../error_of.hpp"
#include "../scratch_dir.hpp"
#include "hrm/model/config.hpp"
#include "hrm/util/error.hpp"

namespace {

const std::string kBase = "vocab_size: 11\nseq_len: 8\nhidden_size: 32\nnum_heads: 4\n";

hrm::ModelConfig parse_text(const std::string& name, const std::string& text) {
  const auto path = (hrm::testing::scratch_dir("arch_config_" + name) / "model.yaml").string();
  std::ofstream(path) << text;
  return hrm::ModelConfig::from_file(path);
}

hrm::ModelConfig parse(const std::string& name, const std::string& yaml) { return parse_text(name, kBase + yaml); }

std::string parse_error(const std::string& name, const std::string& yaml) {
  return hrm::testing::error_of([&] { parse(name, yaml); });
}

TEST(ArchitectureConfig, DefaultIsHrmAndEachAblationHasItsDefaults) {
  EXPECT_EQ(parse("default", "").architecture, hrm::Architecture::kHRM);
  const auto l_only = parse("l_only", "architecture: l_only\nL_cycles: 6\n");
  EXPECT_EQ(l_only.module_calls(), 6);
  EXPECT_EQ(l_only.bp_steps, 1);  // the one-step gradient: the last L call
  const auto transformer = parse("transformer", "architecture: transformer\nL_layers: 8\n");
  EXPECT_EQ(transformer.module_calls(), 1);
  EXPECT_EQ(transformer.call_layers(0), 8);
  EXPECT_EQ(transformer.halt_max_steps, 1);
  EXPECT_EQ(transformer.bp_steps, 1);
  const auto trm = parse("trm", "architecture: trm\nL_layers: 2\nH_cycles: 3\nL_cycles: 6\n");
  EXPECT_EQ(trm.module_calls(), 3 * 7);
  EXPECT_EQ(trm.bp_steps, 7);  // the last full recursion round: n z updates + 1 y update
  EXPECT_FALSE(trm.has_q_continue());
  EXPECT_EQ(parse("trm_bp", "architecture: trm\nL_cycles: 6\nbp_steps: 2\n").bp_steps, 2);
}

TEST(ArchitectureConfig, CallLayersFollowTheSchedule) {
  auto hrm_config = parse("hrm_layers", "H_layers: 3\nL_layers: 2\nH_cycles: 2\nL_cycles: 2\n");
  std::vector<int64_t> layers;
  for (int64_t call = 0; call < hrm_config.module_calls(); ++call) layers.push_back(hrm_config.call_layers(call));
  EXPECT_EQ(layers, (std::vector<int64_t>{2, 2, 3, 2, 2, 3}));
  const auto trm = parse("trm_layers", "architecture: trm\nL_layers: 2\nH_cycles: 2\nL_cycles: 2\n");
  for (int64_t call = 0; call < trm.module_calls(); ++call) EXPECT_EQ(trm.call_layers(call), 2);
}

TEST(ArchitectureConfig, RejectsUnusedKnobsAndUnknownNames) {
  auto msg = parse_error("l_only_h", "architecture: l_only\nH_layers: 2\n");
  EXPECT_NE(msg.find("H_layers"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not used by architecture: l_only"), std::string::npos) << msg;
  msg = parse_error("transformer_cycles", "architecture: transformer\nL_cycles: 2\n");
  EXPECT_NE(msg.find("L_cycles"), std::string::npos) << msg;
  msg = parse_error("transformer_act", "architecture: transformer\nhalt_max_steps: 4\n");
  EXPECT_NE(msg.find("must be 1 for architecture: transformer"), std::string::npos) << msg;
  msg = parse_error("trm_h", "architecture: trm\nH_layers: 2\n");
  EXPECT_NE(msg.find("H_layers"), std::string::npos) << msg;
  msg = parse_error("trm_bp", "architecture: trm\nH_cycles: 2\nL_cycles: 2\nbp_steps: 7\n");
  EXPECT_NE(msg.find("module calls per segment = 6"), std::string::npos) << msg;
  msg = parse_error("unknown", "architecture: mamba\n");
  EXPECT_NE(msg.find("architecture"), std::string::npos) << msg;
  EXPECT_NE(msg.find("trm"), std::string::npos) << msg;  // lists the choices
}

TEST(ArchitectureConfig, YamlRoundTripsAndDiffNamesTheArchitecture) {
  for (const char* yaml : {"architecture: l_only\nL_cycles: 3\n", "architecture: transformer\nL_layers: 3\n",
                           "architecture: trm\nL_layers: 2\nH_cycles: 3\nL_cycles: 4\n"}) {
    const auto c = parse("round_trip", yaml);
    const auto back = parse_text("round_trip_back", c.to_yaml());
    EXPECT_EQ(c.to_yaml(), back.to_yaml()) << yaml;
    EXPECT_EQ(c.diff(back), "");
    EXPECT_EQ(c.to_yaml().find("H_layers"), std::string::npos) << "unused keys are left out";
  }
  const auto hrm_config = parse("diff_hrm", "");
  const auto trm = parse("diff_trm", "architecture: trm\n");
  const auto d = trm.diff(hrm_config);
  EXPECT_NE(d.find("architecture (trm vs hrm)"), std::string::npos) << d;
  EXPECT_NE(d.find("H_layers (unused vs 4)"), std::string::npos) << d;
}

}  // namespace
