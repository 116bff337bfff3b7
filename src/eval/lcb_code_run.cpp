// The code-generation and self-repair scenarios (see lcb_scenario_runs.hpp), in four phases: select the
// problems (and warn about contamination), plan the samples still to make (--resume), sample and judge
// them in parallel chunks (each finished problem is recorded at once so that --resume can continue),
// and write the reports.
#include "lcb_scenario_runs.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>

#include "hrm/eval/lcb_prompts.hpp"
#include "hrm/eval/lcb_score.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/parallel.hpp"
#include "hrm/util/progress.hpp"
#include "lcb_generator.hpp"
#include "lcb_report.hpp"
#include "lcb_results_io.hpp"

namespace hrm::eval::lcb::detail {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct CodeTask {
  const Problem* problem;
  std::vector<std::string> output_list, code_list;
  std::vector<std::string> original_code_list;           // self-repair
  std::vector<std::vector<ChatMessage>> repair_prompts;  // self-repair: empty = keep the original
};

json codegen_entry(const CodeTask& task, const std::vector<SampleResult>& judged, bool flag_contamination,
                   const std::string& cutoff, bool self_repair) {
  const Problem& p = *task.problem;
  json e;
  e["question_title"] = p.question_title;
  e["question_content"] = p.question_content;
  e["platform"] = p.platform;
  e["question_id"] = p.question_id;
  e["contest_id"] = p.contest_id;
  e["contest_date"] = p.contest_date;
  e["starter_code"] = p.starter_code;
  e["difficulty"] = p.difficulty;
  e["output_list"] = task.output_list;
  e["code_list"] = task.code_list;
  json graded = json::array(), metadata = json::array(), results = json::array();
  int passed = 0;
  for (const auto& r : judged) {
    graded.push_back(r.passed);
    passed += r.passed;
    metadata.push_back(r.metadata.dump(-1, ' ', false, json::error_handler_t::replace));
    results.push_back(r.results);
  }
  e["graded_list"] = graded;
  e["pass@1"] = judged.empty() ? 0.0 : static_cast<double>(passed) / judged.size();
  e["metadata"] = metadata;
  if (self_repair) e["original_code_list"] = task.original_code_list;
  e["results"] = results;
  int disagreements = 0;
  for (const auto& r : judged) disagreements += r.comparator_disagreements;
  if (disagreements) e["comparator_disagreements"] = disagreements;
  if (flag_contamination) e["contaminated"] = normalize_timestamp(p.contest_date) < cutoff + "T00:00:00";
  return e;
}

// Phase 1: the problems the filters select; `contaminated` counts those dated before --train-cutoff.
std::vector<Problem> select_problems(const RunOptions& o, int& contaminated) {
  std::vector<Problem> problems = load_problems(o.data, o.release, o.filter);
  if (problems.empty()) throw Error("no LiveCodeBench problems match the filters in " + o.data.string());
  spdlog::info("livecodebench: {} problems from {} (release {})", problems.size(), o.data.string(), o.release);

  // Contamination guard: problems released before the model's training cutoff are not clean.
  contaminated = 0;
  if (!o.train_cutoff.empty()) {
    const std::string cutoff = parse_date(o.train_cutoff, "--train-cutoff");
    for (const auto& p : problems) contaminated += normalize_timestamp(p.contest_date) < cutoff;
    if (contaminated) {
      spdlog::warn(
          "!!! CONTAMINATION: {} of {} problems are dated before the training cutoff {}; their scores do "
          "not measure generalisation. Use --start-date {} to evaluate only clean problems. !!!",
          contaminated, problems.size(), o.train_cutoff, o.train_cutoff);
    }
  }
  return problems;
}

// Self-repair of `p`: the code-generation samples to repair (`prev`, its eval_all.json entry), with a
// repair prompt for each failed one (passed samples are kept as they are).
void plan_self_repair(const RunOptions& o, const Problem& p, const json& prev, CodeTask& t) {
  t.original_code_list = string_list(prev.value("code_list", json()), p.question_id + ": code_list");
  const auto graded = prev.value("graded_list", json::array());
  const auto meta = prev.value("metadata", json::array());
  if (graded.size() != t.original_code_list.size() || meta.size() != t.original_code_list.size()) {
    throw Error(o.codegen_results.string() + ": " + p.question_id +
                ": code_list, graded_list and metadata differ in length");
  }
  for (size_t k = 0; k < t.original_code_list.size(); ++k) {
    const std::string m = meta[k].is_string() ? meta[k].get<std::string>() : meta[k].dump();
    t.repair_prompts.push_back(
        graded[k].is_boolean() && graded[k].get<bool>()
            ? std::vector<ChatMessage>{}
            : self_repair_messages(prev.value("question_content", p.question_content), t.original_code_list[k], m));
  }
}

// The samples of problem `index` in a custom-output file.
std::vector<std::string> custom_codes(const CustomOutputs& custom, const std::vector<Problem>& problems, size_t index) {
  if (!custom.aligned.empty()) {
    if (custom.aligned.size() != problems.size()) {
      throw Error("the custom-output file has " + std::to_string(custom.aligned.size()) + " lists for " +
                      std::to_string(problems.size()) + " problems",
                  "a list-of-lists file must follow the selected problems sorted by question_id");
    }
    return custom.aligned[index];
  }
  const auto it = custom.by_key.find(problems[index].question_id);
  if (it == custom.by_key.end()) {
    throw Error("the custom-output file has no code_list for " + problems[index].question_id,
                "LiveCodeBench's custom outputs must cover every selected problem (or narrow the selection)");
  }
  return it->second;
}

// Phase 2: a task for every problem not yet in `done` (self-repair: of the code-generation results in
// `previous`, by question_id); `total_samples` is what the progress counts.
std::vector<CodeTask> plan_tasks(const RunOptions& o, const std::vector<Problem>& problems,
                                 const std::map<std::string, json>& previous, const std::map<std::string, json>& done,
                                 const std::optional<CustomOutputs>& custom, size_t& total_samples) {
  const bool self_repair = o.scenario == "selfrepair";
  std::vector<CodeTask> tasks;
  total_samples = 0;
  for (const auto& p : problems) {
    if (done.count(p.question_id)) continue;
    CodeTask t;
    t.problem = &p;
    if (self_repair) {
      const auto it = previous.find(p.question_id);
      if (it == previous.end()) {
        throw Error(o.codegen_results.string() + " has no entry for " + p.question_id,
                    "self-repair needs the code-generation results of the same problems (same filters)");
      }
      plan_self_repair(o, p, it->second, t);
      total_samples += t.original_code_list.size();
    } else {
      total_samples += custom ? 0 : static_cast<size_t>(o.n);
    }
    if (custom) {
      t.code_list = custom_codes(*custom, problems, static_cast<size_t>(&p - problems.data()));
      t.output_list = t.code_list;
      if (!self_repair) total_samples += t.code_list.size();
    }
    tasks.push_back(std::move(t));
  }
  return tasks;
}

// Phase 3: the tasks sampled and judged in chunks on `jobs` threads, each judged problem appended to
// progress.jsonl and put into `done` at once.
class ChunkedJudging {
 public:
  ChunkedJudging(const RunOptions& o, ModelBackend* backend, bool custom, std::vector<CodeTask>& tasks,
                 std::map<std::string, json>& done, const fs::path& progress_file, size_t total_samples)
      : o_(o),
        self_repair_(o.scenario == "selfrepair"),
        generator_(backend ? std::make_unique<Generator>(backend, o) : nullptr),
        custom_(custom),
        tasks_(tasks),
        done_(done),
        progress_out_(progress_file, std::ios::app),
        progress_("livecodebench", total_samples, "samples", o.progress ? ProgressMode::kAuto : ProgressMode::kSilent) {
  }

  // Returns the comparator disagreements of the judged samples.
  int run() {
    const int jobs = resolve_jobs(o_.jobs);
    // Problems are judged in chunks (one sandboxed driver per chunk) so the driver's start-up is shared;
    // chunks stay small enough to keep every worker busy and the decoded tests of a chunk in memory.
    chunk_ = std::clamp<size_t>(tasks_.size() / (2 * static_cast<size_t>(jobs)), 1, 8);
    parallel_for(jobs, (tasks_.size() + chunk_ - 1) / chunk_, [&](size_t c) {
      try {
        run_chunk(c);
      } catch (...) {
        failed_ = true;  // the chunks still running stop before their next problem
        throw;
      }
    });
    progress_.finish();
    return disagreements_;
  }

 private:
  static constexpr size_t kChunkTestBytes = 64u << 20;

  // The model's samples of `t` (the custom outputs are already in place).
  void sample(CodeTask& t) {
    if (custom_) return;
    if (!self_repair_) {
      t.output_list = generator_->generate(t.problem->question_id, 1, 0, codegen_messages(*t.problem), o_.n);
      for (const auto& r : t.output_list) t.code_list.push_back(extract_code(r));
      return;
    }
    for (size_t k = 0; k < t.original_code_list.size(); ++k) {
      if (t.repair_prompts[k].empty()) {
        t.output_list.push_back(t.original_code_list[k]);
        t.code_list.push_back(t.original_code_list[k]);
      } else {
        const auto reply = generator_->generate(t.problem->question_id, 2, static_cast<int>(k), t.repair_prompts[k], 1);
        t.output_list.push_back(reply[0]);
        t.code_list.push_back(extract_code(reply[0]));
      }
    }
  }

  void run_chunk(size_t c) {
    std::vector<JudgeItem> items;
    std::vector<std::vector<Test>> tests;
    std::vector<CodeTask*> owners;
    tests.reserve(chunk_);  // items point into `tests`: no reallocation while a chunk fills
    size_t bytes = 0;
    for (size_t i = c * chunk_; i < std::min(tasks_.size(), (c + 1) * chunk_); ++i) {
      if (failed_) return;
      CodeTask& t = tasks_[i];
      try {
        sample(t);
        tests.push_back(problem_tests(*t.problem));
        for (const auto& test : tests.back()) bytes += test.input.size() + test.output.size();
        items.push_back({t.problem, &tests.back(), &t.code_list, {}});
        owners.push_back(&t);
        if (bytes > kChunkTestBytes) {
          judge_and_record(items, tests, owners);
          bytes = 0;
        }
      } catch (const Error& e) {
        throw e.with_context(t.problem->question_id);
      }
    }
    judge_and_record(items, tests, owners);
  }

  void judge_and_record(std::vector<JudgeItem>& items, std::vector<std::vector<Test>>& tests,
                        std::vector<CodeTask*>& owners) {
    if (items.empty()) return;
    judge_batch(items, o_.judge);
    for (size_t j = 0; j < items.size(); ++j) {
      const json entry =
          codegen_entry(*owners[j], items[j].results, !o_.train_cutoff.empty(), o_.train_cutoff, self_repair_);
      size_t passed = 0;
      for (const auto& r : items[j].results) passed += r.passed;
      {
        std::lock_guard<std::mutex> lock(write_mutex_);
        append_progress(progress_out_, entry);
        done_[owners[j]->problem->question_id] = entry;
        disagreements_ += entry.value("comparator_disagreements", 0);
      }
      progress_.advance(items[j].results.size(), passed);
    }
    items.clear();
    tests.clear();
    owners.clear();
  }

  const RunOptions& o_;
  const bool self_repair_;
  std::unique_ptr<Generator> generator_;
  const bool custom_;
  std::vector<CodeTask>& tasks_;
  std::map<std::string, json>& done_;
  std::mutex write_mutex_;
  std::ofstream progress_out_;
  Progress progress_;
  size_t chunk_ = 1;
  std::atomic<bool> failed_{false};
  int disagreements_ = 0;
};

// Phase 4: pass@k over every selected problem (judged now or before a --resume), summary and reports.
RunReport write_code_reports(const RunOptions& o, const std::vector<Problem>& problems,
                             const std::map<std::string, json>& done, const std::string& model, int contaminated,
                             int disagreements, double wall_seconds) {
  std::vector<json> entries;
  std::vector<ProblemOutcome> outcomes;
  for (const auto& p : problems) {
    const json& e = done.at(p.question_id);
    entries.push_back(e);
    ProblemOutcome oc{p.question_id, p.difficulty, p.platform, normalize_timestamp(p.contest_date), 0, 0};
    for (const auto& g : e["graded_list"]) {
      ++oc.n;
      oc.correct += g.get<bool>();
    }
    outcomes.push_back(oc);
  }
  const auto ks = reported_ks(outcomes, o.ks);
  json summary;
  summary["benchmark"] = "livecodebench";
  summary["scenario"] = o.scenario;
  summary["model"] = model;
  summary["data"] = o.data.string();
  summary["release"] = o.release;
  summary["filters"] = {{"start_date", o.filter.start_date},
                        {"end_date", o.filter.end_date},
                        {"platforms", o.filter.platforms},
                        {"difficulties", o.filter.difficulties}};
  summary["problems"] = problems.size();
  size_t samples = 0;
  for (const auto& oc : outcomes) samples += oc.n;
  summary["samples"] = samples;
  summary["ks"] = ks;
  summary["groups"] = groups_json(score_groups(outcomes, ks));
  summary["verdicts"] = verdict_counts(entries);
  summary["comparator_disagreements"] = disagreements;
  summary["judge"] = {{"timeout_seconds", o.judge.timeout_seconds},
                      {"clock", o.judge.clock},
                      {"memory_bytes", o.judge.memory_bytes},
                      {"python", o.judge.python}};
  if (!o.train_cutoff.empty()) {
    summary["contamination"] = {{"train_cutoff", o.train_cutoff}, {"problems_before_cutoff", contaminated}};
  }
  summary["wall_seconds"] = wall_seconds;
  write_reports(o.out_dir, entries, lcb_eval_json(entries, outcomes, ks), summary);
  return {summary, format_summary_table(summary)};
}

}  // namespace

RunReport run_code_scenario(const RunOptions& o, std::unique_ptr<ModelBackend> backend,
                            const std::optional<CustomOutputs>& custom) {
  const auto t0 = Clock::now();
  int contaminated = 0;
  const std::vector<Problem> problems = select_problems(o, contaminated);
  // Self-repair input: the code-generation results to repair, by question_id.
  std::map<std::string, json> previous;
  if (o.scenario == "selfrepair") previous = load_codegen_results(o.codegen_results);
  // Resume: problems already in progress.jsonl are kept as they are.
  fs::create_directories(o.out_dir);
  const fs::path progress_file = o.out_dir / "progress.jsonl";
  std::map<std::string, json> done = load_progress(progress_file, o.resume);
  size_t total_samples = 0;
  std::vector<CodeTask> tasks = plan_tasks(o, problems, previous, done, custom, total_samples);
  const int disagreements =
      ChunkedJudging(o, backend.get(), custom.has_value(), tasks, done, progress_file, total_samples).run();
  const std::string model = custom ? "predictions:" + predictions_file(o.model) : (backend ? backend->name() : "");
  return write_code_reports(o, problems, done, model, contaminated, disagreements,
                            std::chrono::duration<double>(Clock::now() - t0).count());
}

}  // namespace hrm::eval::lcb::detail
