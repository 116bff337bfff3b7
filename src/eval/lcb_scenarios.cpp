#include "hrm/eval/lcb_scenarios.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hrm/sandbox/sandbox.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "hrm/util/parallel.hpp"

namespace hrm::eval::lcb {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Rows of a JSONL file or of a JSON list, each with its "file:line" (or "file[index]").
std::vector<std::pair<json, std::string>> read_rows(const fs::path& file) {
  const std::string text = read_file(file);
  std::vector<std::pair<json, std::string>> rows;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    json all;
    try {
      all = json::parse(text);
    } catch (const json::exception& e) {
      throw Error(file.string() + ": not a JSON list: " + e.what());
    }
    for (size_t i = 0; i < all.size(); ++i)
      rows.emplace_back(std::move(all[i]), file.string() + "[" + std::to_string(i) + "]");
    return rows;
  }
  size_t start = 0, lineno = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    ++lineno;
    const std::string line = text.substr(start, nl - start);
    start = nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = file.string() + ":" + std::to_string(lineno);
    try {
      rows.emplace_back(json::parse(line), where);
    } catch (const json::exception& e) {
      throw Error(where + ": not a JSON object: " + e.what());
    }
  }
  return rows;
}

std::string str_field(const json& row, const char* key, const std::string& where) {
  const auto it = row.find(key);
  if (it == row.end()) throw Error(where + ": missing field '" + key + "'");
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  throw Error(where + ": field '" + key + "' must be a string");
}

long long int_field(const json& row, const char* key, const std::string& where) {
  const auto it = row.find(key);
  if (it == row.end()) throw Error(where + ": missing field '" + key + "'");
  if (it->is_number_integer()) return it->get<long long>();
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (const std::exception&) {}
  }
  throw Error(where + ": field '" + key + "' must be an integer");
}

// A directory removed when this goes out of scope, also when an exception passes.
struct RemovedOnExit {
  fs::path dir;
  ~RemovedOnExit() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// Runs items [lo, hi) in one sandboxed checker process in `dir`; passed[i] true where item i passed.
void run_check_chunk(const std::vector<json>& items, size_t lo, size_t hi, const std::string& python,
                     const fs::path& dir, std::vector<char>& passed) {
  json job;
  job["items"] = json::array();
  double budget = 30;
  for (size_t i = lo; i < hi; ++i) {
    job["items"].push_back(items[i]);
    budget += items[i].value("timeout", 3.0) + 2;
  }
  write_file_atomic(dir / "check.py", checker_source());
  write_file_atomic(dir / "job.json", job.dump(-1, ' ', false, json::error_handler_t::replace));
  sandbox::RunRequest req;
  req.argv = {python, "-I", (dir / "check.py").string(), (dir / "job.json").string()};
  req.work_dir = dir;
  req.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", dir.string()}, {"LANG", "C.UTF-8"}, {"OMP_NUM_THREADS", "1"}};
  req.limits.wall_seconds = budget;
  req.limits.cpu_seconds = budget;
  const auto run = sandbox::run(req);
  if (run.verdict == sandbox::Verdict::kSandboxError) {
    throw Error("lcb: the sandbox could not run the checker: " + run.error,
                "run `hrm doctor` to see which sandbox protections this machine supports");
  }
  for (size_t i = lo; i < hi; ++i) {
    const fs::path r = dir / ("r" + std::to_string(i - lo) + ".json");
    if (!fs::exists(r)) continue;
    const json res = json::parse(read_file(r), nullptr, false);
    passed[i] = res.is_object() && res.value("passed", false);
  }
}

// Runs checker items in sandboxes (chunks in parallel); true where the item passed.
std::vector<bool> run_checks(const std::vector<json>& items, const CheckOptions& options) {
  if (items.empty()) return {};
  const std::string python = sandbox::resolve_program(options.python);
  const fs::path root = options.work_root.empty() ? fs::temp_directory_path() / "hrm-lcb" : options.work_root;
  fs::create_directories(root);
  constexpr size_t kChunk = 64;
  std::vector<char> passed(items.size(), 0);  // not vector<bool>: chunks write their items from several threads
  parallel_for(options.jobs, (items.size() + kChunk - 1) / kChunk, [&](size_t c) {
    const fs::path dir = root / ("check-" + std::to_string(::getpid()) + "-" + std::to_string(c) + "-" +
                                 std::to_string(reinterpret_cast<uintptr_t>(&items)));
    fs::create_directories(dir);
    const RemovedOnExit cleanup{dir};
    run_check_chunk(items, c * kChunk, std::min(items.size(), (c + 1) * kChunk), python, dir, passed);
  });
  return std::vector<bool>(passed.begin(), passed.end());
}

template <typename P>
void check_shape(const std::vector<P>& problems, const std::vector<std::vector<std::string>>& predictions) {
  if (problems.size() != predictions.size()) {
    throw Error("lcb: " + std::to_string(predictions.size()) + " prediction lists for " +
                std::to_string(problems.size()) + " problems");
  }
}

}  // namespace

std::vector<TestOutputProblem> load_test_output_problems(const fs::path& file) {
  std::vector<TestOutputProblem> out;
  for (auto& [row, where] : read_rows(file)) {
    if (!row.is_object()) throw Error(where + ": a row must be a JSON object");
    TestOutputProblem p;
    p.source = where;
    p.question_title = str_field(row, "question_title", where);
    p.question_content = str_field(row, "question_content", where);
    p.question_id = str_field(row, "question_id", where);
    p.contest_id = str_field(row, "contest_id", where);
    p.contest_date = str_field(row, "contest_date", where);
    p.difficulty = str_field(row, "difficulty", where);
    p.starter_code = str_field(row, "starter_code", where);
    p.function_name = str_field(row, "function_name", where);
    p.test_id = static_cast<int>(int_field(row, "test_id", where));
    const json tests = json::parse(str_field(row, "test", where), nullptr, false);
    if (!tests.is_array() || tests.empty())
      throw Error(where + ": field 'test' must be a non-empty JSON list of tests");
    for (const auto& t : tests) {
      if (!t.is_object()) throw Error(where + ": field 'test' holds a non-object");
      p.test.push_back({str_field(t, "input", where + " test"), str_field(t, "output", where + " test"),
                        t.value("testtype", "functional")});
    }
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.question_id, a.test_id) < std::tie(b.question_id, b.test_id);
  });
  return out;
}

std::vector<ExecutionProblem> load_execution_problems(const fs::path& file) {
  std::vector<ExecutionProblem> out;
  for (auto& [row, where] : read_rows(file)) {
    if (!row.is_object()) throw Error(where + ": a row must be a JSON object");
    ExecutionProblem p;
    p.source = where;
    p.question_id = str_field(row, "question_id", where);
    p.contest_id = str_field(row, "contest_id", where);
    p.contest_date = str_field(row, "contest_date", where);
    p.difficulty = str_field(row, "difficulty", where);
    p.function_name = str_field(row, "function_name", where);
    p.code = str_field(row, "code", where);
    p.input = str_field(row, "input", where);
    p.output = str_field(row, "output", where);
    p.id = str_field(row, "id", where);
    p.problem_id = str_field(row, "problem_id", where);
    p.numsteps = static_cast<long>(int_field(row, "numsteps", where));
    const size_t us = p.id.find('_');
    if (us == std::string::npos) throw Error(where + ": id '" + p.id + "' is not of the form <name>_<number>");
    try {
      (void)std::stoll(p.id.substr(us + 1));
    } catch (const std::exception&) {
      throw Error(where + ": id '" + p.id + "' is not of the form <name>_<number>");
    }
    out.push_back(std::move(p));
  }
  auto key = [](const ExecutionProblem& p) {
    const std::string rest = p.id.substr(p.id.find('_') + 1);
    return std::stoll(rest.substr(0, rest.find('_')));
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  return out;
}

std::vector<std::vector<bool>> grade_test_outputs(const std::vector<TestOutputProblem>& problems,
                                                  const std::vector<std::vector<std::string>>& predictions,
                                                  const CheckOptions& options) {
  check_shape(problems, predictions);
  std::vector<json> items;
  for (size_t i = 0; i < problems.size(); ++i)
    for (const auto& pred : predictions[i])
      items.push_back(
          {{"kind", "testoutput"}, {"prediction", pred}, {"expected", problems[i].test[0].output}, {"timeout", 3}});
  const auto flat = run_checks(items, options);
  std::vector<std::vector<bool>> graded(problems.size());
  size_t at = 0;
  for (size_t i = 0; i < problems.size(); ++i)
    for (size_t j = 0; j < predictions[i].size(); ++j) graded[i].push_back(flat[at++]);
  return graded;
}

std::vector<std::vector<bool>> grade_executions(const std::vector<ExecutionProblem>& problems,
                                                const std::vector<std::vector<std::string>>& predictions,
                                                const CheckOptions& options) {
  check_shape(problems, predictions);
  std::vector<json> items;
  std::vector<std::pair<size_t, size_t>> where;
  std::vector<std::vector<bool>> graded(problems.size());
  for (size_t i = 0; i < problems.size(); ++i) {
    graded[i].assign(predictions[i].size(), false);
    for (size_t j = 0; j < predictions[i].size(); ++j) {
      const auto& pred = predictions[i][j];
      // A prediction that repeats the input is not an answer (LiveCodeBench skips it: never correct).
      if (pred.find(problems[i].input) != std::string::npos) continue;
      const std::string program =
          std::string(execution_imports()) + "\n" + problems[i].code + "\nassert " + problems[i].output + " == " + pred;
      items.push_back({{"kind", "execution"}, {"program", program}, {"timeout", options.execution_timeout}});
      where.emplace_back(i, j);
    }
  }
  const auto flat = run_checks(items, options);
  for (size_t t = 0; t < flat.size(); ++t) graded[where[t].first][where[t].second] = flat[t];
  return graded;
}

}  // namespace hrm::eval::lcb
