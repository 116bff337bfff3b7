// Polyglot report math (Aider's definitions) and its JSON/table forms.
#include "hrm/eval/polyglot_report.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "hrm/util/error.hpp"

namespace hrm::eval {

std::vector<bool> ExerciseRecord::outcomes() const {
  std::vector<bool> out;
  for (const auto& t : tries) out.push_back(t.passed);
  return out;
}

bool ExerciseRecord::passed_within(int k) const {
  for (const auto& t : tries) {
    if (t.attempt <= k && t.passed) return true;
  }
  return false;
}

nlohmann::json to_json(const ExerciseRecord& r) {
  nlohmann::json tries = nlohmann::json::array();
  for (const auto& t : r.tries) {
    tries.push_back({{"attempt", t.attempt},
                     {"malformed", t.malformed},
                     {"edit_errors", t.edit_errors},
                     {"edits", t.edits},
                     {"passed", t.passed},
                     {"verdict", t.verdict},
                     {"exit_code", t.exit_code},
                     {"timed_out", t.timed_out},
                     {"reused_previous_run", t.reused_previous_run},
                     {"model_seconds", t.model_seconds},
                     {"test_seconds", t.test_seconds},
                     {"test_output", t.test_output},
                     {"output_truncated", t.output_truncated}});
  }
  nlohmann::json j = {{"id", r.id},
                      {"language", r.language},
                      {"slug", r.slug},
                      {"model", r.model},
                      {"edit_format", r.edit_format},
                      {"status", r.status},
                      {"tests_outcomes", r.outcomes()},
                      {"tries", tries},
                      {"num_malformed_responses", r.num_malformed_responses},
                      {"syntax_errors", r.syntax_errors},
                      {"indentation_errors", r.indentation_errors},
                      {"lazy_comments", r.lazy_comments},
                      {"test_timeouts", r.test_timeouts},
                      {"duration_seconds", r.duration_seconds}};
  if (!r.unsupported_reason.empty()) j["unsupported_reason"] = r.unsupported_reason;
  return j;
}

ExerciseRecord exercise_from_json(const nlohmann::json& j, const std::string& where) {
  try {
    ExerciseRecord r;
    r.id = j.at("id").get<std::string>();
    r.language = j.at("language").get<std::string>();
    r.slug = j.at("slug").get<std::string>();
    r.model = j.at("model").get<std::string>();
    r.edit_format = j.at("edit_format").get<std::string>();
    r.status = j.at("status").get<std::string>();
    r.unsupported_reason = j.value("unsupported_reason", "");
    r.num_malformed_responses = j.at("num_malformed_responses").get<int>();
    r.syntax_errors = j.at("syntax_errors").get<int>();
    r.indentation_errors = j.at("indentation_errors").get<int>();
    r.lazy_comments = j.at("lazy_comments").get<int>();
    r.test_timeouts = j.at("test_timeouts").get<int>();
    r.duration_seconds = j.at("duration_seconds").get<double>();
    for (const auto& t : j.at("tries")) {
      TryRecord tr;
      tr.attempt = t.at("attempt").get<int>();
      tr.malformed = t.at("malformed").get<bool>();
      tr.edit_errors = t.at("edit_errors").get<std::vector<std::string>>();
      tr.edits = t.at("edits").get<int>();
      tr.passed = t.at("passed").get<bool>();
      tr.verdict = t.at("verdict").get<std::string>();
      tr.exit_code = t.at("exit_code").get<int>();
      tr.timed_out = t.at("timed_out").get<bool>();
      tr.reused_previous_run = t.at("reused_previous_run").get<bool>();
      tr.model_seconds = t.at("model_seconds").get<double>();
      tr.test_seconds = t.at("test_seconds").get<double>();
      tr.test_output = t.at("test_output").get<std::string>();
      tr.output_truncated = t.at("output_truncated").get<bool>();
      r.tries.push_back(std::move(tr));
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": not a polyglot exercise result: " + e.what(),
                "delete the file to rerun that exercise, or use a fresh --out");
  }
}

namespace {

double percent(int num, int den) { return den == 0 ? 0.0 : std::round(1000.0 * num / den) / 10.0; }

}  // namespace

nlohmann::json summarize(const std::vector<ExerciseRecord>& records, const RunInfo& info) {
  const int n = static_cast<int>(records.size());
  nlohmann::json s;
  s["model"] = info.model;
  s["edit_format"] = info.edit_format;
  s["test_cases"] = n;
  s["total_tests"] = info.selected_cases;
  int malformed_cases = 0, malformed = 0, lazy = 0, syntax = 0, indentation = 0, timeouts = 0;
  double seconds = 0;
  for (const auto& r : records) {
    malformed_cases += r.num_malformed_responses > 0;
    malformed += r.num_malformed_responses;
    lazy += r.lazy_comments;
    syntax += r.syntax_errors;
    indentation += r.indentation_errors;
    timeouts += r.test_timeouts;
    seconds += r.duration_seconds;
  }
  for (int k = 1; k <= info.tries; ++k) {
    int passed = 0;
    for (const auto& r : records) passed += r.passed_within(k);
    s["pass_rate_" + std::to_string(k)] = percent(passed, n);
    s["pass_num_" + std::to_string(k)] = passed;
  }
  s["percent_cases_well_formed"] = percent(n - malformed_cases, n);
  s["num_malformed_responses"] = malformed;
  s["num_with_malformed_responses"] = malformed_cases;
  s["lazy_comments"] = lazy;
  s["syntax_errors"] = syntax;
  s["indentation_errors"] = indentation;
  s["test_timeouts"] = timeouts;
  s["seconds_per_case"] = n == 0 ? 0.0 : std::round(10.0 * seconds / n) / 10.0;
  s["wall_seconds"] = std::round(10.0 * info.wall_seconds) / 10.0;
  s["tries"] = info.tries;
  s["jobs"] = info.jobs;
  s["command"] = info.command;
  s["date"] = info.date;
  s["versions"] = info.versions;
  s["dirname"] = info.data_dir;
  if (!info.commit_hash.empty()) s["commit_hash"] = info.commit_hash;

  nlohmann::json langs = nlohmann::json::object();
  nlohmann::json unsupported = nlohmann::json::object();
  std::map<std::string, std::vector<const ExerciseRecord*>> by_lang;
  for (const auto& r : records) {
    by_lang[r.language].push_back(&r);
    if (r.status == "unsupported") unsupported[r.id] = r.unsupported_reason;
  }
  for (const auto& [lang, rs] : by_lang) {
    nlohmann::json l;
    const int cases = static_cast<int>(rs.size());
    l["cases"] = cases;
    int unsup = 0;
    for (const auto* r : rs) unsup += r->status == "unsupported";
    for (int k = 1; k <= info.tries; ++k) {
      int passed = 0;
      for (const auto* r : rs) passed += r->passed_within(k);
      l["pass_num_" + std::to_string(k)] = passed;
      l["pass_rate_" + std::to_string(k)] = percent(passed, cases);
    }
    l["unsupported"] = unsup;
    langs[lang] = l;
  }
  s["languages"] = langs;
  s["unsupported"] = unsupported;
  return s;
}

std::string format_summary(const nlohmann::json& s) {
  const int tries = s.value("tries", 2);
  std::ostringstream out;
  char buf[256];
  out << "model: " << s.value("model", "") << "   edit format: " << s.value("edit_format", "") << "   tries: " << tries
      << "   jobs: " << s.value("jobs", 0) << "\n";
  std::snprintf(buf, sizeof buf, "%-12s %6s", "language", "cases");
  out << buf;
  for (int k = 1; k <= tries; ++k) {
    std::snprintf(buf, sizeof buf, " %7s %8s", ("pass@" + std::to_string(k)).c_str(),
                  ("rate_" + std::to_string(k)).c_str());
    out << buf;
  }
  out << "  unsupported\n";
  auto row = [&](const std::string& name, const nlohmann::json& l, int cases, int unsup) {
    std::snprintf(buf, sizeof buf, "%-12s %6d", name.c_str(), cases);
    out << buf;
    for (int k = 1; k <= tries; ++k) {
      const std::string ks = std::to_string(k);
      std::snprintf(buf, sizeof buf, " %7d %7.1f%%", l.value("pass_num_" + ks, 0), l.value("pass_rate_" + ks, 0.0));
      out << buf;
    }
    out << "  " << unsup << "\n";
  };
  int total_unsup = 0;
  for (const auto& [lang, l] : s["languages"].items()) {
    row(lang, l, l.value("cases", 0), l.value("unsupported", 0));
    total_unsup += l.value("unsupported", 0);
  }
  row("total", s, s.value("test_cases", 0), total_unsup);
  std::snprintf(buf, sizeof buf,
                "well-formed: %.1f%%  malformed responses: %d  syntax errors: %d  indentation errors: %d  "
                "test timeouts: %d\nseconds per case: %.1f  wall: %.1f s",
                s.value("percent_cases_well_formed", 0.0), s.value("num_malformed_responses", 0),
                s.value("syntax_errors", 0), s.value("indentation_errors", 0), s.value("test_timeouts", 0),
                s.value("seconds_per_case", 0.0), s.value("wall_seconds", 0.0));
  out << buf << "\n";
  if (s.value("test_cases", 0) < s.value("total_tests", 0)) {
    out << "incomplete: " << s.value("test_cases", 0) << " of " << s.value("total_tests", 0)
        << " exercises finished (rerun with --resume)\n";
  }
  if (s.contains("unsupported") && !s["unsupported"].empty()) {
    out << "unsupported (known offline limits, counted as failures):\n";
    for (const auto& [id, reason] : s["unsupported"].items())
      out << "  " << id << ": " << reason.get<std::string>() << "\n";
  }
  return out.str();
}

}  // namespace hrm::eval
