// The gspo stage's `problems_before:` key: a data cutoff date (hrm-data lcb --before's filter).
#include <gtest/gtest.h>
#include <unistd.h>

#include "hrm/rl/gspo_stage.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace {

namespace fs = std::filesystem;

hrm::rl::GspoStageConfig read_stage(const fs::path& dir, const std::string& yaml) {
  hrm::write_file_atomic(dir / "c.yaml", yaml);
  auto r = hrm::ConfigReader::from_file((dir / "c.yaml").string());
  auto c = hrm::rl::GspoStageConfig::from_reader(r);
  r.finish();
  return c;
}

TEST(GspoProblemsBefore, IsReadAsADateAndRefusedOtherwise) {
  const fs::path dir = fs::temp_directory_path() / ("hrm-gspo-before-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  EXPECT_EQ(read_stage(dir, "policy: a\nproblems: b\nproblems_before: 2024-08-01\n").problems_before, "2024-08-01");
  EXPECT_EQ(read_stage(dir, "policy: a\nproblems: b\n").problems_before, "");
  try {
    read_stage(dir, "policy: a\nproblems: b\nproblems_before: 2024-8-1\n");
    FAIL() << "a malformed date was accepted";
  } catch (const hrm::Error& e) {
    EXPECT_NE(e.describe().find("problems_before"), std::string::npos) << e.describe();
  }
  fs::remove_all(dir);
}

}  // namespace
