// The Python that LiveCodeBench judging runs in the sandbox lives in src/eval/python/*.py: each file
// compiles, is embedded byte for byte, and runs alone outside hrm.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hrm/eval/lcb_judge.hpp"
#include "hrm/eval/lcb_scenarios.hpp"
#include "hrm/util/fs.hpp"
#include "polyglot_test_util.hpp"

namespace {

namespace fs = std::filesystem;
namespace lcb = hrm::eval::lcb;

const fs::path kPythonDir = fs::path(HRM_SOURCE_DIR) / "src" / "eval" / "python";

TEST(LcbPython, EveryFileIsEmbeddedAsItIs) {
  EXPECT_EQ(lcb::driver_source(), hrm::read_file(kPythonDir / "lcb_driver.py"));
  EXPECT_EQ(lcb::checker_source(), hrm::read_file(kPythonDir / "lcb_checker.py"));
  EXPECT_EQ(lcb::execution_imports(), hrm::read_file(kPythonDir / "lcb_execution_imports.py"));
}

TEST(LcbPython, EveryFileCompiles) {
  hrm_test::TempDir tmp("lcb-python-compile");
  int files = 0;
  for (const auto& entry : fs::directory_iterator(kPythonDir)) {
    if (entry.path().extension() != ".py") continue;
    ++files;
    // py_compile with the .pyc in our own folder: nothing is written next to the sources.
    const auto r = hrm_test::run_command(
        "python3 -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)' " +
        entry.path().string() + " " + (tmp.path / (entry.path().stem().string() + ".pyc")).string());
    EXPECT_EQ(r.exit_code, 0) << entry.path() << "\n" << r.output;
  }
  EXPECT_EQ(files, 3);
}

TEST(LcbPython, TheCheckerRunsAlone) {
  hrm_test::TempDir tmp("lcb-python-checker");
  const std::string good =
      std::string(lcb::execution_imports()) + "\ndef f(x):\n    return sorted(x)\nassert f([3, 1]) == [1, 3]";
  const std::string bad = "def f(x):\n    return x\nassert f([3, 1]) == [1, 3]";
  const nlohmann::json job = {{"items",
                               {{{"kind", "testoutput"}, {"prediction", "assert f(2) == 4"}, {"expected", "4"}},
                                {{"kind", "testoutput"}, {"prediction", "5"}, {"expected", "4"}},
                                {{"kind", "execution"}, {"program", good}, {"timeout", 10}},
                                {{"kind", "execution"}, {"program", bad}, {"timeout", 10}}}}};
  hrm::write_file_atomic(tmp.path / "job.json", job.dump());
  const auto r = hrm_test::run_command("cd " + tmp.path.string() + " && python3 " +
                                       (kPythonDir / "lcb_checker.py").string() + " job.json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const bool expected[] = {true, false, true, false};
  for (int k = 0; k < 4; ++k) {
    const auto result = nlohmann::json::parse(hrm::read_file(tmp.path / ("r" + std::to_string(k) + ".json")));
    EXPECT_EQ(result.at("passed").get<bool>(), expected[k]) << "item " << k << ": " << result.dump();
  }
}

}  // namespace
