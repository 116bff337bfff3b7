// `hrm-data generic`: problems with reference solutions and tests (the APPS / TACO / CodeContests
// layouts) turned into verified SFT rows. Each row becomes a LiveCodeBench code_generation_lite row
// (stdin, or functional with `fn_name`), its Python solutions are judged by the LiveCodeBench judge in
// the sandbox, and each passing solution gives one chat: the evaluator's code-generation prompt for the
// problem, then the solution in a ```python block. Rows whose solutions all fail are dropped and counted.
//
// Accepted fields (per JSONL row):
//   question:  "question" | "description" | "problem"
//   solutions: a list of Python programs, the same list as a JSON string (APPS), or CodeContests'
//              {"language": [...], "solution": [...]} (only language 3, Python 3, is kept)
//   tests:     "tests" or "input_output" ({"inputs", "outputs", "fn_name"?}, object or JSON string), or
//              CodeContests' "public_tests" / "private_tests" / "generated_tests" ({"input", "output"})
//   optional:  "id" | "problem_id" | "name", "starter_code", "difficulty", "date" | "contest_date"
//              (no date: 1970-01-01, so that a data cutoff counts the problem as seen; difficulty
//              introductory/easy, interview/medium, competition/hard, anything else medium)
// Functional tests (fn_name): inputs are argument lists, one JSON value per line in LCB's encoding; an
// expected output that is a one-element list is unwrapped (APPS wraps results that way) — a wrong
// guess fails verification and is counted, never kept.
//
// Exports: GenericOptions, build_generic(), format_generic_stats().
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hrm::synth {

struct GenericOptions {
  std::vector<std::filesystem::path> data;  // JSONL files
  std::filesystem::path out_dir;            // must be empty or absent
  int max_solutions = 1;                    // SFT rows per problem (passing solutions, in row order)
  int max_tried = 4;                        // solutions judged per problem
  int jobs = 0;                             // parallel judge processes; 0: all cores
};

// Writes <out>/sft.jsonl, <out>/lcb.jsonl (the verified problems as LCB rows) and <out>/stats.json;
// returns the statistics. Bad rows throw hrm::Error naming file:line and the field.
nlohmann::json build_generic(const GenericOptions& options);

std::string format_generic_stats(const nlohmann::json& stats);

}  // namespace hrm::synth
