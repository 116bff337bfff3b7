#include "hrm/eval/lcb_run.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "hrm/eval/lcb_prompts.hpp"
#include "hrm/eval/lcb_scenarios.hpp"
#include "hrm/eval/lcb_score.hpp"
#include "hrm/eval/model_backend.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::eval::lcb {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// A one-line progress bar on stderr (a log line per 10% when stderr is not a terminal).
class ProgressBar {
 public:
  ProgressBar(std::string label, size_t total, bool enabled)
      : label_(std::move(label)), total_(total), enabled_(enabled), tty_(::isatty(2)), start_(Clock::now()) {}
  void advance(size_t samples, size_t passed) {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ += samples;
    passed_ += passed;
    if (!enabled_) return;
    const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
    const double rate = secs > 0 ? done_ / secs : 0;
    if (tty_) {
      const int width = 30;
      const int filled = total_ ? static_cast<int>(width * done_ / total_) : width;
      std::fprintf(stderr, "\r%s [%s%s] %zu/%zu samples, %zu passed, %.1f samples/s, ETA %.0f s ", label_.c_str(),
                   std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), done_, total_, passed_,
                   rate, rate > 0 ? (total_ - done_) / rate : 0.0);
      if (done_ == total_) std::fprintf(stderr, "\n");
      std::fflush(stderr);
    } else if (total_ && (done_ * 10 / total_ != last_decile_ || done_ == total_)) {
      last_decile_ = done_ * 10 / total_;
      spdlog::info("{}: {}/{} samples judged, {} passed ({:.1f} samples/s)", label_, done_, total_, passed_, rate);
    }
  }

 private:
  std::mutex mutex_;
  std::string label_;
  size_t total_, done_ = 0, passed_ = 0, last_decile_ = 0;
  bool enabled_, tty_;
  Clock::time_point start_;
};

std::string predictions_file(const std::string& spec) {
  const std::string prefix = "predictions:";
  return spec.rfind(prefix, 0) == 0 ? spec.substr(prefix.size()) : "";
}

std::vector<std::string> string_list(const json& v, const std::string& where) {
  if (!v.is_array()) throw Error(where + " must be a list of strings");
  std::vector<std::string> out;
  for (const auto& s : v) {
    if (!s.is_string()) throw Error(where + " must be a list of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

// The generation parameters LiveCodeBench uses, from the options.
GenerationParams params_of(const RunOptions& o, int n) {
  GenerationParams p;
  p.temperature = o.temperature;
  p.top_p = o.top_p;
  p.max_tokens = o.max_tokens;
  p.seed = o.seed;
  p.n = n;
  return p;
}

// Serialises generation for backends that are not thread-safe.
class Generator {
 public:
  Generator(ModelBackend* backend, const RunOptions& options) : backend_(backend), options_(options) {}
  // attempt 1: the first answer; attempt 2: self-repair of sample `sample`.
  std::vector<std::string> generate(const std::string& task, int attempt, int sample, std::vector<ChatMessage> messages,
                                    int n) {
    GenerationRequest req;
    req.id = {"livecodebench", task, attempt, sample};
    req.messages = std::move(messages);
    req.params = params_of(options_, n);
    std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
    if (!backend_->thread_safe()) lock.lock();
    auto replies = backend_->generate(req);
    if (static_cast<int>(replies.size()) != n) {
      throw Error("backend " + backend_->name() + " returned " + std::to_string(replies.size()) + " replies for " +
                  req.id.str() + ", expected " + std::to_string(n));
    }
    return replies;
  }
  std::string name() const { return backend_->name(); }

 private:
  ModelBackend* backend_;
  const RunOptions& options_;
  std::mutex mutex_;
};

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
  static const std::map<std::string, std::string> names{{"passed", "passed"},
                                                        {"-1", "-1 global timeout"},
                                                        {"-2", "-2 wrong answer"},
                                                        {"-3", "-3 time limit exceeded"},
                                                        {"-4", "-4 runtime error"},
                                                        {"-5", "-5 test runner error"}};
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

// eval.json as lcb_runner writes it: [metrics, results, metadata], problems indexed in order.
json lcb_eval_json(const std::vector<json>& entries, const std::vector<ProblemOutcome>& outcomes, const std::vector<int>& ks) {
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
  write_file_atomic(out_dir / "eval_all.json", json(entries).dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  write_file_atomic(out_dir / "eval.json", eval.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  write_file_atomic(out_dir / "summary.json", summary.dump(2) + "\n");
}

// ---- code generation and self-repair ------------------------------------------------------------

struct CodeTask {
  const Problem* problem;
  std::vector<std::string> output_list, code_list;
  std::vector<std::string> original_code_list;  // self-repair
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
      spdlog::warn("!!! CONTAMINATION: {} of {} problems are dated before the training cutoff {}; their scores do "
                   "not measure generalisation. Use --start-date {} to evaluate only clean problems. !!!",
                   contaminated, problems.size(), o.train_cutoff, o.train_cutoff);
    }
  }

  // Self-repair input: the code-generation results to repair, by question_id.
  std::map<std::string, json> previous;
  if (self_repair) {
    if (o.codegen_results.empty()) {
      throw Error("--scenario selfrepair needs --codegen-results <eval_all.json of a code-generation run>");
    }
    const json all = json::parse(read_file(o.codegen_results), nullptr, false);
    if (!all.is_array()) throw Error(o.codegen_results.string() + ": not a JSON list (an eval_all.json)");
    for (const auto& e : all) {
      if (e.is_object() && e.contains("question_id")) previous[e["question_id"].get<std::string>()] = e;
    }
  }

  // Resume: problems already in progress.jsonl are kept as they are.
  fs::create_directories(o.out_dir);
  const fs::path progress_file = o.out_dir / "progress.jsonl";
  std::map<std::string, json> done;
  if (fs::exists(progress_file)) {
    if (!o.resume) {
      throw Error("'" + progress_file.string() + "' exists from an earlier run",
                  "pass --resume to continue it, or choose another --out directory");
    }
    std::ifstream in(progress_file);
    std::string line;
    while (std::getline(in, line)) {
      const json e = json::parse(line, nullptr, false);
      if (e.is_object() && e.contains("question_id")) done[e["question_id"].get<std::string>()] = e;
    }
    spdlog::info("livecodebench: resuming, {} problems already judged", done.size());
  }

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
        throw Error(o.codegen_results.string() + ": " + p.question_id + ": code_list, graded_list and metadata differ in length");
      }
      for (size_t k = 0; k < t.original_code_list.size(); ++k) {
        const std::string m = meta[k].is_string() ? meta[k].get<std::string>() : meta[k].dump();
        t.repair_prompts.push_back(graded[k].is_boolean() && graded[k].get<bool>()
                                       ? std::vector<ChatMessage>{}
                                       : self_repair_messages(prev.value("question_content", p.question_content),
                                                              t.original_code_list[k], m));
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
        progress_out << entry.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
        progress_out.flush();
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
  for (int w = 0; w < std::min<int>(jobs, static_cast<int>(std::max<size_t>(1, tasks.size()))); ++w) threads.emplace_back(worker);
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
  summary["filters"] = {{"start_date", o.filter.start_date}, {"end_date", o.filter.end_date},
                        {"platforms", o.filter.platforms}, {"difficulties", o.filter.difficulties}};
  summary["problems"] = problems.size();
  size_t samples = 0;
  for (const auto& oc : outcomes) samples += oc.n;
  summary["samples"] = samples;
  summary["ks"] = ks;
  summary["groups"] = groups_json(score_groups(outcomes, ks));
  summary["verdicts"] = verdict_counts(entries);
  summary["comparator_disagreements"] = disagreements;
  summary["judge"] = {{"timeout_seconds", o.judge.timeout_seconds}, {"clock", o.judge.clock},
                      {"memory_bytes", o.judge.memory_bytes}, {"python", o.judge.python}};
  if (!o.train_cutoff.empty()) {
    summary["contamination"] = {{"train_cutoff", o.train_cutoff}, {"problems_before_cutoff", contaminated}};
  }
  summary["wall_seconds"] = secs;
  write_reports(o.out_dir, entries, lcb_eval_json(entries, outcomes, ks), summary);
  return {summary, format_summary_table(summary)};
}

// ---- test output prediction and code execution --------------------------------------------------

template <typename P>
std::vector<std::vector<std::string>> answers_for(const RunOptions& o, const std::vector<P>& problems,
                                                  const std::optional<CustomOutputs>& custom, ModelBackend* backend,
                                                  std::vector<std::vector<std::string>>& outputs,
                                                  std::string (*key)(const P&),
                                                  std::vector<ChatMessage> (*prompt)(const P&, bool),
                                                  std::string (*extract)(const std::string&, bool)) {
  std::vector<std::vector<std::string>> preds(problems.size());
  outputs.assign(problems.size(), {});
  if (custom) {
    for (size_t i = 0; i < problems.size(); ++i) {
      if (!custom->aligned.empty()) {
        if (custom->aligned.size() != problems.size()) throw Error("the custom-output file does not match the problems");
        preds[i] = custom->aligned[i];
      } else {
        const auto it = custom->by_key.find(key(problems[i]));
        if (it == custom->by_key.end()) throw Error("the custom-output file has no pred_list for " + key(problems[i]));
        preds[i] = it->second;
      }
      outputs[i] = preds[i];
    }
    return preds;
  }
  Generator gen(backend, o);
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto worker = [&]() {
    for (size_t i = next++; i < problems.size(); i = next++) {
      try {
        outputs[i] = gen.generate(key(problems[i]), 1, 0, prompt(problems[i], o.cot), o.n);
        for (const auto& r : outputs[i]) preds[i].push_back(extract(r, o.cot));
      } catch (const Error& e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error) first_error = e;
      }
    }
  };
  const int jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (int w = 0; w < jobs; ++w) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (first_error) throw *first_error;
  return preds;
}

std::string test_output_key(const TestOutputProblem& p) { return p.question_id + "/" + std::to_string(p.test_id); }
std::string execution_key(const ExecutionProblem& p) { return p.id; }
std::vector<ChatMessage> test_output_prompt(const TestOutputProblem& p, bool) {
  return test_output_messages(p.question_content, p.starter_code, p.function_name, p.test[0].input);
}
std::vector<ChatMessage> execution_prompt(const ExecutionProblem& p, bool cot) { return execution_messages(p.code, p.input, cot); }
std::string extract_test_output_any(const std::string& reply, bool) { return extract_test_output(reply); }

RunReport run_prediction_scenario(const RunOptions& o, std::unique_ptr<ModelBackend> backend,
                                  const std::optional<CustomOutputs>& custom) {
  const auto t0 = Clock::now();
  const bool execution = o.scenario == "codeexecution";
  CheckOptions check;
  check.python = o.judge.python;
  check.work_root = o.judge.work_root;
  check.jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::vector<json> entries;
  std::vector<ProblemOutcome> outcomes;
  std::vector<std::vector<std::string>> outputs, preds;
  std::vector<std::vector<bool>> graded;
  if (execution) {
    auto problems = load_execution_problems(o.data);
    preds = answers_for<ExecutionProblem>(o, problems, custom, backend.get(), outputs, execution_key, execution_prompt,
                                          extract_execution_answer);
    graded = grade_executions(problems, preds, check);
    for (size_t i = 0; i < problems.size(); ++i) {
      const auto& p = problems[i];
      entries.push_back({{"question_id", p.question_id}, {"contest_id", p.contest_id}, {"contest_date", p.contest_date},
                         {"difficulty", p.difficulty}, {"function_name", p.function_name}, {"code", p.code},
                         {"input", p.input}, {"output", p.output}, {"id", p.id}, {"problem_id", p.problem_id},
                         {"numsteps", p.numsteps}, {"output_list", outputs[i]}, {"pred_list", preds[i]}});
      outcomes.push_back({p.id, p.difficulty, "", normalize_timestamp(p.contest_date), 0, 0});
    }
  } else {
    auto problems = load_test_output_problems(o.data);
    preds = answers_for<TestOutputProblem>(o, problems, custom, backend.get(), outputs, test_output_key,
                                           test_output_prompt, extract_test_output_any);
    graded = grade_test_outputs(problems, preds, check);
    for (size_t i = 0; i < problems.size(); ++i) {
      const auto& p = problems[i];
      entries.push_back({{"question_title", p.question_title}, {"question_content", p.question_content},
                         {"question_id", p.question_id}, {"contest_id", p.contest_id}, {"contest_date", p.contest_date},
                         {"difficulty", p.difficulty}, {"output_list", outputs[i]}, {"pred_list", preds[i]},
                         {"test_id", p.test_id}, {"function_name", p.function_name}, {"starter_code", p.starter_code}});
      outcomes.push_back({test_output_key(p), p.difficulty, "", normalize_timestamp(p.contest_date), 0, 0});
    }
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    int c = 0;
    for (bool g : graded[i]) c += g;
    entries[i]["graded_list"] = graded[i];
    entries[i]["pass@1"] = graded[i].empty() ? 0.0 : static_cast<double>(c) / graded[i].size();
    outcomes[i].n = static_cast<int>(graded[i].size());
    outcomes[i].correct = c;
  }
  const auto ks = reported_ks(outcomes, o.ks);
  json summary;
  summary["benchmark"] = "livecodebench";
  summary["scenario"] = o.scenario;
  summary["model"] = custom ? "predictions:" + predictions_file(o.model) : (backend ? backend->name() : "");
  summary["data"] = o.data.string();
  summary["problems"] = entries.size();
  size_t samples = 0;
  for (const auto& oc : outcomes) samples += oc.n;
  summary["samples"] = samples;
  summary["ks"] = ks;
  auto groups = score_groups(outcomes, ks);
  groups.erase(std::remove_if(groups.begin(), groups.end(), [](const GroupScore& g) { return g.group == "platform="; }),
               groups.end());
  summary["groups"] = groups_json(groups);
  summary["wall_seconds"] = std::chrono::duration<double>(Clock::now() - t0).count();
  write_reports(o.out_dir, entries, lcb_eval_json(entries, outcomes, ks), summary);
  return {summary, format_summary_table(summary)};
}

}  // namespace

std::optional<CustomOutputs> load_custom_outputs(const std::string& spec, const std::string& scenario) {
  const std::string file = predictions_file(spec);
  if (file.empty()) return std::nullopt;
  const std::string text = read_file(file);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '[') return std::nullopt;
  json all;
  try {
    all = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(file + ": not valid JSON: " + e.what(), "LiveCodeBench custom outputs are one JSON list");
  }
  CustomOutputs out;
  const bool code = scenario == "codegeneration" || scenario == "selfrepair";
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& e = all[i];
    const std::string where = file + "[" + std::to_string(i) + "]";
    if (e.is_array()) {
      out.aligned.push_back(string_list(e, where));
      continue;
    }
    if (!e.is_object()) throw Error(where + ": each entry must be an object or a list of strings");
    const char* list_key = code ? "code_list" : "pred_list";
    if (!e.contains(list_key)) throw Error(where + ": missing '" + list_key + "'", "see LiveCodeBench's custom_evaluator format");
    std::string key;
    auto str = [&](const char* k) {
      if (!e.contains(k)) throw Error(where + ": missing '" + std::string(k) + "'");
      return e[k].is_string() ? e[k].get<std::string>() : e[k].dump();
    };
    if (scenario == "codeexecution") {
      key = str("id");
    } else if (scenario == "testoutputprediction") {
      key = str("question_id") + "/" + str("test_id");
    } else {
      key = str("question_id");
    }
    if (out.by_key.count(key)) throw Error(where + ": duplicate entry for " + key);
    out.by_key[key] = string_list(e[list_key], where + "." + list_key);
  }
  if (!out.aligned.empty() && !out.by_key.empty()) throw Error(file + ": mixes lists and objects");
  spdlog::info("livecodebench: custom outputs for {} problems from {}", out.aligned.size() + out.by_key.size(), file);
  return out;
}

RunReport run_livecodebench(const RunOptions& o) {
  static const std::set<std::string> scenarios{"codegeneration", "selfrepair", "testoutputprediction", "codeexecution"};
  if (!scenarios.count(o.scenario)) {
    throw Error("unknown LiveCodeBench scenario '" + o.scenario + "'",
                "use codegeneration, selfrepair, testoutputprediction or codeexecution");
  }
  if (o.data.empty()) throw Error("--data is required for --bench livecodebench", "see docs/livecodebench.md");
  if (o.out_dir.empty()) throw Error("an output directory is required (--out)");
  if (o.model.empty()) throw Error("--model is required", "e.g. --model predictions:custom_outputs.json or openai:<url>/<model>");
  if (o.n < 1) throw Error("--n must be at least 1");
  if (!o.train_cutoff.empty()) parse_date(o.train_cutoff, "--train-cutoff");
  auto custom = load_custom_outputs(o.model, o.scenario);
  std::unique_ptr<ModelBackend> backend;
  if (!custom) {
    backend = make_backend(o.model);
    if (backend->needs_reference()) {
      throw Error("backend " + backend->name() + " needs reference solutions, which LiveCodeBench does not publish",
                  "use predictions:<file>, openai:<url>/<model> or a local model");
    }
  }
  RunOptions options = o;
  if (options.train_cutoff.empty() && backend && !backend->training_cutoff().empty()) {
    options.train_cutoff = backend->training_cutoff();
    parse_date(options.train_cutoff, backend->name() + ": the checkpoint's data_cutoff");
    spdlog::info("contamination guard: training-data cutoff {} recorded by {} (override with --train-cutoff)",
                 options.train_cutoff, backend->name());
  }
  if (options.judge.work_root.empty()) options.judge.work_root = fs::absolute(o.out_dir) / "work";
  RunReport report = (o.scenario == "codegeneration" || o.scenario == "selfrepair")
                         ? run_code_scenario(options, std::move(backend), custom)
                         : run_prediction_scenario(options, std::move(backend), custom);
  std::error_code ec;
  if (fs::is_empty(options.judge.work_root, ec)) fs::remove(options.judge.work_root, ec);
  return report;
}

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
