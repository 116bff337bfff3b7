// The tools benchmark: episodes on worker threads, per-task results (resume), transcripts, summary.
#include "hrm/agent/bench.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <exception>
#include <thread>

#include "hrm/agent/shell.hpp"
#include "hrm/eval/polyglot_languages.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/parallel.hpp"
#include "hrm/util/progress.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::agent {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// A model's reply (a small local model emits any bytes) or a tool's output may be invalid UTF-8; the
// records keep it readable with U+FFFD in place of the bad bytes instead of failing the run.
constexpr auto kReplaceInvalidUtf8 = json::error_handler_t::replace;

fs::path episode_file(const fs::path& out, const std::string& id) { return out / "episodes" / (id + ".json"); }

json group_stats(const std::vector<EpisodeResult>& episodes,
                 const std::function<std::string(const EpisodeResult&)>& key) {
  std::map<std::string, std::pair<int, int>> counts;
  for (const auto& e : episodes) {
    auto& c = counts[key(e)];
    ++c.first;
    c.second += e.passed;
  }
  json out = json::object();
  for (const auto& [k, c] : counts) {
    out[k] = {{"tasks", c.first}, {"passed", c.second}, {"success_rate", c.first ? 100.0 * c.second / c.first : 0.0}};
  }
  return out;
}

}  // namespace

json summarize_episodes(const std::vector<EpisodeResult>& episodes) {
  const double n = std::max<size_t>(1, episodes.size());
  int passed = 0, turns = 0, calls = 0, invalid = 0;
  int64_t prompt = 0, completion = 0;
  bool tokens = false;
  double seconds = 0, tool_seconds = 0, model_seconds = 0;
  json stops = json::object();
  for (const auto& e : episodes) {
    passed += e.passed;
    turns += e.turns;
    calls += e.tool_calls;
    invalid += e.invalid_calls;
    prompt += e.prompt_tokens;
    completion += e.completion_tokens;
    tokens = tokens || e.tokens_reported;
    seconds += e.seconds;
    tool_seconds += e.tool_seconds;
    model_seconds += e.model_seconds;
    stops[e.stop_reason] = stops.value(e.stop_reason, 0) + 1;
  }
  return {{"model", episodes.empty() ? "" : episodes[0].model},
          {"tasks", episodes.size()},
          {"passed", passed},
          {"success_rate", 100.0 * passed / n},
          {"by_family", group_stats(episodes, [](const EpisodeResult& e) { return e.family; })},
          {"by_language", group_stats(episodes, [](const EpisodeResult& e) { return e.language; })},
          {"turns_per_episode", turns / n},
          {"tool_calls_per_episode", calls / n},
          {"invalid_calls", invalid},
          {"invalid_call_rate", calls ? 100.0 * invalid / calls : 0.0},
          {"tokens_reported", tokens},
          {"prompt_tokens_per_episode", prompt / n},
          {"completion_tokens_per_episode", completion / n},
          {"stop_reasons", stops},
          {"episode_seconds_mean", seconds / n},
          {"tool_seconds_mean", tool_seconds / n},
          {"model_seconds_mean", model_seconds / n}};
}

std::string format_tools_summary(const json& s) {
  char line[256];
  std::string out = "tools benchmark: " + s["model"].get<std::string>() + "\n";
  std::snprintf(line, sizeof line, "  success: %d/%d (%.1f%%)\n", s["passed"].get<int>(), s["tasks"].get<int>(),
                s["success_rate"].get<double>());
  out += line;
  for (const char* group : {"by_family", "by_language"}) {
    out += std::string("  ") + (std::string(group) == "by_family" ? "family" : "language") + ":\n";
    for (const auto& [k, v] : s[group].items()) {
      std::snprintf(line, sizeof line, "    %-12s %3d/%-3d %5.1f%%\n", k.c_str(), v["passed"].get<int>(),
                    v["tasks"].get<int>(), v["success_rate"].get<double>());
      out += line;
    }
  }
  std::snprintf(line, sizeof line, "  per episode: %.1f turns, %.1f tool calls, %.1f s (tools %.1f s, model %.1f s)\n",
                s["turns_per_episode"].get<double>(), s["tool_calls_per_episode"].get<double>(),
                s["episode_seconds_mean"].get<double>(), s["tool_seconds_mean"].get<double>(),
                s["model_seconds_mean"].get<double>());
  out += line;
  if (s["tokens_reported"].get<bool>()) {
    std::snprintf(line, sizeof line, "  tokens per episode: %.0f prompt, %.0f completion\n",
                  s["prompt_tokens_per_episode"].get<double>(), s["completion_tokens_per_episode"].get<double>());
    out += line;
  }
  std::snprintf(line, sizeof line, "  invalid calls: %d (%.1f%% of calls); stops: %s\n", s["invalid_calls"].get<int>(),
                s["invalid_call_rate"].get<double>(), s["stop_reasons"].dump().c_str());
  return out + line;
}

ToolsBenchReport run_tools_bench(const ToolsBenchOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Task> tasks;
  for (auto& t : load_suite(o.suite)) {
    if (o.families.empty() || std::find(o.families.begin(), o.families.end(), t.family) != o.families.end()) {
      tasks.push_back(std::move(t));
    }
  }
  HRM_CHECK(!tasks.empty(), "no task of " + o.suite + " is in the families asked for");
  const fs::path out = o.out_dir;
  if (!o.resume && fs::exists(out / "episodes")) {
    throw Error("results folder '" + o.out_dir + "' already holds episodes",
                "pass --resume to continue that run, or choose another --out");
  }
  auto model = make_agent_model(o.model, o.params);
  SerializedModel shared(*model);

  EpisodeOptions eo;
  eo.max_turns = o.max_turns;
  eo.keep_workspace = o.keep_work;
  eo.work_root = o.keep_work ? out / "work" : fs::temp_directory_path() / ("hrm-tools-" + std::to_string(::getpid()));
  const eval::Caches caches = eval::make_caches(out / "cache");
  eo.tools.env = shell_env(eval::probe_toolchains({"go", "rust", "javascript"}), caches.go_build);
  eo.tools.extra_writable = {caches.go_build};
  eo.tools.bash_timeout_seconds = o.bash_timeout_seconds;

  std::vector<EpisodeResult> results(tasks.size());
  Progress progress("tools " + model->name(), tasks.size(), "tasks",
                    o.progress ? ProgressMode::kAuto : ProgressMode::kSilent);
  parallel_for(o.jobs, tasks.size(), [&](size_t i) {
    const fs::path file = episode_file(out, tasks[i].id);
    if (o.resume && fs::exists(file)) {
      results[i] = episode_from_json(json::parse(read_file(file)), file.string());
    } else {
      results[i] = with_context("task " + tasks[i].id, [&] { return run_episode(tasks[i], shared, eo); });
      fs::create_directories(file.parent_path());
      write_file_atomic(file, episode_to_json(results[i]).dump(1, ' ', false, kReplaceInvalidUtf8) + "\n");
    }
    progress.advance(1, results[i].passed ? 1 : 0, tasks[i].id);
  });
  progress.finish();
  if (!o.keep_work) fs::remove_all(eo.work_root);

  std::string transcripts;
  for (const auto& r : results) transcripts += episode_to_json(r).dump(-1, ' ', false, kReplaceInvalidUtf8) + "\n";
  write_file_atomic(out / "transcripts.jsonl", transcripts);
  ToolsBenchReport report;
  report.summary = summarize_episodes(results);
  report.summary["suite"] = o.suite;
  report.summary["command"] = o.command;
  report.summary["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  write_file_atomic(out / "summary.json", report.summary.dump(2) + "\n");
  report.table = format_tools_summary(report.summary);
  return report;
}

}  // namespace hrm::agent
