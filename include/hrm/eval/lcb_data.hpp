// LiveCodeBench code-generation problems: reading the official `code_generation_lite` JSONL files
// (test.jsonl ... test6.jsonl) and selecting problems (release, date window, platform, difficulty).
//
// Exports: Test, Problem, ProblemFilter, release_files(), load_problems(), problem_matches(),
// parse_date(), problem_tests(). Row format: see docs/livecodebench.md.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hrm::eval::lcb {

struct Test {
  std::string input;
  std::string output;
  std::string testtype;  // "stdin" or "functional" (informative: the judge mode comes from func_name)
};

struct Problem {
  std::string question_title, question_content, platform, question_id, contest_id;
  std::string contest_date;  // ISO 8601 as in the row, e.g. "2023-08-21T00:00:00"
  std::string starter_code, difficulty;
  std::vector<Test> public_tests;
  std::string private_tests_field;  // raw field; decoded on demand by problem_tests() (they are large)
  nlohmann::json metadata;          // decoded `metadata`
  std::string func_name;            // metadata.func_name; empty for stdin problems
  std::string source;               // "<file>:<line>" for error messages
  bool functional() const { return !func_name.empty(); }
};

// Public then private tests, in the order LiveCodeBench judges them. Decodes the private field.
std::vector<Test> problem_tests(const Problem& problem);

// Parses one JSON-lines row (the text of one line); `source` is "<file>:<line>" for errors.
Problem parse_problem(const std::string& line, const std::string& source);

// File names of a release, cumulative as LiveCodeBench defines them: v1 = test.jsonl, v2 = v1 +
// test2.jsonl, ..., v6 = test..test6.jsonl. Accepts "v3", "release_v3" and "release_latest" (= v6).
// Throws hrm::Error for an unknown tag.
std::vector<std::string> release_files(const std::string& release);

struct ProblemFilter {
  std::string start_date, end_date;       // "YYYY-MM-DD", inclusive as LCB: start <= date <= end (00:00)
  std::vector<std::string> platforms;     // empty = all
  std::vector<std::string> difficulties;  // empty = all
  std::vector<std::string> question_ids;  // empty = all
  // "YYYY-MM-DD", exclusive: only problems dated before it (a training data cutoff)
  std::string before_date;
};
// Throws hrm::Error for a malformed date or an unknown platform/difficulty in the filter.
void validate_filter(const ProblemFilter& filter);
bool problem_matches(const Problem& problem, const ProblemFilter& filter);

// Reads `data`: one test*.jsonl file, or a directory holding the release's files (all of them must
// be present), keeping the rows that match `filter` (rows are filtered while reading: the full
// release is several GB). Problems are returned sorted by question_id (LiveCodeBench's order). A bad
// row throws hrm::Error naming file:line and the field.
std::vector<Problem> load_problems(const std::filesystem::path& data, const std::string& release = "v6",
                                   const ProblemFilter& filter = {});

// Checks "YYYY-MM-DD" and returns it as a comparable ISO timestamp "YYYY-MM-DDT00:00:00"; throws
// hrm::Error naming `what` otherwise.
std::string parse_date(const std::string& date, const std::string& what);
// The first 19 chars of an ISO timestamp, normalised ("2023-08-21" -> "2023-08-21T00:00:00").
std::string normalize_timestamp(const std::string& iso);

}  // namespace hrm::eval::lcb
