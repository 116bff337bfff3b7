// Polyglot results: the per-exercise record (saved as JSON, the unit of --resume) and the summary with
// Aider's fields (pass_rate_1, pass_rate_2, percent_cases_well_formed, ...) plus per-language rates.
//
// Exports: TryRecord, ExerciseRecord, RunInfo, to_json(), exercise_from_json(), summarize(),
// format_summary().
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hrm::eval {

struct TryRecord {
  int attempt = 1;
  bool malformed = false;  // the reply did not parse or an edit did not apply
  std::vector<std::string> edit_errors;
  int edits = 0;  // edits parsed from the reply
  bool passed = false;
  std::string verdict;  // sandbox verdict of the test run ("exited", "wall_timeout", ...)
  int exit_code = -1;
  bool timed_out = false;
  bool reused_previous_run = false;  // the files were identical to the previous try: its run was reused
  double model_seconds = 0, test_seconds = 0;
  std::string test_output;  // cleaned, as given back to the model
  bool output_truncated = false;
};

struct ExerciseRecord {
  std::string id, language, slug;
  std::string model, edit_format;
  std::vector<TryRecord> tries;
  std::string status;  // "pass", "fail" or "unsupported"
  std::string unsupported_reason;
  int num_malformed_responses = 0;
  int syntax_errors = 0, indentation_errors = 0, lazy_comments = 0, test_timeouts = 0;
  double duration_seconds = 0;
  // Aider's tests_outcomes: one bool per try made.
  std::vector<bool> outcomes() const;
  bool passed_within(int tries) const;
};

nlohmann::json to_json(const ExerciseRecord& record);
// Throws hrm::Error naming `where` when a field is missing or mistyped.
ExerciseRecord exercise_from_json(const nlohmann::json& j, const std::string& where);

// What the summary says about the run itself.
struct RunInfo {
  std::string model, edit_format, data_dir, command, date;
  int tries = 2, jobs = 1, selected_cases = 0;
  double wall_seconds = 0;
  std::map<std::string, std::string> versions;
  std::string commit_hash;  // of the benchmark checkout, when it is a git checkout
};

// Aider's summary fields computed over `records` (the completed cases), plus "languages" (per-language
// cases, passes and rates) and "unsupported" (id -> reason).
nlohmann::json summarize(const std::vector<ExerciseRecord>& records, const RunInfo& info);

// The summary as a table for the terminal.
std::string format_summary(const nlohmann::json& summary);

}  // namespace hrm::eval
