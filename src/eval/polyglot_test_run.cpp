// One Polyglot test run (restore the tests, prepare, run in the sandbox, clean the output): shared by the
// standard runner's tries (polyglot_runner.cpp) and the agent mode's verifier (src/agent/polyglot_agent.cpp).
#include <chrono>

#include "hrm/eval/polyglot_languages.hpp"
#include "hrm/util/error.hpp"

namespace hrm::eval {

namespace fs = std::filesystem;

void copy_exercise(const Exercise& ex, const fs::path& work) {
  fs::remove_all(work);
  fs::create_directories(work);
  for (const auto& entry : fs::directory_iterator(ex.dir)) {
    const std::string name = entry.path().filename().string();
    if (name == ".meta" || name == ".approaches" || name == ".articles") continue;
    fs::copy(entry.path(), work / name, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }
}

namespace {

void restore_tests(const Exercise& ex, const fs::path& work) {
  for (const auto& f : ex.test_files) {
    const fs::path src = ex.dir / f;
    if (!fs::exists(src)) continue;
    fs::remove_all(work / f);
    fs::create_directories((work / f).parent_path());
    fs::copy_file(src, work / f, fs::copy_options::overwrite_existing);
  }
}

}  // namespace

TestRun run_exercise_tests(const Exercise& ex, const fs::path& work, const Toolchains& tools, const Caches& caches,
                           double timeout_seconds) {
  restore_tests(ex, work);
  prepare_tests(ex, work, tools);
  const auto t0 = std::chrono::steady_clock::now();
  const sandbox::RunResult result = sandbox::run(test_request(ex, work, tools, caches, timeout_seconds));
  TestRun run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (result.verdict == sandbox::Verdict::kSandboxError) {
    throw Error(ex.id() + ": the sandbox failed to run the tests: " + result.error,
                "run `hrm doctor`; the evaluation stops rather than count this as a failure");
  }
  run.passed = result.ok();
  run.verdict = sandbox::verdict_name(result.verdict);
  run.exit_code = result.exit_code;
  run.timed_out = result.verdict == sandbox::Verdict::kWallTimeout || result.verdict == sandbox::Verdict::kCpuTimeout;
  run.output_truncated = result.stdout_truncated || result.stderr_truncated;
  run.output = clean_test_output(result.stdout_data + result.stderr_data, work);
  if (run.timed_out) {
    run.output += "\nTests timed out after " + std::to_string(static_cast<int>(timeout_seconds)) + " s.\n";
  }
  return run;
}

}  // namespace hrm::eval
