// The per-problem result files a LiveCodeBench run reads or continues: LiveCodeBench's custom-output
// file, a previous run's eval_all.json (self-repair) and progress.jsonl (--resume). Internal to src/eval.
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace hrm::eval::lcb::detail {

// The file of a predictions:<file> model spec; empty for any other spec.
std::string predictions_file(const std::string& spec);

// `v` as a list of strings; throws hrm::Error naming `where` if it is not one.
std::vector<std::string> string_list(const nlohmann::json& v, const std::string& where);

// The entries of a code-generation eval_all.json (--codegen-results), by question_id.
std::map<std::string, nlohmann::json> load_codegen_results(const std::filesystem::path& file);

// The problems already judged in `progress_file`, by question_id; none if it does not exist. It
// must not exist unless `resume`.
std::map<std::string, nlohmann::json> load_progress(const std::filesystem::path& progress_file, bool resume);

// One judged problem as a line of progress.jsonl, flushed (a killed run loses no finished problem).
void append_progress(std::ostream& out, const nlohmann::json& entry);

}  // namespace hrm::eval::lcb::detail
