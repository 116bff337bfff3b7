#include "hrm/agent/task_generator.hpp"

#include <gtest/gtest.h>

#include <set>

#include "agent_test_util.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace {

using hrm::agent::generate_tasks;
using hrm::agent::task_to_json;

// The seed and size of data/tools/suite.jsonl (docs/tools.md); training data must use other seeds.
constexpr uint64_t kSuiteSeed = 9001;
constexpr int kSuitePerVariant = 3;

TEST(TaskGenerator, SameSeedSameTasksOtherSeedOtherTasks) {
  const auto a = generate_tasks(5, 2), b = generate_tasks(5, 2), c = generate_tasks(6, 2);
  ASSERT_EQ(a.size(), b.size());
  int differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(task_to_json(a[i]), task_to_json(b[i]));
    differ += task_to_json(a[i]) != task_to_json(c[i]);
  }
  EXPECT_GT(differ, static_cast<int>(a.size()) / 2);
}

TEST(TaskGenerator, EveryFamilyWithUniqueIdsAndASubmittingReference) {
  const auto tasks = generate_tasks(1, 2);
  std::set<std::string> ids, families, languages;
  for (const auto& t : tasks) {
    EXPECT_TRUE(ids.insert(t.id).second) << t.id;
    families.insert(t.family);
    languages.insert(t.language);
    ASSERT_FALSE(t.reference.empty()) << t.id;
    EXPECT_EQ(t.reference.back().name, "submit") << t.id;
    EXPECT_FALSE(t.verify.empty()) << t.id;
    EXPECT_LE(static_cast<int>(t.reference.size()), t.max_turns) << t.id;
  }
  EXPECT_EQ(families, (std::set<std::string>{"build", "debugging", "git", "multifile", "packages", "shell"}));
  EXPECT_EQ(languages, (std::set<std::string>{"cpp", "go", "java", "javascript", "python", "rust", "shell"}));
  EXPECT_EQ(generate_tasks(1, 1, {"git"}).size(), 4u);
}

TEST(TaskGenerator, ShippedSuiteIsTheGeneratorsOutput) {
  const auto shipped = hrm::agent::load_suite(hrm_agent_test::shipped_suite());
  const auto fresh = generate_tasks(kSuiteSeed, kSuitePerVariant);
  ASSERT_EQ(shipped.size(), fresh.size())
      << "regenerate: hrm-data tools --seed 9001 --per-variant 3 --out data/tools/suite.jsonl";
  for (size_t i = 0; i < fresh.size(); ++i) EXPECT_EQ(task_to_json(shipped[i]), task_to_json(fresh[i])) << fresh[i].id;
}

TEST(TaskSuite, BadLinesNameFileLineAndField) {
  hrm_agent_test::ScratchDir dir;
  const auto path = (dir.path / "s.jsonl").string();
  const auto error_of = [&](const std::string& text) {
    hrm::write_file_atomic(path, text);
    try {
      hrm::agent::load_suite(path);
    } catch (const hrm::Error& e) {
      return e.describe();
    }
    return std::string();
  };
  auto line = task_to_json(generate_tasks(1, 1, {"shell"})[0]);
  EXPECT_NE(error_of(line.dump() + "\n{oops\n").find(":2: not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(line.dump() + "\n" + line.dump() + "\n").find(":2: duplicate task id"), std::string::npos);
  auto bad = line;
  bad["colour"] = 1;
  EXPECT_NE(error_of(bad.dump()).find(":1: unknown field 'colour'"), std::string::npos);
  bad = line;
  bad.erase("verify");
  EXPECT_NE(error_of(bad.dump()).find("missing field 'verify'"), std::string::npos);
  bad = line;
  bad["tools"] = {"bash", "teleport"};
  EXPECT_NE(error_of(bad.dump()).find("unknown tool 'teleport'"), std::string::npos);
  bad = line;
  bad["max_turns"] = "many";
  EXPECT_NE(error_of(bad.dump()).find("field 'max_turns' has the wrong type"), std::string::npos);
}

}  // namespace
