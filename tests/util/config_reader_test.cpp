#include "hrm/util/config_reader.hpp"

#include <gtest/gtest.h>
#include "../error_of.hpp"

namespace {

using hrm::testing::error_of;

hrm::ConfigReader reader(const std::string& yaml) { return hrm::ConfigReader(YAML::Load(yaml), "test.yaml"); }

TEST(ConfigReader, ReadsTypedValuesAndKeepsDefaults) {
  auto r = reader("hidden: 64\nname: abc\nratio: 0.5\n");
  int hidden = 0, absent = 7;
  std::string name;
  double ratio = 0;
  r.get("hidden", hidden);
  r.get("name", name);
  r.get("ratio", ratio);
  r.get("absent", absent);
  r.finish();
  EXPECT_EQ(hidden, 64);
  EXPECT_EQ(name, "abc");
  EXPECT_DOUBLE_EQ(ratio, 0.5);
  EXPECT_EQ(absent, 7);
}

TEST(ConfigReader, RejectsUnknownKeyNamingFileAndKey) {
  auto r = reader("hidden: 64\nhiden_size: 3\n");
  int hidden = 0;
  r.get("hidden", hidden);
  const auto msg = error_of([&] { r.finish(); });
  EXPECT_NE(msg.find("test.yaml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'hiden_size'"), std::string::npos) << msg;
}

TEST(ConfigReader, RejectsWrongTypeWithLine) {
  auto r = reader("a: 1\nhidden: lots\n");
  int hidden = 0, a = 0;
  r.get("a", a);
  const auto msg = error_of([&] { r.get("hidden", hidden); });
  EXPECT_NE(msg.find("test.yaml:2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'hidden' must be an integer"), std::string::npos) << msg;
}

TEST(ConfigReader, NestedKeysCarryTheirPath) {
  auto r = reader("model:\n  heads: 4\n  typo: 1\n");
  auto m = r.child("model");
  int heads = 0;
  m.get("heads", heads);
  EXPECT_EQ(heads, 4);
  const auto msg = error_of([&] { m.finish(); });
  EXPECT_NE(msg.find("'model.typo'"), std::string::npos) << msg;
}

TEST(ConfigReader, MissingRequiredAndBadChoice) {
  auto r = reader("mode: sideways\n");
  int needed = 0;
  EXPECT_NE(error_of([&] { r.require("needed", needed); }).find("missing required key 'needed'"), std::string::npos);
  std::string mode;
  const auto msg = error_of([&] { r.get_choice("mode", mode, {"causal", "bidirectional"}); });
  EXPECT_NE(msg.find("use one of: causal, bidirectional"), std::string::npos) << msg;
}

}  // namespace
