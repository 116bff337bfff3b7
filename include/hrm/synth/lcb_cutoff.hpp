// `hrm-data lcb`: LiveCodeBench problems (code_generation_lite JSONL) split at a data cutoff into RL
// prompt sets. Problems dated before the cutoff are the training set (the gspo stage's `problems:`,
// rewarded by their own tests); problems on or after it are the clean evaluation set. Rows are copied
// byte for byte, so the judge reads exactly the official fields. Problems without tests (no reward) and
// repeated question_ids are dropped and counted; a row without a valid contest_date is an error.
//   <out>/problems.jsonl       contest_date < cutoff
//   <out>/after_cutoff.jsonl   contest_date >= cutoff (hrm-eval --bench livecodebench --data ...)
//   <out>/data_cutoff.json     {"data_cutoff", "sources", counts}: the cutoff a run trained on it has
//
// Exports: LcbCutoffOptions, split_lcb_at_cutoff(), format_lcb_cutoff_stats().
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hrm::synth {

struct LcbCutoffOptions {
  std::vector<std::filesystem::path> data;  // code_generation_lite .jsonl files
  std::string before;                       // "YYYY-MM-DD": the data cutoff
  std::filesystem::path out_dir;            // must be empty or absent
};

// Writes the three files; returns the statistics (the data_cutoff.json object). Throws hrm::Error for a
// bad date, a bad row (file:line and field) or a non-empty output directory.
nlohmann::json split_lcb_at_cutoff(const LcbCutoffOptions& options);

std::string format_lcb_cutoff_stats(const nlohmann::json& stats);

}  // namespace hrm::synth
