// `hrm-data synth --stages 3,4`: draw the training tasks, record their trajectories in the sandbox,
// keep what the verifiers pass, write the rows, the task files, the evaluation splits and the counts.
#include "hrm/synth/tool_curriculum.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include "hrm/agent/model.hpp"
#include "hrm/agent/shell.hpp"
#include "hrm/agent/task_generator.hpp"
#include "hrm/eval/polyglot_languages.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "hrm/util/parallel.hpp"
#include "hrm/util/progress.hpp"

namespace hrm::synth {

namespace fs = std::filesystem;
using json = nlohmann::json;
using agent::Task;

namespace {

// One episode to record: a task as drawn (trajectory "reference") or its recovery variant.
struct Recording {
  Task task;
  int stage = 0;
  std::string trajectory;
  std::optional<size_t> failing_step;  // recovery: the call that must fail
  agent::EpisodeResult episode;
  std::string dropped;  // why the row is not written ("" when it is)
};

void check_options(const ToolCurriculumOptions& o) {
  HRM_CHECK(!o.out_dir.empty(), "synth: --out is required");
  HRM_CHECK(o.per_variant >= 1, "synth: --per-family (tasks per variant) must be at least 1");
  HRM_CHECK(o.seed != o.heldout_seed, "synth: seed " + std::to_string(o.seed) + " is the held-out suite's seed",
            "choose another --seed: training tasks must not be drawn like the held-out suite");
  for (int s : o.stages) {
    HRM_CHECK(s == 3 || s == 4, "synth: stage " + std::to_string(s) + " is not a tool-use stage", "use --stages 3,4");
  }
  for (const auto& f : o.families) tool_stage(f);
  for (const auto& f : o.holdout_families) tool_stage(f);
  if (fs::exists(o.out_dir)) {
    HRM_CHECK(fs::is_directory(o.out_dir) && fs::is_empty(o.out_dir),
              "synth: output directory '" + o.out_dir.string() + "' is not empty", "choose a new --out");
  }
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Families whose tasks are trained on: those of the stages (or the named ones), minus the held-out ones.
bool is_training_family(const ToolCurriculumOptions& o, const std::string& family) {
  if (contains(o.holdout_families, family)) return false;
  if (!o.families.empty()) return contains(o.families, family);
  return std::find(o.stages.begin(), o.stages.end(), tool_stage(family)) != o.stages.end();
}

// A tool's output may be invalid UTF-8 (a binary printed); rows keep U+FFFD in place of the bad bytes.
constexpr auto kReplaceInvalidUtf8 = json::error_handler_t::replace;

void bump(json& counts, const std::string& key) {
  if (!counts.is_object()) counts = json::object();
  counts[key] = counts.value(key, 0) + 1;
}

// What makes two tasks the same exercise: the instruction and the starting workspace.
std::string task_key(const Task& t) { return t.instruction + "\n" + json(t.files).dump() + "\n" + t.setup; }

std::vector<Recording> draw(const ToolCurriculumOptions& o, const std::vector<Task>& heldout, json& drawn) {
  std::set<std::string> heldout_keys;
  for (const auto& t : heldout) heldout_keys.insert(task_key(t));
  std::vector<std::string> families;
  for (const auto& v : agent::task_variants()) {
    if (is_training_family(o, v.family) && !contains(families, v.family)) families.push_back(v.family);
  }
  HRM_CHECK(!families.empty(), "synth: no training family is left by --stages/--families/--holdout-families");
  std::vector<Recording> out;
  size_t index = 0;
  for (auto& t : agent::generate_tasks(o.seed, o.per_variant, families)) {
    json& counts = drawn[t.family + "/" + t.language];
    bump(counts, "drawn");
    if (heldout_keys.count(task_key(t))) {
      bump(counts, "same_as_heldout");
      continue;
    }
    t.id += "-s" + std::to_string(o.seed);  // never the id of a held-out task
    const int stage = tool_stage(t.family);
    if (o.recovery) {
      if (auto r = recovery_task(t, index % 2 == 1)) {
        out.push_back({std::move(r->task), stage, r->kind, r->failing_step, {}, ""});
        out.back().task.id += "-" + r->kind;
      }
    }
    out.push_back({std::move(t), stage, "reference", std::nullopt, {}, ""});
    ++index;
  }
  return out;
}

// Why a recorded episode gives no row ("" when it gives one); recovery reasons start with "recovery_".
std::string drop_reason(const Recording& r) {
  if (r.failing_step) {
    const auto& calls = r.episode.calls;
    if (*r.failing_step >= calls.size()) return "recovery_step_missing";
    const auto& c = calls[*r.failing_step];
    if (!c.error && c.exit_code == 0) return "recovery_step_did_not_fail";
  }
  const std::string prefix = r.failing_step ? "recovery_" : "";
  if (!r.episode.passed) return prefix + "verifier_failed";
  if (r.episode.stop_reason != "submitted") return prefix + "not_submitted";
  return "";
}

void record(const ToolCurriculumOptions& o, std::vector<Recording>& recordings) {
  agent::EpisodeOptions eo;
  eo.work_root = o.out_dir / "work";
  const fs::path cache_root = o.cache_dir.empty() ? o.out_dir / "cache" : o.cache_dir;
  const eval::Caches caches = eval::make_caches(cache_root);
  eo.tools.env = agent::shell_env(eval::probe_toolchains({"go", "rust", "javascript"}), caches.go_build);
  eo.tools.extra_writable = {caches.go_build};
  eo.tools.bash_timeout_seconds = o.bash_timeout_seconds;
  auto oracle = agent::make_agent_model("oracle", {});
  Progress progress("tool trajectories", recordings.size(), "episodes");
  parallel_for(o.jobs, recordings.size(), [&](size_t i) {
    auto& r = recordings[i];
    r.episode = with_context("task " + r.task.id, [&] { return agent::run_episode(r.task, *oracle, eo); });
    r.dropped = drop_reason(r);
    progress.advance(1, r.dropped.empty() ? 1 : 0, r.task.id);
  });
  progress.finish();
  fs::remove_all(eo.work_root);
  if (o.cache_dir.empty()) fs::remove_all(cache_root);
}

// The held-out suite split into the training families' tasks and the held-out families' tasks.
json write_eval_splits(const ToolCurriculumOptions& o, const std::vector<Task>& heldout) {
  std::vector<Task> instances, families;
  for (const auto& t : heldout) {
    if (contains(o.holdout_families, t.family)) {
      families.push_back(t);
    } else if (is_training_family(o, t.family)) {
      instances.push_back(t);
    }
  }
  HRM_CHECK(!instances.empty(), "synth: " + o.heldout_suite.string() + " has no task of a training family");
  fs::create_directories(o.out_dir / "eval");
  agent::write_suite((o.out_dir / "eval/test_instance.jsonl").string(), instances);
  if (!families.empty()) agent::write_suite((o.out_dir / "eval/test_family.jsonl").string(), families);
  return {{"test_instance", instances.size()}, {"test_family", families.size()}};
}

json write_rows(const ToolCurriculumOptions& o, const std::vector<Recording>& recordings) {
  std::string rows;
  std::vector<Task> tasks;
  json by_group = json::object(), dropped = json::array();
  for (const auto& r : recordings) {
    json& g = by_group["stage" + std::to_string(r.stage) + "/" + r.task.family + "/" + r.task.language];
    bump(g, "recorded");
    if (!r.dropped.empty()) {
      bump(g, r.dropped);
      dropped.push_back({{"task", r.task.id}, {"reason", r.dropped}, {"verify_output", r.episode.verify_output}});
      continue;
    }
    bump(g, r.trajectory);
    rows += tool_sft_row(r.episode, r.stage, r.trajectory).dump(-1, ' ', false, kReplaceInvalidUtf8) + "\n";
    if (r.trajectory == "reference") tasks.push_back(r.task);
  }
  HRM_CHECK(!tasks.empty(), "synth: no trajectory passed its verifier", "see stats.json, dropped");
  fs::create_directories(o.out_dir / "sft");
  write_file_atomic(o.out_dir / "sft/train.jsonl", rows);
  fs::create_directories(o.out_dir / "tasks");
  agent::write_suite((o.out_dir / "tasks/train.jsonl").string(), tasks);
  return {{"rows", by_group}, {"dropped", dropped}};
}

}  // namespace

json run_tool_curriculum(const ToolCurriculumOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  check_options(o);
  const std::vector<Task> heldout = agent::load_suite(o.heldout_suite.string());
  fs::create_directories(o.out_dir);
  json drawn = json::object();
  auto recordings = draw(o, heldout, drawn);
  const json splits = write_eval_splits(o, heldout);
  record(o, recordings);
  json stats = write_rows(o, recordings);
  stats["seed"] = o.seed;
  stats["per_variant"] = o.per_variant;
  stats["stages"] = o.stages;
  stats["holdout_families"] = o.holdout_families;
  stats["heldout_suite"] = o.heldout_suite.string();
  stats["drawn"] = drawn;
  stats["eval"] = splits;
  stats["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  write_file_atomic(o.out_dir / "stats.json", stats.dump(2, ' ', false, kReplaceInvalidUtf8) + "\n");
  return stats;
}

std::string format_tool_curriculum_stats(const json& stats) {
  std::ostringstream out;
  out << "tool-use trajectories (stage/family/language: rows written reference + recovery; dropped):\n";
  for (const auto& [group, g] : stats.at("rows").items()) {
    const int reference = g.value("reference", 0);
    const int recovery = g.value("failing-check", 0) + g.value("bad-edit", 0);
    out << "  " << group << ": " << reference << " + " << recovery << " of " << g.at("recorded").get<int>()
        << " recorded";
    for (const auto& [key, n] : g.items()) {
      if (key != "recorded" && key != "reference" && key != "failing-check" && key != "bad-edit") {
        out << ", " << key << " " << n.get<int>();
      }
    }
    out << "\n";
  }
  out << "drawn tasks identical to a held-out task (dropped):";
  int same = 0;
  for (const auto& [group, g] : stats.at("drawn").items()) same += g.value("same_as_heldout", 0);
  out << " " << same << "\nheld-out evaluation: " << stats.at("eval").at("test_instance").get<size_t>()
      << " instances of the training families, " << stats.at("eval").at("test_family").get<size_t>()
      << " of the held-out families " << stats.at("holdout_families").dump()
      << "\nseconds: " << stats.at("seconds").get<double>() << "\n";
  return out.str();
}

}  // namespace hrm::synth
