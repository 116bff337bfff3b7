// LiveCodeBench rows split at a data cutoff into RL prompt sets (the filter is the evaluator's).
#include "hrm/synth/lcb_cutoff.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "hrm/eval/lcb_data.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::synth {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

void check_options(const LcbCutoffOptions& o) {
  HRM_CHECK(!o.data.empty(), "lcb: no --data file given", "pass code_generation_lite .jsonl files");
  eval::lcb::ProblemFilter filter;
  filter.before_date = o.before;
  eval::lcb::validate_filter(filter);
  HRM_CHECK(!o.out_dir.empty(), "lcb: --out is required");
  if (fs::exists(o.out_dir)) {
    HRM_CHECK(fs::is_directory(o.out_dir) && fs::is_empty(o.out_dir),
              "lcb: output directory '" + o.out_dir.string() + "' is not empty", "choose a new --out");
  }
}

}  // namespace

json split_lcb_at_cutoff(const LcbCutoffOptions& o) {
  check_options(o);
  eval::lcb::ProblemFilter before;
  before.before_date = o.before;
  std::string train, after;
  json counts = {{"rows", 0}, {"before", 0}, {"after", 0}, {"no_tests", 0}, {"duplicate", 0}};
  std::set<std::string> seen;
  std::string newest_before;
  for (const auto& path : o.data) {
    std::ifstream in(path, std::ios::binary);
    HRM_CHECK(in.good(), "lcb: cannot read '" + path.string() + "'");
    std::string line;
    for (size_t n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = path.string() + ":" + std::to_string(n);
      const auto p = eval::lcb::parse_problem(line, where);
      counts["rows"] = counts["rows"].get<int>() + 1;
      const char* drop = !seen.insert(p.question_id).second    ? "duplicate"
                         : eval::lcb::problem_tests(p).empty() ? "no_tests"  // nothing to reward
                                                               : nullptr;
      if (drop) {
        counts[drop] = counts[drop].get<int>() + 1;
        continue;
      }
      const bool is_before = eval::lcb::problem_matches(p, before);
      (is_before ? train : after) += line + "\n";
      counts[is_before ? "before" : "after"] = counts[is_before ? "before" : "after"].get<int>() + 1;
      if (is_before) newest_before = std::max(newest_before, p.contest_date.substr(0, 10));
    }
  }
  fs::create_directories(o.out_dir);
  write_file_atomic(o.out_dir / "problems.jsonl", train);
  write_file_atomic(o.out_dir / "after_cutoff.jsonl", after);
  json sources = json::array();
  for (const auto& p : o.data) sources.push_back(fs::absolute(p).lexically_normal().string());
  json stats = {
      {"data_cutoff", o.before}, {"newest_training_problem", newest_before}, {"sources", sources}, {"counts", counts}};
  write_file_atomic(o.out_dir / "data_cutoff.json", stats.dump(2) + "\n");
  return stats;
}

std::string format_lcb_cutoff_stats(const json& stats) {
  const auto& c = stats.at("counts");
  std::ostringstream out;
  out << "data cutoff " << stats.at("data_cutoff").get<std::string>() << ": " << c.at("before") << " problems before ("
      << "newest " << stats.at("newest_training_problem").get<std::string>() << "), " << c.at("after")
      << " on or after; dropped " << c.at("no_tests") << " without tests, " << c.at("duplicate")
      << " duplicate question_ids (of " << c.at("rows") << " rows)\n";
  return out.str();
}

}  // namespace hrm::synth
