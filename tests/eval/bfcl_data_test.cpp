// Reading BFCL's files: the fixture in BFCL's layout, the version and name rules, and errors naming file:line.
#include "hrm/eval/bfcl_data.hpp"

#include <gtest/gtest.h>

#include "hrm/eval/bfcl_run.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "polyglot_test_util.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hrm::eval::bfcl;
using json = nlohmann::json;

const fs::path kFixture = fs::path(HRM_SOURCE_DIR) / "tests/eval/bfcl_fixture";

TEST(BfclData, LoadsEveryOfflineCategoryOfTheFixture) {
  const fs::path dir = resolve_data_dir(kFixture);
  EXPECT_EQ(dir, kFixture / "bfcl_eval" / "data");
  size_t total = 0;
  for (const auto& category : offline_categories()) {
    const auto items = load_category(dir, category);
    ASSERT_FALSE(items.empty()) << category;
    total += items.size();
    for (const auto& item : items) {
      EXPECT_EQ(item.category, category);
      EXPECT_EQ(item.expected.is_null(), category == "irrelevance") << item.id;
      EXPECT_EQ(item.messages.at(0).role, "user");
    }
  }
  EXPECT_EQ(total, 12u);
  const auto java = load_category(dir, "simple_java");
  EXPECT_EQ(java[0].language, Language::kJava);
  EXPECT_NE(java[0].source.find("BFCL_v4_simple_java.json:1"), std::string::npos);
}

TEST(BfclData, TheNewestVersionAndTheOldNamesAreRead) {
  hrm_test::TempDir tmp("bfcl-data-versions");
  const fs::path src = kFixture / "bfcl_eval" / "data";
  fs::create_directories(tmp.path / "possible_answer");
  // v3 named the Python simple category "simple"; a v5 file with the v4 name wins over both.
  fs::copy_file(src / "BFCL_v4_simple_python.json", tmp.path / "BFCL_v3_simple.json");
  fs::copy_file(src / "possible_answer/BFCL_v4_simple_python.json", tmp.path / "possible_answer/BFCL_v3_simple.json");
  fs::copy_file(src / "BFCL_v4_multiple.json", tmp.path / "BFCL_v3_multiple.json");
  EXPECT_EQ(load_category(tmp.path, "simple_python").size(), 3u);
  std::string one = hrm::read_file(src / "BFCL_v4_simple_python.json");
  one = one.substr(0, one.find('\n') + 1);
  hrm::write_file_atomic(tmp.path / "BFCL_v5_simple_python.json", one);
  fs::copy_file(src / "possible_answer/BFCL_v4_simple_python.json",
                tmp.path / "possible_answer/BFCL_v5_simple_python.json");
  EXPECT_EQ(load_category(tmp.path, "simple_python").size(), 1u);
  EXPECT_EQ(resolve_data_dir(tmp.path), tmp.path);
}

std::string load_error(const fs::path& dir, const std::string& category) {
  try {
    load_category(dir, category);
  } catch (const hrm::Error& e) {
    return e.message();
  }
  return "";
}

TEST(BfclData, BadLinesNameFileLineAndField) {
  hrm_test::TempDir tmp("bfcl-data-bad");
  fs::create_directories(tmp.path / "possible_answer");
  const std::string good = hrm::read_file(kFixture / "bfcl_eval/data/BFCL_v4_parallel.json");
  const std::string answers = hrm::read_file(kFixture / "bfcl_eval/data/possible_answer/BFCL_v4_parallel.json");
  hrm::write_file_atomic(tmp.path / "possible_answer/BFCL_v4_parallel.json", answers);
  const auto with_second_line = [&](const std::string& line) {
    hrm::write_file_atomic(tmp.path / "BFCL_v4_parallel.json", good.substr(0, good.find('\n') + 1) + line + "\n");
    return load_error(tmp.path, "parallel");
  };
  EXPECT_NE(with_second_line("{\"id\": ").find("BFCL_v4_parallel.json:2: not valid JSON"), std::string::npos);
  json entry = json::parse(good.substr(0, good.find('\n')));
  entry["id"] = "parallel_1";
  entry["function"][0]["parameters"]["properties"]["color"].erase("type");
  EXPECT_NE(with_second_line(entry.dump())
                .find("BFCL_v4_parallel.json:2: field 'function[0].parameters.properties.color.type'"),
            std::string::npos);
  entry["question"] = json::array();
  EXPECT_NE(with_second_line(entry.dump()).find(":2: field 'question'"), std::string::npos);
  entry = json::parse(good.substr(0, good.find('\n')));
  entry["id"] = "parallel_9";
  EXPECT_NE(with_second_line(entry.dump()).find(":2: no ground truth for id 'parallel_9'"), std::string::npos);
  EXPECT_NE(load_error(tmp.path, "live_simple").find("unknown BFCL category"), std::string::npos);
  EXPECT_NE(load_error(tmp.path, "multiple").find("no question file for category 'multiple'"), std::string::npos);
}

TEST(BfclData, ToolsAreShownAsBfclShowsThemToFunctionCallingModels) {
  const fs::path dir = resolve_data_dir(kFixture);
  const json python = model_tools(load_category(dir, "simple_python")[0]);
  const json& f = python[0]["function"];
  EXPECT_EQ(python[0]["type"], "function");
  EXPECT_EQ(f["name"], "kettle_brew_tea");
  EXPECT_EQ(f["parameters"]["type"], "object");
  EXPECT_EQ(f["parameters"]["properties"]["minutes"]["type"], "number");
  EXPECT_EQ(f["parameters"]["properties"]["minutes"]["format"], "float");
  EXPECT_NE(f["description"].get<std::string>().find("Python 3 syntax"), std::string::npos);
  const json java = model_tools(load_category(dir, "simple_java")[0]);
  const json& size = java[0]["function"]["parameters"]["properties"]["size"];
  EXPECT_EQ(size["type"], "string");
  EXPECT_FALSE(size.contains("items"));
  EXPECT_NE(size["description"].get<std::string>().find("This is Java Array type parameter in string representation. "
                                                        "The list elements are of type integer"),
            std::string::npos);
}

}  // namespace
