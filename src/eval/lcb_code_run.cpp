// The code-generation and self-repair scenarios (see lcb_scenario_runs.hpp): problems are sampled and
// judged in parallel chunks, each finished problem is recorded at once so that --resume can continue.
#include "lcb_scenario_runs.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "hrm/eval/lcb_prompts.hpp"
#include "hrm/eval/lcb_score.hpp"
#include "hrm/util/error.hpp"
#include "lcb_generator.hpp"
#include "lcb_progress.hpp"
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

}  // namespace

RunReport run_code_scenario(const RunOptions& o, std::unique_ptr<ModelBackend> backend,
                            const std::optional<CustomOutputs>& custom) {
  const bool self_repair = o.scenario == "selfrepair";
  const auto t0 = Clock::now();
  std::vector<Problem> problems = load_problems(o.data, o.release, o.filter);
  if (problems.empty()) throw Error("no LiveCodeBench problems match the filters in " + o.data.string());
  spdlog::info("livecodebench: {} problems from {} (release {})", problems.size(), o.data.string(), o.release);

  // Contamination guard: problems released before the model's training cutoff are not clean.
  int contaminated = 0;
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

  // Self-repair input: the code-generation results to repair, by question_id.
  std::map<std::string, json> previous;
  if (self_repair) previous = load_codegen_results(o.codegen_results);

  // Resume: problems already in progress.jsonl are kept as they are.
  fs::create_directories(o.out_dir);
  const fs::path progress_file = o.out_dir / "progress.jsonl";
  std::map<std::string, json> done = load_progress(progress_file, o.resume);

  std::vector<CodeTask> tasks;
  size_t total_samples = 0;
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
      const json& prev = it->second;
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
      total_samples += t.original_code_list.size();
    } else {
      total_samples += custom ? 0 : static_cast<size_t>(o.n);
    }
    if (custom) {
      std::vector<std::string> codes;
      if (!custom->aligned.empty()) {
        if (custom->aligned.size() != problems.size()) {
          throw Error("the custom-output file has " + std::to_string(custom->aligned.size()) + " lists for " +
                          std::to_string(problems.size()) + " problems",
                      "a list-of-lists file must follow the selected problems sorted by question_id");
        }
        codes = custom->aligned[static_cast<size_t>(&p - problems.data())];
      } else {
        const auto it = custom->by_key.find(p.question_id);
        if (it == custom->by_key.end()) {
          throw Error("the custom-output file has no code_list for " + p.question_id,
                      "LiveCodeBench's custom outputs must cover every selected problem (or narrow the selection)");
        }
        codes = it->second;
      }
      t.code_list = codes;
      t.output_list = codes;
      if (!self_repair) total_samples += codes.size();
    }
    tasks.push_back(std::move(t));
  }

  std::unique_ptr<Generator> generator = backend ? std::make_unique<Generator>(backend.get(), o) : nullptr;
  ProgressBar bar("livecodebench", total_samples, o.progress);
  std::mutex write_mutex;
  std::ofstream progress_out(progress_file, std::ios::app);
  const std::string cutoff = o.train_cutoff;
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  int disagreements = 0;
  const int jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  // Problems are judged in chunks (one sandboxed driver per chunk) so the driver's start-up is shared;
  // chunks stay small enough to keep every worker busy and the decoded tests of a chunk in memory.
  const size_t chunk = std::clamp<size_t>(tasks.size() / (2 * static_cast<size_t>(jobs)), 1, 8);
  constexpr size_t kChunkTestBytes = 64u << 20;
  auto judge_and_record = [&](std::vector<JudgeItem>& items, std::vector<std::vector<Test>>& tests,
                              std::vector<CodeTask*>& owners) {
    if (items.empty()) return;
    judge_batch(items, o.judge);
    for (size_t j = 0; j < items.size(); ++j) {
      const json entry = codegen_entry(*owners[j], items[j].results, !cutoff.empty(), cutoff, self_repair);
      size_t passed = 0;
      for (const auto& r : items[j].results) passed += r.passed;
      {
        std::lock_guard<std::mutex> lock(write_mutex);
        append_progress(progress_out, entry);
        done[owners[j]->problem->question_id] = entry;
        disagreements += entry.value("comparator_disagreements", 0);
      }
      bar.advance(items[j].results.size(), passed);
    }
    items.clear();
    tests.clear();
    owners.clear();
  };
  auto worker = [&]() {
    for (size_t c = next++; c * chunk < tasks.size(); c = next++) {
      std::vector<JudgeItem> items;
      std::vector<std::vector<Test>> tests;
      std::vector<CodeTask*> owners;
      tests.reserve(chunk);  // items point into `tests`: no reallocation while a chunk fills
      size_t bytes = 0;
      for (size_t i = c * chunk; i < std::min(tasks.size(), (c + 1) * chunk); ++i) {
        {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (first_error) return;
        }
        CodeTask& t = tasks[i];
        try {
          if (!custom) {
            if (self_repair) {
              for (size_t k = 0; k < t.original_code_list.size(); ++k) {
                if (t.repair_prompts[k].empty()) {
                  t.output_list.push_back(t.original_code_list[k]);
                  t.code_list.push_back(t.original_code_list[k]);
                } else {
                  const auto reply =
                      generator->generate(t.problem->question_id, 2, static_cast<int>(k), t.repair_prompts[k], 1);
                  t.output_list.push_back(reply[0]);
                  t.code_list.push_back(extract_code(reply[0]));
                }
              }
            } else {
              t.output_list = generator->generate(t.problem->question_id, 1, 0, codegen_messages(*t.problem), o.n);
              for (const auto& r : t.output_list) t.code_list.push_back(extract_code(r));
            }
          }
          tests.push_back(problem_tests(*t.problem));
          for (const auto& test : tests.back()) bytes += test.input.size() + test.output.size();
          items.push_back({t.problem, &tests.back(), &t.code_list, {}});
          owners.push_back(&t);
          if (bytes > kChunkTestBytes) {
            judge_and_record(items, tests, owners);
            bytes = 0;
          }
        } catch (const Error& e) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (!first_error) first_error = e.with_context(t.problem->question_id);
          return;
        }
      }
      try {
        judge_and_record(items, tests, owners);
      } catch (const Error& e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error) first_error = e;
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < std::min<int>(jobs, static_cast<int>(std::max<size_t>(1, tasks.size()))); ++w)
    threads.emplace_back(worker);
  for (auto& th : threads) th.join();
  if (first_error) throw *first_error;

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
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  json summary;
  summary["benchmark"] = "livecodebench";
  summary["scenario"] = o.scenario;
  summary["model"] = custom ? "predictions:" + predictions_file(o.model) : (backend ? backend->name() : "");
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
  summary["wall_seconds"] = secs;
  write_reports(o.out_dir, entries, lcb_eval_json(entries, outcomes, ks), summary);
  return {summary, format_summary_table(summary)};
}

}  // namespace hrm::eval::lcb::detail
