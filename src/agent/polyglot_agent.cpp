// Polyglot in agent mode: exercises on worker threads, each one episode in a copy of the exercise, the
// exercise's real test run after each turn budget, results per exercise (resume), transcripts, summary.
#include "hrm/agent/polyglot_agent.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "hrm/agent/bench.hpp"
#include "hrm/agent/episode.hpp"
#include "hrm/agent/shell.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "hrm/util/parallel.hpp"
#include "hrm/util/progress.hpp"

namespace hrm::agent {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using Files = std::map<std::string, std::string>;

// What the tests see of a workspace: its regular files and folders, without links (a link could point
// the test run or the restored tests outside) and without the build outputs of the model's own runs
// (CMake's cache names the folder it was made in). Returns the files copied.
Files copy_for_tests(const fs::path& from, const fs::path& to) {
  static const std::vector<std::string> build_outputs = {"build", "target", "node_modules"};
  fs::remove_all(to);
  fs::create_directories(to);
  Files files;
  for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator(); ++it) {
    const fs::path rel = fs::relative(it->path(), from);
    const auto status = it->symlink_status();
    const bool skipped = it.depth() == 0 && std::count(build_outputs.begin(), build_outputs.end(), rel.string());
    if (fs::is_directory(status) && !skipped) {
      fs::create_directories(to / rel);
    } else if (fs::is_regular_file(status) && !skipped) {
      files[rel.string()] = read_file(it->path());
      write_file_atomic(to / rel, files[rel.string()]);
    } else if (fs::is_directory(status)) {
      it.disable_recursion_pending();
    }
  }
  return files;
}

struct Setup {
  const PolyglotAgentOptions& options;
  std::vector<int> budgets;  // sorted, distinct
  eval::Toolchains tools;
  eval::Caches caches;
  EpisodeOptions episode;
  fs::path results_root;
};

// The test runs of one episode: at each budget the episode outlives, and at its end.
class BudgetChecks {
 public:
  BudgetChecks(const Setup& s, const eval::Exercise& ex)
      : s_(s), ex_(ex), dir_(s.episode.work_root / "verify" / ex.language / ex.slug) {}

  void after_turn(int turns, const fs::path& workspace) {
    if (turns < s_.budgets.back() && std::count(s_.budgets.begin(), s_.budgets.end(), turns)) {
      verdicts_[turns] = check(workspace, turns);
    }
  }
  // The end of the episode: its verdict, and that of every budget it did not outlive.
  Verification final_check(const fs::path& workspace) {
    final_ = check(workspace, -1);
    return {last_.passed, last_.verdict == "exited" ? last_.exit_code : -1, last_.verdict + "\n" + last_.output};
  }
  // One verdict per budget; `turns` is how many the episode ran.
  json budgets(int turns) const {
    json out = json::array();
    for (int b : s_.budgets) {
      const auto it = verdicts_.find(b);
      json v = it != verdicts_.end() ? it->second : final_;
      if (it == verdicts_.end()) v["after_turn"] = turns;
      v["max_turns"] = b;
      out.push_back(std::move(v));
    }
    return out;
  }
  int test_runs() const { return runs_; }

 private:
  json check(const fs::path& workspace, int turns) {
    const Files files = copy_for_tests(workspace, dir_);
    const bool reused = runs_ > 0 && files == last_files_;
    if (!reused) {
      last_ = eval::run_exercise_tests(ex_, dir_, s_.tools, s_.caches, s_.options.run.timeout_seconds);
      last_files_ = files;
      ++runs_;
    }
    if (!s_.options.run.keep_work) fs::remove_all(dir_);
    return {{"passed", last_.passed},
            {"after_turn", turns},
            {"reused_previous_run", reused},
            {"test_seconds", reused ? 0.0 : last_.seconds},
            {"timed_out", last_.timed_out}};
  }

  const Setup& s_;
  const eval::Exercise& ex_;
  fs::path dir_;
  std::map<int, json> verdicts_;
  json final_;
  Files last_files_;
  eval::TestRun last_;
  int runs_ = 0;
};

json run_exercise(const Setup& s, const eval::Exercise& ex, AgentModel& model, bool oracle) {
  const std::string command = polyglot_test_command(ex, s.tools, s.options.run.timeout_seconds);
  const Task task = polyglot_task(ex, command, s.budgets.back(), oracle);
  BudgetChecks checks(s, ex);
  EpisodeHooks hooks;
  hooks.after_setup = [&](const fs::path& ws) {
    eval::copy_exercise(ex, ws);
    eval::prepare_tests(ex, ws, s.tools);  // the model's own runs run every test too
  };
  hooks.after_turn = [&](int turns, const fs::path& ws) { checks.after_turn(turns, ws); };
  hooks.verify = [&](const fs::path& ws) { return checks.final_check(ws); };
  EpisodeResult result = run_episode(task, model, s.episode, hooks);
  json record = episode_to_json(result);
  record["budgets"] = checks.budgets(result.turns);
  record["test_runs"] = checks.test_runs();
  record["status"] = result.passed ? "pass" : "fail";
  if (const auto reason = eval::unsupported_reason(ex, oracle); reason && !result.passed) {
    record["status"] = "unsupported";
    record["unsupported_reason"] = *reason;
  }
  return record;
}

// Saved records of an earlier run (--resume) must come from the same model and budgets.
json load_saved(const fs::path& file, const std::string& model, const std::vector<int>& budgets) {
  const json record = json::parse(read_file(file));
  std::vector<int> saved;
  for (const auto& b : record.at("budgets")) saved.push_back(b.at("max_turns"));
  if (record.value("model", "") != model || saved != budgets) {
    throw Error(file.string() + " was made with model '" + record.value("model", "") + "' and other turn budgets",
                "--resume continues the same run; use a new --out for another model or --max-turns");
  }
  return record;
}

json rates(int cases, const std::map<int, int>& passed) {
  json out = json::object();
  for (const auto& [b, n] : passed) {
    out[std::to_string(b)] = {{"passed", n}, {"pass_rate", cases ? 100.0 * n / cases : 0.0}};
  }
  return out;
}

json summarize(const std::vector<json>& records, const std::vector<int>& budgets) {
  std::map<int, int> passed;
  std::map<std::string, std::pair<int, std::map<int, int>>> by_language;
  std::vector<EpisodeResult> episodes;
  json unsupported = json::object();
  int test_runs = 0;
  for (const auto& r : records) {
    auto& lang = by_language[r["language"].get<std::string>()];
    ++lang.first;
    for (const auto& b : r["budgets"]) {
      const int max_turns = b["max_turns"];
      passed[max_turns] += b["passed"].get<bool>();
      lang.second[max_turns] += b["passed"].get<bool>();
    }
    if (r["status"] == "unsupported") unsupported[r["task"].get<std::string>()] = r["unsupported_reason"];
    test_runs += r["test_runs"].get<int>();
    episodes.push_back(episode_from_json(r, r["task"].get<std::string>()));
  }
  for (int b : budgets) passed[b] += 0;
  json languages = json::object();
  for (auto& [name, lang] : by_language) {
    for (int b : budgets) lang.second[b] += 0;
    languages[name] = {{"cases", lang.first}, {"by_budget", rates(lang.first, lang.second)}};
  }
  const int cases = static_cast<int>(records.size());
  return {{"mode", "agent"},
          {"cases", cases},
          {"budgets", budgets},
          {"by_budget", rates(cases, passed)},
          {"languages", languages},
          {"unsupported", unsupported},
          {"test_runs_per_case", cases ? static_cast<double>(test_runs) / cases : 0.0},
          {"episodes", summarize_episodes(episodes)}};
}

fs::path record_file(const fs::path& root, const eval::Exercise& ex) {
  return root / ex.language / (ex.slug + ".json");
}

}  // namespace

std::string format_polyglot_agent_summary(const json& s) {
  char line[256];
  const json& e = s["episodes"];
  std::string out = "polyglot, agent mode: " + e["model"].get<std::string>() + ", " +
                    std::to_string(s["cases"].get<int>()) + " exercises\n  max turns   passed   pass rate\n";
  for (const auto& budget : s["budgets"]) {
    const std::string b = std::to_string(budget.get<int>());  // in order: the keys sort as text
    const json& v = s["by_budget"][b];
    std::snprintf(line, sizeof line, "  %9s   %3d/%-3d  %6.1f%%\n", b.c_str(), v["passed"].get<int>(),
                  s["cases"].get<int>(), v["pass_rate"].get<double>());
    out += line;
  }
  for (const auto& [lang, v] : s["languages"].items()) {
    out += "  " + lang + ":";
    for (const auto& budget : s["budgets"]) {
      const std::string b = std::to_string(budget.get<int>());
      std::snprintf(line, sizeof line, " %s turns %.1f%%;", b.c_str(), v["by_budget"][b]["pass_rate"].get<double>());
      out += line;
    }
    out += "\n";
  }
  std::snprintf(line, sizeof line,
                "  per episode: %.1f turns, %.1f tool calls, %.1f test runs by the verifier, %.1f s\n"
                "  invalid calls: %d (%.1f%% of calls); stops: %s\n",
                e["turns_per_episode"].get<double>(), e["tool_calls_per_episode"].get<double>(),
                s["test_runs_per_case"].get<double>(), e["episode_seconds_mean"].get<double>(),
                e["invalid_calls"].get<int>(), e["invalid_call_rate"].get<double>(), e["stop_reasons"].dump().c_str());
  return out + line;
}

PolyglotAgentReport run_polyglot_agent(const PolyglotAgentOptions& options) {
  const eval::PolyglotOptions& o = options.run;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int> budgets = options.budgets;
  std::sort(budgets.begin(), budgets.end());
  budgets.erase(std::unique(budgets.begin(), budgets.end()), budgets.end());
  HRM_CHECK(!budgets.empty() && budgets.front() > 0, "--max-turns needs positive turn budgets",
            "e.g. --max-turns 2,4,8");
  HRM_CHECK(o.timeout_seconds > 0, "--timeout must be positive");
  const auto exercises = eval::find_exercises(o.data_dir, o.languages, o.exercises);
  HRM_CHECK(!exercises.empty(),
            "no exercise under '" + o.data_dir.string() + "' matches --exercises '" + o.exercises + "'",
            "globs match the slug or <lang>/<slug>, e.g. --exercises 'bob,cpp/*'");
  auto model = make_agent_model(options.model, o.params);
  SerializedModel shared(*model);

  Setup s{options, budgets, {}, {}, {}, o.out_dir / "exercises"};
  std::vector<std::string> languages;
  for (const auto& ex : exercises) {
    if (std::find(languages.begin(), languages.end(), ex.language) == languages.end()) languages.push_back(ex.language);
  }
  s.tools = eval::probe_toolchains(languages);
  s.caches = o.shared_caches ? eval::make_caches(o.cache_dir.empty() ? eval::default_cache_dir() : o.cache_dir)
                             : eval::Caches{};
  s.episode.work_root = o.out_dir / "work";
  s.episode.keep_workspace = o.keep_work;
  s.episode.tools.env = shell_env(s.tools, "");
  s.episode.tools.extra_readable = {s.tools.js_dir};  // node_modules links to the shared npm install
  s.episode.tools.bash_timeout_seconds = o.timeout_seconds;

  std::vector<json> records(exercises.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < exercises.size(); ++i) {
    const fs::path file = record_file(s.results_root, exercises[i]);
    if (!fs::exists(file)) {
      todo.push_back(i);
    } else if (!o.resume) {
      throw Error("'" + o.out_dir.string() + "' already holds results (" + file.string() + ")",
                  "add --resume to continue that run, or choose a new --out");
    } else {
      records[i] = load_saved(file, model->name(), budgets);
    }
  }
  spdlog::info("polyglot agent mode: {} exercises to run ({} already done), model {}, turn budgets up to {}",
               todo.size(), exercises.size() - todo.size(), model->name(), budgets.back());
  Progress progress("polyglot agent " + model->name(), todo.size(), "exercises",
                    o.progress ? ProgressMode::kAuto : ProgressMode::kSilent);
  parallel_for(o.jobs, todo.size(), [&](size_t k) {
    const auto& ex = exercises[todo[k]];
    json record =
        with_context("exercise " + ex.id(), [&] { return run_exercise(s, ex, shared, options.model == "oracle"); });
    const fs::path file = record_file(s.results_root, ex);
    fs::create_directories(file.parent_path());
    write_file_atomic(file, record.dump(1) + "\n");
    progress.advance(1, record["passed"].get<bool>() ? 1 : 0, ex.id() + " " + record["status"].get<std::string>());
    records[todo[k]] = std::move(record);
  });
  progress.finish();
  if (!o.keep_work) fs::remove_all(o.out_dir / "work");

  std::string transcripts;
  for (const auto& r : records) transcripts += r.dump() + "\n";
  write_file_atomic(o.out_dir / "transcripts.jsonl", transcripts);
  PolyglotAgentReport report;
  report.summary = summarize(records, budgets);
  report.summary["data_dir"] = o.data_dir.string();
  report.summary["command"] = o.command;
  report.summary["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  write_file_atomic(o.out_dir / "summary.json", report.summary.dump(2) + "\n");
  report.table = format_polyglot_agent_summary(report.summary);
  return report;
}

}  // namespace hrm::agent
