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
bool read_sample(const fs::path& dir, size_t k, const Problem& problem, const std::vector<Test>& tests,
                 const sandbox::RunResult& run, const JudgeOptions& options, SampleResult& out) {
  const fs::path channel = dir / ("s" + std::to_string(k) + ".jsonl");
  const fs::path exit_file = dir / ("s" + std::to_string(k) + ".exit");
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
          out.results.push_back(rec.value("code", kRuntimeError));
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
  std::vector<SampleResult> results(codes.size());
  if (codes.empty()) return results;
  if (options.clock != "cpu" && options.clock != "wall") {
    throw Error("judge clock '" + options.clock + "' is not 'cpu' or 'wall'");
  }
  const std::string python = sandbox::resolve_program(options.python);
  const fs::path root = options.work_root.empty() ? fs::temp_directory_path() / "hrm-lcb" : options.work_root;
  fs::create_directories(root);

  json common;
  common["fn_name"] = problem.functional() ? json(problem.func_name) : json(nullptr);
  common["timeout"] = options.timeout_seconds;
  common["clock"] = options.clock;
  common["memory_bytes"] = options.memory_bytes;
  json inputs = json::array(), outputs = json::array();
  size_t test_bytes = 0;
  for (const auto& t : tests) {
    inputs.push_back(t.input);
    outputs.push_back(t.output);
    test_bytes += t.input.size() + t.output.size();
  }
  common["inputs"] = std::move(inputs);
  common["outputs"] = std::move(outputs);
  const double per_sample = (options.timeout_seconds + 1) * std::max<size_t>(1, tests.size()) + 5;

  std::vector<size_t> pending(codes.size());
  for (size_t k = 0; k < codes.size(); ++k) pending[k] = k;
  const size_t batch_size = options.samples_per_process > 0 ? static_cast<size_t>(options.samples_per_process) : codes.size();
  while (!pending.empty()) {
    const std::vector<size_t> batch(pending.begin(), pending.begin() + std::min(batch_size, pending.size()));
    const fs::path dir = fresh_dir(root, safe_name(problem.question_id));
    json job = common;
    json samples = json::array();
    for (size_t k : batch) samples.push_back({{"index", k}, {"code", codes[k]}});
    job["samples"] = std::move(samples);
    write_file_atomic(dir / "driver.py", driver_source());
    write_file_atomic(dir / "job.json", job.dump(-1, ' ', false, json::error_handler_t::replace));

    sandbox::RunRequest req;
    req.argv = {python, "-I", (dir / "driver.py").string(), (dir / "job.json").string()};
    req.work_dir = dir;
    req.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", dir.string()}, {"LANG", "C.UTF-8"},
               {"LC_ALL", "C.UTF-8"}, {"PYTHONIOENCODING", "utf-8"}, {"PYTHONDONTWRITEBYTECODE", "1"},
               {"OMP_NUM_THREADS", "1"}, {"OPENBLAS_NUM_THREADS", "1"}};
    req.limits.wall_seconds = per_sample * static_cast<double>(batch.size()) + 30;
    req.limits.cpu_seconds = req.limits.wall_seconds;
    req.limits.memory_bytes = options.memory_bytes + (1LL << 30) + 4 * static_cast<int64_t>(test_bytes);
    req.limits.max_file_bytes = 256LL << 20;
    req.limits.max_output_bytes = 1 << 20;
    const sandbox::RunResult run = sandbox::run(req);
    if (run.verdict == sandbox::Verdict::kSandboxError) {
      throw Error("lcb: the sandbox could not run the judge for " + problem.question_id + ": " + run.error,
                  "run `hrm doctor` to see which sandbox protections this machine supports");
    }

    std::vector<size_t> still;
    size_t resolved = 0;
    for (size_t k : batch) {
      if (read_sample(dir, k, problem, tests, run, options, results[k])) {
        ++resolved;
      } else {
        still.push_back(k);
      }
    }
    if (resolved == 0) {
      // Nothing started: the driver itself failed (python missing, bad job). A harness error, not a verdict.
      const std::string detail = std::string(sandbox::verdict_name(run.verdict)) + ", exit " +
                                 std::to_string(run.exit_code) + ": " + run.stderr_data.substr(0, 2000);
      spdlog::error("lcb: the judge driver failed for {} ({})", problem.question_id, detail);
      for (size_t k : still) {
        results[k].results = json::array({kTestRunnerError});
        results[k].metadata = {{"error", detail}, {"error_code", kTestRunnerError}, {"error_message", "TestRunnerError"}};
      }
      still.clear();
    }
    // Samples the process never reached (it died on an earlier one) go to a fresh process.
    std::vector<size_t> next(still);
    next.insert(next.end(), pending.begin() + batch.size(), pending.end());
    pending = std::move(next);
    if (!options.keep_work) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }
  return results;
}

}  // namespace hrm::eval::lcb
