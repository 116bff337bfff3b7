// Judging LiveCodeBench code-generation samples in the hrm sandbox, with LiveCodeBench's rules
// (lcb_runner/evaluation/testing_util.py): the same prepended imports, stdin programs compared line by
// line (lcb_compare.hpp), LeetCode problems called as Solution().<func_name>(*args) with one JSON value
// per input line, tuples compared as lists, stop at the first failing test, per-test timeout.
//
// One sandboxed Python process (the driver, driver_source()) judges a batch of samples (of one or
// several problems): it loads the imports once and forks one child per sample. Each child reports every test's
// start and outcome on a side-channel file, so a hang, crash or kill is attributed to the test in
// flight even when the process dies.
//
// Result codes, as LiveCodeBench writes them in eval_all.json: true = passed, -2 wrong answer (false
// for a LeetCode-style problem, as LiveCodeBench records the failed comparison itself),
// -3 time limit exceeded, -4 runtime error (also: code that does not compile or load, reported as a
// one-element [-4]), -5 the judge itself failed (kTestRunnerError).
//
// Exports: JudgeOptions, SampleResult, judge_problem(), JudgeItem, judge_batch(), driver_source().
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/eval/lcb_data.hpp"

namespace hrm::eval::lcb {

constexpr int kWrongAnswer = -2;
constexpr int kTimeLimit = -3;
constexpr int kRuntimeError = -4;
constexpr int kTestRunnerError = -5;

struct JudgeOptions {
  double timeout_seconds = 6;        // per test, as LiveCodeBench's default
  std::string clock = "cpu";         // "cpu": the timeout counts CPU time (stable under load); "wall": as LCB
  int64_t memory_bytes = 4LL << 30;  // per sample, address space on top of the driver's own
  std::string python = "/usr/bin/python3";
  std::filesystem::path work_root;  // scratch directories go here; empty = a fresh temp directory
  int samples_per_process = 0;      // samples judged by one driver process; 0 = all of the batch
  bool keep_work = false;           // keep the scratch directories (debugging)
};

struct SampleResult {
  nlohmann::json results = nlohmann::json::array();    // per executed test: true or an error code
  nlohmann::json metadata = nlohmann::json::object();  // LiveCodeBench's metadata for the sample
  bool passed = false;                                 // every test passed
  int comparator_disagreements = 0;                    // stdin outputs where the C++ rules disagree with the driver
};

// Judges `codes` (one per sample) of `problem` against `tests` (public then private). Blocking; runs
// one or more sandboxes. Never throws for what the code does; throws hrm::Error when the sandbox or
// python is unusable.
std::vector<SampleResult> judge_problem(const Problem& problem, const std::vector<Test>& tests,
                                        const std::vector<std::string>& codes, const JudgeOptions& options);

// Several problems' samples in as few driver processes as possible (one when samples_per_process is
// 0): the imports and the sandbox are set up once for all of them. Fills each item's `results`.
struct JudgeItem {
  const Problem* problem;
  const std::vector<Test>* tests;
  const std::vector<std::string>* codes;
  std::vector<SampleResult> results;
};
void judge_batch(std::vector<JudgeItem>& items, const JudgeOptions& options);

// The driver script (Python 3.8+, stdlib only): src/eval/python/lcb_driver.py, embedded at build time.
const char* driver_source();

}  // namespace hrm::eval::lcb
