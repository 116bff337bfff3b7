// The files a LiveCodeBench run leaves behind, in the shapes lcb_runner writes (so its tooling reads
// them), and what they count. Internal to src/eval.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "hrm/eval/lcb_score.hpp"

namespace hrm::eval::lcb::detail {

// Samples by LiveCodeBench result code ("passed", "-2 wrong answer", ...) over eval_all.json entries.
nlohmann::json verdict_counts(const std::vector<nlohmann::json>& entries);

// summary.json's "groups": one object per group with its problems and pass@k.
nlohmann::json groups_json(const std::vector<GroupScore>& groups);

// eval.json as lcb_runner writes it: [metrics, results, metadata], problems indexed in order.
nlohmann::json lcb_eval_json(const std::vector<nlohmann::json>& entries, const std::vector<ProblemOutcome>& outcomes,
                             const std::vector<int>& ks);

// eval_all.json, eval.json and summary.json in `out_dir`.
void write_reports(const std::filesystem::path& out_dir, const std::vector<nlohmann::json>& entries,
                   const nlohmann::json& eval, const nlohmann::json& summary);

}  // namespace hrm::eval::lcb::detail
