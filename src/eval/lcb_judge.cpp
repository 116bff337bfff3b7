#include "hrm/eval/lcb_judge.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "hrm/eval/lcb_compare.hpp"
#include "hrm/sandbox/sandbox.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::eval::lcb {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kWatchdogExit = 86;  // the driver's watchdog: a test outlived 2 x timeout + 1 s of wall time

std::string safe_name(const std::string& id) {
  std::string s;
  for (char c : id) s.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_');
  return s.empty() ? "problem" : s;
}

fs::path fresh_dir(const fs::path& root, const std::string& stem) {
  static std::atomic<uint64_t> counter{0};
  for (;;) {
    const fs::path dir = root / (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::error_code ec;
    if (fs::create_directories(dir, ec)) return dir;
    if (ec) throw Error("cannot create judge directory '" + dir.string() + "': " + ec.message());
  }
}

std::string signal_text(int sig) {
  const char* name = sigabbrev_np(sig);
  return "signal " + std::to_string(sig) + (name ? std::string(" (SIG") + name + ")" : "");
}

json failure_metadata(int code, const std::string& error, const Test& test) {
  json meta;
  meta["error"] = error;
  meta["error_code"] = code;
  meta["error_message"] = code == kTimeLimit ? "Time Limit Exceeded" : "Runtime Error";
  meta["inputs"] = truncate_middle(test.input);
  meta["expected"] = truncate_middle(test.output);
  return meta;
}

// Reads one sample's side channel and exit record. Returns false when the sample never started.
bool read_sample(const fs::path& dir, const std::string& name, const Problem& problem, const std::vector<Test>& tests,
                 const sandbox::RunResult& run, const JudgeOptions& options, SampleResult& out) {
  const fs::path channel = dir / (name + ".jsonl");
  const fs::path exit_file = dir / (name + ".exit");
  if (!fs::exists(channel) && !fs::exists(exit_file)) return false;
  out = SampleResult{};
  long in_flight = -1;
  bool finished = false;
  if (fs::exists(channel)) {
    std::ifstream in(channel, std::ios::binary);
    std::string line;
    while (!finished && std::getline(in, line)) {
      json rec = json::parse(line, nullptr, false);
      if (rec.is_discarded() || !rec.is_object()) break;  // a record cut short by a kill
      const std::string t = rec.value("t", "");
      if (t == "start") {
        in_flight = rec.value("i", -1L);
      } else if (t == "pass" || t == "fail") {
        const long i = rec.value("i", -1L);
        if (i < 0 || static_cast<size_t>(i) >= tests.size()) break;
        const auto out_it = rec.find("out");
        if (!problem.functional() && out_it != rec.end() && out_it->is_string()) {
          const bool cpp_ok = outputs_match(out_it->get<std::string>(), tests[i].output);
          const bool py_ok = t == "pass";
          if (cpp_ok != py_ok && (py_ok || rec.value("code", 0) == kWrongAnswer)) {
            ++out.comparator_disagreements;
            spdlog::warn("lcb: {} test {}: the C++ comparison says {} where the judge says {}", problem.question_id, i,
                         cpp_ok ? "pass" : "wrong answer", py_ok ? "pass" : "wrong answer");
          }
        }
        in_flight = -1;
        if (t == "pass") {
          out.results.push_back(true);
        } else {
          const int code = rec.value("code", kRuntimeError);
          // LiveCodeBench records a functional wrong answer as `false` (the comparison's value), a stdin one as -2.
          out.results.push_back(problem.functional() && code == kWrongAnswer ? json(false) : json(code));
          out.metadata = rec.value("meta", json::object());
          finished = true;
        }
      } else if (t == "compile") {
        out.results = json::array({kRuntimeError});
        out.metadata = rec.value("meta", json::object());
        finished = true;
      } else if (t == "done") {
        out.metadata = rec.value("meta", json::object());
        out.passed = true;
        finished = true;
      }
    }
  }
  if (finished) return true;

  // The child died or was killed before reporting an outcome: attribute it to the test in flight.
  int code = kRuntimeError;
  std::string error;
  json exit_rec = fs::exists(exit_file) ? json::parse(read_file(exit_file), nullptr, false) : json();
  if (exit_rec.is_object()) {
    const double per_sample = (options.timeout_seconds + 1) * std::max<size_t>(1, tests.size()) + 5;
    if (exit_rec.value("killed", false)) {
      code = kTimeLimit;
      error = "TimeoutException(): killed by the judge after " + std::to_string(per_sample) + " s (global timeout)";
    } else if (exit_rec.value("status", "") == "signaled") {
      const int sig = exit_rec.value("signal", 0);
      error = "the process was killed by " + signal_text(sig) + (sig == SIGKILL ? " (memory limit?)" : "");
    } else if (exit_rec.value("code", 0) == kWatchdogExit) {
      code = kTimeLimit;
      error = "TimeoutException(): the test ran past " + std::to_string(2 * options.timeout_seconds + 1) +
              " s of wall time and the watchdog ended it";
    } else {
      error = "the process exited with code " + std::to_string(exit_rec.value("code", -1)) + " during the test";
    }
  } else {
    switch (run.verdict) {
      case sandbox::Verdict::kWallTimeout:
      case sandbox::Verdict::kCpuTimeout:
        code = kTimeLimit;
        error = std::string("TimeoutException(): sandbox ") + sandbox::verdict_name(run.verdict);
        break;
      case sandbox::Verdict::kMemoryLimit:
        error = "MemoryError(): the sandbox's memory limit was hit";
        break;
      default:
        error = std::string("the judge process ended (") + sandbox::verdict_name(run.verdict) +
                (run.signal ? ", " + signal_text(run.signal) : "") + ")";
    }
  }
  if (in_flight >= 0 && static_cast<size_t>(in_flight) < tests.size()) {
    out.results.push_back(code);
    out.metadata = failure_metadata(code, error, tests[in_flight]);
  } else {
    out.results = json::array({kRuntimeError});
    out.metadata = {{"error_code", kRuntimeError}, {"error_message", "Error during testing: " + error}};
  }
  return true;
}

}  // namespace

std::vector<SampleResult> judge_problem(const Problem& problem, const std::vector<Test>& tests,
                                        const std::vector<std::string>& codes, const JudgeOptions& options) {
  std::vector<JudgeItem> items{{&problem, &tests, &codes, {}}};
  judge_batch(items, options);
  return std::move(items[0].results);
}

void judge_batch(std::vector<JudgeItem>& items, const JudgeOptions& options) {
  if (options.clock != "cpu" && options.clock != "wall") {
    throw Error("judge clock '" + options.clock + "' is not 'cpu' or 'wall'");
  }
  std::vector<std::pair<size_t, size_t>> pending;  // (item, sample)
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].results.assign(items[i].codes->size(), SampleResult{});
    for (size_t k = 0; k < items[i].codes->size(); ++k) pending.emplace_back(i, k);
  }
  if (pending.empty()) return;
  const std::string python = sandbox::resolve_program(options.python);
  const fs::path root = options.work_root.empty() ? fs::temp_directory_path() / "hrm-lcb" : options.work_root;
  fs::create_directories(root);

  // Per item: its tests as JSON (built once) and the global timeout of one sample, as LiveCodeBench's.
  std::vector<json> inputs(items.size()), outputs(items.size());
  std::vector<double> per_sample(items.size());
  int64_t test_bytes = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    inputs[i] = json::array();
    outputs[i] = json::array();
    for (const auto& t : *items[i].tests) {
      inputs[i].push_back(t.input);
      outputs[i].push_back(t.output);
      test_bytes += static_cast<int64_t>(t.input.size() + t.output.size());
    }
    per_sample[i] =
        (options.timeout_seconds + 1) * static_cast<double>(std::max<size_t>(1, items[i].tests->size())) + 5;
  }
  const size_t batch_size =
      options.samples_per_process > 0 ? static_cast<size_t>(options.samples_per_process) : pending.size();
  const std::string stem = safe_name(items[0].problem->question_id) + (items.size() > 1 ? "-batch" : "");
  while (!pending.empty()) {
    const std::vector<std::pair<size_t, size_t>> batch(pending.begin(),
                                                       pending.begin() + std::min(batch_size, pending.size()));
    const fs::path dir = fresh_dir(root, stem);
    json job;
    job["timeout"] = options.timeout_seconds;
    job["clock"] = options.clock;
    job["memory_bytes"] = options.memory_bytes;
    job["problems"] = json::array();
    double wall = 30;
    for (size_t b = 0; b < batch.size();) {
      const size_t i = batch[b].first;
      const Problem& problem = *items[i].problem;
      json p;
      p["tag"] = "p" + std::to_string(i);
      p["fn_name"] = problem.functional() ? json(problem.func_name) : json(nullptr);
      p["inputs"] = inputs[i];
      p["outputs"] = outputs[i];
      p["samples"] = json::array();
      for (; b < batch.size() && batch[b].first == i; ++b) {
        p["samples"].push_back({{"index", batch[b].second}, {"code", (*items[i].codes)[batch[b].second]}});
        wall += per_sample[i];
      }
      job["problems"].push_back(std::move(p));
    }
    write_file_atomic(dir / "driver.py", driver_source());
    write_file_atomic(dir / "job.json", job.dump(-1, ' ', false, json::error_handler_t::replace));

    sandbox::RunRequest req;
    req.argv = {python, "-I", (dir / "driver.py").string(), (dir / "job.json").string()};
    req.work_dir = dir;
    req.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
               {"HOME", dir.string()},
               {"LANG", "C.UTF-8"},
               {"LC_ALL", "C.UTF-8"},
               {"PYTHONIOENCODING", "utf-8"},
               {"PYTHONDONTWRITEBYTECODE", "1"},
               {"OMP_NUM_THREADS", "1"},
               {"OPENBLAS_NUM_THREADS", "1"}};
    req.limits.wall_seconds = wall;
    req.limits.cpu_seconds = wall;
    req.limits.memory_bytes = options.memory_bytes + (1LL << 30) + 4 * test_bytes;
    req.limits.max_file_bytes = 256LL << 20;
    req.limits.max_output_bytes = 1 << 20;
    const sandbox::RunResult run = sandbox::run(req);
    if (run.verdict == sandbox::Verdict::kSandboxError) {
      throw Error("lcb: the sandbox could not run the judge for " + items[batch[0].first].problem->question_id + ": " +
                      run.error,
                  "run `hrm doctor` to see which sandbox protections this machine supports");
    }

    std::vector<std::pair<size_t, size_t>> still;
    size_t resolved = 0;
    for (const auto& [i, k] : batch) {
      const std::string name = "p" + std::to_string(i) + "_" + std::to_string(k);
      if (read_sample(dir, name, *items[i].problem, *items[i].tests, run, options, items[i].results[k])) {
        ++resolved;
      } else {
        still.emplace_back(i, k);
      }
    }
    if (resolved == 0) {
      // Nothing started: the driver itself failed (python missing, bad job). A harness error, not a verdict.
      const std::string detail = std::string(sandbox::verdict_name(run.verdict)) + ", exit " +
                                 std::to_string(run.exit_code) + ": " + run.stderr_data.substr(0, 2000);
      spdlog::error("lcb: the judge driver failed for {} ({})", items[batch[0].first].problem->question_id, detail);
      for (const auto& [i, k] : still) {
        auto& r = items[i].results[k];
        r.results = json::array({kTestRunnerError});
        r.metadata = {{"error", detail}, {"error_code", kTestRunnerError}, {"error_message", "TestRunnerError"}};
      }
      still.clear();
    }
    // Samples the process never reached (it died on an earlier one) go to a fresh process.
    still.insert(still.end(), pending.begin() + static_cast<long>(batch.size()), pending.end());
    pending = std::move(still);
    if (!options.keep_work) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }
}

}  // namespace hrm::eval::lcb
