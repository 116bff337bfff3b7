// LiveCodeBench's report files and the summary table (see lcb_report.hpp): one place decides their
// shapes, whichever scenario filled them.
#include "lcb_report.hpp"

#include <cstdio>
#include <map>
#include <sstream>
#include <string>

#include "hrm/eval/lcb_run.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::eval::lcb {
namespace fs = std::filesystem;
using nlohmann::json;

namespace detail {

json verdict_counts(const std::vector<json>& entries) {
  std::map<std::string, int> counts;
  for (const auto& e : entries) {
    for (const auto& r : e.value("results", json::array())) {
      std::string key = "passed";
      for (const auto& v : r) {
        if (v.is_number()) key = std::to_string(v.get<int>());
        if (v.is_boolean() && !v.get<bool>()) key = "-2";  // a functional wrong answer
      }
      if (r.empty()) key = "no tests";
      ++counts[key];
    }
  }
  json out = json::object();
  static const std::map<std::string, std::string> names{{"passed", "passed"},       {"-1", "-1 global timeout"},
                                                        {"-2", "-2 wrong answer"},  {"-3", "-3 time limit exceeded"},
                                                        {"-4", "-4 runtime error"}, {"-5", "-5 test runner error"}};
  for (const auto& [k, v] : counts) out[names.count(k) ? names.at(k) : k] = v;
  return out;
}

json groups_json(const std::vector<GroupScore>& groups) {
  json out = json::array();
  for (const auto& g : groups) {
    json j{{"group", g.group}, {"problems", g.problems}};
    for (const auto& [k, v] : g.pass_at) j["pass@" + std::to_string(k)] = v;
    out.push_back(j);
  }
  return out;
}

json lcb_eval_json(const std::vector<json>& entries, const std::vector<ProblemOutcome>& outcomes,
                   const std::vector<int>& ks) {
  json metrics = json::object(), results = json::object(), metadata = json::array();
  json detail = json::object();
  for (int k : ks) {
    double sum = 0;
    json per = json::object();
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const double v = pass_at_k(outcomes[i].n, outcomes[i].correct, k);
      per[std::to_string(i)] = v;
      sum += v;
    }
    metrics["pass@" + std::to_string(k)] = outcomes.empty() ? 0.0 : sum / outcomes.size();
    detail["pass@" + std::to_string(k)] = per;
  }
  metrics["detail"] = detail;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].contains("results")) {
      results[std::to_string(i)] = entries[i]["results"];
    } else {
      json r = json::array();
      for (const auto& g : entries[i]["graded_list"]) r.push_back(json::array({g}));
      results[std::to_string(i)] = r;
    }
    metadata.push_back(entries[i].value("metadata", json::array()));
  }
  return json::array({metrics, results, metadata});
}

void write_reports(const fs::path& out_dir, const std::vector<json>& entries, const json& eval, const json& summary) {
  fs::create_directories(out_dir);
  write_file_atomic(out_dir / "eval_all.json",
                    json(entries).dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  write_file_atomic(out_dir / "eval.json", eval.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  write_file_atomic(out_dir / "summary.json", summary.dump(2) + "\n");
}

}  // namespace detail

std::string format_summary_table(const json& s) {
  std::ostringstream out;
  out << "LiveCodeBench " << s.value("scenario", "") << "  model=" << s.value("model", "")
      << "  problems=" << s.value("problems", 0) << "  samples=" << s.value("samples", 0) << "\n";
  const auto ks = s.value("ks", std::vector<int>{});
  char buf[64];
  std::snprintf(buf, sizeof buf, "%-24s %8s", "group", "problems");
  out << buf;
  for (int k : ks) {
    std::snprintf(buf, sizeof buf, " %8s", ("pass@" + std::to_string(k)).c_str());
    out << buf;
  }
  out << "\n";
  for (const auto& g : s.value("groups", json::array())) {
    std::snprintf(buf, sizeof buf, "%-24s %8d", g.value("group", "").c_str(), g.value("problems", 0));
    out << buf;
    for (int k : ks) {
      const std::string key = "pass@" + std::to_string(k);
      if (g.contains(key)) {
        std::snprintf(buf, sizeof buf, " %7.1f%%", 100.0 * g[key].get<double>());
      } else {
        std::snprintf(buf, sizeof buf, " %8s", "-");
      }
      out << buf;
    }
    out << "\n";
  }
  if (s.contains("verdicts")) {
    out << "samples by verdict:";
    for (const auto& [k, v] : s["verdicts"].items()) out << "  " << k << ": " << v.get<int>();
    out << "\n";
  }
  if (s.value("comparator_disagreements", 0) > 0) {
    out << "WARNING: " << s["comparator_disagreements"].get<int>()
        << " stdin outputs where the C++ comparison disagreed with the judge (see the log)\n";
  }
  if (s.contains("contamination") && s["contamination"].value("problems_before_cutoff", 0) > 0) {
    out << "WARNING: CONTAMINATED: " << s["contamination"]["problems_before_cutoff"].get<int>()
        << " problems are dated before the training cutoff " << s["contamination"]["train_cutoff"].get<std::string>()
        << " (entries marked \"contaminated\": true in eval_all.json)\n";
  }
  return out.str();
}

}  // namespace hrm::eval::lcb
