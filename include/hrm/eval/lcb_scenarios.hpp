// The LiveCodeBench scenarios besides code generation, in their published row formats:
//   test output prediction (livecodebench/test_generation rows): predict f(input)'s output; graded by
//     evaluating the right-hand side of the predicted `assert f(...) == <rhs>` and comparing it with
//     the JSON-decoded expected output (compute_test_output_prediction_metrics.py);
//   code execution (livecodebench/execution-v2 rows, CRUXEval style): predict a function's output;
//     graded by running `<imports>\n<code>\nassert <output> == <prediction>` with a 3 s limit
//     (compute_code_execution_metrics.py); a prediction that contains the input is rejected.
// Self-repair reuses the code-generation problems and judge (lcb_run.hpp).
// Both graders evaluate model text, so they run in the sandbox (checker_source(), one fork per item).
//
// Exports: TestOutputProblem, ExecutionProblem, load_test_output_problems(), load_execution_problems(),
// CheckOptions, grade_test_outputs(), grade_executions(), execution_imports(), checker_source().
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "hrm/eval/lcb_data.hpp"

namespace hrm::eval::lcb {

struct TestOutputProblem {
  std::string question_title, question_content, question_id, contest_id, contest_date, difficulty;
  std::string starter_code, function_name;
  int test_id = 0;
  std::vector<Test> test;  // the row's `test` (JSON text); test[0] is the one asked about
  std::string source;      // file:line
};

struct ExecutionProblem {
  std::string question_id, contest_id, contest_date, difficulty, function_name, code, input, output, id, problem_id;
  long numsteps = 0;
  std::string source;
};

// JSONL (one row per line) or a JSON list of rows. Sorted as LiveCodeBench sorts them:
// (question_id, test_id) and int(id.split("_")[1]) respectively. Errors name file:line and field.
std::vector<TestOutputProblem> load_test_output_problems(const std::filesystem::path& file);
std::vector<ExecutionProblem> load_execution_problems(const std::filesystem::path& file);

struct CheckOptions {
  std::string python = "/usr/bin/python3";
  std::filesystem::path work_root;  // empty = a temp directory
  int jobs = 1;                     // parallel sandboxes; 0 = all cores
  double execution_timeout = 3;     // seconds per code-execution check (LiveCodeBench: 3)
};

// graded[i][j]: whether prediction j of problem i is right.
std::vector<std::vector<bool>> grade_test_outputs(const std::vector<TestOutputProblem>& problems,
                                                  const std::vector<std::vector<std::string>>& predictions,
                                                  const CheckOptions& options);
std::vector<std::vector<bool>> grade_executions(const std::vector<ExecutionProblem>& problems,
                                                const std::vector<std::vector<std::string>>& predictions,
                                                const CheckOptions& options);

// LiveCodeBench's BASE_IMPORTS for code execution (numpy and pandas imported only when installed):
// src/eval/python/lcb_execution_imports.py, embedded at build time.
const char* execution_imports();
// The checker script: src/eval/python/lcb_checker.py, embedded at build time.
const char* checker_source();

}  // namespace hrm::eval::lcb
